import ADSappCore
import Fluent
import Vapor

/// Settings → Contacts (page and forms) and `/api/v1/contact-fields`.
enum ContactSettingsController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "saved" ? request.localizer(.contactSettingsSaved) : nil
        return try await render(request, tenant, notice: notice, error: nil, status: .ok)
    }

    struct SettingsForm: Content {
        var default_country: String?
        var opt_out_keywords: String?
        var opt_in_keywords: String?
    }

    static func save(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(SettingsForm.self)
        return try await change(request, tenant) {
            try await $0.save(
                defaultCountry: form.default_country ?? "", optOut: form.opt_out_keywords ?? "", optIn: form.opt_in_keywords ?? "")
        }
    }

    struct FieldForm: Content {
        var key: String?
        var label: String?
        var type: String?
        /// One choice per line.
        var choices: String?
    }

    static func createField(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(FieldForm.self)
        guard let type = ContactFieldType(rawValue: form.type ?? "") else {
            return try await render(request, tenant, notice: nil, error: request.localizer(.contactSettingsErrorType), status: .unprocessableEntity)
        }
        let choices = (form.choices ?? "").split(whereSeparator: \.isNewline).map(String.init)
        return try await change(request, tenant) {
            try await $0.createField(key: form.key ?? "", label: form.label ?? "", type: type, choices: choices)
        }
    }

    static func deleteField(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let id = try await tenant.find(ContactFieldDefinition.self, parameter: SiteURL.fieldID, of: request).requireID()
        return try await change(request, tenant) { try await $0.deleteField(id) }
    }

    private static func change(_ request: Request, _ tenant: Tenant, _ work: (ContactSettings) async throws -> some Any) async throws -> Response {
        do {
            _ = try await work(ContactSettings(tenant: tenant, request: request))
        } catch let refusal as ContactSettings.Refusal {
            let status: HTTPResponseStatus = refusal == .notFound ? .notFound : .unprocessableEntity
            return try await render(request, tenant, notice: nil, error: message(refusal, request.localizer), status: status)
        }
        return request.redirect(to: SiteURL.contactSettings.path + "?notice=saved", redirectType: .normal)
    }

    static func message(_ refusal: ContactSettings.Refusal, _ t: Localizer) -> String {
        switch refusal {
        case .unknownCountry: t(.contactSettingsErrorCountry)
        case .invalidKeywords: t(.contactSettingsErrorKeywords, ["max": "\(ContactSettings.maxKeywords)", "length": "\(ContactSettings.maxKeywordLength)"])
        case .invalidKey: t(.contactSettingsErrorKey, ["max": "\(ContactSettings.maxKeyLength)"])
        case .reservedKey: t(.contactSettingsErrorReserved, ["reserved": ContactSettings.reservedKeys.sorted().joined(separator: ", ")])
        case .duplicateKey: t(.contactSettingsErrorDuplicate)
        case .invalidLabel: t(.contactSettingsErrorLabel, ["max": "\(ContactSettings.maxLabelLength)"])
        case .invalidChoices: t(.contactSettingsErrorChoices, ["max": "\(ContactSettings.maxChoices)"])
        case .tooManyFields: t(.contactSettingsErrorTooMany, ["max": "\(ContactSettings.maxFields)"])
        case .notFound: t(.contactSettingsErrorNotFound)
        }
    }

    private static func render(_ request: Request, _ tenant: Tenant, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let chrome = try await Chrome.make(for: request, section: .settings)
        let model = try await ContactSettingsPage.query(
            tenant, settings: ContactSettings(tenant: tenant, request: request), language: chrome.language, notice: notice, error: error)
        return try await HTMLResponse(status: status, html: ContactSettingsPage.html(model, chrome)).encodeResponse(for: request)
    }

    // MARK: - API

    struct FieldBody: Content {
        var id: UUID
        var key: String
        var label: String
        var type: String
        var choices: [String]
        var position: Int

        init(_ field: ContactFieldDefinition) {
            id = field.id!
            key = field.key
            label = field.label
            type = field.type.rawValue
            choices = field.choices
            position = field.position
        }
    }

    struct FieldInput: Content {
        var key: String?
        var label: String?
        var type: String?
        var choices: [String]?
    }

    static func apiList(_ request: Request, _ tenant: Tenant) async throws -> Page<FieldBody> {
        // At most `ContactSettings.maxFields`: always one page.
        Page(data: try await ContactSettings(tenant: tenant, request: request).fields().map(FieldBody.init), next_cursor: nil)
    }

    static func apiCreate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try decode(request)
        guard let type = ContactFieldType(rawValue: input.type ?? "") else {
            throw APIError(
                .badRequest, code: "validation_failed",
                message: "type must be one of: \(ContactFieldType.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let field = try await api {
            try await ContactSettings(tenant: tenant, request: request).createField(
                key: input.key ?? "", label: input.label ?? "", type: type, choices: input.choices ?? [])
        }
        return try await FieldBody(field).encodeResponse(status: .created, for: request)
    }

    static func apiUpdate(_ request: Request, _ tenant: Tenant) async throws -> FieldBody {
        let id = try await tenant.find(ContactFieldDefinition.self, parameter: SiteURL.fieldID, of: request).requireID()
        let input = try decode(request)
        guard input.key == nil, input.type == nil else {
            throw APIError(.badRequest, code: "validation_failed", message: "key and type cannot change; create a new field instead.")
        }
        return FieldBody(
            try await api { try await ContactSettings(tenant: tenant, request: request).updateField(id, label: input.label, choices: input.choices) })
    }

    static func apiDelete(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let id = try await tenant.find(ContactFieldDefinition.self, parameter: SiteURL.fieldID, of: request).requireID()
        try await api { try await ContactSettings(tenant: tenant, request: request).deleteField(id) }
        return .noContent
    }

    private static func decode(_ request: Request) throws -> FieldInput {
        do {
            return try request.content.decode(FieldInput.self)
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "The body must be a JSON object with key, label, type and choices.")
        }
    }

    @discardableResult
    private static func api<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let refusal as ContactSettings.Refusal {
            throw refusal.apiError
        }
    }
}
