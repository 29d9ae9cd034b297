import ADSappCore
import Foundation

/// The organization's message templates, with sync, create and delete.
enum TemplatesPage {
    struct Row {
        var id: UUID
        var name: String
        var language: String
        var category: String
        var status: String
        var quality: String?
        var rejectedReason: String?
        var body: String?
    }

    struct Model {
        var rows: [Row]
        var canManage: Bool
        var notice: String?
        var error: String?
    }
}
