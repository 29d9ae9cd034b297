import ADSappCore
import Fluent
import Foundation
import Jobs

/// Decides whether a member gets a notification email, and queues it: only while they are still a
/// member, only when they chose that kind, and only about conversations they may see
/// (`InboxAccess`, the inbox's own rule). Each email carries a fresh one-click unsubscribe token.
struct NotificationMailer: Sendable {
    let scope: TenantScope
    /// Read once per job (the digest: once per organization), not once per recipient.
    let organization: Organization
    let emails: EmailQueue
    let now: Date

    /// The mailer for the organization a job names; `nil` once that organization is gone.
    init?(organizationID: UUID, database: any Database, context: AppContext) async throws {
        guard let organization = try await Organization.find(organizationID, on: database) else { return nil }
        self.scope = TenantScope(organizationID: organizationID, database: database)
        self.organization = organization
        self.emails = EmailQueue(context: context, jobs: JobStore(database: database, now: context.dependencies.now))
        self.now = context.dependencies.now()
    }

    /// A member who may receive a notification, with what the email needs.
    struct Recipient: Sendable {
        var membership: Membership
        var user: User
        var access: InboxAccess

        var address: EmailRecipient {
            EmailRecipient(user, fallback: .default)
        }
    }

    /// The member, if they are still in the organization and want `kind` (by `preference` when the
    /// caller has already read it).
    func recipient(_ membershipID: UUID, wanting kind: NotificationKind, preference: NotificationPreference? = nil) async throws -> Recipient? {
        guard let membership = try await scope.query(Membership.self).filter(\.$id == membershipID).with(\.$user).first() else { return nil }
        let chosen = if let preference { preference } else { try await NotificationPreference.of(membershipID: membershipID, in: scope, now: now) }
        guard chosen.wants(kind) else { return nil }
        let access = try await InboxAccess.of(membershipID: membershipID, role: membership.role, agentsSeeAll: organization.agentsSeeAll, in: scope)
        return Recipient(membership: membership, user: membership.user, access: access)
    }

    /// Queues `template` to the recipient with a new unsubscribe link for `kind`.
    func send(_ template: some EmailTemplate, to recipient: Recipient, kind: NotificationKind, on database: any Database) async throws {
        let token = emails.context.dependencies.randomToken(bytes: 32)
        let unsubscribe = NotificationUnsubscribe()
        unsubscribe.id = UUID()
        unsubscribe.tokenHash = sha256Hex(token)
        unsubscribe.organizationID = scope.organizationID
        unsubscribe.membershipID = try recipient.membership.requireID()
        unsubscribe.kind = kind.rawValue
        unsubscribe.createdAt = now
        try await unsubscribe.create(on: database)
        try await emails.enqueue(
            template, to: recipient.address, organizationName: organization.name, unsubscribe: EmailUnsubscribe(token: token), on: database)
    }

    /// A link to a conversation, for emails.
    func conversationLink(_ id: UUID) -> String {
        emails.context.configuration.emailLink(SiteURL.conversation(.value(id)).path)
    }
}

extension NotificationUnsubscribe {
    /// The link a token names, if it is one we sent and it has not expired.
    static func find(token: String, on database: any Database, now: Date) async throws -> NotificationUnsubscribe? {
        guard AccountTokens.isWellFormed(token) else { return nil }
        // Across organizations on purpose: the link is what names the organization and the member.
        guard let row = try await NotificationUnsubscribe.query(on: database).filter(\.$tokenHash == sha256Hex(token)).first(),
            row.createdAt > now.addingTimeInterval(-lifetime)
        else { return nil }
        return row
    }

    /// Forgets links past their lifetime (the maintenance job calls it).
    static func prune(_ database: any Database, now: Date) async throws {
        try await NotificationUnsubscribe.query(on: database).filter(\.$createdAt <= now.addingTimeInterval(-lifetime)).delete()
    }
}
