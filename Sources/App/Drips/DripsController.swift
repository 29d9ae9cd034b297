import Fluent
import Foundation
import Vapor

/// The drip sequence pages: the list, the settings form (new, and edit while a draft), a sequence's
/// page with its steps and the form that adds one, and its actions (activate, pause, delete). Another
/// organization's sequence is 404 on every route (`Tenant.find`).
enum DripsController {
    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "deleted" ? request.localizer(.dripNoticeDeleted) : nil
        let model = try await DripListPage.query(tenant, notice: notice)
        return try await HTMLResponse(html: DripListPage.html(model, try await Chrome.make(for: request, section: .campaigns))).encodeResponse(for: request)
    }

    static func newPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await form(request, tenant, DripFormPage.Values(), editing: nil, error: nil, status: .ok)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let values = DripFormPage.values(request.content)
        do {
            let sequence = try await DripsAPIController.actions(request, tenant).create(DripFormPage.input(values, steps: []))
            return request.redirect(to: SiteURL.drip(.value(try sequence.requireID())).path + "?notice=saved", redirectType: .normal)
        } catch let problem as CampaignProblem {
            return try await form(request, tenant, values, editing: nil, error: problem.description, status: .unprocessableEntity)
        }
    }

    static func editPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        return try await form(request, tenant, DripFormPage.values(of: sequence), editing: try sequence.requireID(), error: nil, status: .ok)
    }

    static func edit(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        let values = DripFormPage.values(request.content)
        let steps = try await tenant.scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID()).sort(\.$position).all().map { step in
            DripActions.Input.Step(
                delayMinutes: step.delayMinutes, templateName: step.templateName, templateLanguage: step.templateLanguage,
                message: step.kind == .template ? step.message : nil, text: step.text)
        }
        do {
            try await DripsAPIController.actions(request, tenant).update(sequence, DripFormPage.input(values, steps: steps))
            return request.redirect(to: SiteURL.drip(.value(try sequence.requireID())).path + "?notice=saved", redirectType: .normal)
        } catch let problem as CampaignProblem {
            return try await form(request, tenant, values, editing: try sequence.requireID(), error: problem.description, status: .unprocessableEntity)
        } catch let conflict as DripStatusConflict {
            return try await page(request, tenant, sequence, step: .init(), notice: nil, error: conflict.description, status: .conflict)
        }
    }

    private static func form(
        _ request: Request, _ tenant: Tenant, _ values: DripFormPage.Values, editing: UUID?, error: String?, status: HTTPResponseStatus
    ) async throws -> Response {
        let model = try await DripFormPage.query(tenant, values, editing: editing, error: error)
        let html = DripFormPage.html(model, try await Chrome.make(for: request, section: .campaigns))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "saved": t(.dripNoticeSaved)
            case "step": t(.dripNoticeStepAdded)
            case "removed": t(.dripNoticeStepRemoved)
            case "activated": t(.dripNoticeActivated)
            case "paused": t(.dripNoticePaused)
            default: nil
            }
        return try await page(request, tenant, sequence, step: .init(chosen: request.query[String.self, at: "step"]), notice: notice, error: nil, status: .ok)
    }

    private static func page(
        _ request: Request, _ tenant: Tenant, _ sequence: DripSequence, step: DripPage.StepValues, notice: String?, error: String?,
        status: HTTPResponseStatus
    ) async throws -> Response {
        let model = try await DripPage.query(tenant, sequence, step: step, t: request.localizer, notice: notice, error: error)
        let html = DripPage.html(model, try await Chrome.make(for: request, section: .campaigns))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    static func addStep(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        let values = DripPage.StepValues(request.content)
        let model = try await DripPage.query(tenant, sequence, step: values, t: request.localizer, notice: nil, error: nil)
        do {
            guard let form = model.addStep, form.chosen != nil else { throw DripStatusConflict(status: sequence.status, action: "be changed") }
            try await DripsAPIController.actions(request, tenant).addStep(try DripPage.input(values, form), to: sequence)
            return request.redirect(to: SiteURL.drip(.value(try sequence.requireID())).path + "?notice=step", redirectType: .normal)
        } catch let problem as CampaignProblem {
            return try await page(request, tenant, sequence, step: values, notice: nil, error: problem.description, status: .unprocessableEntity)
        } catch let conflict as DripStatusConflict {
            return try await page(request, tenant, sequence, step: .init(), notice: nil, error: conflict.description, status: .conflict)
        }
    }

    static func removeStep(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "removed") { actions, sequence in
            guard let stepID = request.content[UUID.self, at: "step_id"] else { throw Abort(.badRequest, reason: "Which step?") }
            try await actions.removeStep(stepID, of: sequence)
        }
    }

    static func activate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "activated") { try await $0.activate($1) }
    }

    static func pause(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "paused") { try await $0.pause($1) }
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        do {
            try await DripsAPIController.actions(request, tenant).delete(sequence)
            return request.redirect(to: SiteURL.drips.path + "?notice=deleted", redirectType: .normal)
        } catch let conflict as DripStatusConflict {
            return try await page(request, tenant, sequence, step: .init(), notice: nil, error: conflict.description, status: .conflict)
        }
    }

    /// Runs an action and shows the sequence: with the notice when it worked, with why when it did not.
    private static func act(
        _ request: Request, _ tenant: Tenant, notice: String, _ action: (DripActions, DripSequence) async throws -> Void
    ) async throws -> Response {
        let sequence = try await tenant.find(DripSequence.self, parameter: SiteURL.dripID, of: request)
        do {
            try await action(DripsAPIController.actions(request, tenant), sequence)
            return request.redirect(to: SiteURL.drip(.value(try sequence.requireID())).path + "?notice=\(notice)", redirectType: .normal)
        } catch let problem as CampaignProblem {
            let status: HTTPResponseStatus = if case .planLimit = problem { .paymentRequired } else { .unprocessableEntity }
            return try await page(request, tenant, sequence, step: .init(), notice: nil, error: problem.description, status: status)
        } catch let conflict as DripStatusConflict {
            return try await page(request, tenant, sequence, step: .init(), notice: nil, error: conflict.description, status: .conflict)
        }
    }
}
