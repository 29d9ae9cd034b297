import Fluent
import Foundation
import SQLKit

/// Finds what an agent types in one organization's inbox: words in messages, contact names, and
/// phone numbers (any run of 3 or more digits in them). Every word must occur, matched from its
/// start (`bak` finds "Bakkerij"), case-insensitively. Contacts first, then messages, newest first;
/// each hit with the matching words marked.
///
/// Full-text indexes do the word search: FTS5 on SQLite (`CreateSearchIndexes`), GIN over a stored
/// `to_tsvector('simple', …)` column on PostgreSQL (`CreateSearchVectors`). Only letters and digits
/// of the query reach either engine, so nothing a person types can change the query's meaning.
///
/// On PostgreSQL a word many messages contain would make the index hand over tens of thousands of
/// rows to sort by time; so the newest messages (and most recently active conversations) are
/// searched first, walking the time index, and the whole index only when they hold too few hits.
/// That second query sorts by an expression, so the planner cannot walk the time index instead:
/// it cannot tell how rare a prefix is, and a rare one would walk every row.
struct InboxSearch: Sendable {
    /// A piece of a hit's text, marked when it matched.
    struct Fragment: Codable, Sendable, Equatable {
        var text: String
        var match: Bool
    }

    struct Hit: Sendable, Equatable {
        enum Kind: String, Codable, Sendable { case message, contact }
        var kind: Kind
        var conversationID: UUID
        /// The message found; nil for a contact.
        var messageID: UUID?
        var contactName: String
        var phone: String?
        var at: Date
        var snippet: [Fragment]
    }

    /// What a query looks for once the punctuation is gone.
    struct Terms: Equatable {
        /// Lower-cased words of letters and digits, at most `maxWords`.
        var words: [String]
        /// The digits of the query when it looks like (part of) a phone number, without the
        /// national `0` or international `00` in front: numbers are stored as WhatsApp ids
        /// (country code first), and people type `06 1234…` or `0031 6 1234…`.
        var phoneDigits: String?

        static let maxWords = 8

        init(_ text: String) {
            words = Array(
                text.lowercased()
                    .split { !($0.isLetter || $0.isNumber) }
                    .map(String.init)
                    .prefix(Self.maxWords))
            var digits = Substring(text.filter(\.isASCIIDigitCharacter))
            let looksLikeNumber = text.allSatisfy { $0.isASCIIDigitCharacter || " +-().".contains($0) }
            if digits.hasPrefix("00") { digits = digits.dropFirst(2) } else if digits.hasPrefix("0") { digits = digits.dropFirst() }
            phoneDigits = looksLikeNumber && digits.count >= 3 ? String(digits) : nil
        }

        var isEmpty: Bool { words.isEmpty && phoneDigits == nil }
    }

    static let defaultLimit = 30
    /// How many of the newest messages PostgreSQL walks before it asks the index (five times as
    /// many when the first walk found a fifth of what it needs).
    static let recentMessages = 10_000
    /// How many of the most recently active conversations it looks through for a contact first.
    static let recentConversations = 2_000
    /// Marks the engines put around matches; control characters that no message text shows.
    private static let startMark = "\u{1}", endMark = "\u{2}"

    let scope: TenantScope
    /// Only conversations the searching member may see; `nil` for all (tests, tools).
    var access: InboxAccess? = nil

    private var engine: any SQLEngine { scope.engine }
    private var usesSearchVectors: Bool { engine.fullTextSearch == .tsvector }

    func search(_ text: String, limit: Int = defaultLimit) async throws -> [Hit] {
        let terms = Terms(text)
        guard !terms.isEmpty else { return [] }
        let limit = min(max(limit, 1), 100)
        guard usesSearchVectors else { return try await find(terms, limit: limit) }
        // Parallel workers take longer to start than these queries take, and on a busy server
        // they wait for a core.
        return try await scope.transaction { scope in
            try await scope.avoidParallelWorkers()
            return try await InboxSearch(scope: scope, access: access).find(terms, limit: limit)
        }
    }

    /// Contacts first (a name or number is usually who the agent is after), then messages.
    private func find(_ terms: Terms, limit: Int) async throws -> [Hit] {
        let contacts = try await contacts(terms, limit: limit)
        let messages = terms.words.isEmpty ? [] : try await messages(terms.words, limit: limit)
        return Array((contacts + messages).prefix(limit))
    }

    // MARK: - Messages

    /// The condition on the conversation `v` that limits hits to what the member may see.
    private var visible: SQLQueryString { access?.visibleConversations ?? "TRUE" }

