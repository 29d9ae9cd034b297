import Fluent
import Foundation
import Jobs

/// Deletes succeeded jobs after a week; dead ones stay until an operator retries or discards them.
struct PruneFinishedJobs: JobHandler {
    struct Payload: Codable, Sendable {
        var keepDays: Int = 7
    }
    static let kind = "maintenance.prune-jobs"
    static let queue: QueueName = .maintenance

    func run(_ payload: Payload, context: JobContext) async throws {
        let cutoff = Date().addingTimeInterval(-Double(payload.keepDays) * 86_400)
        let removed = try await JobStore(database: context.database).pruneSucceeded(finishedBefore: cutoff)
        context.logger.info("pruned finished jobs", metadata: ["count": .stringConvertible(removed)])
    }
}

/// Deletes sessions past their absolute timeout, throttle counters whose window has passed,
/// notification unsubscribe links past their lifetime, and expired two-factor pending sign-ins and
/// remembered devices.
struct PruneExpiredSessions: JobHandler {
    struct Payload: Codable, Sendable {
        var absoluteTimeoutSeconds: Double
        var throttleWindowSeconds: Double
    }
    static let kind = "maintenance.prune-sessions"
    static let queue: QueueName = .maintenance

    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let now = now()
        try await UserSession.query(on: context.database)
            .filter(\.$createdAt < now.addingTimeInterval(-payload.absoluteTimeoutSeconds))
            .delete()
        try await Throttle.prune(context.database, windowsStartedBefore: now.addingTimeInterval(-payload.throttleWindowSeconds))
        try await NotificationUnsubscribe.prune(context.database, now: now)
        try await TwoFactorSignIn.prune(context.database, now: now)
    }
}
