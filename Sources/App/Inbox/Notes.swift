import Fluent
import Foundation
import Jobs

/// Private notes: the team talks about a conversation beside it, never to the customer. Naming a
/// member with `@` (their first name, their full name without spaces, or the part of their email
/// before the `@`) tells them at once and keeps it in their mentions until they look.
struct Notes: Sendable {
    enum Refusal: Error, Equatable {
        case empty
        case tooLong(limit: Int)
    }

    static let maxLength = 4000

    let scope: TenantScope
    let wakeUp: Signal
    let now: Date

    /// `mentioning: false` for text no member wrote (an AI summary): an `@name` in it tells no one.
    @discardableResult
    func add(_ text: String, to conversationID: UUID, by author: User, mentioning: Bool = true) async throws -> Note {
        try await add(text, to: conversationID, authorID: author.id, authorName: author.name, mentioning: mentioning)
    }

    /// A note by a member (`authorID`) or by the app itself (`nil`, e.g. a summary made on resolving).
    @discardableResult
    func add(_ text: String, to conversationID: UUID, authorID: UUID?, authorName: String, mentioning: Bool = true) async throws -> Note {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw Refusal.empty }
        guard body.count <= Self.maxLength else { throw Refusal.tooLong(limit: Self.maxLength) }
        let note = Note()
        note.id = UUID()
        note.organizationID = scope.organizationID
        note.$conversation.id = conversationID
        note.authorID = authorID
        note.authorName = authorName
        note.body = body
        note.createdAt = now
        let (wakeUp, now) = (wakeUp, now)
        try await scope.transaction { scope in
            try await note.create(on: scope.database)
            let members = try await scope.query(Membership.self).with(\.$user).all()
            let mentioned =
                mentioning
                ? Self.mentioned(in: body, among: members.map { (id: $0.id!, name: $0.user.name, email: $0.user.email) })
                    .filter { id in members.first { $0.id == id }?.$user.id != authorID } : []
            let log = InboxEventLog(database: scope.database, wakeUp: wakeUp, now: now)
            for membershipID in mentioned {
                let mention = Mention()
                mention.organizationID = scope.organizationID
                mention.$note.id = note.id!
                mention.$conversation.id = conversationID
                mention.$membership.id = membershipID
                mention.createdAt = now
                try await mention.create(on: scope.database)
                try await log.record(
                    .mention, organizationID: scope.organizationID, conversationID: conversationID, recipientID: membershipID, data: ["by": authorName])
            }
            try await log.record(.note, conversations: [conversationID], data: ["by": authorName])
            if !mentioned.isEmpty {
                // Those who chose so hear of it by email too (`NotifyMention` checks their choice and access).
                try await JobStore(database: scope.database, now: { now }).enqueue(
                    [try .init(NotifyMention.self, .init(noteID: note.id!, membershipIDs: mentioned), organizationID: scope.organizationID)],
                    on: scope.database)
            }
        }
        return note
    }

    /// Reading a conversation's notes is seeing the mentions in them.
    static func markMentionsSeen(in conversationID: UUID, by membershipID: UUID, scope: TenantScope, at now: Date) async throws {
        try await scope.query(Mention.self)
            .filter(\.$membership.$id == membershipID).filter(\.$conversation.$id == conversationID)
            .filter(\.$seenAt == nil).set(\.$seenAt, to: now).update()
    }

    /// The members a note names, each once, in the order they first appear.
    static func mentioned(in body: String, among members: [(id: UUID, name: String, email: String)]) -> [UUID] {
        var found: [UUID] = []
        for match in body.matches(of: /@([\p{L}\p{N}._-]+)/) {
            let word = String(match.output.1).lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "._-"))
            guard !word.isEmpty else { continue }
            let hit = members.first { member in
                let name = member.name.lowercased()
                return name.split(separator: " ").first.map(String.init) == word
                    || name.filter { !$0.isWhitespace } == word
                    || member.email.lowercased().split(separator: "@").first.map(String.init) == word
            }
            if let hit, !found.contains(hit.id) { found.append(hit.id) }
        }
        return found
    }
}
