import Foundation

extension ContactFormPage {
    /// The form for `contact` (or a new one), showing `typed` instead of the stored values when a
    /// submission was refused, so nothing the member typed is lost.
    static func query(
        _ tenant: Tenant, contact: Contact?, typed: ContactEditor.Input?, error: String?, duplicateID: UUID?
    ) async throws -> Model {
        let definitions = try await ContactDirectory.fieldDefinitions(in: tenant.scope)
        var values: [UUID: FieldValue] = [:]
        if let id = contact?.id { values = try await ContactDirectory.fieldValues(of: [id], in: tenant.scope)[id] ?? [:] }
        let fields = definitions.map { definition in
            Field(
                id: definition.id!, label: definition.label, type: definition.type, choices: definition.choices,
                value: typed?.fields[definition.id!] ?? values[definition.id!]?.text ?? "")
        }
        return Model(
            contactID: contact?.id, name: typed?.name ?? contact?.name ?? "", phone: typed?.phone ?? contact?.phoneNumber ?? "",
            email: typed?.email ?? contact?.email ?? "", fields: fields, defaultCountry: tenant.organization.defaultCountry,
            error: error, duplicateID: duplicateID)
    }
}
