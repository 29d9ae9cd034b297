import ADSappCore
import SQLKit
import Foundation

/// The organization's teams, tags, numbers and assignable members, as choices for the inbox's selects.
struct InboxChoices {
    var teams: [Choice]
    var tags: [Choice]
    var numbers: [Choice]
    var members: [Choice]
    /// Names by id for the list's rows; every member, also those who may no longer answer.
    var names: (allMembers: [UUID: String], teams: [UUID: String], tags: [UUID: String])

    /// One query for the four lists: every inbox page needs them, and Fluent's query builder cost
    /// more than the queries themselves (the `/inbox` profile in docs/benchmarks.md, section http).
    static func load(_ tenant: Tenant) async throws -> InboxChoices {
        let rows = try await tenant.scope.sql { organization in
            """
            SELECT 'member' AS kind, m.id, u.name AS label, m.role, '' AS sort_label, m.created_at
              FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = \(bind: organization)
            UNION ALL
            SELECT 'team', id, name, NULL, name, created_at FROM teams WHERE organization_id = \(bind: organization)
            UNION ALL
            SELECT 'tag', id, name, NULL, name, created_at FROM tags WHERE organization_id = \(bind: organization)
            UNION ALL
            SELECT 'number', id, display_phone_number, NULL, '', created_at FROM whatsapp_connections WHERE organization_id = \(bind: organization)
            ORDER BY kind, sort_label, created_at
            """
        }.all()
        typealias Named = (id: UUID, name: String)
        var everyone: [(id: UUID, name: String, role: Role?)] = [], teams: [Named] = [], tags: [Named] = [], numbers: [Named] = []
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self), label = try row.decode(column: "label", as: String.self)
            switch try row.decode(column: "kind", as: String.self) {
            case "member": everyone.append((id, label, try row.decode(column: "role", as: String?.self).flatMap(Role.init(rawValue:))))
            case "team": teams.append((id, label))
            case "tag": tags.append((id, label))
            default: numbers.append((id, label))
            }
        }
        everyone.sort { $0.name < $1.name }
        func choices(_ named: [Named]) -> [Choice] { named.map { Choice(value: $0.id.uuidString, label: $0.name) } }
        func byID(_ named: [Named]) -> [UUID: String] { Dictionary(uniqueKeysWithValues: named.map { ($0.id, $0.name) }) }
        return InboxChoices(
            teams: choices(teams), tags: choices(tags), numbers: choices(numbers),
            members: choices(everyone.filter { $0.role?.can(.replyToConversations) == true }.map { ($0.id, $0.name) }),
            names: (byID(everyone.map { ($0.id, $0.name) }), byID(teams), byID(tags))
        )
    }
}
