import Fluent
import Foundation

/// One failed sign-in, counted per account and per client address to throttle guessing.
final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    /// `account:<email>` or `address:<ip>`.
    @Field(key: "key") var key: String
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}

    init(key: String, occurredAt: Date) {
        self.id = UUID()
        self.key = key
        self.occurredAt = occurredAt
    }
}
