import ADSappCore
import Fluent
import Jobs
import Vapor

/// The inbox pages: the conversation list, one conversation, and replying from it.
enum InboxController {
    static func list(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        let query = SearchController.query(of: request)
        if !query.isEmpty { return try await search(query, request, tenant) }
        let conversations = try await tenant.scope.query(Conversation.self).with(\.$contact)
            .sort(\.$lastMessageAt, .descending).limit(100).all()
        let rows = conversations.map {
            InboxPage.Row(id: $0.id!, name: displayName($0.contact), preview: $0.lastMessagePreview ?? "",
                          at: $0.lastMessageAt, unread: $0.unreadCount, isResolved: $0.status == .resolved)
        }
        return try await HTMLResponse(html: InboxPage.html(rows, search: nil, Chrome.make(for: request, section: .inbox))).encodeResponse(for: request)
    }

    private static func search(_ query: String, _ request: Request, _ tenant: Tenant) async throws -> Response {
        var search = InboxPage.Search(query: query, hits: [], problem: nil)
        var status = HTTPResponseStatus.badRequest
        switch SearchController.problem(with: query) {
        case .tooLong:
            search.query = String(query.prefix(40)) + "…"
            search.problem = request.localizer(.inboxSearchTooLong, ["max": String(SearchController.maxQueryLength)])
        case .nothingToFind:
            search.problem = request.localizer(.inboxSearchTooShort)
        case nil:
            search.hits = try await InboxSearch(scope: tenant.scope).search(query)
            status = .ok
        }
        let html = InboxPage.html([], search: search, try await Chrome.make(for: request, section: .inbox))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    static func show(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        let conversation = try await tenant.find(Conversation.self, parameter: SiteURL.conversationID, of: request)
        try await markRead(conversation, request: request, tenant: tenant)
        return try await render(request, tenant, conversation, notice: request.query[String.self, at: "notice"] == "queued" ? request.localizer(.inboxNoticeQueued) : nil, error: nil, status: .ok)
    }

    struct TextForm: Content { var text: String? }
    struct TemplateForm: Content { var template: String?; var parameters: String? }

    /// A text message, or a file with an optional caption (multipart).
    static func send(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.replyToConversations)
        let conversation = try await tenant.find(Conversation.self, parameter: SiteURL.conversationID, of: request)
        var draft: OutboundDraft
        if request.headers.contentType?.type == "multipart" {
            draft = try await MediaUploads.draft(from: request, organizationID: tenant.organizationID)
        } else {
            draft = .text(try request.content.decode(TextForm.self).text ?? "")
        }
        draft.replyTo = nil
        return try await queue(draft, request, tenant, conversation)
    }

    static func sendTemplate(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.replyToConversations)
        let conversation = try await tenant.find(Conversation.self, parameter: SiteURL.conversationID, of: request)
        let form = try request.content.decode(TemplateForm.self)
        // The select's value is "name|language".
        let parts = (form.template ?? "").split(separator: "|", maxSplits: 1).map(String.init)
        var draft = OutboundDraft(type: .template)
        if parts.count == 2 {
            let parameters = (form.parameters ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            draft.template = .init(name: parts[0], language: parts[1], parameters: parameters)
        }
        return try await queue(draft, request, tenant, conversation)
    }

    private static func queue(_ draft: OutboundDraft, _ request: Request, _ tenant: Tenant, _ conversation: Conversation) async throws -> Response {
        do {
            _ = try await MessageSending(scope: tenant.scope, jobs: request.jobs, inboxWakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now)
                .queue(draft, in: conversation, sender: tenant.signedIn.userID)
        } catch let refusal as SendRefusal {
            let reason = request.localizer(.inboxErrorRefused, ["reason": refusal.description])
            return try await render(request, tenant, conversation, notice: nil, error: reason, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.conversation(.value(try conversation.requireID())).path + "?notice=queued", redirectType: .normal)
    }

    // MARK: -

    /// Opening a conversation reads it: the unread count resets and the customer gets read receipts
    /// (one for the newest message marks everything before it read too).
    private static func markRead(_ conversation: Conversation, request: Request, tenant: Tenant) async throws {
        guard conversation.unreadCount > 0 else { return }
        let latest = try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversation.requireID())
            .filter(\.$direction == .inbound)
            .sort(\.$sentAt, .descending).first()
        conversation.unreadCount = 0
        let jobs = request.jobs
        try await tenant.scope.transaction { scope in
            try await conversation.save(on: scope.database)
            if let latest, tenant.role.can(.replyToConversations) {
                try await jobs.enqueue(.init(MarkWhatsAppMessageRead.self, .init(messageID: try latest.requireID()), organizationID: scope.organizationID), on: scope.database)
            }
        }
    }

    private static func render(_ request: Request, _ tenant: Tenant, _ conversation: Conversation, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        guard let contact = try await tenant.scope.find(Contact.self, conversation.$contact.id) else { throw Abort(.notFound) }
        let connection = try await tenant.scope.find(WhatsAppConnection.self, conversation.$connection.id)
        let messages = try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversation.requireID())
            .sort(\.$sentAt, .descending).limit(200).all().reversed()
        let templates = try await tenant.scope.query(MessageTemplate.self)
            .filter(\.$businessAccountID == (connection?.businessAccountID ?? ""))
            .filter(\.$status == "APPROVED").sort(\.$name).all()
        let window = CustomerServiceWindow(lastInboundAt: conversation.lastInboundAt)
        let model = ConversationPage.Model(
            conversationID: try conversation.requireID(),
            title: displayName(contact),
            subtitle: [contact.waID.map { "+" + $0 }, connection.map { "→ " + $0.displayPhoneNumber }].compactMap { $0 }.joined(separator: " "),
            bubbles: messages.map { message in
                ConversationPage.Bubble(
                    id: message.id!, isInbound: message.direction == .inbound, kind: message.kind,
                    content: MessageContent.parse(message.content), status: message.status,
                    errorTitle: message.errorTitle, errorCode: message.errorCode,
                    forwarded: message.forwarded, isReply: message.replyToWamid != nil,
                    media: message.mediaState.map { .init(state: $0, url: SiteURL.media(.value(message.id!)).path, mimeType: message.mediaMimeType, filename: message.mediaFilename) },
                    at: message.sentAt
                )
            },
            windowClosesAt: window.closesAt,
            windowIsOpen: window.isOpen(at: request.now),
            canReply: tenant.role.can(.replyToConversations),
            templates: templates.map { .init(value: "\($0.name)|\($0.language)", label: "\($0.name) (\($0.language))") },
            notice: notice,
            error: error
        )
        return try await HTMLResponse(status: status, html: ConversationPage.html(model, Chrome.make(for: request, section: .inbox))).encodeResponse(for: request)
    }

    static func displayName(_ contact: Contact) -> String {
        contact.profileName ?? contact.waID.map { "+" + $0 } ?? contact.userID ?? "?"
    }
}
