import Foundation

/// The confirm step of erasing a contact: what will be removed, and the one button that does it.
enum ContactErasePage {
    struct Model {
        var id: UUID
        var displayName: String
        var phoneNumber: String?
        var conversations: Int
        var messages: Int
        var notes: Int
    }
}
