import ADSappCore
import Fluent
import Vapor
import WhatsAppCloud

/// `/api/v1` for the WhatsApp channel: connections, conversations and their messages, templates.
/// Request and response bodies use snake_case keys like the rest of the API.
enum WhatsAppAPIController {
    // MARK: Connections

    struct ConnectionBody: Content {
        var id: UUID
        var phone_number_id: String
        var business_account_id: String
        var display_phone_number: String
        var verified_name: String?
        var quality_rating: String?
        var state: String
        var state_detail: String?
        var sends_per_second: Int
        var webhook_url: String
        var has_own_app_secret: Bool

        init(_ connection: WhatsAppConnection, appURL: URL) {
            id = connection.id!
            phone_number_id = connection.phoneNumberID
            business_account_id = connection.businessAccountID
            display_phone_number = connection.displayPhoneNumber
            verified_name = connection.verifiedName
            quality_rating = connection.qualityRating
            state = connection.state.rawValue
            state_detail = connection.stateDetail
            sends_per_second = connection.sendsPerSecond
            has_own_app_secret = connection.appSecretSealed != nil
            webhook_url = WhatsAppWebhookURLs.url(for: connection, appURL: appURL)
        }
    }

    static func connections(_ request: Request, _ tenant: Tenant) async throws -> [ConnectionBody] {
        return try await tenant.scope.query(WhatsAppConnection.self).sort(\.$createdAt).all()
            .map { ConnectionBody($0, appURL: request.context.configuration.appURL) }
    }

    static func connect(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(ConnectionInput.self)
        do {
            let connection = try await ConnectionSetup(
                scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now, billing: request.billingAccess
            ).connect(input)
            return try await ConnectionBody(connection, appURL: request.context.configuration.appURL).encodeResponse(status: .created, for: request)
        } catch let refusal as BillingRefusal {
            throw refusal.apiError
        } catch let problem as ConnectionProblem {
            throw APIError(.unprocessableEntity, code: "connection_refused", message: problem.message(request.localizer))
        }
    }

    static func check(_ request: Request, _ tenant: Tenant) async throws -> ConnectionBody {
        let connection = try await tenant.find(WhatsAppConnection.self, parameter: SiteURL.connectionID, of: request)
        try await ConnectionSetup(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).check(connection)
        return ConnectionBody(connection, appURL: request.context.configuration.appURL)
    }

    // MARK: Conversations

    struct ConversationBody: Content {
        var id: UUID
        var connection_id: UUID
        var contact: ContactBody
        var status: String
        var last_message_at: Date
        var last_message_preview: String?
        var unread_count: Int
        var window_closes_at: Date?
        var assignee_id: UUID?
        var team_id: UUID?
        var tag_ids: [UUID]
        var snoozed_until: Date?
        /// Since when the customer waits for an answer.
        var waiting_since: Date?
    }

    struct ContactBody: Content {
        var id: UUID
        var wa_id: String?
        var user_id: String?
        var profile_name: String?
    }

    static func body(_ row: ConversationList.Row, tags: [UUID] = []) -> ConversationBody {
        ConversationBody(
            id: row.id, connection_id: row.connectionID,
            contact: .init(id: row.contactID, wa_id: row.contactWaID, user_id: row.contactUserID, profile_name: row.contactName),
            status: row.status.rawValue, last_message_at: row.lastMessageAt,
            last_message_preview: row.lastMessagePreview, unread_count: row.unreadCount,
            window_closes_at: CustomerServiceWindow(lastInboundAt: row.lastInboundAt).closesAt,
            assignee_id: row.assigneeID, team_id: row.teamID, tag_ids: tags,
            snoozed_until: row.snoozedUntil, waiting_since: row.waitingSince
        )
    }

