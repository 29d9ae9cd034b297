import ADSappCore
import Fluent
import Vapor

/// Inviting people into an organization, resending and withdrawing invitations, and accepting one.
///
/// Every change runs with the organization's row locked (`MemberManagement.withOrganizationLocked`), so two
/// invitations cannot both take the last seat and one address cannot be invited twice at once.
struct Invitations: Sendable {
    let context: AppContext
    let emails: EmailQueue
    let planLimits: any PlanLimits

    init(_ request: Request) {
        context = request.context
        emails = request.emails
        planLimits = request.application.planLimits
    }

    /// Why an invitation is not sent or not accepted.
    enum Refusal: Error, Equatable {
        case invalidEmail(FieldError)
        case rule(MembershipRuleViolation)
        case unknownTeam
        /// The address already belongs to a member of the organization.
        case alreadyMember
        /// An invitation to this address is still open: resend or withdraw it instead.
        case alreadyInvited
        case seatLimitReached(maximum: Int)
        /// The invitation was used, withdrawn, replaced or has expired since the page was shown.
        case noLongerValid
        /// The signed-in account has another address than the invited one.
        case wrongAddress
        /// Signing up through the invitation, for an address that already has an account.
        case accountExists
    }

    private var now: Date { context.dependencies.now() }

    // MARK: Inside the organization

