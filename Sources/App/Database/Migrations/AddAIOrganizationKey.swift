import Fluent
import SQLKit

/// An organization's own key for the AI provider, sealed like its WhatsApp credentials
/// (`CredentialVault`, purpose `ai.provider_key`).
struct AddAIOrganizationKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organization_ai_settings").field("api_key_sealed", .data).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organization_ai_settings").deleteField("api_key_sealed").update()
    }
}
