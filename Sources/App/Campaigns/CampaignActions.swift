import Fluent
import Foundation
import Jobs

/// What members do with campaigns, the same for pages and the API: save a draft, start it now or at
/// a time, pause, resume and cancel it. Every change of status is conditional on the one read, under
/// the campaign's row lock, so a member's pause and the sender's finish never overwrite each other.
struct CampaignActions: Sendable {
    let scope: TenantScope
    let jobs: JobStore
    let settings: CampaignSettings
    let now: Date
    var billing: BillingAccess? = nil

    /// What a member fills in for a campaign.
    struct Input: Codable, Sendable {
        var name: String?
        var connectionID: UUID?
        var templateName: String?
        var templateLanguage: String?
        var message: CampaignMessage?
        var audience: CampaignAudience?

        enum CodingKeys: String, CodingKey {
            case name, connectionID = "connection_id", templateName = "template_name", templateLanguage = "template_language", message, audience
        }
    }

    /// Checks the input and saves a draft. Throws `CampaignProblem.invalid` naming the field.
    func create(_ input: Input, by userID: UUID?) async throws -> Campaign {
        let campaign = Campaign()
        campaign.id = UUID()
        campaign.organizationID = scope.organizationID
        campaign.status = .draft
        campaign.createdBy = userID
        campaign.createdAt = now
        try await fill(campaign, from: input)
        campaign.updatedAt = now
        try await campaign.create(on: scope.database)
        return campaign
    }

    /// Changes a draft; a campaign that was started keeps what it was started with.
    func update(_ campaign: Campaign, _ input: Input) async throws {
        guard campaign.status == .draft else { throw CampaignProblem.wrongStatus(campaign.status, action: "be changed") }
        try await fill(campaign, from: input)
        campaign.updatedAt = now
        try await campaign.save(on: scope.database)
    }

    private func fill(_ campaign: Campaign, from input: Input) async throws {
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw CampaignProblem.invalid(field: "name", problem: "needs 1 to 100 characters") }
        guard let connection = try await scope.find(WhatsAppConnection.self, input.connectionID) else {
            throw CampaignProblem.invalid(field: "connection_id", problem: "choose one of your WhatsApp numbers")
        }
        guard let templateName = input.templateName, let language = input.templateLanguage,
            let template = try await scope.query(MessageTemplate.self)
                .filter(\.$businessAccountID == connection.businessAccountID).filter(\.$name == templateName).filter(\.$language == language).first()
        else {
            throw CampaignProblem.invalid(field: "template_name", problem: "choose a template of this number's WhatsApp Business Account")
        }
        guard template.status == "APPROVED" else {
            throw CampaignProblem.invalid(field: "template_name", problem: "the template is \(template.status); only APPROVED templates can be sent")
        }
        let message = input.message ?? CampaignMessage()
        let keys = Set(try await ContactDirectory.fieldDefinitions(in: scope).map(\.key))
        do {
            try message.check(fieldKeys: keys)
        } catch {
            throw CampaignProblem.invalid(field: "message.\(error.field)", problem: error.problem)
        }
        try TemplateText(components: template.components).check(message)
        let audience = input.audience ?? CampaignAudience()
        try await audience.check(in: scope)