    func invite(email raw: String, role: Role, teamIDs: [UUID], language: Language, by tenant: Tenant) async throws -> Invitation {
        let email: EmailAddress
        do { email = try EmailAddress(raw) } catch { throw Refusal.invalidEmail(error) }
        try Self.checkInvitation(actor: tenant.role, role: role)
        let token = context.dependencies.randomToken(bytes: 32)
        let now = self.now
        let invitation = try await MemberManagement.withOrganizationLocked(tenant.scope) { scope in
            let teams = try await scope.query(Team.self).filter(\.$id ~~ teamIDs).count()
            guard teams == Set(teamIDs).count else { throw Refusal.unknownTeam }
            if try await Self.isMember(email.value, in: scope) { throw Refusal.alreadyMember }
            for open in try await scope.query(Invitation.self).filter(\.$email == email.value).filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil).all() {
                // An open invitation stands in the way; an expired one is replaced.
                guard open.expiresAt <= now else { throw Refusal.alreadyInvited }
                open.revokedAt = now
                try await open.update(on: scope.database)
            }
            try await checkSeat(in: scope, counting: nil)
            let invitation = Invitation(
                organizationID: scope.organizationID, email: email.value, role: role, teamIDs: Array(Set(teamIDs)), invitedByID: tenant.signedIn.userID,
                inviterName: tenant.user.name, language: language, tokenHash: sha256Hex(token), createdAt: now,
                expiresAt: now + context.configuration.accountLinks.invitationTTL)
            try await invitation.create(on: scope.database)
            try await mail(invitation, token: token, organizationName: tenant.organization.name, replyTo: tenant.user.email, on: scope.database)
            return invitation
        }
        return invitation
    }

    /// A new link and a new expiry; the old link stops working. 404 for an invitation that is not open here.
    func resend(invitationID: UUID, by tenant: Tenant) async throws -> Invitation {
        let token = context.dependencies.randomToken(bytes: 32)
        let now = self.now
        return try await MemberManagement.withOrganizationLocked(tenant.scope) { scope in
            guard let invitation = try await scope.find(Invitation.self, invitationID), invitation.isOpen else { throw Abort(.notFound) }
            try Self.checkInvitation(actor: tenant.role, role: invitation.role)
            if try await Self.isMember(invitation.email, in: scope) { throw Refusal.alreadyMember }
            try await checkSeat(in: scope, counting: invitation.id)
            invitation.tokenHash = sha256Hex(token)
            invitation.expiresAt = now + context.configuration.accountLinks.invitationTTL
            try await invitation.update(on: scope.database)
            try await mail(invitation, token: token, organizationName: tenant.organization.name, replyTo: tenant.user.email, on: scope.database)
            return invitation
        }
    }

    /// Withdraws an open invitation: its link stops working. 404 for one that is not open here.
    func revoke(invitationID: UUID, by tenant: Tenant) async throws {
        let now = self.now
        try await MemberManagement.withOrganizationLocked(tenant.scope) { scope in
            guard let invitation = try await scope.find(Invitation.self, invitationID), invitation.isOpen else { throw Abort(.notFound) }
            try Self.checkInvitation(actor: tenant.role, role: invitation.role)
            invitation.revokedAt = now
            try await invitation.update(on: scope.database)
        }
    }

    /// Open invitations (expired ones too, so they can be resent), newest first.
    static func open(in scope: TenantScope) async throws -> [Invitation] {
        try await scope.query(Invitation.self).filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil).sort(\.$createdAt, .descending).all()
    }

    // MARK: Through the link

    /// The usable invitation a link's token names, with its organization; `nil` for anything else
    /// (unknown, malformed, used, withdrawn, replaced or expired: one answer, so guessing learns nothing).
    static func find(token: String, on database: any Database, now: Date) async throws -> (invitation: Invitation, organization: Organization)? {
        guard AccountTokens.isWellFormed(token) else { return nil }
        // Across organizations on purpose: the link is what names the organization.
        guard let invitation = try await Invitation.query(on: database).filter(\.$tokenHash == sha256Hex(token)).first(),
            invitation.isUsable(at: now),
            let organization = try await Organization.find(invitation.organizationID, on: database)
        else { return nil }
        return (invitation, organization)
    }

    /// Who accepts: a signed-in account, or a new person signing up through the link.
    enum Acceptor: Sendable {
        case existing(User)
        case new(name: String, passwordHash: String, language: String?)
    }

    /// Joins the invitation's organization through `MemberManagement.addMember`, with the role and
    /// teams it names, and marks it used. The invited address counts as verified from then on.
    func accept(_ invitation: Invitation, as acceptor: Acceptor, on database: any Database) async throws -> (user: User, membership: Membership) {
        let now = self.now
        let scope = TenantScope(organizationID: invitation.organizationID, database: database)
        return try await MemberManagement.withOrganizationLocked(scope) { scope in
            // Read again under the lock: a second click, a resend or a withdrawal may have come first.
            guard let current = try await scope.find(Invitation.self, invitation.id), current.tokenHash == invitation.tokenHash, current.isUsable(at: now)
            else { throw Refusal.noLongerValid }
            let user: User
            switch acceptor {
            case .existing(let existing):
                guard existing.email == current.email else { throw Refusal.wrongAddress }
                if try await Self.isMember(current.email, in: scope) { throw Refusal.alreadyMember }
                user = existing
                if user.emailVerifiedAt == nil {
                    user.emailVerifiedAt = now
                    try await user.update(on: scope.database)
                }
            case .new(let name, let passwordHash, let language):
                if try await User.query(on: scope.database).filter(\.$email == current.email).first() != nil { throw Refusal.accountExists }
                user = try await Registration.createInvitedUser(
                    name: name, email: current.email, passwordHash: passwordHash, language: language, now: now, on: scope.database)
            }
            try await checkSeat(in: scope, counting: current.id, membersOnly: true)
            current.acceptedAt = now
            try await current.update(on: scope.database)
            let membership = try await MemberManagement.addMember(userID: user.id!, role: current.role, teamIDs: current.teamIDs, in: scope, now: now)
            return (user, membership)
        }
    }

    // MARK: Parts

    private static func checkInvitation(actor: Role, role: Role) throws(Refusal) {
        do { try MembershipRules.checkInvitation(actor: actor, role: role) } catch { throw Refusal.rule(error) }
    }

    private static func isMember(_ email: String, in scope: TenantScope) async throws -> Bool {
        try await scope.query(Membership.self)
            .join(User.self, on: \Membership.$user.$id == \User.$id)
            .filter(User.self, \.$email == email)
            .count() > 0
    }

    /// Seats are members plus open, unexpired invitations (other than `invitationID`, which is the
    /// one taking the seat). At acceptance only members count: the invitation had its seat already.
    private func checkSeat(in scope: TenantScope, counting invitationID: UUID?, membersOnly: Bool = false) async throws {
        let limit = try await planLimits.seatLimit(organizationID: scope.organizationID, on: scope.database)
        guard let maximum = limit.maximumMembers else { return }
        var taken = try await scope.query(Membership.self).count()
        if !membersOnly {
            var pending = scope.query(Invitation.self).filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil).filter(\.$expiresAt > now)
            if let invitationID { pending = pending.filter(\.$id != invitationID) }
            taken += try await pending.count()
        }
        guard limit.allowsOneMore(taken: taken) else { throw Refusal.seatLimitReached(maximum: maximum) }
    }

    /// The invitation's email; a reply reaches the member who sent it (or sent it again).
    private func mail(_ invitation: Invitation, token: String, organizationName: String, replyTo: String, on database: any Database) async throws {
        let email = InvitationEmail(
            organizationName: organizationName, inviterName: invitation.inviterName, role: invitation.role,
            link: context.configuration.emailLink(SiteURL.invitation.path(token: token)), expiresAt: invitation.expiresAt)
        try await emails.enqueue(
            email, to: EmailRecipient(email: invitation.email, language: invitation.emailLanguage), organizationName: nil, replyTo: replyTo,
            on: database)
    }
}

/// "Anna invited you to join Bakkerij Anna": the invitee's link, in the language the inviter chose.
struct InvitationEmail: EmailTemplate {
    var organizationName: String
    var inviterName: String
    var role: Role
    var link: String
    var expiresAt: Date

    var kind: String { "invitation" }

    func subject(_ t: Localizer) -> String {
        t(.emailInvitationSubject, ["inviter": inviterName, "organization": organizationName])
    }

    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreeting),
            paragraphs: [
                t(.emailInvitationBody, ["inviter": inviterName, "organization": organizationName, "role": t.role(role)]),
                t(.emailInvitationExpires, ["date": t.dateTime(expiresAt)]),
            ],
            action: EmailAction(label: t(.emailInvitationAction), url: link),
            footnote: t(.emailInvitationFootnote))
    }
}
