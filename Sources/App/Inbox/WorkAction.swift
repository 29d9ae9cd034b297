import Foundation
import Vapor

/// One change to conversations, as the API and the inbox's forms ask for it.
enum WorkAction: Equatable, Sendable {
    /// `nil` unassigns.
    case assign(UUID?)
    case status(Conversation.Status, snoozedUntil: Date?)
    case team(UUID?)
    case tag(UUID)
    case untag(UUID)

    /// The fields of a change; the API sends them as JSON, the forms as form fields.
    struct Input: Content {
        /// `assign`, `unassign`, `open`, `pending`, `resolve`, `snooze`, `team`, `tag`, `untag`.
        var action: String?
        /// A member's id, or `me`.
        var assignee_id: String?
        var snoozed_until: Date?
        /// For forms: snooze for this many hours.
        var snooze_hours: Int?
        var team_id: String?
        var tag_id: String?
        /// For bulk changes: the selected conversations.
        var ids: [UUID]?
    }

    static let actions = ["assign", "unassign", "open", "pending", "resolve", "snooze", "team", "tag", "untag"]

    /// Reads a change, or says exactly what is wrong with it.
    static func parse(_ input: Input, me: UUID, now: Date) throws -> WorkAction {
        func id(_ raw: String?, _ field: String) throws -> UUID {
            guard let raw, let id = UUID(uuidString: raw) else { throw invalid("\(field) must be an id") }
            return id
        }
        switch input.action {
        case "assign":
            if input.assignee_id == "me" { return .assign(me) }
            return .assign(try id(input.assignee_id, "assignee_id"))
        case "unassign": return .assign(nil)
        case "open": return .status(.open, snoozedUntil: nil)
        case "pending": return .status(.pending, snoozedUntil: nil)
        case "resolve": return .status(.resolved, snoozedUntil: nil)
        case "snooze":
            if let until = input.snoozed_until { return .status(.snoozed, snoozedUntil: until) }
            guard let hours = input.snooze_hours, (1...24 * 90).contains(hours) else {
                throw invalid("snooze needs snoozed_until (a time) or snooze_hours (1 to 2160)")
            }
            return .status(.snoozed, snoozedUntil: now.addingTimeInterval(Double(hours) * 3600))
        case "team":
            guard let raw = input.team_id, !raw.isEmpty else { return .team(nil) }
            return .team(try id(raw, "team_id"))
        case "tag": return .tag(try id(input.tag_id, "tag_id"))
        case "untag": return .untag(try id(input.tag_id, "tag_id"))
        default: throw invalid("action must be one of: " + actions.joined(separator: ", "))
        }
    }

    private static func invalid(_ message: String) -> APIError {
        APIError(.badRequest, code: "validation_failed", message: message + ".")
    }
}

extension ConversationWork {
    func perform(_ action: WorkAction, on ids: [UUID]) async throws {
        switch action {
        case .assign(let member): try await assign(ids, to: member)
        case .status(let status, let until): try await setStatus(ids, to: status, snoozedUntil: until)
        case .team(let team): try await setTeam(ids, to: team)
        case .tag(let tagID): try await tag(ids, with: tagID)
        case .untag(let tagID): try await untag(ids, from: tagID)
        }
    }
}

extension ConversationWork.Refusal {
    var apiError: APIError {
        switch self {
        case .notAMember: APIError(.unprocessableEntity, code: "not_a_member", message: "The assignee is not a member of this organization.")
        case .viewerCannotBeAssigned:
            APIError(.unprocessableEntity, code: "viewer_cannot_be_assigned", message: "Viewers only read: they cannot be assigned conversations.")
        case .snoozeNeedsAFutureTime:
            APIError(.unprocessableEntity, code: "snooze_in_the_past", message: "A conversation can only be snoozed until a time in the future.")
        case .unknownTeam: APIError(.unprocessableEntity, code: "unknown_team", message: "There is no such team in this organization.")
        case .unknownTag: APIError(.unprocessableEntity, code: "unknown_tag", message: "There is no such tag in this organization.")
        }
    }
}

extension Tenant {
    /// The work a member does in the inbox, as themselves.
    func work(_ request: Request, access: InboxAccess) -> ConversationWork {
        ConversationWork(
            scope: scope, access: access, actorName: user.name, jobs: request.jobs,
            wakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now)
    }
}
