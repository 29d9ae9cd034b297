import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor
import WhatsAppCloud

/// Stores what customers send to one connection: finds or makes the contacts and conversations,
/// records each message once (by its WhatsApp id), refreshes the 24-hour window and queues the
/// media downloads.
///
/// Works on many messages at once with a handful of statements whatever their number (a webhook
/// batch carries hundreds), so run it inside a transaction: it is all or nothing. Batches processed
/// at the same time may meet the same contact, conversation or message; every insert gives way to
/// the row that got there first and every update is one statement, so nothing is lost or counted
/// twice.
struct InboundIngest: Sendable {
    /// A message and the profile Meta sent beside it.
    struct Arrival: Sendable {
        var message: InboundMessage
        var profile: WebhookContact?
    }

    let scope: TenantScope
    let connectionID: UUID
    let jobs: JobStore
    let events: InboxEventLog
    let now: Date

    /// Records the messages not recorded before, in order; returns how many were new.
    @discardableResult
    func record(_ arrivals: [Arrival]) async throws -> Int {
        var seen: Set<String> = []
        let unique = arrivals.filter { seen.insert($0.message.id).inserted }
        let known = try await recordedWamids(unique.map(\.message.id))
        let fresh = unique.filter { !known.contains($0.message.id) }
        guard !fresh.isEmpty else { return 0 }

        let contactIDs = try await contacts(for: fresh)
        let conversationIDs = try await conversations(with: Set(contactIDs))
        let rows = zip(fresh, contactIDs).map { arrival, contactID in
            NewMessage(id: UUID(), conversationID: conversationIDs[contactID]!, message: arrival.message)
        }
        let inserted = try await insert(rows)
        // A batch processed at the same time may have stored some of them first: only ours count.
        let stored = rows.filter { inserted.contains($0.id) }
        let waitingForAnAgent = try await touchConversations(for: stored)
        try await events.record(.message, conversations: Set(stored.map(\.conversationID)))
        // Opt-out and opt-in words: only messages stored now, so a replayed webhook confirms nothing twice.
        let contactOf = Dictionary(uniqueKeysWithValues: conversationIDs.map { ($0.value, $0.key) })
        let keywordCandidates = stored.compactMap { row -> OptOutKeywordReplies.Candidate? in
            guard Self.kind(of: row.message) == "text", OptOutKeywordReplies.mayBeKeyword(row.content.text), let text = row.content.text,
                let contactID = contactOf[row.conversationID]
            else { return nil }
            return .init(contactID: contactID, conversationID: row.conversationID, text: text)
        }
        try await OptOutKeywordReplies(scope: scope, jobs: jobs, inboxWakeUp: events.wakeUp, now: now).handle(keywordCandidates)
        try await AutomaticAssignment.look(at: waitingForAnAgent, organizationID: scope.organizationID, jobs: jobs, on: scope.database)

        let downloads = try stored.filter { $0.message.content.media != nil }.map {
            try JobStore.NewJob(DownloadInboundMedia.self, .init(messageID: $0.id), priority: .high, organizationID: scope.organizationID)
        }
        try await jobs.enqueue(downloads, on: scope.database)
        let texts = stored.filter { Self.kind(of: $0.message) == "text" }
        try await AIArrivals.queue(messages: texts.map(\.id), conversations: texts.map(\.conversationID), scope: scope, jobs: jobs)
        return stored.count
    }

    /// The type as stored: WhatsApp's own, or `unsupported` for anything this version cannot read.
    static func kind(of message: InboundMessage) -> String {
        if case .unsupported = message.content { return "unsupported" }
        if message.decodingError != nil { return "unsupported" }
        return message.type
    }

    // MARK: - Messages

    private struct NewMessage {
        var id: UUID
        var conversationID: UUID
        var message: InboundMessage
        var content: MessageContent

        init(id: UUID, conversationID: UUID, message: InboundMessage) {
            self.id = id
            self.conversationID = conversationID
            self.message = message
            self.content = MessageContent(message)
        }

        var isReaction: Bool { content.reaction != nil }
    }

    private func recordedWamids(_ wamids: [String]) async throws -> Set<String> {
        var known: Set<String> = []
        for chunk in wamids.chunks(of: 500) {
            let rows = try await scope.sql(
                """
                SELECT wamid FROM messages
                WHERE organization_id = \(bind: scope.organizationID) AND connection_id = \(bind: connectionID)
                  AND wamid IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """
            ).all()
            for row in rows { known.insert(try row.decode(column: "wamid", as: String.self)) }
        }
        return known
    }

