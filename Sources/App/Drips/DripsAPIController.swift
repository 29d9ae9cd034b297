import ADSappCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/drips`: create and change drip sequences, activate and pause them, delete them, and read
/// their statistics per step.
enum DripsAPIController {
    struct DripBody: Content {
        var id: UUID
        var name: String
        var status: String
        var connection_id: UUID
        var enrolment: DripActions.Input.Enrolment
        var exit: DripActions.Input.Exit
        var window: DripActions.Input.Window
        var steps: [StepBody]
        var created_at: Date
        var activated_at: Date?
        var statistics: DripStatistics
    }

    struct StepBody: Content {
        var id: UUID
        var position: Int
        var delay_minutes: Int
        var template_name: String?
        var template_language: String?
        var message: CampaignMessage?
        var text: String?
    }

    static func body(_ sequence: DripSequence, in scope: TenantScope) async throws -> DripBody {
        let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID()).sort(\.$position).all()
        let window = sequence.window
        return DripBody(
            id: try sequence.requireID(), name: sequence.name, status: sequence.status.rawValue, connection_id: sequence.connectionID,
            enrolment: .init(segmentID: sequence.enrolSegmentID, tagID: sequence.enrolTagID, onTagAdded: sequence.enrolOnTagAdded),
            exit: .init(onReply: sequence.exitOnReply, tagID: sequence.exitTagID),
            window: .init(
                days: window.dayNames,
                start: window.startMinute.map(TimeOfDay.text), end: window.endMinute.map(TimeOfDay.text)),
            steps: try steps.map { step in
                StepBody(
                    id: try step.requireID(), position: step.position, delay_minutes: step.delayMinutes, template_name: step.templateName,
                    template_language: step.templateLanguage, message: step.kind == .template ? step.message : nil, text: step.text)
            },
            created_at: sequence.createdAt, activated_at: sequence.activatedAt,
            statistics: try await DripStatistics.of(sequence, steps: steps, in: scope))
    }

    /// Input problems as 400, a status that does not allow the action as 409.
    static func answering<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let conflict as DripStatusConflict {
            throw APIError(.conflict, code: "wrong_status", message: conflict.description)
        } catch CampaignProblem.planLimit(let text) {
            throw APIError(.paymentRequired, code: "plan_limit", message: text)
        } catch let problem as CampaignProblem {
            throw APIError(.badRequest, code: "validation_failed", message: problem.description)
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "validation_failed", message: ErrorResponses.explain(error, isJSON: true))
        }
    }

    static func actions(_ request: Request, _ tenant: Tenant) -> DripActions {
        DripActions(
            scope: tenant.scope, jobs: request.application.backgroundJobs.store(request.db, request.application.context), now: request.now,
            billing: request.billingAccess)
    }

    static func list(_ request: Request, _ tenant: Tenant) async throws -> Page<DripBody> {
        let sequences = try await tenant.scope.query(DripSequence.self).sort(\.$createdAt, .descending).limit(200).all()
        var bodies: [DripBody] = []
        for sequence in sequences { bodies.append(try await body(sequence, in: tenant.scope)) }
        return Page(data: bodies, next_cursor: nil)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> DripBody {
        try await body(try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request), in: tenant.scope)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await answering { try await actions(request, tenant).create(try request.content.decode(DripActions.Input.self)) }
        return try await body(sequence, in: tenant.scope).encodeResponse(status: .created, for: request)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> DripBody {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        try await answering { try await actions(request, tenant).update(sequence, try request.content.decode(DripActions.Input.self)) }
        return try await body(sequence, in: tenant.scope)
    }

    static func activate(_ request: Request, _ tenant: Tenant) async throws -> DripBody {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        try await answering { try await actions(request, tenant).activate(sequence) }
        return try await body(sequence, in: tenant.scope)
    }

    static func pause(_ request: Request, _ tenant: Tenant) async throws -> DripBody {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        try await answering { try await actions(request, tenant).pause(sequence) }
        return try await body(sequence, in: tenant.scope)
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        try await answering { try await actions(request, tenant).delete(sequence) }
        return .noContent
    }
}