    private func messages(_ words: [String], limit: Int) async throws -> [Hit] {
        var rows: [any SQLRow]
        if usesSearchVectors {
            let query = engine.prefixQuery(words)
            // The hits first, alone, then their contacts and snippets: joined inside, the planner
            // (which cannot tell how rare a prefix is) hashes every conversation and contact; and
            // `ts_headline` costs more than the search, so only the hits shown get one.
            let restricted: SQLQueryString = access?.teams == nil ? "" : "JOIN conversations v ON v.id = m.conversation_id"
            func search(in source: SQLQueryString, order: SQLQueryString) async throws -> [any SQLRow] {
                try await scope.sql(
                    """
                    SELECT hit.id, hit.conversation_id, hit.sent_at, c.profile_name, c.wa_id, c.user_id,
                      ts_headline('simple', hit.body, to_tsquery('simple', \(bind: query)),
                        'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=24, MinWords=12, ShortWord=0, HighlightAll=false') AS snippet
                    FROM (
                      SELECT m.id, m.conversation_id, m.sent_at, m.body
                      FROM \(source) m \(restricted)
                      WHERE m.organization_id = \(bind: scope.organizationID) AND \(visible)
                        AND m.search_vector @@ to_tsquery('simple', \(bind: query))
                      ORDER BY \(order) DESC
                      LIMIT \(bind: limit)
                    ) AS hit
                    JOIN conversations conversation ON conversation.id = hit.conversation_id
                    JOIN contacts c ON c.id = conversation.contact_id
                    ORDER BY hit.sent_at DESC
                    """
                ).all()
            }
            func recent(_ window: Int) async throws -> [any SQLRow] {
                try await search(
                    in: """
                        (SELECT id, organization_id, conversation_id, sent_at, body, search_vector FROM messages
                         WHERE organization_id = \(bind: scope.organizationID) ORDER BY sent_at DESC LIMIT \(unsafeRaw: String(window)))
                        """, order: "m.sent_at")
            }
            rows = try await recent(Self.recentMessages)
            // Hits, but too few: when the longer walk can be expected to find the rest (the words
            // are common), it is quicker than the index. Fewer: the words are rare, and the index
            // is quick. Numbers (an order, a postcode) are rare whatever the first walk says.
            let hasWords = words.contains { $0.contains(where: \.isLetter) }
            if rows.count < limit, rows.count * 5 >= limit, hasWords { rows = try await recent(Self.recentMessages * 5) }
            if rows.count < limit { rows = try await search(in: "messages", order: "m.sent_at + interval '0 seconds'") }
        } else {
            let query = engine.prefixQuery(words)
            rows = try await scope.sql(
                """
                SELECT m.id, m.conversation_id, m.sent_at, c.profile_name, c.wa_id, c.user_id,
                  snippet(messages_fts, 0, char(1), char(2), '…', 24) AS snippet
                FROM messages_fts
                JOIN messages m ON m.rowid = messages_fts.rowid
                JOIN conversations v ON v.id = m.conversation_id
                JOIN contacts c ON c.id = v.contact_id
                WHERE messages_fts MATCH \(bind: query) AND m.organization_id = \(bind: scope.organizationID) AND \(visible)
                ORDER BY m.sent_at DESC
                LIMIT \(bind: limit)
                """
            ).all()
        }
        return try rows.map { row in
            Hit(
                kind: .message,
                conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                messageID: try row.decode(column: "id", as: UUID.self),
                contactName: try Self.name(row),
                phone: try row.decode(column: "wa_id", as: String?.self).map { "+" + $0 },
                at: try row.decode(column: "sent_at", as: Date.self),
                snippet: Self.fragments(marked: try row.decode(column: "snippet", as: String?.self) ?? "")
            )
        }
    }

    // MARK: - Contacts