    /// Inserts the rows, giving way to messages stored meanwhile; returns the ids of the rows inserted.
    private func insert(_ rows: [NewMessage]) async throws -> Set<UUID> {
        var inserted: Set<UUID> = []
        // 22 binds a row; PostgreSQL allows 65,535 a statement.
        for chunk in rows.chunks(of: 500) {
            let values: [any SQLExpression] = chunk.map { row in
                let message = row.message
                let media = message.content.media
                let preview = row.content.preview
                let forwarded = message.context?.forwarded == true || message.context?.frequentlyForwarded == true
                return SQLGroupExpression([
                    SQLBind(row.id), SQLBind(scope.organizationID), SQLBind(row.conversationID), SQLBind(connectionID),
                    SQLBind(Message.Direction.inbound.rawValue), SQLBind(message.id), SQLBind(Self.kind(of: message)),
                    SQLBind(preview.isEmpty ? nil : preview), SQLBind(row.content.json()), SQLBind(message.raw.jsonText()),
                    SQLBind(Message.Status.received.rawValue), SQLBind(now), SQLBind(message.context?.messageID), SQLBind(forwarded),
                    SQLBind(media?.id), SQLBind(media?.mimeType), SQLBind(media?.sha256), SQLBind(media?.filename),
                    SQLBind(media == nil ? nil : Message.MediaState.pending.rawValue),
                    SQLBind(message.timestamp), SQLBind(now),
                ])
            }
            let ids = try await scope.sql(
                """
                INSERT INTO messages (id, organization_id, conversation_id, connection_id, direction, wamid, kind,
                                      body, content, raw, status, status_at, reply_to_wamid, forwarded,
                                      media_id, media_mime_type, media_sha256, media_filename, media_state, sent_at, created_at)
                VALUES \(SQLList(values))
                ON CONFLICT (connection_id, wamid) DO NOTHING
                RETURNING id
                """
            ).all().map { try $0.decode(column: "id", as: UUID.self) }
            inserted.formUnion(ids)
        }
        return inserted
    }

    /// Reopens each conversation (a snoozed one wakes), counts its unread messages and moves its
    /// preview and 24-hour window forward, all in one statement (`column1`… are the names both
    /// databases give the columns of a `VALUES` list): relative to the stored row, so concurrent
    /// batches never lose an update. Reactions are no news for the conversation list but do open
    /// the window. Returns the teams with a conversation that has no one assigned.
    private func touchConversations(for stored: [NewMessage]) async throws -> Set<UUID> {
        var unassignedTeams: Set<UUID> = []
        // In id order, as every batch does, so two at the same time never wait on each other in a circle.
        let touched = Dictionary(grouping: stored, by: \.conversationID).sorted { $0.key < $1.key }
        for chunk in touched.chunks(of: 500) {
            let values: [any SQLExpression] = chunk.map { conversationID, messages in
                let news = messages.filter { !$0.isReaction }
                // The newest wins; of equal times the later one, as if they were applied one by one.
                let latest = news.reduce(nil) { (newest: NewMessage?, next) in
                    newest.map { next.message.timestamp >= $0.message.timestamp ? next : $0 } ?? next
                }
                let lastInbound = messages.map(\.message.timestamp).max()!
                return SQLGroupExpression([
                    SQLBind(conversationID), SQLBind(news.count), SQLBind(latest != nil),
                    SQLBind(latest?.message.timestamp ?? lastInbound), SQLBind(latest?.content.preview), SQLBind(lastInbound),
                    SQLBind(news.map(\.message.timestamp).min() ?? lastInbound),
                ])
            }
            let touched = try await scope.sql(
                """
                UPDATE conversations SET
                  status = 'open',
                  snoozed_until = NULL,
                  waiting_since = CASE WHEN v.column3 THEN COALESCE(conversations.waiting_since, v.column7) ELSE conversations.waiting_since END,
                  unread_count = conversations.unread_count + v.column2,
                  last_message_preview = CASE WHEN v.column3 AND v.column4 >= conversations.last_message_at THEN v.column5 ELSE conversations.last_message_preview END,
                  last_message_at = CASE WHEN v.column3 AND v.column4 >= conversations.last_message_at THEN v.column4 ELSE conversations.last_message_at END,
                  last_inbound_at = CASE WHEN conversations.last_inbound_at IS NULL OR v.column6 > conversations.last_inbound_at THEN v.column6 ELSE conversations.last_inbound_at END
                FROM (VALUES \(SQLList(values))) AS v
                WHERE conversations.id = v.column1 AND conversations.organization_id = \(bind: scope.organizationID)
                RETURNING team_id, assignee_id
                """
            ).all()
            for row in touched where try row.decode(column: "assignee_id", as: UUID?.self) == nil {
                if let team = try row.decode(column: "team_id", as: UUID?.self) { unassignedTeams.insert(team) }
            }
        }
        return unassignedTeams
    }

    // MARK: - Contacts

