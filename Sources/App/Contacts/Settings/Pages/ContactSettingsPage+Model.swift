import Foundation

/// Settings → Contacts: default country, opt-out and opt-in words, custom fields.
enum ContactSettingsPage {
    struct FieldRow {
        var id: UUID
        var key: String
        var label: String
        var type: ContactFieldType
        var choices: [String]
    }

    struct Model {
        var canManage: Bool
        var defaultCountry: String
        var countries: [Choice]
        /// As stored (empty when the defaults hold).
        var optOutWords: String
        var optInWords: String
        var defaultOptOut: String
        var defaultOptIn: String
        var fields: [FieldRow]
        var notice: String?
        var error: String?
    }
}
