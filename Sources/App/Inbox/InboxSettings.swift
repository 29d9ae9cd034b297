import ADSappCore
import Fluent
import Foundation
import Vapor

/// How an organization organizes its inbox: teams (with their members and automatic assignment),
/// tags, canned responses, members' capacity and availability, and whether agents see every
/// conversation. Admins configure; each member sets their own availability.
struct InboxSettings: Sendable {
    enum Refusal: Error, Equatable {
        case invalidName
        case duplicate
        case invalidShortcut
        case invalidBody
        case invalidCapacity
        case notAMember
        case notFound
    }

    static let maxNameLength = 60
    static let maxBodyLength = 4000
    static let capacityRange = 1...500

    let tenant: Tenant
    let request: Request

    private var scope: TenantScope { tenant.scope }
    private var now: Date { request.now }

    // MARK: Teams

    @discardableResult
    func createTeam(name: String, autoAssign: Bool, members: [UUID]) async throws -> Team {
        try tenant.require(.manageInbox)
        let name = try Self.name(name)
        guard try await scope.query(Team.self).filter(\.$name == name).first() == nil else { throw Refusal.duplicate }
        let team = Team(organizationID: scope.organizationID, name: name, autoAssign: autoAssign, createdAt: now)
        try await scope.transaction { scope in
            try await team.create(on: scope.database)
            try await Self.setMembers(members, of: team.id!, scope)
            try await accessChanged(on: scope.database)
        }
        try await lookForAssignees(team)
        return team
    }

    func updateTeam(_ id: UUID, name: String?, autoAssign: Bool?, members: [UUID]?) async throws -> Team {
        try tenant.require(.manageInbox)
        guard let team = try await scope.find(Team.self, id) else { throw Refusal.notFound }
        if let name {
            let name = try Self.name(name)
            if name != team.name, try await scope.query(Team.self).filter(\.$name == name).first() != nil { throw Refusal.duplicate }
            team.name = name
        }
        if let autoAssign { team.autoAssign = autoAssign }
        try await scope.transaction { scope in
            try await team.save(on: scope.database)
            if let members {
                try await Self.setMembers(members, of: id, scope)
                try await accessChanged(on: scope.database)
            }
        }
        try await lookForAssignees(team)
        return team
    }

    func deleteTeam(_ id: UUID) async throws {
        try tenant.require(.manageInbox)
        guard let team = try await scope.find(Team.self, id) else { throw Refusal.notFound }
        try await scope.transaction { scope in
            try await team.delete(on: scope.database)
            try await accessChanged(on: scope.database)
        }
    }

    /// Who sees which conversations may have changed: open live tabs check again (`LiveInbox`).
    private func accessChanged(on database: any Database) async throws {
        try await request.inboxEvents(on: database).recordAccessChange(organizationID: scope.organizationID)
    }

    private static func setMembers(_ members: [UUID], of teamID: UUID, _ scope: TenantScope) async throws {
        let wanted = Set(members)
        let known = Set(try await scope.query(Membership.self).filter(\.$id ~~ Array(wanted)).all(\.$id))
        guard known == wanted else { throw Refusal.notAMember }
        try await scope.query(TeamMember.self).filter(\.$team.$id == teamID).delete()
        for membershipID in wanted.sorted() {
            try await TeamMember(organizationID: scope.organizationID, teamID: teamID, membershipID: membershipID).create(on: scope.database)
        }
    }

    private func lookForAssignees(_ team: Team) async throws {
        guard team.autoAssign else { return }
        try await AutomaticAssignment.look(at: [team.id!], organizationID: scope.organizationID, jobs: request.jobs, on: scope.database)
    }

    // MARK: Tags

    @discardableResult
    func createTag(name: String) async throws -> Tag {
        try tenant.require(.manageInbox)
        let name = try Self.name(name)
        guard try await scope.query(Tag.self).filter(\.$name == name).first() == nil else { throw Refusal.duplicate }
        let tag = Tag(organizationID: scope.organizationID, name: name, createdAt: now)
        try await tag.create(on: scope.database)
        return tag
    }

    func deleteTag(_ id: UUID) async throws {
        try tenant.require(.manageInbox)
        guard let tag = try await scope.find(Tag.self, id) else { throw Refusal.notFound }
        try await tag.delete(on: scope.database)
    }

    // MARK: Canned responses

