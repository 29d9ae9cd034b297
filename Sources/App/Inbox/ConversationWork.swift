import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit

/// What agents do to conversations: assign, move between states, hand to a team, tag. Each call
/// takes one conversation or a selection (bulk actions), changes them in one transaction, and
/// records one live event per conversation changed.
struct ConversationWork: Sendable {
    /// Why a change was refused; each is something the person can act on.
    enum Refusal: Error, Equatable {
        case notAMember
        case viewerCannotBeAssigned
        case snoozeNeedsAFutureTime
        case unknownTeam
        case unknownTag
    }

    let scope: TenantScope
    let access: InboxAccess
    /// Who does it, as shown to colleagues ("assigned by Anna").
    let actorName: String
    let jobs: JobStore
    let wakeUp: Signal
    let now: Date

    /// Assigns to a member, or unassigns with `nil`.
    func assign(_ ids: [UUID], to membershipID: UUID?) async throws {
        if let membershipID {
            guard let member = try await scope.find(Membership.self, membershipID) else { throw Refusal.notAMember }
            guard member.role != .viewer else { throw Refusal.viewerCannotBeAssigned }
        }
        try await change(ids, event: ["change": "assignee"]) { scope, query in
            guard let membershipID else { return try await query.set(\.$assignee.$id, to: nil).update() }
            // The ones that change hands: their new assignee is told by email (`NotifyAssignment`).
            let changed = try await query.copy().group(.or) { $0.filter(\.$assignee.$id == nil).filter(\.$assignee.$id != membershipID) }.all(\.$id)
            try await query.set(\.$assignee.$id, to: membershipID).update()
            try await NotifyAssignment.enqueue(
                changed, to: membershipID, by: (access.membershipID, actorName), organizationID: scope.organizationID, on: scope.database, now: now)
        }
    }

    /// Opens, parks as pending, resolves, or snoozes (until a later time) the conversations.
    func setStatus(_ ids: [UUID], to status: Conversation.Status, snoozedUntil: Date? = nil) async throws {
        if status == .snoozed {
            guard let snoozedUntil, snoozedUntil > now else { throw Refusal.snoozeNeedsAFutureTime }
        }
        let until = status == .snoozed ? snoozedUntil : nil
        let (resolver, jobs, now) = (access.membershipID, jobs, now)
        try await change(ids, event: ["change": "status", "status": status.rawValue]) { scope, query in
            let resolving = status == .resolved ? try await query.copy().filter(\.$status != .resolved).all(\.$id) : []
            let update = query.set(\.$status, to: status).set(\.$snoozedUntil, to: until)
            // A resolved conversation no longer waits for an answer.
            if status == .resolved { update.set(\.$waitingSince, to: nil) }
            try await update.update()
            try await SummarizeResolved.queue(resolving, by: resolver, at: now, scope: scope, jobs: jobs)
            try await ConversationAIState.resolved(resolving, in: scope)
        }
        if let until {
            try await jobs.enqueue(.init(WakeSnoozedConversations.self, .init(), runAt: until))
        }
    }

    func setTeam(_ ids: [UUID], to teamID: UUID?) async throws {
        if let teamID, try await scope.find(Team.self, teamID) == nil { throw Refusal.unknownTeam }
        try await change(ids, event: ["change": "team"], movingTo: teamID) { _, query in
            try await query.set(\.$team.$id, to: teamID).update()
        }
    }

    func tag(_ ids: [UUID], with tagID: UUID) async throws {
        guard try await scope.find(Tag.self, tagID) != nil else { throw Refusal.unknownTag }
        try await change(ids, event: ["change": "tags"]) { scope, query in
            let conversations = try await query.all(\.$id)
            let tagged = Set(
                try await scope.query(ConversationTag.self).filter(\.$tag.$id == tagID).filter(\.$conversation.$id ~~ conversations).all(\.$conversation.$id))
            for conversationID in conversations where !tagged.contains(conversationID) {
                let link = ConversationTag()
                link.organizationID = scope.organizationID
                link.$conversation.id = conversationID
                link.$tag.id = tagID
                try await link.create(on: scope.database)
            }
        }
    }

    func untag(_ ids: [UUID], from tagID: UUID) async throws {
        try await change(ids, event: ["change": "tags"]) { scope, query in
            let conversations = try await query.all(\.$id)
            try await scope.query(ConversationTag.self).filter(\.$tag.$id == tagID).filter(\.$conversation.$id ~~ conversations).delete()
        }
    }

    /// Runs `apply` on the visible conversations among `ids`, records the events, and lets
    /// automatic assignment look again at the teams involved (a resolve or unassign frees capacity;
    /// a move to another team or back to open may need an assignee).
    private func change(
        _ ids: [UUID], event data: [String: String], movingTo newTeam: UUID? = nil,
        _ apply: @escaping @Sendable (TenantScope, QueryBuilder<Conversation>) async throws -> Void
    ) async throws {
        guard !ids.isEmpty else { return }
        let data = data.merging(["by": actorName]) { $1 }
        let (access, jobs, wakeUp, now) = (access, jobs, wakeUp, now)
        try await scope.transaction { scope in
            let visible = try await access.limit(scope.query(Conversation.self)).filter(\.$id ~~ ids).all()
            guard !visible.isEmpty else { return }
            let visibleIDs = visible.map { $0.id! }
            try await apply(scope, scope.query(Conversation.self).filter(\.$id ~~ visibleIDs))
            try await InboxEventLog(database: scope.database, wakeUp: wakeUp, now: now).record(.conversation, conversations: visibleIDs, data: data)
            // The teams before, and the one they move to: only `setTeam` changes a team.
            let teams = Set(visible.compactMap(\.$team.id) + [newTeam].compactMap { $0 })
            try await AutomaticAssignment.look(at: teams, organizationID: scope.organizationID, jobs: jobs, on: scope.database)
        }
    }
}
