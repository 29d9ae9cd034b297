import Fluent

/// The business portfolio that owns a number's WhatsApp Business Account: Meta's messaging limit is
/// shared by all numbers of a portfolio, across its accounts.
struct AddConnectionBusinessPortfolio: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("whatsapp_connections").field("business_portfolio_id", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("whatsapp_connections").deleteField("business_portfolio_id").update()
    }
}