    private struct ContactRow {
        var id: UUID
        var waID: String?
        var userID: String?
        var profileName: String?
        var changed = false
    }

    /// The contact of each arrival, in order: found by `wa_id`, else by `user_id`, else made. Each
    /// keeps the newest profile name and learns the ids it did not have.
    private func contacts(for arrivals: [Arrival]) async throws -> [UUID] {
        let keys = arrivals.map { arrival in
            (waID: arrival.profile?.waID ?? arrival.message.from, userID: arrival.profile?.userID ?? arrival.message.fromUserID)
        }
        var byWaID = try await contactRows(column: "wa_id", values: Set(keys.compactMap(\.waID)))
        var byUserID = try await contactRows(
            column: "user_id", values: Set(keys.filter { $0.waID.map { byWaID[$0] == nil } ?? true }.compactMap(\.userID))
        )

        // Customers seen for the first time.
        let newWaIDs = Set(
            keys.compactMap { key in
                key.waID.flatMap { byWaID[$0] == nil && key.userID.flatMap { byUserID[$0] } == nil ? $0 : nil }
            })
        if !newWaIDs.isEmpty {
            // Made with the newest name and user id their messages bring.
            var made: [String: ContactRow] = [:]
            for (arrival, key) in zip(arrivals, keys) {
                guard let waID = key.waID, newWaIDs.contains(waID) else { continue }
                var row = made[waID] ?? ContactRow(id: UUID(), waID: waID)
                if let name = arrival.profile?.name, !name.isEmpty { row.profileName = name }
                if let userID = key.userID { row.userID = userID }
                made[waID] = row
            }
            // Another batch may make the same customer meanwhile: its row wins and is read back.
            let sorted = made.values.sorted { $0.waID! < $1.waID! }
            try await insertContacts(sorted, onConflict: "ON CONFLICT (organization_id, wa_id) DO NOTHING")
            byWaID.merge(try await contactRows(column: "wa_id", values: newWaIDs)) { old, _ in old }
        }
        // Only a business-scoped user id: nothing unique to meet on, so a plain insert.
        let newUserIDs = Set(keys.compactMap { key in key.waID == nil ? key.userID.flatMap { byUserID[$0] == nil ? $0 : nil } : nil })
        if !newUserIDs.isEmpty {
            let rows = newUserIDs.map { ContactRow(id: UUID(), userID: $0) }
            try await insertContacts(rows, onConflict: "")
            for row in rows { byUserID[row.userID!] = row }
        }

        // Which row each arrival belongs to; what it teaches that row.
        var rows: [UUID: ContactRow] = [:]
        var ids: [UUID] = []
        for (arrival, key) in zip(arrivals, keys) {
            let found = key.waID.flatMap { byWaID[$0] } ?? key.userID.flatMap { byUserID[$0] }
            var row = found.map { rows[$0.id] ?? $0 } ?? ContactRow(id: UUID())
            if found == nil {
                guard key.waID == nil && key.userID == nil else {
                    throw Abort(.internalServerError, reason: "a contact vanished right after its insert")
                }
                // Neither id: a contact of its own, as Meta gave nothing to find it by again.
                try await insertContacts([row], onConflict: "")
            }
            if let name = arrival.profile?.name, !name.isEmpty, row.profileName != name { row.profileName = name; row.changed = true }
            if let userID = key.userID, row.userID != userID { row.userID = userID; row.changed = true }
            if row.waID == nil, let waID = key.waID { row.waID = waID; row.changed = true }
            rows[row.id] = row
            ids.append(row.id)
        }
        try await touchContacts(lastInbound: zip(ids, arrivals.map(\.message.timestamp)))
        // In id order, as every batch does, so two at the same time never wait on each other in a circle.
        for row in rows.values.sorted(by: { $0.id < $1.id }) where row.changed {
            try await scope.sql(
                """
                UPDATE contacts SET wa_id = \(bind: row.waID), user_id = \(bind: row.userID), profile_name = \(bind: row.profileName),
                  updated_at = \(bind: now)
                WHERE id = \(bind: row.id) AND organization_id = \(bind: scope.organizationID)
                """
            ).run()
        }
        return ids
    }

