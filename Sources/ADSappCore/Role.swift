/// A member's role inside one organization. Ordered from most to least powerful.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case owner
    case admin
    case agent
    case viewer

    /// Lower rank = more power. Used for `Comparable` only; decisions go through `PermissionMatrix`.
    private var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .agent: 2
        case .viewer: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank > rhs.rank }
}
