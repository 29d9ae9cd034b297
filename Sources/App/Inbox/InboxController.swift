import ADSappCore
import Fluent
import Jobs
import SQLKit
import Vapor

/// The inbox pages: the conversation list with its filters, one conversation with its work panel,
/// and every form on them. Every form works without JavaScript; the live script only refreshes.
enum InboxController {
    /// Conversations a page of the list shows: more than a screen holds; the next page is a click away.
    static let pageSize = 25

    // MARK: The list

    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (model, status) = try await ConversationListPage.query(request, tenant)
        let html = ConversationListPage.html(model, try await Chrome.make(for: request, section: .inbox))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    /// `GET /inbox/rows?ids=…` with the list's filter: the changed rows a live list patches in,
    /// instead of fetching its whole page again (`ConversationListPage.changedRows`).
    static func changedRows(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let model = try await ConversationListPage.changedRows(request, tenant)
        return try await HTMLResponse(fragment: ConversationListPage.changedRows(model, request.localizer)).encodeResponse(for: request)
    }

    // MARK: One conversation

    static func show(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        // A Viewer only reads along: the team's unread marks and the customer's ticks stay as they are.
        if tenant.role.can(.replyToConversations) {
            try await markRead(conversation, request: request, tenant: tenant)
        }
        try await Notes.markMentionsSeen(in: conversation.requireID(), by: tenant.membership.requireID(), scope: tenant.scope, at: request.now)
        let notice = request.query[String.self, at: "notice"].flatMap { notice -> String? in
            switch notice {
            case "queued": request.localizer(.inboxNoticeQueued)
            case "done": request.localizer(.inboxNoticeDone)
            case "noted": request.localizer(.inboxNoticeNoted)
            default: nil
            }
        }
        return try await render(request, tenant, conversation, notice: notice, error: nil, status: .ok)
    }

    struct TextForm: Content {
        var text: String?
        var reply_to: UUID?
        /// Present when the member asked for the reply to be translated into the customer's language.
        var translate: String?
    }
    struct TemplateForm: Content { var template: String?; var parameters: String? }
    struct ReactionForm: Content { var message_id: UUID?; var emoji: String? }

