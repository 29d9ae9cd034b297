import ADSappCore
import Foundation

/// The dashboard: who you are, where you work, and an honest list of what exists.
enum DashboardPage {
    struct Model {
        var userName: String
        var organizationName: String
        var role: Role
        var memberCount: Int
    }
}
