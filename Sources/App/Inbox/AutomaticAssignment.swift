import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit

/// Gives a team's waiting conversations to its available members in turn: always to the member
/// with the fewest open conversations, of equals the one who got one longest ago, and never beyond
/// a member's capacity. What does not fit waits, oldest first, until someone resolves a
/// conversation, comes back, or joins the team.
struct AutomaticAssignment: Sendable {
    let scope: TenantScope
    let teamID: UUID
    let wakeUp: Signal
    let now: Date

    /// Open and pending conversations count against capacity; snoozed and resolved ones do not.
    static let busyStates: [Conversation.Status] = [.open, .pending]

    /// Assigns what fits; returns how many. Run it in a transaction.
    @discardableResult
    func run() async throws -> Int {
        guard let team = try await scope.find(Team.self, teamID), team.autoAssign else { return 0 }
        // One assignment round per team at a time: two would both see the same free capacity.
        try await scope.lockRow(of: "teams", id: teamID)
        var members = try await candidates()
        guard !members.isEmpty else { return 0 }
        let free = members.reduce(0) { $0 + max(0, $1.capacity - $1.load) }
        guard free > 0 else { return 0 }
        let waiting = try await scope.query(Conversation.self)
            .filter(\.$team.$id == teamID).filter(\.$status == .open).filter(\.$assignee.$id == nil)
            .sort(\.$lastMessageAt, .ascending).limit(free).all(\.$id)
        var assigned: [UUID] = []
        var givenTo: [UUID: [UUID]] = [:]
        for conversationID in waiting {
            guard let index = members.indices.filter({ members[$0].load < members[$0].capacity }).min(by: { members[$0] < members[$1] }) else { break }
            let taken = try await scope.sql(
                """
                UPDATE conversations SET assignee_id = \(bind: members[index].id)
                WHERE id = \(bind: conversationID) AND organization_id = \(bind: scope.organizationID) AND assignee_id IS NULL
                RETURNING id
                """
            ).all()
            guard !taken.isEmpty else { continue }
            members[index].load += 1
            members[index].lastAssignedAt = now
            assigned.append(conversationID)
            givenTo[members[index].id, default: []].append(conversationID)
        }
        for member in members where member.lastAssignedAt == now {
            try await scope.query(Membership.self).filter(\.$id == member.id).set(\.$lastAssignedAt, to: now).update()
        }
        try await InboxEventLog(database: scope.database, wakeUp: wakeUp, now: now)
            .record(.conversation, conversations: assigned, data: ["change": "assignee", "by": "auto"])
        for (membershipID, conversations) in givenTo {
            try await NotifyAssignment.enqueue(conversations, to: membershipID, by: nil, organizationID: scope.organizationID, on: scope.database, now: now)
        }
        return assigned.count
    }

    struct Candidate: Comparable {
        var id: UUID
        var capacity: Int
        var load: Int
        var lastAssignedAt: Date?

        /// Fewest open conversations first; of equals, the one who waited longest for a new one.
        static func < (a: Candidate, b: Candidate) -> Bool {
            if a.load != b.load { return a.load < b.load }
            switch (a.lastAssignedAt, b.lastAssignedAt) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (let x?, let y?) where x != y: return x < y
            default: return a.id < b.id
            }
        }
    }

    /// The team's available members who may answer, with their current load.
    private func candidates() async throws -> [Candidate] {
        let memberIDs = try await scope.query(TeamMember.self).filter(\.$team.$id == teamID).all(\.$membership.$id)
        guard !memberIDs.isEmpty else { return [] }
        let members = try await scope.query(Membership.self).filter(\.$id ~~ memberIDs).filter(\.$available == true).all()
            .filter { $0.role.can(.replyToConversations) }
        guard !members.isEmpty else { return [] }
        let loads = try await scope.sql(
            """
            SELECT assignee_id, count(*) AS load FROM conversations
            WHERE organization_id = \(bind: scope.organizationID)
              AND assignee_id IN \(SQLGroupExpression(members.map { SQLBind($0.id!) }))
              AND status IN \(SQLGroupExpression(Self.busyStates.map { SQLBind($0.rawValue) }))
            GROUP BY assignee_id
            """
        ).all()
        var load: [UUID: Int] = [:]
        for row in loads { load[try row.decode(column: "assignee_id", as: UUID.self)] = try row.decode(column: "load", as: Int.self) }
        return members.map { Candidate(id: $0.id!, capacity: $0.capacity, load: load[$0.id!] ?? 0, lastAssignedAt: $0.lastAssignedAt) }
    }

    /// Queues an assignment round for each team (at most one waits per team).
    static func look(at teams: Set<UUID>, organizationID: UUID, jobs: JobStore, on database: any Database) async throws {
        guard !teams.isEmpty else { return }
        let rounds = try teams.sorted().map {
            try JobStore.NewJob(AssignWaitingConversations.self, .init(teamID: $0), priority: .high, uniqueKey: "assign:\($0)", organizationID: organizationID)
        }
        try await jobs.enqueue(rounds, on: database)
    }
}

/// One assignment round for a team (`AutomaticAssignment`), or, without a team, for every team
/// that assigns automatically: the regular sweep that catches what a round running at the time
/// could not see.
struct AssignWaitingConversations: JobHandler {
    struct Payload: Codable, Sendable {
        var teamID: UUID?
    }

    static let kind = "inbox.assign"
    static let queue: QueueName = .inbox

    let wakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        // A conversation that arrives during this round queues the next one.
        try await context.releaseUniqueKey()
        let teams: [Team]
        if let teamID = payload.teamID {
            teams = try await Team.query(on: context.database).filter(\.$id == teamID).all()
        } else {
            teams = try await Team.query(on: context.database).filter(\.$autoAssign == true).all()
        }
        for team in teams {
            let scope = TenantScope(organizationID: team.organizationID, database: context.database)
            _ = try await scope.transaction { scope in
                try await AutomaticAssignment(scope: scope, teamID: team.id!, wakeUp: wakeUp, now: now()).run()
            }
        }
    }
}

/// Wakes the snoozed conversations whose time has come: back to open, and to the top of the list.
struct WakeSnoozedConversations: JobHandler {
    struct Payload: Codable, Sendable {}

    static let kind = "inbox.wake-snoozed"
    static let queue: QueueName = .inbox

    let wakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let now = now()
        let jobs = JobStore(database: context.database, now: { now })
        try await context.database.transaction { database in
            let sql = database.sql
            let woken = try await sql.raw(
                """
                UPDATE conversations SET status = 'open', snoozed_until = NULL
                WHERE status = 'snoozed' AND snoozed_until <= \(bind: now)
                RETURNING id, organization_id, team_id
                """
            ).all()
            guard !woken.isEmpty else { return }
            try await InboxEventLog(database: database, wakeUp: wakeUp, now: now)
                .record(
                    .conversation, conversations: try woken.map { try $0.decode(column: "id", as: UUID.self) },
                    data: ["change": "status", "status": "open", "by": "snooze"])
            let byOrganization = Dictionary(grouping: woken) { (try? $0.decode(column: "organization_id", as: UUID.self)) ?? UUID() }
            for (organizationID, rows) in byOrganization {
                let teams = Set(rows.compactMap { try? $0.decode(column: "team_id", as: UUID?.self) })
                try await AutomaticAssignment.look(at: teams, organizationID: organizationID, jobs: jobs, on: database)
            }
        }
    }
}
