import Fluent
import Jobs
import Foundation
import Logging
import SQLKit
import WhatsAppCloud

/// Sends a campaign's pending recipients in small batches, each paced by the number's token bucket
/// (`SendRateLimiter`, shared by every process and by the inbox's own sends) and by Meta's messaging
/// limit, until none is left or the run's time is up.
///
/// At most once: a batch is claimed (`pending` → `sending`) in one conditional update before any of
/// its calls to Meta, and each result is recorded after. A recipient left `sending` by a process that
/// stopped is marked `unknown` once its claim is older than any call can take, and is never sent
/// again by the sender: Meta's status callbacks carry its id back (`biz_opaque_callback_data`) and
/// settle it. Only a member can send the ones no callback confirmed, after a grace period
/// (`CampaignActions.resendUnconfirmed`).
struct CampaignSender: Sendable {
    let scope: TenantScope
    let campaignID: UUID
    let connection: WhatsAppConnection
    let token: String
    let graph: any GraphAPI
    let settings: CampaignSettings
    /// Queues the jobs that show the sent messages in their conversations.
    let jobs: JobStore
    let now: @Sendable () -> Date
    let logger: Logger

    enum Outcome: Equatable {
        /// Every recipient has an outcome.
        case done
        /// The run's time is up with work left.
        case more
        /// Nothing can be sent before this moment (a pair-rate pause, an unsettled outcome).
        case waitUntil(Date)
        /// Meta's messaging limit is reached for now: `limit` different customers per moving 24 hours.
        case messagingLimit(Int, until: Date)
        /// A member paused or cancelled the campaign.
        case halted
        /// WhatsApp refused the number or the template: nothing more can be sent.
        case stopped(String)
    }

    /// Prefix of the callback data that names a recipient in Meta's status callbacks.
    static let callbackPrefix = "campaign-recipient:"
    /// Refusals before sending (throughput, pair rate, trouble at Meta) a recipient may have before it fails.
    static let maxAttempts = 8

    func run(for duration: Duration) async throws -> Outcome {
        let deadline = ContinuousClock.now + duration
        var allowance = try await messagingAllowance()
        var backoff: TimeInterval = 0
        let bucket = SendRateLimiter.Bucket.number(connection.phoneNumberID, perSecond: connection.sendsPerSecond)
        let limiter = SendRateLimiter(database: scope.database.sql, now: now)
        // A twentieth of a second's worth per batch: pacing stays smooth and few calls are ever in flight.
        let batchSize = max(1, min(100, connection.sendsPerSecond / 20))
        try await settleStaleClaims()
        while ContinuousClock.now < deadline {
            guard try await status() == .sending else { return .halted }
            var size = batchSize
            if let remaining = allowance {
                guard remaining > 0 else { return try await waitForMessagingLimit() }
                size = min(size, remaining)
            }
            if let wait = try await limiter.tryTake(bucket, count: size) {
                // Not enough tokens yet (the bucket refills at the number's rate, for every sender of the
                // number): wait, a tenth of a second at most at a time, as the clock may be a test's.
                try await Task.sleep(for: .milliseconds(min(100, max(1, Int(wait * 1000)))))
                continue
            }
            let claimed = try await claim(size)
            if claimed.isEmpty { return try await whatIsLeft() }
            let results = await send(claimed)
            let summary = try await record(results)
            try await showInThreads(results)
            if let remaining = allowance { allowance = remaining - summary.reached }
            if let stop = summary.stopReason { return .stopped(stop) }
            if summary.refused {
                backoff = min(30, max(0.5, backoff * 2))
                try await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
            } else {
                backoff = 0
            }
        }
        return .more
    }

    /// The messages Meta accepted, shown in the contacts' conversations by a job of their own.
    private func showInThreads(_ results: [(UUID, Result)]) async throws {
        let sent = results.compactMap { id, result -> UUID? in if case .sent = result { id } else { nil } }
        guard !sent.isEmpty else { return }
        try await jobs.enqueue(try ShowCampaignMessages.job(sent, organizationID: scope.organizationID))
    }

    // MARK: Claim and send

    struct Claimed: Sendable {
        var id: UUID
        var contactID: UUID
        var waID: String
        var draft: OutboundDraft.TemplateDraft
    }

    enum Result: Sendable {
        case sent(wamid: String)
        /// Meta refused before sending; the recipient may go again (`notBefore`).
        case refused(code: Int, title: String, notBefore: Date?)
        case failed(code: Int?, title: String)
        /// Meta refused the number or template: nothing of this campaign can be sent.
        case stop(code: Int, reason: String)
        /// No answer: the request may have arrived.
        case unknown
    }

