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

    static func connections(_ request: Request) async throws -> [ConnectionBody] {
        let tenant = try request.tenant()
        try tenant.require(.manageChannels)
        return try await tenant.scope.query(WhatsAppConnection.self).sort(\.$createdAt).all()
            .map { ConnectionBody($0, appURL: request.context.configuration.appURL) }
    }

    static func connect(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.manageChannels)
        let input = try decode(ConnectionInput.self, request)
        do {
            let connection = try await ConnectionSetup(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).connect(input)
            return try await ConnectionBody(connection, appURL: request.context.configuration.appURL).encodeResponse(status: .created, for: request)
        } catch let problem as ConnectionProblem {
            throw APIError(.unprocessableEntity, code: "connection_refused", message: problem.description)
        }
    }

    static func check(_ request: Request) async throws -> ConnectionBody {
        let tenant = try request.tenant()
        try tenant.require(.manageChannels)
        guard let connection = try await tenant.scope.find(WhatsAppConnection.self, request.parameters.get(SiteURL.connectionID, as: UUID.self)) else {
            throw Abort(.notFound)
        }
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
    }

    struct ContactBody: Content {
        var id: UUID
        var wa_id: String?
        var user_id: String?
        var profile_name: String?
    }

    static func conversations(_ request: Request) async throws -> [ConversationBody] {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        let limit = try request.pageRequest().limit
        let rows = try await tenant.scope.query(Conversation.self).with(\.$contact)
            .sort(\.$lastMessageAt, .descending).limit(limit).all()
        return rows.map(body)
    }

    static func body(_ conversation: Conversation) -> ConversationBody {
        let contact = conversation.contact
        return ConversationBody(
            id: conversation.id!, connection_id: conversation.$connection.id,
            contact: .init(id: contact.id!, wa_id: contact.waID, user_id: contact.userID, profile_name: contact.profileName),
            status: conversation.status.rawValue, last_message_at: conversation.lastMessageAt,
            last_message_preview: conversation.lastMessagePreview, unread_count: conversation.unreadCount,
            window_closes_at: CustomerServiceWindow(lastInboundAt: conversation.lastInboundAt).closesAt
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

    static func messages(_ request: Request) async throws -> [MessageBody] {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        guard let conversation = try await tenant.scope.find(Conversation.self, request.parameters.get(SiteURL.conversationID, as: UUID.self)) else {
            throw Abort(.notFound)
        }
        let limit = try request.pageRequest().limit
        return try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversation.requireID())
            .sort(\.$sentAt, .descending).limit(limit).all()
            .reversed().map(MessageBody.init)
    }

    static func send(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.replyToConversations)
        guard let conversation = try await tenant.scope.find(Conversation.self, request.parameters.get(SiteURL.conversationID, as: UUID.self)) else {
            throw Abort(.notFound)
        }
        var draft = try decode(OutboundDraft.self, request)
        draft.upload = nil  // files come through the web composer; the API sends media by link
        do {
            let message = try await MessageSending(scope: tenant.scope, jobs: request.jobs, now: request.now)
                .queue(draft, in: conversation, sender: tenant.signedIn.userID)
            return try await MessageBody(message).encodeResponse(status: .accepted, for: request)
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

    static func templates(_ request: Request) async throws -> [TemplateBody] {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        return try await tenant.scope.query(MessageTemplate.self).sort(\.$name).sort(\.$language).all().map(TemplateBody.init)
    }

    static func createTemplate(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.manageTemplates)
        let input = try decode(TemplateInput.self, request)
        do {
            let template = try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).create(input)
            return try await TemplateBody(template).encodeResponse(status: .created, for: request)
        } catch let problem as TemplateProblem {
            throw APIError(.unprocessableEntity, code: "template_refused", message: problem.description)
        }
    }

    static func deleteTemplate(_ request: Request) async throws -> HTTPStatus {
        let tenant = try request.tenant()
        try tenant.require(.manageTemplates)
        guard let template = try await tenant.scope.find(MessageTemplate.self, request.parameters.get(SiteURL.templateID, as: UUID.self)) else {
            throw Abort(.notFound)
        }
        do {
            try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).delete(template)
        } catch let problem as TemplateProblem {
            throw APIError(.unprocessableEntity, code: "template_refused", message: problem.description)
        }
        return .noContent
    }

    static func syncTemplates(_ request: Request) async throws -> HTTPStatus {
        let tenant = try request.tenant()
        try tenant.require(.manageTemplates)
        try await TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).syncAll()
        return .accepted
    }

    // MARK: -

    /// Decodes a JSON body, answering a malformed one with a clear 400.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) throws -> T {
        guard let body = request.body.data else { throw APIError(.badRequest, code: "invalid_json", message: "A JSON body is required.") }
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(T.self, from: body)
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError(.badRequest, code: "invalid_json", message: "\(key.stringValue) is required.")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, code: "invalid_json", message: "\(path) has the wrong type.")
        } catch DecodingError.dataCorrupted(let context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, code: "invalid_json", message: path.isEmpty ? "The body is not valid JSON." : "\(path) is not valid.")
        }
    }
}

enum WhatsAppWebhookURLs {
    /// The callback URL to paste into Meta: the platform's, or the connection's own when it has its own app secret.
    static func url(for connection: WhatsAppConnection, appURL: URL) -> String {
        let path = connection.appSecretSealed == nil ? SiteURL.whatsAppWebhook.path : SiteURL.whatsAppConnectionWebhook(.value(connection.id!)).path
        return appURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path
    }
}
