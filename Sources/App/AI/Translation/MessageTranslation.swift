import Fluent
import Foundation

/// An inbound message in one of the members' languages, written by the AI (`TranslateArrivals`).
/// Only kept where the customer wrote in another language: the thread shows it in place of the
/// text, with the original a click away.
final class MessageTranslation: Model, TenantOwned, @unchecked Sendable {
    static let schema = "message_translations"
    static var organizationIDKey: KeyPath<MessageTranslation, FieldProperty<MessageTranslation, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "message_id") var messageID: UUID
    /// The member's language (`Language`'s raw value) it is written in.
    @Field(key: "language") var language: String
    /// The customer's language, ISO 639-1, as the model named it.
    @Field(key: "source_language") var sourceLanguage: String
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(organizationID: UUID, messageID: UUID, language: String, sourceLanguage: String, text: String, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.messageID = messageID
        self.language = language
        self.sourceLanguage = sourceLanguage
        self.text = text
        self.createdAt = now
    }
}
