import Fluent

struct CreateOrganizations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organizations")
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organizations").delete()
    }
}
