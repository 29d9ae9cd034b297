/// The organization's security settings: whether everyone must sign in with two factors.
enum SecuritySettingsPage {
    struct Model {
        var organizationName: String
        var required: Bool
        var canManage: Bool
        /// Members who have not turned two-factor on (they are sent to set it up while it is required).
        var membersWithout: Int
        var notice: String?
        var error: String?
    }
}