    /// Contacts whose name has every word, or whose number has the digits; each with its most
    /// recent conversation.
    private func contacts(_ terms: Terms, limit: Int) async throws -> [Hit] {
        var conditions: [any SQLExpression] = []
        if !terms.words.isEmpty {
            if usesSearchVectors {
                let query = engine.prefixQuery(terms.words)
                conditions.append(SQLQueryString("c.search_vector @@ to_tsquery('simple', \(bind: query))"))
            } else {
                let query = engine.prefixQuery(terms.words)
                conditions.append(SQLQueryString("c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH \(bind: query))"))
            }
        }
        if let digits = terms.phoneDigits {
            // The number as shown, the expression of its trigram index on PostgreSQL (`IndexShownPhoneNumbers`).
            conditions.append(SQLQueryString("('+' || c.wa_id) LIKE \(bind: "%" + digits + "%")"))
        }
        func search(in source: SQLQueryString, order: SQLQueryString = "v.last_message_at") async throws -> [any SQLRow] {
            try await scope.sql(
                """
                SELECT c.profile_name, c.wa_id, c.user_id, v.id AS conversation_id, v.last_message_at
                FROM \(source) v
                JOIN contacts c ON c.id = v.contact_id
                WHERE v.organization_id = \(bind: scope.organizationID) AND \(visible) AND (\(SQLList(conditions, separator: SQLRaw(" OR "))))
                ORDER BY \(order) DESC
                LIMIT \(bind: limit * 2)
                """
            ).all()
        }
        var rows: [any SQLRow] = []
        if usesSearchVectors {
            rows = try await search(
                in: """
                    (SELECT id, organization_id, contact_id, assignee_id, team_id, last_message_at FROM conversations
                     WHERE organization_id = \(bind: scope.organizationID) ORDER BY last_message_at DESC LIMIT \(unsafeRaw: String(Self.recentConversations)))
                    """)
            if rows.count < limit {
                // The contacts the indexes find first, then their conversations: joined in one
                // statement, the planner reads every conversation to hash them.
                let found = try await scope.sql(
                    """
                    SELECT c.id FROM contacts c
                    WHERE c.organization_id = \(bind: scope.organizationID) AND (\(SQLList(conditions, separator: SQLRaw(" OR "))))
                    LIMIT 1000
                    """
                ).all().map { try $0.decode(column: "id", as: UUID.self) }
                rows =
                    found.isEmpty
                    ? []
                    : try await search(
                        in: "(SELECT * FROM conversations WHERE contact_id IN \(SQLGroupExpression(found.map { SQLBind($0) })))", order: "v.last_message_at"
                    )
            }
        } else {
            rows = try await search(in: "conversations")
        }
        var seen: Set<String> = []
        return try rows.compactMap { row in
            let name = try Self.name(row)
            let waID = try row.decode(column: "wa_id", as: String?.self)
            // One hit a contact: its most recent conversation.
            guard seen.insert(waID ?? name).inserted else { return nil }
            let phone = waID.map { "+" + $0 }
            let matchedNumber = terms.phoneDigits.map { digits in waID?.contains(digits) == true } ?? false
            return Hit(
                kind: .contact,
                conversationID: try row.decode(column: "conversation_id", as: UUID.self),
                messageID: nil,
                contactName: name,
                phone: phone,
                at: try row.decode(column: "last_message_at", as: Date.self),
                snippet: matchedNumber
                    ? Self.fragments(of: phone ?? "", matchingDigits: terms.phoneDigits!)
                    : Self.fragments(of: name, matchingWordStarts: terms.words)
            )
        }
    }

    // MARK: - Marking matches

    /// The name agents know a contact by, from a row with its `profile_name`, `wa_id` and `user_id`.
    static func name(_ row: any SQLRow) throws -> String {
        Contact.displayName(
            profileName: try row.decode(column: "profile_name", as: String?.self),
            waID: try row.decode(column: "wa_id", as: String?.self),
            userID: try row.decode(column: "user_id", as: String?.self)
        )
    }

    /// Splits a snippet the engine marked with `startMark`/`endMark`.
    static func fragments(marked text: String) -> [Fragment] {
        var fragments: [Fragment] = []
        var current = "", inMatch = false
        func flush() {
            if !current.isEmpty { fragments.append(Fragment(text: current, match: inMatch)) }
            current = ""
        }
        for character in text {
            switch String(character) {
            case startMark: flush(); inMatch = true
            case endMark: flush(); inMatch = false
            default: current.append(character)
            }
        }
        flush()
        return fragments
    }

    /// Marks the words of `text` that start with one of `words` (already lower-cased), ignoring
    /// case and accents as the search does.
    static func fragments(of text: String, matchingWordStarts words: [String]) -> [Fragment] {
        let fold = { (text: String) in text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        let words = words.map(fold)
        var fragments: [Fragment] = []
        var index = text.startIndex
        while index < text.endIndex {
            let isWordChar: (Character) -> Bool = { $0.isLetter || $0.isNumber }
            let end = text[index...].firstIndex { isWordChar($0) != isWordChar(text[index]) } ?? text.endIndex
            let piece = String(text[index..<end])
            let match = isWordChar(text[index]) && words.contains { fold(piece).hasPrefix($0) }
            if let last = fragments.last, last.match == match {
                fragments[fragments.count - 1].text += piece
            } else {
                fragments.append(Fragment(text: piece, match: match))
            }
            index = end
        }
        return fragments
    }

    /// Marks the digits of a phone number that form `digits`.
    static func fragments(of phone: String, matchingDigits digits: String) -> [Fragment] {
        let positions = phone.indices.filter { phone[$0].isASCIIDigitCharacter }
        let onlyDigits = String(positions.map { phone[$0] })
        guard let found = onlyDigits.range(of: digits) else { return [Fragment(text: phone, match: false)] }
        let first = positions[onlyDigits.distance(from: onlyDigits.startIndex, to: found.lowerBound)]
        let last = positions[onlyDigits.distance(from: onlyDigits.startIndex, to: found.upperBound) - 1]
        let end = phone.index(after: last)
        return [
            Fragment(text: String(phone[..<first]), match: false),
            Fragment(text: String(phone[first..<end]), match: true),
            Fragment(text: String(phone[end...]), match: false),
        ].filter { !$0.text.isEmpty }
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
