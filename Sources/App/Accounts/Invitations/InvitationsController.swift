import ADSappCore
import Fluent
import Vapor

/// Invitations on the members page (send, resend, withdraw), the link's page (`/invitations/:token`)
/// where the invitee signs up or signs in and joins, and `/api/v1/invitations`.
enum InvitationsController {
    struct InviteForm: Content {
        var email: String?
        var role: String?
        var team_ids: [UUID]?
        var language: String?
    }

    // MARK: Members page

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(InviteForm.self)
        let t = request.localizer
        guard let role = form.role.flatMap(Role.init(rawValue:)), let language = Language(rawValue: form.language ?? request.language.rawValue) else {
            throw Abort(.badRequest)
        }
        var typed = MembersPage.InviteForm(
            email: form.email ?? "", role: role, teamIDs: form.team_ids ?? [], language: language, roles: [], teams: [])
        do {
            _ = try await Invitations(request).invite(email: typed.email, role: role, teamIDs: typed.teamIDs, language: language, by: tenant)
        } catch let refusal as Invitations.Refusal {
            switch refusal {
            case .invalidEmail(let error): typed.emailError = t.fieldError(error)
            default: typed.error = message(refusal, t)
            }
            return try await MembersController.render(request, tenant, invite: typed, status: refusal.status)
        }
        return request.redirect(to: SiteURL.members.path + "?notice=invited", redirectType: .normal)
    }

    static func resend(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let id = try request.parameters.require(SiteURL.invitationID, as: UUID.self)
        do {
            _ = try await Invitations(request).resend(invitationID: id, by: tenant)
        } catch let refusal as Invitations.Refusal {
            return try await MembersController.render(request, tenant, error: message(refusal, request.localizer), status: refusal.status)
        }
        return request.redirect(to: SiteURL.members.path + "?notice=resent", redirectType: .normal)
    }

    static func revoke(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let id = try request.parameters.require(SiteURL.invitationID, as: UUID.self)
        do {
            try await Invitations(request).revoke(invitationID: id, by: tenant)
        } catch let refusal as Invitations.Refusal {
            return try await MembersController.render(request, tenant, error: message(refusal, request.localizer), status: refusal.status)
        }
        return request.redirect(to: SiteURL.members.path + "?notice=revoked", redirectType: .normal)
    }

    static func message(_ refusal: Invitations.Refusal, _ t: Localizer) -> String {
        switch refusal {
        case .invalidEmail(let error): t.fieldError(error)
        case .rule(.ownerOnly): t(.membersErrorOwnerOnly)
        case .rule: t(.membersErrorNotAllowed)
        case .unknownTeam: t(.invitationsErrorUnknownTeam)
        case .alreadyMember: t(.invitationsErrorAlreadyMember)
        case .alreadyInvited: t(.invitationsErrorAlreadyInvited)
        case .seatLimitReached(let maximum): t(.invitationsErrorSeatLimit, ["maximum": String(maximum)])
        case .noLongerValid: t(.linkInvalidInvitation)
        case .wrongAddress: t(.invitationWrongAddress)
        case .accountExists: t(.invitationAccountExists)
        }
    }

    // MARK: The link

    /// `GET /invitations/:token`, for anyone with the link.
    static func show(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard let (invitation, organization) = try await Invitations.find(token: token, on: request.db, now: request.now) else {
            return try await LinkInvalidPage.response(request, kind: .invitation)
        }
        return try await render(request, InvitationPage.query(request, invitation, organization, token: token))
    }

    /// `POST /invitations/:token/join`: the signed-in invitee joins.
    static func join(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard let (invitation, organization) = try await Invitations.find(token: token, on: request.db, now: request.now) else {
            return try await LinkInvalidPage.response(request, kind: .invitation)
        }
        do {
            let (_, membership) = try await Invitations(request).accept(invitation, as: .existing(signedIn.user), on: request.db)
            signedIn.session.organizationID = membership.organizationID
            try await signedIn.session.update(on: request.db)
        } catch let refusal as Invitations.Refusal {
            if refusal == .noLongerValid { return try await LinkInvalidPage.response(request, kind: .invitation) }
            var model = InvitationPage.query(request, invitation, organization, token: token)
            model.error = message(refusal, request.localizer)
            return try await render(request, model, status: refusal.status)
        }
        request.logger.info("invitation accepted", metadata: ["organization-id": .string(organization.id!.uuidString)])
        return request.redirect(to: SiteURL.dashboard.path, redirectType: .normal)
    }

    struct SignUpForm: Content {
        var name: String?
        var password: String?
    }

    /// `POST /invitations/:token/signup`: a new person makes an account for the invited address and joins.
    static func signUp(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard let (invitation, organization) = try await Invitations.find(token: token, on: request.db, now: request.now) else {
            return try await LinkInvalidPage.response(request, kind: .invitation)
        }
        let form = try request.content.decode(SignUpForm.self)
        let t = request.localizer
        var model = InvitationPage.query(request, invitation, organization, token: token)
        model.name = form.name ?? ""
        var name: DisplayName?
        do { name = try DisplayName(model.name, field: "name") } catch { model.errors["name"] = t.fieldError(error) }
        let password = form.password ?? ""
        do { try PasswordPolicy.check(password, email: try? EmailAddress(invitation.email)) } catch { model.errors["password"] = t.fieldError(error) }
        guard let name, model.errors.isEmpty else { return try await render(request, model, status: .unprocessableEntity) }
        let hash = try await request.passwords.hash(password)
        let user: User
        do {
            (user, _) = try await Invitations(request).accept(
                invitation, as: .new(name: name.value, passwordHash: hash, language: request.language.rawValue), on: request.db)
        } catch let refusal as Invitations.Refusal {
            if refusal == .noLongerValid { return try await LinkInvalidPage.response(request, kind: .invitation) }
            model.error = message(refusal, t)
            return try await render(request, model, status: refusal.status)
        }
        request.logger.info("invitation accepted by a new account", metadata: ["organization-id": .string(organization.id!.uuidString)])
        return try await AccountsController.startSession(for: user, request, redirectTo: SiteURL.dashboard.path, organizationID: organization.id)
    }

    private static func render(_ request: Request, _ model: InvitationPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await HTMLResponse(status: status, html: InvitationPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    // MARK: API

    struct InvitationBody: Content {
        var id: UUID
        var email: String
        var role: String
        var team_ids: [UUID]
        var language: String
        var invited_by: String
        var created_at: Date
        var expires_at: Date
        var expired: Bool

        init(_ invitation: Invitation, now: Date) {
            id = invitation.id!
            email = invitation.email
            role = invitation.role.rawValue
            team_ids = invitation.teamIDs
            language = invitation.language
            invited_by = invitation.inviterName
            created_at = invitation.createdAt
            expires_at = invitation.expiresAt
            expired = invitation.expiresAt <= now
        }
    }

    struct InvitationList: Content { var data: [InvitationBody] }

    /// `GET /api/v1/invitations`: the open invitations, newest first.
    static func apiList(_ request: Request, _ tenant: Tenant) async throws -> InvitationList {
        let now = request.now
        return InvitationList(data: try await Invitations.open(in: tenant.scope).map { InvitationBody($0, now: now) })
    }

    /// `POST /api/v1/invitations` `{"email", "role", "team_ids"?, "language"?}`.
    static func apiCreate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let body = try request.content.decode(InviteForm.self)
        guard let role = body.role.flatMap(Role.init(rawValue:)) else {
            throw APIError(
                .badRequest, code: "validation_failed", message: "role must be one of: " + Role.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        guard let language = Language(rawValue: body.language ?? request.language.rawValue) else {
            throw APIError(.badRequest, code: "validation_failed", message: "language must be one of: en, nl.")
        }
        do {
            let invitation = try await Invitations(request).invite(
                email: body.email ?? "", role: role, teamIDs: body.team_ids ?? [], language: language, by: tenant)
            return try await InvitationBody(invitation, now: request.now).encodeResponse(status: .created, for: request)
        } catch let refusal as Invitations.Refusal {
            throw refusal.apiError
        }
    }

    /// `POST /api/v1/invitations/:invitationID/resend`: a new link and expiry; the old link stops working.
    static func apiResend(_ request: Request, _ tenant: Tenant) async throws -> InvitationBody {
        guard let id = request.parameters.get(SiteURL.invitationID, as: UUID.self) else { throw Self.notFound }
        do {
            return InvitationBody(try await Invitations(request).resend(invitationID: id, by: tenant), now: request.now)
        } catch let refusal as Invitations.Refusal {
            throw refusal.apiError
        } catch let abort as Abort where abort.status == .notFound {
            throw Self.notFound
        }
    }

    /// `DELETE /api/v1/invitations/:invitationID`: withdraws the invitation.
    static func apiRevoke(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        guard let id = request.parameters.get(SiteURL.invitationID, as: UUID.self) else { throw Self.notFound }
        do {
            try await Invitations(request).revoke(invitationID: id, by: tenant)
        } catch let refusal as Invitations.Refusal {
            throw refusal.apiError
        } catch let abort as Abort where abort.status == .notFound {
            throw Self.notFound
        }
        return .noContent
    }

    static let notFound = APIError(.notFound, code: "not_found", message: "No such open invitation.")
}

extension Invitations.Refusal {
    var status: HTTPResponseStatus {
        switch self {
        case .invalidEmail, .unknownTeam: .unprocessableEntity
        case .rule: .forbidden
        case .alreadyMember, .alreadyInvited, .seatLimitReached, .accountExists: .conflict
        case .wrongAddress: .forbidden
        case .noLongerValid: .notFound
        }
    }

    var apiError: APIError {
        switch self {
        case .invalidEmail(let error): APIError.validation(ValidationFailure([error]))
        case .rule(let violation): violation.apiError
        case .unknownTeam: APIError(.badRequest, code: "validation_failed", message: "team_ids names a team this organization does not have.")
        case .alreadyMember: APIError(.conflict, code: "already_member", message: "This address belongs to a member of the organization already.")
        case .alreadyInvited:
            APIError(.conflict, code: "already_invited", message: "An invitation to this address is still open: resend or revoke it instead.")
        case .seatLimitReached(let maximum):
            APIError(
                .conflict, code: "seat_limit_reached",
                message: "The plan allows \(maximum) members, counting open invitations. Billing: \(SiteURL.billing.path)")
        case .noLongerValid: InvitationsController.notFound
        case .wrongAddress: APIError(.forbidden, code: "wrong_address", message: "The invitation is for another address.")
        case .accountExists: APIError(.conflict, code: "account_exists", message: "An account with this address exists: sign in to accept.")
        }
    }
}
