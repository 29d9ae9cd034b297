import ADSappCore
import Fluent
import Foundation

/// The organization's teams, tags, numbers and assignable members, as choices for the inbox's selects.
struct InboxChoices {
    var teams: [Choice]
    var tags: [Choice]
    var numbers: [Choice]
    var members: [Choice]
    /// Names by id for the list's rows; every member, also those who may no longer answer.
    var names: (allMembers: [UUID: String], teams: [UUID: String], tags: [UUID: String])

    static func load(_ tenant: Tenant) async throws -> InboxChoices {
        let scope = tenant.scope
        let everyone = try await scope.query(Membership.self).with(\.$user).all().sorted { $0.user.name < $1.user.name }
        let teams = try await scope.query(Team.self).sort(\.$name).all()
        let tags = try await scope.query(Tag.self).sort(\.$name).all()
        return InboxChoices(
            teams: teams.map { Choice(value: $0.id!.uuidString, label: $0.name) },
            tags: tags.map { Choice(value: $0.id!.uuidString, label: $0.name) },
            numbers: try await scope.query(WhatsAppConnection.self).sort(\.$createdAt).all().map {
                Choice(value: $0.id!.uuidString, label: $0.displayPhoneNumber)
            },
            members: everyone.filter { $0.role.can(.replyToConversations) }.map { Choice(value: $0.id!.uuidString, label: $0.user.name) },
            names: (
                Dictionary(uniqueKeysWithValues: everyone.map { ($0.id!, $0.user.name) }),
                Dictionary(uniqueKeysWithValues: teams.map { ($0.id!, $0.name) }),
                Dictionary(uniqueKeysWithValues: tags.map { ($0.id!, $0.name) })
            )
        )
    }
}
