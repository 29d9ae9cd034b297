/// Why a change to a membership is refused.
public enum MembershipRuleViolation: Error, Equatable, Sendable {
    /// The actor's role does not allow managing members at all.
    case notAllowed
    /// Only owners may make someone an owner, or change or remove an owner.
    case ownerOnly
    /// The organization would be left without an owner.
    case lastOwner
}

/// The rules for changing roles and removing members, independent of storage.
public enum MembershipRules {
    /// Checks that `actor` may give `target` the role `newRole`.
    /// - Parameter ownerCount: how many owners the organization has now.
    public static func checkRoleChange(
        actor: Role, target: Role, newRole: Role, ownerCount: Int
    ) throws(MembershipRuleViolation) {
        guard actor.can(.manageMembers) else { throw .notAllowed }
        if target == .owner || newRole == .owner {
            guard actor.can(.grantOwnership) else { throw .ownerOnly }
        }
        if target == .owner, newRole != .owner, ownerCount <= 1 { throw .lastOwner }
    }

    /// Checks that `actor` may invite someone to join with `role` (the same rule as giving that role).
    public static func checkInvitation(actor: Role, role: Role) throws(MembershipRuleViolation) {
        guard actor.can(.manageMembers) else { throw .notAllowed }
        if role == .owner, !actor.can(.grantOwnership) { throw .ownerOnly }
    }

    /// Checks that `actor` may remove a member whose role is `target`.
    /// A member leaving on their own is `isSelf`: allowed for every role, except the last owner.
    public static func checkRemoval(
        actor: Role, target: Role, ownerCount: Int, isSelf: Bool
    ) throws(MembershipRuleViolation) {
        if !isSelf {
            guard actor.can(.manageMembers) else { throw .notAllowed }
            if target == .owner, !actor.can(.grantOwnership) { throw .ownerOnly }
        }
        if target == .owner, ownerCount <= 1 { throw .lastOwner }
    }
}
