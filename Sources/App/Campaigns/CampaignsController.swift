import Fluent
import Foundation
import Vapor

/// The campaign pages: the list, the two-step form for a new broadcast, a campaign's page, and its
/// actions (start now or at a time, pause, resume, cancel) and recipients export. Another
/// organization's campaign is 404 on every route (`Tenant.find`).
enum CampaignsController {
    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "cancelled" ? request.localizer(.campaignNoticeCancelled) : nil
        let model = try await CampaignListPage.query(tenant, notice: notice)
        return try await HTMLResponse(html: CampaignListPage.html(model, try await Chrome.make(for: request, section: .campaigns))).encodeResponse(
            for: request)
    }

    static func newPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let values = CampaignFormPage.Values(
            connectionID: request.query[String.self, at: "connection_id"], template: request.query[String.self, at: "template"])
        return try await render(request, tenant, values, error: nil, status: .ok)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let content = request.content
        let values = CampaignFormPage.Values(
            name: content[String.self, at: "name"] ?? "", connectionID: content[String.self, at: "connection_id"],
            template: content[String.self, at: "template"], headerMedia: content[String.self, at: "header_media"] ?? "",
            segmentID: content[String.self, at: "segment_id"].flatMap { $0.isEmpty ? nil : $0 }, tagIDs: content[[String].self, at: "tag"] ?? [],
            value: { content[String.self, at: $0] })
        let model = try await CampaignFormPage.query(tenant, values, t: request.localizer, error: nil)
        do {
            let campaign = try await CampaignsAPIController.actions(request, tenant).create(
                CampaignFormPage.input(values, model: model), by: tenant.user.id)
            return request.redirect(to: SiteURL.campaign(.value(try campaign.requireID())).path + "?notice=saved", redirectType: .normal)
        } catch let problem as CampaignProblem {
            return try await render(request, tenant, values, error: problem.description, status: .unprocessableEntity)
        }
    }

    private static func render(
        _ request: Request, _ tenant: Tenant, _ values: CampaignFormPage.Values, error: String?, status: HTTPResponseStatus
    ) async throws -> Response {
        let model = try await CampaignFormPage.query(tenant, values, t: request.localizer, error: error)
        let html = CampaignFormPage.html(model, try await Chrome.make(for: request, section: .campaigns))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "saved": t(.campaignNoticeSaved)
            case "started": t(.campaignNoticeStarted)
            case "paused": t(.campaignNoticePaused)
            case "resumed": t(.campaignNoticeResumed)
            case "cancelled": t(.campaignNoticeCancelled)
            case "resent": t(.campaignNoticeResent)
            default: nil
            }
        return try await page(request, tenant, campaign, notice: notice, error: nil, status: .ok)
    }

    private static func page(
        _ request: Request, _ tenant: Tenant, _ campaign: Campaign, notice: String?, error: String?, status: HTTPResponseStatus
    ) async throws -> Response {
        let model = try await CampaignPage.query(tenant, campaign, notice: notice, error: error)
        let html = CampaignPage.html(model, try await Chrome.make(for: request, section: .campaigns))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    static func start(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "started") { actions, campaign in
            let text = (request.content[String.self, at: "send_at"] ?? "").trimmingCharacters(in: .whitespaces)
            let sendAt = text.isEmpty ? nil : try CampaignTime.parse(text, timeZone: tenant.organization.timeZone)
            try await actions.start(campaign, at: sendAt)
        }
    }

    static func pause(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "paused") { try await $0.pause($1) }
    }

    static func resume(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "resumed") { try await $0.resume($1) }
    }

    static func cancel(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "cancelled") { try await $0.cancel($1) }
    }

    static func resendUnconfirmed(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await act(request, tenant, notice: "resent") { try await $0.resendUnconfirmed($1) }
    }

    /// Runs an action and shows the campaign: with the notice when it worked, with why when it did not.
    private static func act(
        _ request: Request, _ tenant: Tenant, notice: String, _ action: (CampaignActions, Campaign) async throws -> Void
    ) async throws -> Response {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        do {
            try await action(CampaignsAPIController.actions(request, tenant), campaign)
            return request.redirect(to: SiteURL.campaign(.value(try campaign.requireID())).path + "?notice=\(notice)", redirectType: .normal)
        } catch let problem as CampaignProblem {
            let status: HTTPResponseStatus =
                switch problem {
                case .invalid: .unprocessableEntity
                case .wrongStatus: .conflict
                case .planLimit: .paymentRequired
                }
            return try await page(request, tenant, campaign, notice: nil, error: problem.description, status: status)
        }
    }
}
