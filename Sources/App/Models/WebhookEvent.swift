import Fluent
import Foundation

/// A webhook body exactly as it arrived, after its signature was checked. It belongs to no
/// organization until processing finds the number it is for.
final class WebhookEvent: Model, @unchecked Sendable {
    static let schema = "webhook_events"

    enum State: String, Codable, Sendable { case pending, processed, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "source") var source: String
    @Field(key: "body") var body: Data
    @Field(key: "received_at") var receivedAt: Date
    @Enum(key: "state") var state: State
    @OptionalField(key: "processed_at") var processedAt: Date?
    @OptionalField(key: "error") var error: String?
    /// `platform` or `connection` (`WebhookVerifier`); nil for bodies stored before it was recorded.
    @OptionalField(key: "verifier") var verifier: String?
    @OptionalField(key: "verifier_connection_id") var verifierConnectionID: UUID?
    /// What processing refused to act on because the verifier does not cover it (no secrets, no bodies).
    @OptionalField(key: "refused") var refused: String?

    init() {}
}
