import ADSappCore
import Fluent
import SQLKit
import Vapor

/// `/api/v1` for the shared inbox: the conversation list with its filters and counts, the work on
/// conversations (one or a selection), notes, teams, tags, canned responses, availability, and
/// the event log for clients that do not keep a WebSocket open.
enum InboxAPIController {
    // MARK: Conversation list

    struct ListBody: Content {
        struct Count: Content { var total: Int; var unread: Int }
        var data: [WhatsAppAPIController.ConversationBody]
        var next_cursor: String?
        /// Per status and per assignee choice: how many conversations, how many with unread messages
        /// (at most `INBOX_COUNTS_MAX_AGE_MILLISECONDS` old).
        var counts: [String: [String: Count]]
    }

    static func conversations(_ request: Request, _ tenant: Tenant) async throws -> ListBody {
        let page = try request.pageRequest()
        let filter = try filter(of: request)
        let list = ConversationList(scope: tenant.scope, access: try await tenant.inboxAccess(), shared: request.application.conversationCounts)
        let (rows, next) = try await list.page(filter, after: try page.cursor.map(KeysetCursor.init(decoding:)), limit: page.limit)
        let counts = try await list.counts(filter)
        let tags = try await tagIDs(of: rows.map(\.id), tenant.scope)
        func body(_ count: ConversationList.Counts.Count?) -> ListBody.Count { .init(total: count?.total ?? 0, unread: count?.unread ?? 0) }
        return ListBody(
            data: rows.map { WhatsAppAPIController.body($0, tags: tags[$0.id] ?? []) },
            next_cursor: next?.encoded,
            counts: [
                "status": Dictionary(uniqueKeysWithValues: Conversation.Status.allCases.map { ($0.rawValue, body(counts.byStatus[$0])) }),
                "assignee": Dictionary(uniqueKeysWithValues: ConversationList.Filter.Assignee.allCases.map { ($0.rawValue, body(counts.byAssignee[$0])) }),
            ]
        )
    }

