import Fluent

/// The per-number send token buckets, in the database so every app process draws from the same one.
struct CreateSendRateBuckets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("send_rate_buckets")
            .field("bucket", .string, .identifier(auto: false))
            .field("tokens", .double, .required)
            .field("refilled_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("send_rate_buckets").delete()
    }
}