    @discardableResult
    func createCannedResponse(shortcut: String, body: String) async throws -> CannedResponse {
        try tenant.require(.manageInbox)
        let shortcut = shortcut.trimmingCharacters(in: .whitespaces).trimmingPrefix("/").lowercased()
        guard shortcut.wholeMatch(of: /[a-z0-9_-]{1,30}/) != nil else { throw Refusal.invalidShortcut }
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, body.count <= Self.maxBodyLength else { throw Refusal.invalidBody }
        guard try await scope.query(CannedResponse.self).filter(\.$shortcut == String(shortcut)).first() == nil else { throw Refusal.duplicate }
        let response = CannedResponse(organizationID: scope.organizationID, shortcut: String(shortcut), body: body, createdAt: now)
        try await response.create(on: scope.database)
        return response
    }

    func deleteCannedResponse(_ id: UUID) async throws {
        try tenant.require(.manageInbox)
        guard let response = try await scope.find(CannedResponse.self, id) else { throw Refusal.notFound }
        try await response.delete(on: scope.database)
    }

    // MARK: Members

    /// The signed-in member comes back (new conversations may go to them) or steps away.
    func setAvailability(_ available: Bool) async throws {
        let membership = tenant.membership
        membership.available = available
        try await membership.save(on: scope.database)
        guard available else { return }
        let teams = try await scope.query(TeamMember.self).filter(\.$membership.$id == membership.requireID()).all(\.$team.$id)
        try await AutomaticAssignment.look(at: Set(teams), organizationID: scope.organizationID, jobs: request.jobs, on: scope.database)
    }

    func setCapacity(of membershipID: UUID, to capacity: Int) async throws {
        try tenant.require(.manageInbox)
        guard Self.capacityRange.contains(capacity) else { throw Refusal.invalidCapacity }
        guard let membership = try await scope.find(Membership.self, membershipID) else { throw Refusal.notFound }
        membership.capacity = capacity
        try await membership.save(on: scope.database)
        let teams = try await scope.query(TeamMember.self).filter(\.$membership.$id == membershipID).all(\.$team.$id)
        try await AutomaticAssignment.look(at: Set(teams), organizationID: scope.organizationID, jobs: request.jobs, on: scope.database)
    }

    func setAgentsSeeAll(_ seeAll: Bool) async throws {
        try tenant.require(.manageInbox)
        let organization = tenant.organization
        organization.agentsSeeAll = seeAll
        try await request.db.transaction { database in
            try await organization.save(on: database)
            try await accessChanged(on: database)
        }
    }

    private static func name(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= maxNameLength else { throw Refusal.invalidName }
        return name
    }
}

extension InboxSettings.Refusal {
    var apiError: APIError {
        switch self {
        case .invalidName: APIError(.badRequest, code: "validation_failed", message: "name must have 1 to \(InboxSettings.maxNameLength) characters.")
        case .duplicate: APIError(.conflict, code: "duplicate", message: "One with that name already exists.")
        case .invalidShortcut: APIError(.badRequest, code: "validation_failed", message: "shortcut must be 1 to 30 of a-z, 0-9, - and _.")
        case .invalidBody: APIError(.badRequest, code: "validation_failed", message: "body must have 1 to \(InboxSettings.maxBodyLength) characters.")
        case .invalidCapacity:
            APIError(
                .badRequest, code: "validation_failed",
                message: "capacity must be between \(InboxSettings.capacityRange.lowerBound) and \(InboxSettings.capacityRange.upperBound).")
        case .notAMember: APIError(.unprocessableEntity, code: "not_a_member", message: "member_ids must name members of this organization.")
        case .notFound: APIError(.notFound, code: "not_found", message: "Not found.")
        }
    }
}

/// Fills a canned response for one conversation: `{{name}}`, `{{first_name}}`, `{{phone}}` from
/// the contact, `{{agent}}` from the member writing. Unknown variables stay as typed.
enum CannedResponseText {
    static func fill(_ body: String, contactName: String?, phone: String?, agent: String) -> String {
        let name = contactName ?? ""
        let values = [
            "name": name,
            "first_name": name.split(separator: " ").first.map(String.init) ?? "",
            "phone": phone.map { "+" + $0 } ?? "",
            "agent": agent,
        ]
        return body.replacing(/\{\{\s*([a-z_]+)\s*\}\}/) { match in
            values[String(match.output.1)] ?? String(match.output.0)
        }
    }
}
