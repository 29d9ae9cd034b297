import Foundation

/// `/contacts/new` and `/contacts/:id/edit`: name, number, email and custom fields.
enum ContactFormPage {
    struct Field: Sendable {
        var id: UUID
        var label: String
        var type: ContactFieldType
        var choices: [String]
        var value: String
    }

    struct Model {
        /// `nil` for a new contact.
        var contactID: UUID?
        var name: String
        var phone: String
        var email: String
        var fields: [Field]
        var defaultCountry: String
        var error: String?
        /// The contact that has the number already, when that was the refusal.
        var duplicateID: UUID?
    }
}
