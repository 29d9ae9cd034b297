import ADSappCore
import Fluent
import SQLKit
import Vapor

extension ConversationListPage {
    /// The list page for this address: the filtered list, or the search results when `q` is given
    /// (with 400 when the search cannot run), and the reader's unseen mentions.
    static func query(_ request: Request, _ tenant: Tenant) async throws -> (Model, HTTPResponseStatus) {
        let liveCursor = await request.application.liveInbox.cursor
        var model = ConversationListPage.Model(now: request.now)
        model.liveCursor = liveCursor
        model.isAvailable = tenant.membership.available
        model.canWork = tenant.role.can(.replyToConversations)
        model.notice = request.queryValue("notice") == "done" ? request.localizer(.inboxNoticeDone) : nil
        let access = try await tenant.inboxAccess()
        model.mentions = try await unseenMentions(tenant, access: access)
        let query = SearchController.query(of: request)
        var status = HTTPResponseStatus.ok
        if !query.isEmpty {
            (model.search, status) = try await search(query, request, tenant, access: access)
        } else {
            try await fillList(&model, request, tenant, access: access)
        }
        return (model, status)
    }

    /// The most conversations one `GET /inbox/rows` asks about.
    static let changedRowsLimit = 50

    /// The rows of the conversations named in `ids` that the reader's filter shows now, and the tab
    /// counts: what the live list patches in when those conversations changed (`GET /inbox/rows`).
    static func changedRows(_ request: Request, _ tenant: Tenant) async throws -> Model {
        let ids = try changedIDs(request)
        var model = ConversationListPage.Model(now: request.now)
        model.canWork = tenant.role.can(.replyToConversations)
        model.filter = try InboxAPIController.filter(of: request)
        let list = ConversationList(scope: tenant.scope, access: try await tenant.inboxAccess(), shared: request.application.conversationCounts)
        model.rows = try await rowModels(try await list.rows(model.filter, ids: ids), tenant, try await InboxChoices.load(tenant), now: request.now)
        model.counts = try await list.counts(model.filter)
        return model
    }

    private static func changedIDs(_ request: Request) throws -> [UUID] {
        let invalid = APIError(
            .badRequest, code: "invalid_ids", message: "ids must name 1 to \(changedRowsLimit) conversations by id, separated by commas.")
        let parts = (request.queryValue("ids") ?? "").split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= changedRowsLimit else { throw invalid }
        return try parts.map { part in
            guard let id = UUID(uuidString: String(part)) else { throw invalid }
            return id
        }
    }

    private static func fillList(_ model: inout ConversationListPage.Model, _ request: Request, _ tenant: Tenant, access: InboxAccess) async throws {
        let list = ConversationList(scope: tenant.scope, access: access, shared: request.application.conversationCounts)
        let choices = try await InboxChoices.load(tenant)
        do {
            model.filter = try InboxAPIController.filter(of: request)
            let page = try request.pageRequest()
            let (rows, next) = try await list.page(model.filter, after: try page.cursor.map(KeysetCursor.init(decoding:)), limit: InboxController.pageSize)
            model.nextCursor = next?.encoded
            model.rows = try await rowModels(rows, tenant, choices, now: request.now)
        } catch let error as APIError {
            // A hand-edited address: show the default list and say why.
            model.error = error.message
            model.filter = .init()
            model.rows = try await rowModels(
                try await list.page(model.filter, after: nil, limit: InboxController.pageSize).rows, tenant, choices, now: request.now)
        }
        model.counts = try await list.counts(model.filter)
        (model.teams, model.tags, model.numbers, model.members) = (choices.teams, choices.tags, choices.numbers, choices.members)
        if model.filter.sentiment != nil {
            model.filtersBySentiment = true
        } else if request.context.configuration.ai != nil {
            model.filtersBySentiment = try await OrganizationAISettings.of(tenant.scope, now: request.now).enabledFeatures.contains(.sentiment)
        }
    }

    /// Notes that name the reader and that they have not opened yet, newest first; only in
    /// conversations the reader may see now (a mention does not outlive a team change).
    private static func unseenMentions(_ tenant: Tenant, access: InboxAccess) async throws -> [ConversationListPage.MentionRow] {
        // Most list reads find none: asking that of one table first costs under a third of planning the join.
        let any = try await tenant.scope.sql(
            """
            SELECT 1 AS found FROM mentions
            WHERE organization_id = \(bind: tenant.organizationID) AND membership_id = \(bind: tenant.membership.requireID()) AND seen_at IS NULL
            LIMIT 1
            """
        ).first()
        guard any != nil else { return [] }
        let visible: SQLQueryString = access.visibleConversations.map { " AND " + $0 } ?? ""
        let rows = try await tenant.scope.sql(
            """
            SELECT m.conversation_id, m.created_at, n.author_name, c.profile_name, c.wa_id, c.user_id
            FROM mentions m
            JOIN notes n ON n.id = m.note_id
            JOIN conversations v ON v.id = m.conversation_id
            JOIN contacts c ON c.id = v.contact_id
            WHERE m.organization_id = \(bind: tenant.organizationID) AND m.membership_id = \(bind: tenant.membership.requireID()) AND m.seen_at IS NULL\(visible)
            ORDER BY m.created_at DESC
            LIMIT 20
            """
        ).all()
        return try rows.map { row in
            ConversationListPage.MentionRow(
                conversationID: try row.decode(column: "conversation_id", as: UUID.self), contactName: try InboxSearch.name(row),
                by: try row.decode(column: "author_name", as: String.self), at: try row.decode(column: "created_at", as: Date.self)
            )
        }
    }

    private static func rowModels(_ rows: [ConversationList.Row], _ tenant: Tenant, _ choices: InboxChoices, now: Date) async throws -> [ConversationListPage
        .Row]
    {
        let tags = try await InboxAPIController.tagIDs(of: rows.map(\.id), tenant.scope)
        let names = choices.names
        return rows.map { row in
            ConversationListPage.Row(
                id: row.id, name: row.displayName, preview: row.lastMessagePreview ?? "",
                at: row.lastMessageAt, unread: row.unreadCount, status: row.status,
                assignee: row.assigneeID.flatMap { names.allMembers[$0] },
                team: row.teamID.flatMap { names.teams[$0] },
                tags: (tags[row.id] ?? []).compactMap { names.tags[$0] }.sorted(),
                windowIsOpen: CustomerServiceWindow(lastInboundAt: row.lastInboundAt).isOpen(at: now),
                waitingSince: row.status == .open ? row.waitingSince : nil
            )
        }
    }

    private static func search(_ query: String, _ request: Request, _ tenant: Tenant, access: InboxAccess) async throws -> (
        ConversationListPage.Search, HTTPResponseStatus
    ) {
        var search = ConversationListPage.Search(query: query, hits: [], problem: nil)
        switch SearchController.problem(with: query) {
        case .tooLong:
            search.query = String(query.prefix(40)) + "…"
            search.problem = request.localizer(.inboxSearchTooLong, ["max": String(SearchController.maxQueryLength)])
        case .nothingToFind:
            search.problem = request.localizer(.inboxSearchTooShort)
        case nil:
            search.hits = try await InboxSearch(scope: tenant.scope, access: access).search(query)
            return (search, .ok)
        }
        return (search, .badRequest)
    }
}
