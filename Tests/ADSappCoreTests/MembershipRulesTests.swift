import ADSappCore
import Testing

@Suite struct MembershipRulesTests {
    @Test("the last owner can be neither demoted nor removed, not even by themselves")
    func lastOwner() {
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRoleChange(actor: .owner, target: .owner, newRole: .admin, ownerCount: 1)
        }
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRemoval(actor: .owner, target: .owner, ownerCount: 1, isSelf: true)
        }
        #expect(throws: MembershipRuleViolation.lastOwner) {
            try MembershipRules.checkRemoval(actor: .owner, target: .owner, ownerCount: 1, isSelf: false)
        }
    }

    @Test("with two owners one may be demoted or leave")
    func secondOwner() throws {
        try MembershipRules.checkRoleChange(actor: .owner, target: .owner, newRole: .agent, ownerCount: 2)
        try MembershipRules.checkRemoval(actor: .owner, target: .owner, ownerCount: 2, isSelf: true)
    }

    @Test("admins manage admins, agents and viewers, but never owners or ownership")
    func admins() throws {
        try MembershipRules.checkRoleChange(actor: .admin, target: .agent, newRole: .admin, ownerCount: 1)
        try MembershipRules.checkRoleChange(actor: .admin, target: .admin, newRole: .viewer, ownerCount: 1)
        try MembershipRules.checkRemoval(actor: .admin, target: .viewer, ownerCount: 1, isSelf: false)
        #expect(throws: MembershipRuleViolation.ownerOnly) {
            try MembershipRules.checkRoleChange(actor: .admin, target: .agent, newRole: .owner, ownerCount: 1)
        }
        #expect(throws: MembershipRuleViolation.ownerOnly) {
            try MembershipRules.checkRoleChange(actor: .admin, target: .owner, newRole: .agent, ownerCount: 2)
        }
        #expect(throws: MembershipRuleViolation.ownerOnly) {
            try MembershipRules.checkRemoval(actor: .admin, target: .owner, ownerCount: 2, isSelf: false)
        }
    }

    @Test("agents and viewers manage nobody, but may leave", arguments: [Role.agent, .viewer])
    func nonManagers(role: Role) throws {
        #expect(throws: MembershipRuleViolation.notAllowed) {
            try MembershipRules.checkRoleChange(actor: role, target: .viewer, newRole: .agent, ownerCount: 1)
        }
        #expect(throws: MembershipRuleViolation.notAllowed) {
            try MembershipRules.checkRemoval(actor: role, target: .viewer, ownerCount: 1, isSelf: false)
        }
        try MembershipRules.checkRemoval(actor: role, target: role, ownerCount: 1, isSelf: true)
    }
}
