import FluentKit
import Foundation
import Logging
import SQLKit

/// A recurring job: `cron` says when, `job` what to enqueue for the tick.
public struct JobSchedule: Sendable {
    public var name: String
    public var cron: CronExpression
    public var job: @Sendable (_ tick: Date) throws -> JobStore.NewJob

    public init(name: String, cron: CronExpression, job: @escaping @Sendable (Date) throws -> JobStore.NewJob) {
        self.name = name
        self.cron = cron
        self.job = job
    }
}

/// Fires schedules once per tick across all processes.
///
/// Every process may run a scheduler. For each tick, the process that moves the schedule's
/// `last_fired_at` forward (a compare-and-set row update) enqueues the job in the same
/// transaction; the others find the row already moved and do nothing. A tick missed while no
/// process ran is fired once when one starts again; older ticks are not replayed.
public struct JobScheduler: Sendable {
    let store: JobStore
    let schedules: [JobSchedule]
    let logger: Logger

    public init(store: JobStore, schedules: [JobSchedule], logger: Logger) {
        self.store = store
        self.schedules = schedules
        self.logger = logger
    }

    /// Fires what is due now. Returns the names of the schedules this call fired.
    @discardableResult
    public func tick() async throws -> [String] {
        var fired: [String] = []
        let now = store.now()
        for schedule in schedules {
            guard let tick = schedule.cron.latestFire(atOrBefore: now) else { continue }
            if try await fire(schedule, tick: tick) { fired.append(schedule.name) }
        }
        return fired
    }

    private func fire(_ schedule: JobSchedule, tick: Date) async throws -> Bool {
        let tickMicros = JobStore.micros(tick)
        var newJob = try schedule.job(tick)
        newJob.uniqueKey = newJob.uniqueKey ?? "schedule:\(schedule.name)"
        let job = newJob
        return try await store.database.transaction { transaction in
            let sql = JobStore.sql(transaction)
            try await sql.raw(
                """
                INSERT INTO job_schedules (name, cron, last_fired_at) VALUES (\(bind: schedule.name), \(bind: schedule.cron.description), 0)
                ON CONFLICT DO NOTHING
                """
            ).run()
            let moved = try await sql.raw(
                """
                UPDATE job_schedules SET last_fired_at = \(bind: tickMicros), cron = \(bind: schedule.cron.description)
                WHERE name = \(bind: schedule.name) AND last_fired_at < \(bind: tickMicros)
                RETURNING name
                """
            ).all()
            guard !moved.isEmpty else { return false }
            try await store.enqueue(job, on: transaction)
            return true
        }
    }

    /// Ticks until `stopping` is set: shortly after each minute starts, and once at start.
    public func run(until stopping: @escaping @Sendable () -> Bool) async {
        guard !schedules.isEmpty else { return }
        while !stopping() {
            do {
                let fired = try await tick()
                if !fired.isEmpty { logger.info("scheduled jobs fired", metadata: ["schedules": .string(fired.joined(separator: ","))]) }
            } catch {
                logger.warning("firing schedules failed; trying again next tick", metadata: ["error": .string(ErrorText.of(error))])
            }
            // Shortly after the next minute starts, checking for a stop four times a second.
            let now = Date().timeIntervalSince1970
            let nextMinute = (now / 60).rounded(.down) * 60 + 60 + 0.2
            let deadline = ContinuousClock.now + .milliseconds(Int(min(nextMinute - now, 5) * 1000))
            while !stopping(), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