    /// Moves up to `limit` due pending recipients to `sending`, in order, in one statement.
    private func claim(_ limit: Int) async throws -> [Claimed] {
        let at = now()
        let rows = try await scope.sql { organization in
            """
            UPDATE campaign_recipients SET status = 'sending', claimed_at = \(bind: at)
            WHERE organization_id = \(bind: organization) AND status = 'pending' AND id IN (
                SELECT id FROM campaign_recipients
                WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND status = 'pending'
                  AND (not_before IS NULL OR not_before <= \(bind: at))
                ORDER BY position LIMIT \(unsafeRaw: String(limit))
            )
            RETURNING id, contact_id, wa_id, draft
            """
        }.all()
        var claimed: [Claimed] = []
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            guard let waID = try row.decode(column: "wa_id", as: String?.self),
                let json = try row.decode(column: "draft", as: String?.self),
                let draft = try? JSONDecoder().decode(OutboundDraft.TemplateDraft.self, from: Data(json.utf8))
            else {
                try await fail([id], code: nil, title: "The recipient's message could not be read")
                continue
            }
            claimed.append(Claimed(id: id, contactID: try row.decode(column: "contact_id", as: UUID.self), waID: waID, draft: draft))
        }
        return claimed
    }

    private func send(_ batch: [Claimed]) async -> [(UUID, Result)] {
        await withTaskGroup(of: (UUID, Result).self) { group in
            for recipient in batch {
                group.addTask { (recipient.id, await self.send(recipient)) }
            }
            var results: [(UUID, Result)] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    private func send(_ recipient: Claimed) async -> Result {
        let message: OutboundMessage
        do {
            message = OutboundMessage(
                to: recipient.waID, content: .template(try recipient.draft.message()),
                bizOpaqueCallbackData: Self.callbackPrefix + recipient.id.uuidString.lowercased())
            try message.validate()
        } catch {
            return .failed(code: nil, title: "The template's parameters are not valid for WhatsApp: \(error)")
        }
        do {
            return .sent(wamid: try await graph.send(message, from: connection.phoneNumberID, token: token).messageID)
        } catch let error as GraphError where error.httpStatus != nil {
            return Self.result(of: error, at: now())
        } catch {
            return .unknown
        }
    }

    /// What each of Meta's refusals means for a campaign (WHATSAPP.md's table, by code).
    static func result(of error: GraphError, at now: Date) -> Result {
        let title = String((error.title ?? error.message ?? "WhatsApp error \(error.code)").prefix(300))
        switch error.disposition {
        case .throughputExceeded, .wabaRateLimited, .transient:
            return .refused(code: error.code, title: title, notBefore: nil)
        case .pairRateLimited:
            // About one message per six seconds to the same customer.
            return .refused(code: error.code, title: title, notBefore: now.addingTimeInterval(6))
        case .tokenBroken:
            return .stop(code: error.code, reason: "Meta refused this number's access token (error 190). An admin must save a new token.")
        case .accountBlocked:
            return .stop(code: error.code, reason: "Meta blocked this WhatsApp account (error \(error.code)): \(title)")
        case .undeliverable, .spamOrNotDelivered, .recipientNotAllowed, .windowClosed:
            return .failed(code: error.code, title: title)
        case .permanent:
            // The template itself was deleted, paused or disabled: every other recipient would fail the same way.
            if [132001, 132015, 132016].contains(error.code) {
                return .stop(code: error.code, reason: "WhatsApp refused the template (error \(error.code)): \(title)")
            }
            return .failed(code: error.code, title: title)
        }
    }

    // MARK: Record

    struct Summary {
        /// Recipients whose message reached Meta, or may have: they count against the messaging limit.
        var reached = 0
        var refused = false
        var stopReason: String?
    }

    private func record(_ results: [(UUID, Result)]) async throws -> Summary {
        var summary = Summary()
        var sent: [(UUID, String)] = []
        var unknown: [UUID] = []
        var retry: [(UUID, Date?)] = []
        var failed: [String: (code: Int?, title: String, ids: [UUID])] = [:]
        for (id, result) in results {
            switch result {
            case .sent(let wamid): sent.append((id, wamid))
            case .unknown: unknown.append(id)
            case .refused(_, _, let notBefore):
                summary.refused = true
                retry.append((id, notBefore))
            case .failed(let code, let title):
                failed["\(code ?? 0) \(title)", default: (code, title, [])].ids.append(id)
            case .stop(let code, let reason):
                summary.stopReason = summary.stopReason ?? reason
                if code == 190 || code == 131031 || code == 368 {
                    try await ConnectionHealth.record(
                        GraphError(code: code, message: reason, httpStatus: 400), for: connection, at: now(), on: scope.database)
                }
                // Never sent: back in line for when the campaign can go on.
                retry.append((id, nil))
            }
        }
        summary.reached = sent.count + unknown.count
        let at = now()
        for chunk in sent.chunks(of: 500) {
            let wamids = SQLList(chunk.map { id, wamid -> SQLQueryString in "WHEN \(bind: id) THEN \(bind: wamid)" }, separator: SQLRaw(" "))
            let ids = SQLGroupExpression(chunk.map { SQLBind($0.0) })
            // A status callback may have got here first (it names the recipient); it only ever moved it forward.
            try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET wamid = CASE id \(wamids) END, sent_at = \(bind: at),
                  status = CASE WHEN status IN ('sending', 'unknown') THEN 'sent' ELSE status END,
                  status_at = CASE WHEN status IN ('sending', 'unknown') THEN \(bind: at) ELSE status_at END
                WHERE organization_id = \(bind: organization) AND id IN \(ids)
                """
            }.run()
        }
        if !unknown.isEmpty {
            logger.warning("Campaign send outcome unknown", metadata: ["campaign": .string(campaignID.uuidString), "count": .stringConvertible(unknown.count)])
            try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET status = 'unknown', status_at = \(bind: at)
                WHERE organization_id = \(bind: organization) AND status = 'sending' AND id IN \(SQLGroupExpression(unknown.map { SQLBind($0) }))
                """
            }.run()
        }
        if !retry.isEmpty { try await putBack(retry) }
        for group in failed.values { try await fail(group.ids, code: group.code, title: group.title) }
        return summary
    }

    /// Back to `pending`, not sent; a recipient refused too often fails instead.
    private func putBack(_ recipients: [(UUID, Date?)]) async throws {
        for (notBefore, group) in Dictionary(grouping: recipients, by: { $0.1 }) {
            let ids = SQLGroupExpression(group.map { SQLBind($0.0) })
            try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET status = 'pending', claimed_at = NULL, attempts = attempts + 1, not_before = \(bind: notBefore)
                WHERE organization_id = \(bind: organization) AND status = 'sending' AND id IN \(ids)
                """
            }.run()
        }
        let ids = SQLGroupExpression(recipients.map { SQLBind($0.0) })
        try await scope.sql { organization in
            """
            UPDATE campaign_recipients SET status = 'failed', reason = 'WhatsApp kept refusing to send it (rate limits)', status_at = \(bind: now())
            WHERE organization_id = \(bind: organization) AND status = 'pending' AND attempts >= \(unsafeRaw: String(Self.maxAttempts)) AND id IN \(ids)
            """
        }.run()
    }

    private func fail(_ ids: [UUID], code: Int?, title: String) async throws {
        guard !ids.isEmpty else { return }
        try await scope.sql { organization in
            """
            UPDATE campaign_recipients SET status = 'failed', error_code = \(bind: code), reason = \(bind: title), status_at = \(bind: now())
            WHERE organization_id = \(bind: organization) AND status = 'sending' AND id IN \(SQLGroupExpression(ids.map { SQLBind($0) }))
            """
        }.run()
    }

    // MARK: What a stopped process left behind

    /// Claims older than any call can take belong to a process that stopped during the call.
    private func settleStaleClaims() async throws {
        let cutoff = now().addingTimeInterval(-settings.claimTimeout)
        try await scope.sql { organization in
            """
            UPDATE campaign_recipients SET status = 'unknown', status_at = \(bind: now())
            WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND status = 'sending' AND claimed_at < \(bind: cutoff)
            """
        }.run()
    }

    // MARK: State

    private func status() async throws -> Campaign.Status? {
        try await scope.query(Campaign.self).filter(\.$id == campaignID).field(\.$id).field(\.$status).first()?.status
    }

    /// When nothing is due: done, or the moment something will be.
    private func whatIsLeft() async throws -> Outcome {
        let rows = try await scope.sql { organization in
            """
            SELECT status, MIN(not_before) AS not_before, MIN(claimed_at) AS claimed_at, COUNT(*) AS n FROM campaign_recipients
            WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND status IN ('pending', 'sending', 'unknown')
            GROUP BY status
            """
        }.all()
        var next: Date?
        func consider(_ date: Date?) { if let date { next = min(next ?? date, date) } }
        for row in rows {
            let claimedAt = try row.decode(column: "claimed_at", as: Date?.self)
            switch try row.decode(column: "status", as: String.self) {
            case "pending": consider(try row.decode(column: "not_before", as: Date?.self) ?? now())
            case "sending": consider(claimedAt.map { $0.addingTimeInterval(settings.claimTimeout) })
            default:
                // Unknown outcomes do not hold the campaign up: Meta's callbacks settle them whenever they come.
                break
            }
        }
        return next.map { .waitUntil(max($0, now())) } ?? .done
    }

    // MARK: Messaging limit

    /// How many more different customers this business may reach in the moving 24 hours; nil: unlimited.
    func messagingAllowance() async throws -> Int? {
        try await MessagingAllowance(connection: connection, scope: scope, now: now()).remaining()
    }

    /// The window moves: look again in a quarter of an hour.
    private func waitForMessagingLimit() async throws -> Outcome {
        .messagingLimit(connection.messagingLimit ?? 0, until: now().addingTimeInterval(15 * 60))
    }
}
