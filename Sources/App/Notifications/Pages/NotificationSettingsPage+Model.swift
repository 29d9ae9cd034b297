import Foundation

/// Settings → Notifications: which events reach this member by email, in this organization.
enum NotificationSettingsPage {
    struct Model {
        var organizationName: String
        var email: String
        var mention: Bool
        var assignment: Bool
        var digest: Bool
        var notice: String?
    }
}