        campaign.name = name
        campaign.connectionID = try connection.requireID()
        campaign.templateName = template.name
        campaign.templateLanguage = template.language
        campaign.templateCategory = template.category
        campaign.message = message
        campaign.audience = audience
    }

    /// Starts a draft now, or schedules it for `sendAt`; a scheduled campaign may be given a new time.
    func start(_ campaign: Campaign, at sendAt: Date?) async throws {
        if let sendAt, sendAt < now.addingTimeInterval(-60) {
            throw CampaignProblem.invalid(field: "send_at", problem: "is in the past")
        }
        let connection = try await scope.find(WhatsAppConnection.self, campaign.connectionID)
        guard connection?.state == .active else { throw CampaignProblem.invalid(field: "connection_id", problem: SendRefusal.connectionBroken.description) }
        // The plan's limits, told now rather than when the scheduled time comes (checked again then).
        let size = try await campaign.audience.contactIDs(in: scope).count
        try await CampaignLaunch(scope: scope, now: now, billing: billing).checkPlan(audienceSize: size)
        let startAt = sendAt ?? now
        try await change(campaign, from: [.draft, .scheduled], action: "be started") { campaign in
            campaign.status = .scheduled
            campaign.sendAt = startAt
        } then: { campaign, database in
            try await jobs.enqueue(try RunCampaign.startJob(campaign, at: startAt), on: database)
        }
    }

    func pause(_ campaign: Campaign) async throws {
        try await change(campaign, from: [.sending], action: "be paused") { $0.status = .paused }
    }

    func resume(_ campaign: Campaign) async throws {
        try await change(campaign, from: [.paused], action: "resume") { campaign in
            campaign.status = .sending
            campaign.waitingReason = nil
        } then: { campaign, database in
            // A run queued for later (the wait for Meta's messaging limit) holds the campaign's job key:
            // it goes on now instead of at its time.
            let run = try RunCampaign.job(campaign)
            if try await jobs.enqueue(run, on: database) == nil, let key = run.uniqueKey {
                try await jobs.bringForward(uniqueKey: key, on: database)
            }
        }
    }

    /// Nothing more is sent; what was sent stays sent, and the rest stays counted as not sent.
    func cancel(_ campaign: Campaign) async throws {
        try await change(campaign, from: [.draft, .scheduled, .sending, .paused], action: "be cancelled") { campaign in
            campaign.status = .cancelled
            campaign.finishedAt = now
            campaign.waitingReason = nil
        }
    }

    /// Sends again the messages whose outcome stayed unknown (their process stopped during the call)
    /// and that no status callback confirmed within the grace period. A member's choice, never the
    /// sender's: a callback Meta is still retrying would make it a second message. Returns how many.
    @discardableResult
    func resendUnconfirmed(_ campaign: Campaign) async throws -> Int {
        let cutoff = now.addingTimeInterval(-settings.unknownGrace)
        let campaignID = try campaign.requireID()
        let (now, jobs) = (now, jobs)
        return try await scope.transaction { scope in
            try await scope.lockRow(of: Campaign.schema, id: campaignID)
            guard let current = try await scope.find(Campaign.self, campaignID), [.sending, .paused, .finished].contains(current.status) else {
                throw CampaignProblem.wrongStatus(campaign.status, action: "send its unconfirmed messages again")
            }
            let rows = try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET status = 'pending', claimed_at = NULL, attempts = attempts + 1
                WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND status = 'unknown'
                  AND confirmed_at IS NULL AND claimed_at < \(bind: cutoff)
                RETURNING id
                """
            }.all()
            if !rows.isEmpty && current.status == .finished {
                current.status = .sending
                current.finishedAt = nil
                current.updatedAt = now
                try await current.save(on: scope.database)
                try await jobs.enqueue(try RunCampaign.job(current), on: scope.database)
            }
            campaign.status = current.status
            return rows.count
        }
    }

    private func change(
        _ campaign: Campaign, from allowed: Set<Campaign.Status>, action: String, _ change: @escaping @Sendable (Campaign) -> Void,
        then: @escaping @Sendable (Campaign, any Database) async throws -> Void = { _, _ in }
    ) async throws {
        let now = now
        let updated = try await scope.transaction { scope in
            try await scope.lockRow(of: Campaign.schema, id: try campaign.requireID())
            guard let current = try await scope.find(Campaign.self, campaign.id) else { throw CampaignProblem.wrongStatus(campaign.status, action: action) }
            guard allowed.contains(current.status) else { throw CampaignProblem.wrongStatus(current.status, action: action) }
            change(current)
            current.updatedAt = now
            try await current.save(on: scope.database)
            try await then(current, scope.database)
            return current.status
        }
        campaign.status = updated
    }
}
