import Fluent
import Foundation
import Jobs

/// Mails the members a note mentions (queued with the note, in its transaction).
struct NotifyMention: JobHandler {
    struct Payload: Codable, Sendable {
        var noteID: UUID
        var membershipIDs: [UUID]
    }

    static let kind = "notifications.mention"
    static let queue: QueueName = .emailNotification

    let context: AppContext

    func run(_ payload: Payload, context job: JobContext) async throws {
        guard let organizationID = job.organizationID,
            let mailer = try await NotificationMailer(organizationID: organizationID, database: job.database, context: context),
            let note = try await mailer.scope.find(Note.self, payload.noteID),
            let conversation = try await mailer.scope.find(Conversation.self, note.$conversation.id),
            let contact = try await mailer.scope.find(Contact.self, conversation.$contact.id)
        else { return }
        var outgoing: [(MentionEmail, NotificationMailer.Recipient)] = []
        for membershipID in payload.membershipIDs {
            // Not the author, still a member, wants it, and may still see the conversation.
            guard let recipient = try await mailer.recipient(membershipID, wanting: .mention),
                recipient.user.id != note.authorID, recipient.access.maySee(conversation)
            else { continue }
            let email = MentionEmail(
                recipientName: recipient.user.name, authorName: note.authorName, organizationName: mailer.organization.name,
                contactName: contact.displayName, excerpt: MentionEmail.excerpt(note.body), conversationURL: mailer.conversationLink(conversation.id!))
            outgoing.append((email, recipient))
        }
        let emailsToSend = outgoing
        try await job.complete { database in
            for (email, recipient) in emailsToSend { try await mailer.send(email, to: recipient, kind: .mention, on: database) }
        }
    }
}

/// Mails a member the conversations just given to them, by a colleague or by automatic assignment.
struct NotifyAssignment: JobHandler {
    struct Payload: Codable, Sendable {
        var membershipID: UUID
        var conversationIDs: [UUID]
        /// Who assigned them; `nil`: automatic assignment.
        var assignedBy: String?
    }

    static let kind = "notifications.assignment"
    static let queue: QueueName = .emailNotification

    let context: AppContext

    func run(_ payload: Payload, context job: JobContext) async throws {
        guard let organizationID = job.organizationID,
            let mailer = try await NotificationMailer(organizationID: organizationID, database: job.database, context: context),
            let recipient = try await mailer.recipient(payload.membershipID, wanting: .assignment)
        else { return }
        // Only what is still theirs: a conversation handed on since is not news.
        let conversations = try await mailer.scope.query(Conversation.self)
            .filter(\.$id ~~ payload.conversationIDs).filter(\.$assignee.$id == payload.membershipID)
            .with(\.$contact).sort(\.$lastMessageAt, .descending).all()
            .filter(recipient.access.maySee)
        guard let first = conversations.first else { return }
        let email = AssignmentEmail(
            recipientName: recipient.user.name, assignedBy: payload.assignedBy, contactName: first.contact.displayName, count: conversations.count,
            url: conversations.count == 1 ? mailer.conversationLink(first.id!) : context.configuration.emailLink(SiteURL.inbox.path))
        try await job.complete { database in
            try await mailer.send(email, to: recipient, kind: .assignment, on: database)
        }
    }

    /// Queues the email for conversations `membershipID` was just given (not when they took them themselves).
    static func enqueue(
        _ conversationIDs: [UUID], to membershipID: UUID, by actor: (membershipID: UUID, name: String)?, organizationID: UUID, on database: any Database,
        now: Date
    ) async throws {
        guard !conversationIDs.isEmpty, actor?.membershipID != membershipID else { return }
        try await JobStore(database: database, now: { now }).enqueue(
            [
                try .init(
                    NotifyAssignment.self, .init(membershipID: membershipID, conversationIDs: conversationIDs, assignedBy: actor?.name),
                    organizationID: organizationID)
            ], on: database)
    }
}

/// Once a day: each member who chose the digest gets the conversations waiting for an answer that
/// they may see; nobody gets an empty one.
struct SendDailyDigests: JobHandler {
    struct Payload: Codable, Sendable {}

    static let kind = "notifications.daily-digest"
    static let queue: QueueName = .emailNotification
    static let timeLimit: Duration = .seconds(1800)
    /// Conversations listed by name; the rest are counted.
    static let listed = 10

    let context: AppContext

    func run(_ payload: Payload, context job: JobContext) async throws {
        let now = context.dependencies.now()
        // Not twice in one day, also when this job runs again after a failure.
        let since = now.addingTimeInterval(-20 * 3600)
        // Across organizations on purpose: each row names its organization, and everything after is scoped to it.
        let preferences = try await NotificationPreference.query(on: job.database).filter(\.$dailyDigest == true).all()
            .filter { ($0.lastDigestAt ?? .distantPast) < since }
        for (organizationID, members) in Dictionary(grouping: preferences, by: \.organizationID) {
            guard let mailer = try await NotificationMailer(organizationID: organizationID, database: job.database, context: context) else { continue }
            for preference in members {
                guard let recipient = try await mailer.recipient(preference.membershipID, wanting: .digest, preference: preference) else { continue }
                let waiting = recipient.access.limit(mailer.scope.query(Conversation.self))
                    .filter(\.$status == .open).filter(\.$waitingSince != nil)
                let total = try await waiting.copy().count()
                guard total > 0 else { continue }
                let rows = try await waiting.with(\.$contact).sort(\.$waitingSince, .ascending).limit(Self.listed).all()
                let email = DigestEmail(
                    recipientName: recipient.user.name, organizationName: mailer.organization.name,
                    rows: rows.map { .init(contactName: $0.contact.displayName, waitingSince: $0.waitingSince ?? now) }, total: total,
                    inboxURL: context.configuration.emailLink(SiteURL.inbox.path))
                // Everything read before the transaction: SQLite has one connection, and the transaction holds it.
                preference.lastDigestAt = now
                try await job.database.transaction { database in
                    try await preference.save(on: database)
                    try await mailer.send(email, to: recipient, kind: .digest, on: database)
                }
            }
        }
    }
}
