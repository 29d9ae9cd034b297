import Fluent
import Foundation
import SQLKit
import Vapor

/// `/api/v1/campaigns`: create, start (now or at a time), pause, resume and cancel broadcasts, read
/// their statistics, preview a contact's message and export the recipients with their outcome.
enum CampaignsAPIController {
    struct CampaignBody: Content {
        var id: UUID
        var name: String
        var status: String
        var stop_reason: String?
        var waiting_reason: String?
        var connection_id: UUID
        var template_name: String
        var template_language: String
        var template_category: String
        var message: CampaignMessage
        var audience: CampaignAudience
        var send_at: Date?
        var created_at: Date
        var started_at: Date?
        var finished_at: Date?
        var statistics: CampaignStatistics
        var progress: Double
    }

    struct StartInput: Content {
        /// ISO 8601 with an offset ("2026-12-07T09:00:00+01:00"), or a local time in the organization's
        /// time zone ("2026-12-07T09:00"); absent: now.
        var send_at: String?
    }

    struct PreviewBody: Content {
        var contact_id: UUID
        var skipped: String?
        var header: String?
        var body: String
        var footer: String?
        var buttons: [String]
    }

    static func body(_ campaign: Campaign, in scope: TenantScope) async throws -> CampaignBody {
        try body(campaign, statistics: try await CampaignStatistics.of(try campaign.requireID(), in: scope))
    }

    static func body(_ campaign: Campaign, statistics: CampaignStatistics) throws -> CampaignBody {
        CampaignBody(
            id: try campaign.requireID(), name: campaign.name, status: campaign.status.rawValue, stop_reason: campaign.stopReason,
            waiting_reason: campaign.waitingReason, connection_id: campaign.connectionID, template_name: campaign.templateName,
            template_language: campaign.templateLanguage, template_category: campaign.templateCategory, message: campaign.message,
            audience: campaign.audience, send_at: campaign.sendAt, created_at: campaign.createdAt, started_at: campaign.startedAt,
            finished_at: campaign.finishedAt, statistics: statistics, progress: statistics.progress)
    }

    /// `CampaignProblem` in the API's error shape: 400 for input, 409 for a status that does not allow the action.
    static func answering<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let problem as CampaignProblem {
            switch problem {
            case .invalid: throw APIError(.badRequest, code: "validation_failed", message: problem.description)
            case .wrongStatus: throw APIError(.conflict, code: "wrong_status", message: problem.description)
            case .planLimit: throw APIError(.paymentRequired, code: "plan_limit", message: problem.description)
            }
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "validation_failed", message: ErrorResponses.explain(error, isJSON: true))
        }
    }

    static func actions(_ request: Request, _ tenant: Tenant) -> CampaignActions {
        CampaignActions(
            scope: tenant.scope, jobs: request.application.backgroundJobs.store(request.db, request.application.context),
            settings: request.application.context.configuration.campaigns, now: request.now, billing: request.billingAccess)
    }

    static func list(_ request: Request, _ tenant: Tenant) async throws -> Page<CampaignBody> {
        let campaigns = try await tenant.scope.query(Campaign.self).sort(\.$createdAt, .descending).limit(200).all()
        let statistics = try await CampaignStatistics.of(try campaigns.map { try $0.requireID() }, in: tenant.scope)
        return Page(data: try campaigns.map { try body($0, statistics: statistics[try $0.requireID()] ?? CampaignStatistics()) }, next_cursor: nil)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        try await body(try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request), in: tenant.scope)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let campaign = try await answering {
            try await actions(request, tenant).create(try request.content.decode(CampaignActions.Input.self), by: tenant.user.id)
        }
        return try await body(campaign, in: tenant.scope).encodeResponse(status: .created, for: request)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        try await answering { try await actions(request, tenant).update(campaign, try request.content.decode(CampaignActions.Input.self)) }
        return try await body(campaign, in: tenant.scope)
    }

    static func start(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        try await answering {
            let input = (request.body.data?.readableBytes ?? 0) == 0 ? StartInput() : try request.content.decode(StartInput.self)
            let sendAt = try input.send_at.map { try CampaignTime.parse($0, timeZone: tenant.organization.timeZone) }
            try await actions(request, tenant).start(campaign, at: sendAt)
        }
        return try await body(campaign, in: tenant.scope)
    }

    static func pause(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        try await answering { try await actions(request, tenant).pause(campaign) }
        return try await body(campaign, in: tenant.scope)
    }

    static func resume(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        try await answering { try await actions(request, tenant).resume(campaign) }
        return try await body(campaign, in: tenant.scope)
    }

    static func cancel(_ request: Request, _ tenant: Tenant) async throws -> CampaignBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        try await answering { try await actions(request, tenant).cancel(campaign) }
        return try await body(campaign, in: tenant.scope)
    }

    struct ResentBody: Content { var resent: Int }

    /// `POST …/resend-unconfirmed`: sends again what stayed unknown and unconfirmed past the grace period.
    static func resendUnconfirmed(_ request: Request, _ tenant: Tenant) async throws -> ResentBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        return ResentBody(resent: try await answering { try await actions(request, tenant).resendUnconfirmed(campaign) })
    }

    /// `GET …/preview?contact_id=`: the message as this contact would receive it, or why they are skipped.
    static func preview(_ request: Request, _ tenant: Tenant) async throws -> PreviewBody {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        guard let contactID = request.query[UUID.self, at: "contact_id"] else {
            throw APIError(.badRequest, code: "validation_failed", message: "contact_id: give the id of one of your contacts")
        }
        guard let preview = try await CampaignPreview.of(campaign, contactID: contactID, in: tenant.scope) else { throw Abort(.notFound) }
        return PreviewBody(
            contact_id: contactID, skipped: preview.skipped?.rawValue, header: preview.text.header, body: preview.text.body,
            footer: preview.text.footer, buttons: preview.text.buttons.map(\.text))
    }
}
