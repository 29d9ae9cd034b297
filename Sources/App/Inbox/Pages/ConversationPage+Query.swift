import ADSappCore
import Fluent
import Vapor

extension ConversationPage {
    /// One conversation as the page shows it: its last 200 messages and 100 notes in time order,
    /// the work panel's choices, the contact, the approved templates and the canned responses.
    static func query(
        _ request: Request, _ tenant: Tenant, _ conversation: Conversation, notice: String?, error: String?, composerText: String? = nil
    ) async throws -> Model {
        let liveCursor = await request.application.liveInbox.cursor
        guard let contact = try await tenant.scope.find(App.Contact.self, conversation.$contact.id) else { throw Abort(.notFound) }
        let conversationID = try conversation.requireID()
        let connection = try await tenant.scope.find(WhatsAppConnection.self, conversation.$connection.id)
        let messages = try await tenant.scope.query(Message.self)
            .filter(\.$conversation.$id == conversationID)
            .sort(\.$sentAt, .descending).limit(200).all().reversed()
        let notes = try await tenant.scope.query(Note.self).filter(\.$conversation.$id == conversationID)
            .sort(\.$createdAt, .descending).limit(100).all()
        let templates = try await tenant.scope.query(MessageTemplate.self)
            .filter(\.$businessAccountID == (connection?.businessAccountID ?? ""))
            .filter(\.$status == "APPROVED").sort(\.$name).all()
        let choices = try await InboxChoices.load(tenant)
        let tagIDs = Set(try await InboxAPIController.tagIDs(of: [conversationID], tenant.scope)[conversationID] ?? [])
        let canned = try await tenant.scope.query(CannedResponse.self).sort(\.$shortcut).all()
        let contactConversations = try await tenant.scope.query(Conversation.self).filter(\.$contact.$id == contact.requireID()).count()
        let window = CustomerServiceWindow(lastInboundAt: conversation.lastInboundAt)
        let replyTo = request.query[UUID.self, at: "reply_to"].flatMap { id in messages.first { $0.id == id } }
        var assistance = Assistance()
        var translations: [UUID: Translation] = [:]
        if request.context.configuration.ai != nil {
            let language = request.localizer.language
            if tenant.role.can(.replyToConversations) {
                let features = try await OrganizationAISettings.of(tenant.scope, now: request.now).enabledFeatures
                assistance = Assistance(draft: features.contains(.draft), summary: features.contains(.summary))
                if features.contains(.translation) {
                    assistance.translateInto = try await ReplyTranslation.customerLanguage(of: conversationID, unlike: language, in: tenant.scope)
                        .map { ($0, ReplyTranslation.languageName($0, in: language)) }
                }
            }
            // Translations made while the feature was on stay readable after it is turned off.
            let inbound = messages.filter { $0.direction == .inbound }.compactMap(\.id)
            if !inbound.isEmpty {
                for row in try await tenant.scope.query(MessageTranslation.self).filter(\.$messageID ~~ inbound)
                    .filter(\.$language == language.rawValue).all()
                {
                    translations[row.messageID] = Translation(text: row.text, from: ReplyTranslation.languageName(row.sourceLanguage, in: language))
                }
            }
        }

        var items: [ConversationPage.Item] = messages.map { message in
            .message(
                ConversationPage.Bubble(
                    id: message.id!, isInbound: message.direction == .inbound, kind: message.kind,
                    content: MessageContent.parse(message.content), status: message.status,
                    errorTitle: message.errorTitle, errorCode: message.errorCode,
                    forwarded: message.forwarded, isReply: message.replyToWamid != nil,
                    media: message.mediaState.map {
                        .init(state: $0, url: SiteURL.media(.value(message.id!)).path, mimeType: message.mediaMimeType, filename: message.mediaFilename)
                    },
                    at: message.sentAt,
                    sentiment: message.sentiment.flatMap(Sentiment.init(rawValue:)),
                    autoAnswer: message.autoAnswer == true,
                    translation: translations[message.id!]
                ))
        }
        items += notes.map { .note(.init(id: $0.id!, author: $0.authorName, body: $0.body, at: $0.createdAt)) }
        items.sort { $0.at < $1.at }

        return Model(
            conversationID: conversationID,
            title: contact.displayName,
            subtitle: [contact.waID.map { "+" + $0 }, connection.map { "→ " + $0.displayPhoneNumber }].compactMap { $0 }.joined(separator: " "),
            items: items,
            windowClosesAt: window.closesAt,
            windowIsOpen: window.isOpen(at: request.now),
            canReply: tenant.role.can(.replyToConversations),
            templates: templates.map { .init(value: "\($0.name)|\($0.language)", label: "\($0.name) (\($0.language))") },
            work: .init(
                status: conversation.status, snoozedUntil: conversation.snoozedUntil,
                assigneeID: conversation.$assignee.id, teamID: conversation.$team.id,
                tags: choices.tags.filter { UUID(uuidString: $0.value).map(tagIDs.contains) == true },
                members: choices.members, teams: choices.teams, allTags: choices.tags.filter { UUID(uuidString: $0.value).map(tagIDs.contains) != true }
            ),
            contact: .init(name: contact.displayName, phone: contact.waID.map { "+" + $0 }, since: contact.createdAt, conversations: contactConversations),
            cannedResponses: canned.map {
                Choice(
                    value: $0.shortcut, label: CannedResponseText.fill($0.body, contactName: contact.profileName, phone: contact.waID, agent: tenant.user.name))
            },
            replyTo: replyTo.map { ($0.id!, String(($0.body ?? $0.kind).prefix(80))) },
            liveCursor: liveCursor,
            notice: notice,
            error: error,
            assistance: assistance,
            composerText: composerText
        )
    }
}