    /// Each contact's last inbound message and the number it came to (`ContactFilter` selects by
    /// them), one statement for the lot, relative to the stored row like `touchConversations`.
    private func touchContacts(lastInbound arrivals: some Sequence<(UUID, Date)>) async throws {
        var latest: [UUID: Date] = [:]
        for (contactID, at) in arrivals { latest[contactID] = max(latest[contactID] ?? at, at) }
        for chunk in latest.sorted(by: { $0.key < $1.key }).chunks(of: 500) {
            let values: [any SQLExpression] = chunk.map { SQLGroupExpression([SQLBind($0.key), SQLBind($0.value)]) }
            try await scope.sql(
                """
                UPDATE contacts SET
                  last_inbound_connection_id = CASE WHEN contacts.last_inbound_at IS NULL OR v.column2 >= contacts.last_inbound_at
                    THEN \(bind: connectionID) ELSE contacts.last_inbound_connection_id END,
                  last_inbound_at = CASE WHEN contacts.last_inbound_at IS NULL OR v.column2 > contacts.last_inbound_at
                    THEN v.column2 ELSE contacts.last_inbound_at END
                FROM (VALUES \(SQLList(values))) AS v
                WHERE contacts.id = v.column1 AND contacts.organization_id = \(bind: scope.organizationID)
                """
            ).run()
        }
    }

    private func contactRows(column: String, values: Set<String>) async throws -> [String: ContactRow] {
        var found: [String: ContactRow] = [:]
        for chunk in Array(values).chunks(of: 500) {
            let rows = try await scope.sql(
                """
                SELECT id, wa_id, user_id, profile_name FROM contacts
                WHERE organization_id = \(bind: scope.organizationID) AND \(ident: column) IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                ORDER BY created_at
                """
            ).all()
            for row in rows {
                let contact = ContactRow(
                    id: try row.decode(column: "id", as: UUID.self),
                    waID: try row.decode(column: "wa_id", as: String?.self),
                    userID: try row.decode(column: "user_id", as: String?.self),
                    profileName: try row.decode(column: "profile_name", as: String?.self)
                )
                // The oldest contact with a user id is the one it was first found by.
                if let key = column == "wa_id" ? contact.waID : contact.userID, found[key] == nil { found[key] = contact }
            }
        }
        return found
    }

    private func insertContacts(_ rows: [ContactRow], onConflict: String) async throws {
        for chunk in rows.chunks(of: 500) {
            let values: [any SQLExpression] = chunk.map { row in
                SQLGroupExpression([
                    SQLBind(row.id), SQLBind(scope.organizationID), SQLBind(row.waID), SQLBind(row.userID),
                    SQLBind(row.profileName), SQLBind(now), SQLBind(now),
                ])
            }
            try await scope.sql(
                """
                INSERT INTO contacts (id, organization_id, wa_id, user_id, profile_name, created_at, updated_at)
                VALUES \(SQLList(values)) \(unsafeRaw: onConflict)
                """
            ).run()
        }
    }

    // MARK: - Conversations

    /// The conversation of each contact on this connection, made where there is none yet.
    private func conversations(with contactIDs: Set<UUID>) async throws -> [UUID: UUID] {
        var found = try await conversationRows(contactIDs)
        let missing = contactIDs.subtracting(found.keys)
        guard !missing.isEmpty else { return found }
        // New conversations belong to the number's team.
        let teamID = try await scope.sql { organization in
            "SELECT team_id FROM whatsapp_connections WHERE id = \(bind: connectionID) AND organization_id = \(bind: organization)"
        }.first()?.decode(column: "team_id", as: UUID?.self)
        for chunk in missing.sorted().chunks(of: 500) {
            let values: [any SQLExpression] = chunk.map { contactID in
                SQLGroupExpression([
                    SQLBind(UUID()), SQLBind(scope.organizationID), SQLBind(connectionID), SQLBind(contactID), SQLBind("open"),
                    SQLBind(Date.distantPast), SQLBind(0), SQLBind(now), SQLBind(teamID),
                ])
            }
            // Another batch may open the same conversation meanwhile: its row wins and is read back.
            try await scope.sql(
                """
                INSERT INTO conversations (id, organization_id, connection_id, contact_id, status, last_message_at, unread_count, created_at, team_id)
                VALUES \(SQLList(values))
                ON CONFLICT (connection_id, contact_id) DO NOTHING
                """
            ).run()
        }
        found.merge(try await conversationRows(missing)) { old, _ in old }
        guard found.count == contactIDs.count else {
            throw Abort(.internalServerError, reason: "a conversation vanished right after its insert")
        }
        return found
    }

    private func conversationRows(_ contactIDs: Set<UUID>) async throws -> [UUID: UUID] {
        var found: [UUID: UUID] = [:]
        for chunk in Array(contactIDs).chunks(of: 500) {
            let rows = try await scope.sql(
                """
                SELECT id, contact_id FROM conversations
                WHERE organization_id = \(bind: scope.organizationID) AND connection_id = \(bind: connectionID)
                  AND contact_id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """
            ).all()
            for row in rows {
                found[try row.decode(column: "contact_id", as: UUID.self)] = try row.decode(column: "id", as: UUID.self)
            }
        }
        return found
    }
}

extension Array {
    /// The elements in consecutive slices of at most `size`.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
