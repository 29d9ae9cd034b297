import Fluent
import SQLKit

/// Single-use links mailed to a person: email verification and password reset. Only a hash of
/// each token is stored, so the table alone opens nothing.
struct CreateAccountTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("account_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "account_tokens_user_id")
            .on("account_tokens").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("account_tokens").delete()
    }
}
