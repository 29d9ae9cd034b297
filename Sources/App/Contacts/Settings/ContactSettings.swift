import ADSappCore
import Fluent
import Foundation
import Vapor

/// Settings → Contacts: the organization's default country (for reading national phone numbers),
/// its opt-out and opt-in words, and its custom field definitions. The one place these change,
/// for the page and the API alike.
struct ContactSettings {
    let tenant: Tenant
    let database: any Database
    let now: Date

    static let reservedKeys: Set<String> = ["name", "phone", "email", "tags", "opt_in"]
    static let maxFields = 100
    static let maxLabelLength = 100
    static let maxKeyLength = 40
    static let maxChoices = 100
    static let maxKeywords = 20
    static let maxKeywordLength = 30

    enum Refusal: Error, Equatable {
        case unknownCountry
        case invalidKeywords
        case invalidKey
        case reservedKey
        case duplicateKey
        case invalidLabel
        case invalidChoices
        case tooManyFields
        case notFound
    }

    init(tenant: Tenant, request: Request) {
        self.tenant = tenant
        self.database = request.db
        self.now = request.now
    }

    var scope: TenantScope { tenant.scope }

    /// Saves the default country and the keyword lists (empty list = the defaults).
    func save(defaultCountry: String, optOut: String, optIn: String) async throws {
        try tenant.require(.manageOrganizationSettings)
        let country = defaultCountry.trimmingCharacters(in: .whitespaces).uppercased()
        guard PhoneNumber.countries.contains(country) else { throw Refusal.unknownCountry }
        let organization = tenant.organization
        organization.defaultCountry = country
        organization.optOutKeywords = try Self.keywordList(optOut)
        organization.optInKeywords = try Self.keywordList(optIn)
        try await organization.save(on: database)
    }

    /// The stored form of a keyword list: its normalized words, comma separated; nil keeps the defaults.
    static func keywordList(_ raw: String) throws(Refusal) -> String? {
        guard raw.count <= 1000 else { throw .invalidKeywords }
        guard let words = MarketingKeywords.words(raw) else { return nil }
        guard words.count <= maxKeywords, words.allSatisfy({ $0.count <= maxKeywordLength }) else { throw .invalidKeywords }
        return words.joined(separator: ", ")
    }

    @discardableResult
    func createField(key rawKey: String, label rawLabel: String, type: ContactFieldType, choices rawChoices: [String]) async throws -> ContactFieldDefinition {
        try tenant.require(.manageOrganizationSettings)
        let key = rawKey.trimmingCharacters(in: .whitespaces)
        guard key.count <= Self.maxKeyLength, key.wholeMatch(of: /[a-z][a-z0-9_]*/) != nil else { throw Refusal.invalidKey }
        guard !Self.reservedKeys.contains(key) else { throw Refusal.reservedKey }
        let label = try Self.label(rawLabel)
        let choices = try Self.choices(rawChoices, for: type)
        let existing = try await scope.query(ContactFieldDefinition.self).all()
        guard existing.count < Self.maxFields else { throw Refusal.tooManyFields }
        guard !existing.contains(where: { $0.key == key }) else { throw Refusal.duplicateKey }
        let field = ContactFieldDefinition(
            organizationID: tenant.organizationID, key: key, label: label, type: type, choices: choices,
            position: (existing.map(\.position).max() ?? 0) + 1, createdAt: now)
        do {
            try await field.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Refusal.duplicateKey  // a concurrent create of the same key
        }
        return field
    }

    /// Changes a field's label and (for a choice field) its choices; the key and type stay.
    @discardableResult
    func updateField(_ id: UUID, label: String?, choices: [String]?) async throws -> ContactFieldDefinition {
        try tenant.require(.manageOrganizationSettings)
        guard let field = try await scope.find(ContactFieldDefinition.self, id) else { throw Refusal.notFound }
        if let label { field.label = try Self.label(label) }
        if let choices {
            let checked = try Self.choices(choices, for: field.type)
            field.choicesText = checked.isEmpty ? nil : checked.joined(separator: "\n")
        }
        try await field.save(on: database)
        return field
    }

    /// Deletes a field and every contact's value of it.
    func deleteField(_ id: UUID) async throws {
        try tenant.require(.manageOrganizationSettings)
        guard let field = try await scope.find(ContactFieldDefinition.self, id) else { throw Refusal.notFound }
        try await scope.transaction { scope in
            try await scope.query(ContactFieldValue.self).filter(\.$fieldID == id).delete()
            try await field.delete(on: scope.database)
        }
    }

    func fields() async throws -> [ContactFieldDefinition] {
        try await scope.query(ContactFieldDefinition.self).sort(\.$position).sort(\.$key).all()
    }

    private static func label(_ raw: String) throws(Refusal) -> String {
        let label = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty, label.count <= maxLabelLength, !label.contains(where: \.isNewline) else { throw .invalidLabel }
        return label
    }

    /// A choice field needs 1 to 100 distinct choices (case-insensitive); other types take none.
    private static func choices(_ raw: [String], for type: ContactFieldType) throws(Refusal) -> [String] {
        let choices = raw.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard type == .choice else {
            guard choices.isEmpty else { throw .invalidChoices }
            return []
        }
        var seen: Set<String> = []
        guard !choices.isEmpty, choices.count <= maxChoices,
            choices.allSatisfy({ $0.count <= maxLabelLength && !$0.contains(where: \.isNewline) && seen.insert($0.lowercased()).inserted })
        else { throw .invalidChoices }
        return choices
    }
}

extension ContactSettings.Refusal {
    var apiError: APIError {
        switch self {
        case .unknownCountry:
            APIError(.badRequest, code: "validation_failed", message: "default_country must be one of: \(PhoneNumber.countries.joined(separator: ", ")).")
        case .invalidKeywords:
            APIError(
                .badRequest, code: "validation_failed",
                message: "keywords must be at most \(ContactSettings.maxKeywords) words of at most \(ContactSettings.maxKeywordLength) characters.")
        case .invalidKey:
            APIError(
                .badRequest, code: "validation_failed",
                message: "key must start with a-z and have at most \(ContactSettings.maxKeyLength) of a-z, 0-9 and _.")
        case .reservedKey:
            APIError(
                .badRequest, code: "reserved_key",
                message: "key must not be one of \(ContactSettings.reservedKeys.sorted().joined(separator: ", ")): the CSV import uses them.")
        case .duplicateKey: APIError(.conflict, code: "duplicate", message: "A field with that key already exists.")
        case .invalidLabel: APIError(.badRequest, code: "validation_failed", message: "label must have 1 to \(ContactSettings.maxLabelLength) characters.")
        case .invalidChoices:
            APIError(
                .badRequest, code: "validation_failed",
                message: "choices: a choice field needs 1 to \(ContactSettings.maxChoices) different choices; other types take none.")
        case .tooManyFields:
            APIError(.unprocessableEntity, code: "too_many_fields", message: "An organization has at most \(ContactSettings.maxFields) fields.")
        case .notFound: APIError(.notFound, code: "not_found", message: "Not found.")
        }
    }
}