    /// A text message (a reply when `reply_to` names one of the thread's messages; `/shortcut`
    /// alone sends that canned response), or a file with an optional caption (multipart).
    static func send(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        var draft: OutboundDraft
        if request.headers.contentType?.type == "multipart" {
            do {
                draft = try await MediaUploads.draft(from: request, organizationID: tenant.organizationID)
            } catch let refusal as MediaUploads.Refusal {
                let reason = request.localizer(.inboxErrorRefused, ["reason": refusal.message(request.localizer)])
                return try await render(request, tenant, conversation, notice: nil, error: reason, status: refusal.status)
            }
            draft.replyTo = nil
        } else {
            let form = try request.content.decode(TextForm.self)
            let text = try await expandCannedResponse(form.text ?? "", conversation, tenant)
            draft = .text(text)
            draft.replyTo = try await wamid(of: form.reply_to, in: conversation, tenant)
            if let translate = form.translate, !translate.isEmpty, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                // Nothing is sent when the translation fails: the page comes back with the member's text.
                do {
                    let translated = try await ReplyTranslation.translate(text, in: conversation.requireID(), request, tenant)
                    draft.text = translated.text
                    return try await queue(draft, request, tenant, conversation, note: translated.note, composerText: text)
                } catch {
                    let t = request.localizer
                    let (status, message) =
                        error is ReplyTranslation.TooLong
                        ? (.unprocessableEntity, t(.aiTranslateTooLong, ["max": String(ReplyTranslation.maxLength)])) : try AIController.problem(error, t)
                    return try await render(request, tenant, conversation, notice: nil, error: message, composerText: form.text, status: status)
                }
            }
        }
        return try await queue(draft, request, tenant, conversation)
    }

    static func react(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let form = try request.content.decode(ReactionForm.self)
        var draft = OutboundDraft(type: .reaction)
        draft.reactTo = try await wamid(of: form.message_id, in: conversation, tenant)
        draft.emoji = form.emoji
        return try await queue(draft, request, tenant, conversation)
    }

    static func sendTemplate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
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

    /// Queues the draft, with `note` (a private note) in the same transaction; a draft that is not
    /// queued (refused, invalid, failed) leaves no upload behind, and the page that says why shows
    /// `composerText` in the composer.
    private static func queue(
        _ draft: OutboundDraft, _ request: Request, _ tenant: Tenant, _ conversation: Conversation, note: String? = nil, composerText: String? = nil
    ) async throws -> Response {
        do {
            try await request.billingAccess.requireSending(tenant.organizationID, on: request.db)
            let (jobs, wakeUp, now, user, sender) = (
                request.jobs, request.application.backgroundJobs.inboxWakeUp, request.now, tenant.user, tenant.signedIn.userID
            )
            try await tenant.scope.transaction { scope in
                _ = try await MessageSending(scope: scope, jobs: jobs, inboxWakeUp: wakeUp, now: now).queue(draft, in: conversation, sender: sender)
                if let note {
                    _ = try await Notes(scope: scope, wakeUp: wakeUp, now: now).add(note, to: conversation.requireID(), by: user, mentioning: false)
                }
            }
        } catch let refusal as BillingRefusal {
            await MediaUploads.discard(draft, request)
            return try await render(
                request, tenant, conversation, notice: nil, error: refusal.text(request.localizer), composerText: composerText, status: .paymentRequired)
        } catch let refusal as SendRefusal {
            await MediaUploads.discard(draft, request)
            let reason = request.localizer(.inboxErrorRefused, ["reason": refusal.description])
            return try await render(request, tenant, conversation, notice: nil, error: reason, composerText: composerText, status: .unprocessableEntity)
        } catch {
            await MediaUploads.discard(draft, request)
            throw error
        }
        return request.redirect(to: SiteURL.conversation(.value(try conversation.requireID())).path + "?notice=queued", redirectType: .normal)
    }

    /// The WhatsApp id of one of this conversation's messages (a reply or reaction names it).
    private static func wamid(of messageID: UUID?, in conversation: Conversation, _ tenant: Tenant) async throws -> String? {
        guard let messageID else { return nil }
        let message = try await tenant.scope.query(Message.self).filter(\.$id == messageID)
            .filter(\.$conversation.$id == conversation.requireID()).first()
        return message?.wamid
    }

    /// `/shortcut` on its own becomes that canned response, filled in for the contact.
    private static func expandCannedResponse(_ text: String, _ conversation: Conversation, _ tenant: Tenant) async throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.wholeMatch(of: /\/[a-z0-9_-]{1,30}/) != nil,
            let canned = try await tenant.scope.query(CannedResponse.self).filter(\.$shortcut == String(trimmed.dropFirst())).first(),
            let contact = try await tenant.scope.find(Contact.self, conversation.$contact.id)
        else { return text }
        return CannedResponseText.fill(canned.body, contactName: contact.profileName, phone: contact.waID, agent: tenant.user.name)
    }

    // MARK: Work

    /// The work panel's forms: one change to this conversation.
    static func work(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let access = try await tenant.inboxAccess()
        let conversation = try await tenant.visibleConversation(request, access: access)
        let input = try request.content.decode(WorkAction.Input.self)
        do {
            let action = try WorkAction.parse(input, me: access.membershipID, now: request.now)
            try await tenant.work(request, access: access).perform(action, on: [conversation.requireID()])
        } catch let refusal as ConversationWork.Refusal {
            return try await render(request, tenant, conversation, notice: nil, error: refusal.apiError.message, status: .unprocessableEntity)
        } catch let error as APIError {
            return try await render(request, tenant, conversation, notice: nil, error: error.message, status: error.status)
        }
        return request.redirect(to: SiteURL.conversation(.value(try conversation.requireID())).path + "?notice=done", redirectType: .normal)
    }

    struct BulkForm: Content {
        /// `resolve`, `pending`, `open`, `unassign`, `assign:<member or me>`, `tag:<id>`, `team:<id>`.
        var bulk: String?
        var ids: [UUID]?
        var return_to: String?
    }

    /// The list's bulk bar: one change to every selected conversation.
    static func bulk(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let access = try await tenant.inboxAccess()
        let form = try request.content.decode(BulkForm.self)
        let parts = (form.bulk ?? "").split(separator: ":", maxSplits: 1).map(String.init)
        var input = WorkAction.Input(action: parts.first)
        if parts.count == 2 {
            switch parts[0] {
            case "assign": input.assignee_id = parts[1]
            case "tag": input.tag_id = parts[1]
            case "team": input.team_id = parts[1]
            default: break
            }
        }
        let back = SafeRedirect.localPath(form.return_to).flatMap { $0.hasPrefix(SiteURL.inbox.path + "?") ? $0 : nil } ?? SiteURL.inbox.path + "?"
        guard let ids = form.ids, !ids.isEmpty else {
            return request.redirect(to: back, redirectType: .normal)
        }
        do {
            let action = try WorkAction.parse(input, me: access.membershipID, now: request.now)
            try await tenant.work(request, access: access).perform(action, on: Array(ids.prefix(500)))
        } catch let refusal as ConversationWork.Refusal {
            throw refusal.apiError
        }
        return request.redirect(to: back + "&notice=done", redirectType: .normal)
    }

    struct NoteForm: Content { var body: String? }

    static func addNote(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let form = try request.content.decode(NoteForm.self)
        do {
            try await Notes(scope: tenant.scope, wakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now)
                .add(form.body ?? "", to: conversation.requireID(), by: tenant.user)
        } catch let refusal as Notes.Refusal {
            let message =
                switch refusal {
                case .empty: request.localizer(.inboxNoteEmpty)
                case .tooLong(let limit): request.localizer(.inboxNoteTooLong, ["max": String(limit)])
                }
            return try await render(request, tenant, conversation, notice: nil, error: message, status: .badRequest)
        }
        return request.redirect(to: SiteURL.conversation(.value(try conversation.requireID())).path + "?notice=noted", redirectType: .normal)
    }

    struct AvailabilityForm: Content { var available: Bool? }

    static func setAvailability(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(AvailabilityForm.self)
        try await InboxSettings(tenant: tenant, request: request).setAvailability(form.available ?? true)
        return request.redirect(to: SiteURL.inbox.path, redirectType: .normal)
    }

    // MARK: -

    /// Opening a conversation reads it, for members who answer: the unread count resets and the
    /// customer gets read receipts (one for the newest message marks everything before it read too).
    private static func markRead(_ conversation: Conversation, request: Request, tenant: Tenant) async throws {
        guard conversation.unreadCount > 0 else { return }
        let latest = try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversation.requireID())
            .filter(\.$direction == .inbound)
            .sort(\.$sentAt, .descending).first()
        conversation.unreadCount = 0
        let jobs = request.jobs
        let events = request.inboxEvents
        try await tenant.scope.transaction { scope in
            try await conversation.save(on: scope.database)
            if let latest {
                try await jobs.enqueue(
                    .init(MarkWhatsAppMessageRead.self, .init(messageID: try latest.requireID()), organizationID: scope.organizationID), on: scope.database)
            }
            // Colleagues' lists drop the unread mark.
            try await InboxEventLog(database: scope.database, wakeUp: events.wakeUp, now: events.now).record(
                .conversation, conversations: [conversation.requireID()], data: ["change": "read"])
        }
    }

    /// The conversation page; `composerText` fills the composer (an AI draft asked for without the script).
    static func render(
        _ request: Request, _ tenant: Tenant, _ conversation: Conversation, notice: String?, error: String?, composerText: String? = nil,
        status: HTTPResponseStatus
    ) async throws -> Response {
        let model = try await ConversationPage.query(request, tenant, conversation, notice: notice, error: error, composerText: composerText)
        return try await HTMLResponse(status: status, html: ConversationPage.html(model, Chrome.make(for: request, section: .inbox))).encodeResponse(
            for: request)
    }
}
