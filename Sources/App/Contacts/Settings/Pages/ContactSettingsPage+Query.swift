import ADSappCore
import Foundation

extension ContactSettingsPage {
    static func query(_ tenant: Tenant, settings: ContactSettings, language: Language, notice: String?, error: String?) async throws -> Model {
        let organization = tenant.organization
        let locale = Locale(identifier: language.rawValue)
        let countries = PhoneNumber.countries.map { code in
            Choice(value: code, label: "\(locale.localizedString(forRegionCode: code) ?? code) (+\(PhoneNumber.callingCode(of: code) ?? ""))")
        }.sorted { $0.label.localizedCompare($1.label) == .orderedAscending }
        return Model(
            canManage: tenant.role.can(.manageOrganizationSettings),
            defaultCountry: organization.defaultCountry,
            countries: countries,
            optOutWords: organization.optOutKeywords ?? "",
            optInWords: organization.optInKeywords ?? "",
            defaultOptOut: MarketingKeywords.defaultOptOut.joined(separator: ", "),
            defaultOptIn: MarketingKeywords.defaultOptIn.joined(separator: ", "),
            fields: try await settings.fields().map { .init(id: $0.id!, key: $0.key, label: $0.label, type: $0.type, choices: $0.choices) },
            notice: notice,
            error: error)
    }
}
