import Fluent
import Foundation
import Jobs

/// The background job that carries a campaign from its start to its end: at the scheduled time it
/// takes the audience (`CampaignLaunch`), then sends (`CampaignSender`) one slice at a time, each run
/// queueing the next, until every recipient has an outcome or the campaign is paused, cancelled or
/// stopped. One job per campaign at a time (its unique key); a run that dies is retried.
struct RunCampaign: JobHandler {
    struct Payload: Codable, Sendable {
        var campaignID: UUID
        /// Set on the job that starts a scheduled campaign: the time it was scheduled for. A campaign
        /// given another time since then is started by that time's job, not this one.
        var sendAt: Date?
    }

    static let kind = "campaign.run"
    static let queue: QueueName = "campaigns"
    static let maxAttempts = 20
    static let timeLimit: Duration = .seconds(600)

    let services: WhatsAppServices
    let settings: CampaignSettings
    let billing: BillingSettings
    let wakeup: JobWakeup
    let now: @Sendable () -> Date

    /// How long a campaign of an organization that may not send (no plan, an overdue payment) waits before it looks again.
    static let billingWait: TimeInterval = 15 * 60

    /// The job that sends `campaign` on, at `runAt` (now when nil): one at a time per campaign.
    static func job(_ campaign: Campaign, runAt: Date? = nil) throws -> JobStore.NewJob {
        try JobStore.NewJob(
            RunCampaign.self, .init(campaignID: try campaign.requireID()), runAt: runAt,
            uniqueKey: "campaign:\(try campaign.requireID())", organizationID: campaign.organizationID)
    }

    /// The job that starts `campaign` at `sendAt`: one per time it was given, so an earlier new time
    /// is not held up by the job of the later one.
    static func startJob(_ campaign: Campaign, at sendAt: Date) throws -> JobStore.NewJob {
        let id = try campaign.requireID()
        return try JobStore.NewJob(
            RunCampaign.self, .init(campaignID: id, sendAt: sendAt), runAt: sendAt,
            uniqueKey: "campaign:\(id):start:\(Int(sendAt.timeIntervalSince1970))", organizationID: campaign.organizationID)
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        guard let campaign = try await scope.find(Campaign.self, payload.campaignID) else { return }
        // A start job whose time the campaign no longer has was replaced by the job of the new time. (Compared to
        // the second: the database keeps times at its own precision.) The one that started it goes on sending,
        // also when it runs again after its worker stopped.
        if let scheduledFor = payload.sendAt, abs((campaign.sendAt ?? .distantPast).timeIntervalSince(scheduledFor)) >= 1 {
            return
        }
        let due = campaign.status == .sending || (campaign.status == .scheduled && (campaign.sendAt ?? .distantPast) <= now())
        if due {
            do {
                try await BillingAccess(settings: billing, now: now()).requireSending(organizationID, on: context.database)
            } catch let refusal as BillingRefusal {
                // Nothing is sent, nothing is lost: the campaign goes on by itself once the organization may send again.
                try await waiting(campaign, refusal.reason, in: scope)
                return try await follow(campaign, at: now().addingTimeInterval(Self.billingWait), context: context)
            }
        }
        switch campaign.status {
        case .scheduled:
            if let sendAt = campaign.sendAt, sendAt > now() {
                return try await follow(campaign, at: sendAt, context: context)
            }
            do {
                try await CampaignLaunch(scope: scope, now: now()).start(campaign)
            } catch let problem as CampaignProblem {
                return try await stop(campaign, reason: problem.description, in: scope)
            }
        case .sending:
            break
        case .paused:
            return try await goOnIfResumed(campaign, in: scope, context: context)
        case .draft, .finished, .cancelled, .stopped:
            return
        }

        guard let connection = try await scope.find(WhatsAppConnection.self, campaign.connectionID) else {
            return try await stop(campaign, reason: "The WhatsApp number of this campaign was removed.", in: scope)
        }
        guard connection.state == .active else {
            return try await stop(campaign, reason: SendRefusal.connectionBroken.description, in: scope)
        }
        let token = try await services.vault.open(
            connection.accessTokenSealed, for: organizationID, purpose: .whatsAppAccessToken, on: context.database)
        let sender = CampaignSender(
            scope: scope, campaignID: try campaign.requireID(), connection: connection, token: token, graph: services.graph,
            settings: settings, jobs: JobStore(database: context.database, now: now, wakeup: wakeup), now: now, logger: context.logger)
        let outcome = try await sender.run(for: .milliseconds(Int(settings.slice * 1000)))
        try await waiting(campaign, nil, in: scope)
        switch outcome {
        case .done:
            try await finish(campaign, in: scope)
        case .more:
            try await follow(campaign, at: nil, context: context)
        case .waitUntil(let date):
            try await follow(campaign, at: date, context: context)
        case .messagingLimit(let limit, let until):
            try await waiting(
                campaign,
                "Meta's messaging limit is reached: this business may message \(limit) different customers in 24 hours. Sending goes on as the window moves.",
                in: scope)
            try await follow(campaign, at: until, context: context)
        case .halted:
            try await goOnIfResumed(campaign, in: scope, context: context)
        case .stopped(let reason):
            try await stop(campaign, reason: reason, in: scope)
        }
    }

    /// Queues the next run, with this run's unique key let go so the next may take it.
    private func follow(_ campaign: Campaign, at date: Date?, context: JobContext) async throws {
        try await context.releaseUniqueKey()
        let next = try Self.job(campaign, runAt: date)
        let store = JobStore(database: context.database, now: now, wakeup: wakeup)
        try await context.complete { database in try await store.enqueue(next, on: database) }
    }

    /// A resume that lands while this run ends cannot queue the next run (this one holds the
    /// campaign's job key) and has nothing to bring forward: so the run lets go of the key first and
    /// then looks again. A resume after that queues the next run itself.
    private func goOnIfResumed(_ campaign: Campaign, in scope: TenantScope, context: JobContext) async throws {
        try await context.releaseUniqueKey()
        guard try await scope.find(Campaign.self, campaign.id)?.status == .sending else { return }
        try await follow(campaign, at: nil, context: context)
    }

    private func finish(_ campaign: Campaign, in scope: TenantScope) async throws {
        try await set(campaign, in: scope) { campaign, now in
            campaign.status = .finished
            campaign.finishedAt = now
        }
    }

    private func stop(_ campaign: Campaign, reason: String, in scope: TenantScope) async throws {
        try await set(campaign, in: scope) { campaign, now in
            campaign.status = .stopped
            campaign.stopReason = String(reason.prefix(500))
            campaign.finishedAt = now
        }
    }

    private func waiting(_ campaign: Campaign, _ reason: String?, in scope: TenantScope) async throws {
        guard campaign.waitingReason != reason else { return }
        try await set(campaign, in: scope, only: [.sending]) { campaign, _ in campaign.waitingReason = reason }
    }

    /// Changes the campaign unless a member changed its status meanwhile (a pause or cancel wins).
    private func set(
        _ campaign: Campaign, in scope: TenantScope, only statuses: [Campaign.Status] = [.sending, .scheduled],
        _ change: @escaping @Sendable (Campaign, Date) -> Void
    ) async throws {
        try await scope.transaction { scope in
            try await scope.lockRow(of: Campaign.schema, id: try campaign.requireID())
            guard let current = try await scope.find(Campaign.self, campaign.id), statuses.contains(current.status) else { return }
            change(current, now())
            current.updatedAt = now()
            try await current.save(on: scope.database)
            campaign.status = current.status
            campaign.waitingReason = current.waitingReason
        }
    }
}