    struct MessageBody: Content {
        var id: UUID
        var wamid: String?
        var direction: String
        var type: String
        var body: String?
        var content: MessageContent
        var status: String
        var status_at: Date
        var error_code: Int?
        var error_title: String?
        var reply_to_wamid: String?
        var forwarded: Bool
        var media: MediaBody?
        /// For inbound text the AI classified (`positive`, `neutral`, `negative`).
        var sentiment: String?
        /// An automatic answer the AI wrote and sent.
        var auto_answer: Bool
        var sent_at: Date

        init(_ message: Message) {
            id = message.id!
            wamid = message.wamid
            direction = message.direction.rawValue
            type = message.kind
            body = message.body
            content = MessageContent.parse(message.content)
            status = message.status.rawValue
            status_at = message.statusAt
            error_code = message.errorCode
            error_title = message.errorTitle
            reply_to_wamid = message.replyToWamid
            forwarded = message.forwarded
            sentiment = message.sentiment
            auto_answer = message.autoAnswer == true
            sent_at = message.sentAt
            if let state = message.mediaState {
                media = MediaBody(
                    state: state.rawValue, mime_type: message.mediaMimeType, filename: message.mediaFilename,
                    size: message.mediaSize, url: state == .stored ? SiteURL.media(.value(message.id!)).path : nil
                )
            }
        }
    }

    struct MediaBody: Content {
        var state: String
        var mime_type: String?
        var filename: String?
        var size: Int64?
        var url: String?
    }

    static func messages(_ request: Request, _ tenant: Tenant) async throws -> [MessageBody] {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let limit = try request.pageRequest().limit
        return try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversation.requireID())
            .sort(\.$sentAt, .descending).limit(limit).all()
            .reversed().map(MessageBody.init)
    }

    static func send(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        var draft = try request.content.decode(OutboundDraft.self)
        draft.upload = nil  // files come through the web composer; the API sends media by link
        do {
            try await request.billingAccess.requireSending(tenant.organizationID, on: request.db)
            let message = try await MessageSending(
                scope: tenant.scope, jobs: request.jobs, inboxWakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now
            )
            .queue(draft, in: conversation, sender: tenant.signedIn.userID)
            return try await MessageBody(message).encodeResponse(status: .accepted, for: request)
        } catch let refusal as BillingRefusal {
            throw refusal.apiError
        } catch let refusal as SendRefusal {
            throw APIError(.unprocessableEntity, code: refusal.code, message: refusal.description)
        }
    }

    // MARK: Templates

    struct TemplateBody: Content {
        var id: UUID
        var business_account_id: String
        var name: String
        var language: String
        var category: String
        var status: String
        var quality: String?
        var rejected_reason: String?
        var components: JSONValue

        init(_ template: MessageTemplate) {
            id = template.id!
            business_account_id = template.businessAccountID
            name = template.name
            language = template.language
            category = template.category
            status = template.status
            quality = template.quality
            rejected_reason = template.rejectedReason
            components = (try? JSONDecoder().decode(JSONValue.self, from: Data(template.components.utf8))) ?? .array([])
        }
    }

    static func templates(_ request: Request, _ tenant: Tenant) async throws -> [TemplateBody] {
        return try await tenant.scope.query(MessageTemplate.self).sort(\.$name).sort(\.$language).all().map(TemplateBody.init)
    }

    static func createTemplate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(TemplateInput.self)
        do {
            let template = try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).create(input)
            return try await TemplateBody(template).encodeResponse(status: .created, for: request)
        } catch let problem as TemplateProblem {
            throw APIError(.unprocessableEntity, code: "template_refused", message: problem.description)
        }
    }

    static func deleteTemplate(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let template = try await tenant.find(MessageTemplate.self, parameter: SiteURL.templateID, of: request)
        do {
            try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).delete(template)
        } catch let problem as TemplateProblem {
            throw APIError(.unprocessableEntity, code: "template_refused", message: problem.description)
        }
        return .noContent
    }

    static func syncTemplates(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).syncAll()
        return .accepted
    }
}