    /// The list filter of a query string; an unknown value is an error, never ignored.
    static func filter(of request: Request) throws -> ConversationList.Filter {
        var filter = ConversationList.Filter()
        if let raw = request.queryValue("status") {
            guard let status = Conversation.Status(rawValue: raw) else {
                throw APIError(
                    .badRequest, code: "validation_failed",
                    message: "status must be one of: " + Conversation.Status.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            filter.status = status
        }
        if let raw = request.queryValue("assignee") {
            guard let assignee = ConversationList.Filter.Assignee(rawValue: raw) else {
                throw APIError(.badRequest, code: "validation_failed", message: "assignee must be one of: all, mine, unassigned.")
            }
            filter.assignee = assignee
        }
        func id(_ name: String) throws -> UUID? {
            guard let raw = request.queryValue(name), !raw.isEmpty else { return nil }
            guard let id = UUID(uuidString: raw) else { throw APIError(.badRequest, code: "validation_failed", message: "\(name) must be an id.") }
            return id
        }
        filter.teamID = try id("team")
        filter.tagID = try id("tag")
        filter.connectionID = try id("connection")
        if let raw = request.queryValue("sentiment"), !raw.isEmpty {
            guard let sentiment = Sentiment(rawValue: raw) else {
                throw APIError(.badRequest, code: "validation_failed", message: "sentiment must be one of: positive, neutral, negative.")
            }
            filter.sentiment = sentiment
        }
        return filter
    }

    static func tagIDs(of conversations: [UUID], _ scope: TenantScope) async throws -> [UUID: [UUID]] {
        guard !conversations.isEmpty else { return [:] }
        let rows = try await scope.sql(
            """
            SELECT conversation_id, tag_id FROM conversation_tags
            WHERE organization_id = \(bind: scope.organizationID) AND conversation_id IN \(SQLGroupExpression(conversations.map { SQLBind($0) }))
            """
        ).all()
        var tags: [UUID: [UUID]] = [:]
        for row in rows {
            tags[try row.decode(column: "conversation_id", as: UUID.self), default: []].append(try row.decode(column: "tag_id", as: UUID.self))
        }
        return tags
    }

    // MARK: Work

    /// `POST /conversations/:id/work` and `POST /conversations/bulk` (with `ids`).
    static func work(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let access = try await tenant.inboxAccess()
        let ids: [UUID]
        let input: WorkAction.Input
        if request.parameters.get(SiteURL.conversationID) != nil {
            ids = [try await tenant.visibleConversation(request, access: access).requireID()]
            input = try request.content.decode(WorkAction.Input.self)
        } else {
            input = try request.content.decode(WorkAction.Input.self)
            ids = input.ids ?? []
            guard (1...500).contains(ids.count) else {
                throw APIError(.badRequest, code: "validation_failed", message: "ids must name 1 to 500 conversations.")
            }
        }
        let action = try WorkAction.parse(input, me: access.membershipID, now: request.now)
        do {
            try await tenant.work(request, access: access).perform(action, on: ids)
        } catch let refusal as ConversationWork.Refusal {
            throw refusal.apiError
        }
        return .noContent
    }

    // MARK: Notes

    struct NoteBody: Content {
        var id: UUID
        var author_name: String
        var body: String
        var created_at: Date

        init(_ note: Note) {
            id = note.id!
            author_name = note.authorName
            body = note.body
            created_at = note.createdAt
        }
    }

    struct NoteInput: Content { var body: String? }

    static func notes(_ request: Request, _ tenant: Tenant) async throws -> [NoteBody] {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        try await Notes.markMentionsSeen(in: conversation.requireID(), by: tenant.membership.requireID(), scope: tenant.scope, at: request.now)
        return try await tenant.scope.query(Note.self).filter(\.$conversation.$id == conversation.requireID()).sort(\.$createdAt).all().map(NoteBody.init)
    }

    static func addNote(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let input = try request.content.decode(NoteInput.self)
        do {
            let note = try await Notes(scope: tenant.scope, wakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now)
                .add(input.body ?? "", to: conversation.requireID(), by: tenant.user)
            return try await NoteBody(note).encodeResponse(status: .created, for: request)
        } catch Notes.Refusal.empty {
            throw APIError(.badRequest, code: "validation_failed", message: "body is required.")
        } catch Notes.Refusal.tooLong(let limit) {
            throw APIError(.badRequest, code: "validation_failed", message: "body must have at most \(limit) characters.")
        }
    }

    struct MentionBody: Content {
        var id: UUID
        var conversation_id: UUID
        var note_id: UUID
        var created_at: Date
        var seen: Bool
    }

    /// The signed-in member's mentions, newest first, in conversations they may see now. Reading a
    /// conversation's notes (or opening it in the inbox) marks its mentions seen.
    static func mentions(_ request: Request, _ tenant: Tenant) async throws -> [MentionBody] {
        let access = try await tenant.inboxAccess()
        let membershipID = try tenant.membership.requireID()
        var mentions = try await tenant.scope.query(Mention.self).filter(\.$membership.$id == membershipID)
            .sort(\.$createdAt, .descending).limit(100).all()
        if access.teams != nil {
            let ids = Set(mentions.map(\.$conversation.id))
            let visible = Set(try await access.limit(tenant.scope.query(Conversation.self).filter(\.$id ~~ Array(ids))).all(\.$id))
            mentions = mentions.filter { visible.contains($0.$conversation.id) }
        }
        return mentions.map {
            MentionBody(id: $0.id!, conversation_id: $0.$conversation.id, note_id: $0.$note.id, created_at: $0.createdAt, seen: $0.seenAt != nil)
        }
    }

    // MARK: Availability

    struct AvailabilityInput: Content { var available: Bool }

    static func setAvailability(_ request: Request, _ tenant: Tenant) async throws -> AvailabilityInput {
        let input = try request.content.decode(AvailabilityInput.self)
        try await InboxSettings(tenant: tenant, request: request).setAvailability(input.available)
        return input
    }

    // MARK: Events

    struct EventBody: Content {
        var id: Int64
        var kind: String
        var conversation_id: UUID?
        var data: [String: String]
        var created_at: Date
    }

    struct EventsBody: Content {
        var data: [EventBody]
        /// Ask again with `after` set to this.
        var cursor: Int64
    }

    /// `GET /inbox/events?after=N`: the events after a cursor, for clients that poll.
    static func events(_ request: Request, _ tenant: Tenant) async throws -> EventsBody {
        let access = try await tenant.inboxAccess()
        let after = try LiveController.resumePoint(request) ?? 0
        let live = request.application.liveInbox
        let safe = await live.cursor
        let events = try await InboxEventLog.events(after: after, organizationID: tenant.organizationID, limit: 500, on: request.db)
            .filter { $0.id <= safe }
        let cursor = events.count == 500 ? events.last!.id : max(after, safe)
        return EventsBody(
            data: events.filter(access.maySee).map {
                EventBody(id: $0.id, kind: $0.kind.rawValue, conversation_id: $0.conversationID, data: $0.data, created_at: $0.createdAt)
            },
            cursor: cursor
        )
    }

    // MARK: Settings

    struct TeamBody: Content {
        var id: UUID
        var name: String
        var auto_assign: Bool
        var member_ids: [UUID]
    }

    struct TeamInput: Content {
        var name: String?
        var auto_assign: Bool?
        var member_ids: [UUID]?
    }

    static func teams(_ request: Request, _ tenant: Tenant) async throws -> [TeamBody] {
        let members = try await tenant.scope.query(TeamMember.self).all()
        return try await tenant.scope.query(Team.self).sort(\.$name).all().map { team in
            TeamBody(
                id: team.id!, name: team.name, auto_assign: team.autoAssign,
                member_ids: members.filter { $0.$team.id == team.id }.map(\.$membership.id))
        }
    }

    static func createTeam(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(TeamInput.self)
        let team = try await settings(request, tenant) {
            try await $0.createTeam(name: input.name ?? "", autoAssign: input.auto_assign ?? false, members: input.member_ids ?? [])
        }
        return try await TeamBody(id: team.id!, name: team.name, auto_assign: team.autoAssign, member_ids: input.member_ids ?? []).encodeResponse(
            status: .created, for: request)
    }

    static func updateTeam(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let id = try await existing(Team.self, SiteURL.teamID, request, tenant)
        let input = try request.content.decode(TeamInput.self)
        _ = try await settings(request, tenant) { try await $0.updateTeam(id, name: input.name, autoAssign: input.auto_assign, members: input.member_ids) }
        return .noContent
    }

    static func deleteTeam(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let id = try await existing(Team.self, SiteURL.teamID, request, tenant)
        try await settings(request, tenant) { try await $0.deleteTeam(id) }
        return .noContent
    }

    struct TagBody: Content { var id: UUID; var name: String }
    struct TagInput: Content { var name: String? }

    static func tags(_ request: Request, _ tenant: Tenant) async throws -> [TagBody] {
        return try await tenant.scope.query(Tag.self).sort(\.$name).all().map { TagBody(id: $0.id!, name: $0.name) }
    }

    static func createTag(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(TagInput.self)
        let tag = try await settings(request, tenant) { try await $0.createTag(name: input.name ?? "") }
        return try await TagBody(id: tag.id!, name: tag.name).encodeResponse(status: .created, for: request)
    }

    static func deleteTag(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let id = try await existing(Tag.self, SiteURL.tagID, request, tenant)
        try await settings(request, tenant) { try await $0.deleteTag(id) }
        return .noContent
    }

    struct CannedResponseBody: Content { var id: UUID; var shortcut: String; var body: String }
    struct CannedResponseInput: Content { var shortcut: String?; var body: String? }

    static func cannedResponses(_ request: Request, _ tenant: Tenant) async throws -> [CannedResponseBody] {
        return try await tenant.scope.query(CannedResponse.self).sort(\.$shortcut).all().map {
            CannedResponseBody(id: $0.id!, shortcut: $0.shortcut, body: $0.body)
        }
    }

    static func createCannedResponse(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(CannedResponseInput.self)
        let response = try await settings(request, tenant) { try await $0.createCannedResponse(shortcut: input.shortcut ?? "", body: input.body ?? "") }
        return try await CannedResponseBody(id: response.id!, shortcut: response.shortcut, body: response.body).encodeResponse(status: .created, for: request)
    }

    static func deleteCannedResponse(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let id = try await existing(CannedResponse.self, SiteURL.cannedResponseID, request, tenant)
        try await settings(request, tenant) { try await $0.deleteCannedResponse(id) }
        return .noContent
    }

    struct CapacityInput: Content { var capacity: Int }

    static func setCapacity(_ request: Request, _ tenant: Tenant) async throws -> CapacityInput {
        let id = try await existing(Membership.self, SiteURL.membershipID, request, tenant)
        let input = try request.content.decode(CapacityInput.self)
        try await settings(request, tenant) { try await $0.setCapacity(of: id, to: input.capacity) }
        return input
    }

    struct VisibilityInput: Content { var agents_see_all: Bool }

    static func setVisibility(_ request: Request, _ tenant: Tenant) async throws -> VisibilityInput {
        let input = try request.content.decode(VisibilityInput.self)
        try await settings(request, tenant) { try await $0.setAgentsSeeAll(input.agents_see_all) }
        return input
    }

    private static func settings<T>(_ request: Request, _ tenant: Tenant, _ change: (InboxSettings) async throws -> T) async throws -> T {
        do {
            return try await change(InboxSettings(tenant: tenant, request: request))
        } catch let refusal as InboxSettings.Refusal {
            throw refusal.apiError
        }
    }

    /// The id in the path, once it is known to name a row of this organization (404 before any input is read).
    private static func existing<M: TenantOwned>(_ model: M.Type, _ parameter: String, _ request: Request, _ tenant: Tenant) async throws -> UUID {
        try await tenant.find(M.self, parameter: parameter, of: request).requireID()
    }
}
