import Fluent
import Foundation
import Jobs
import SQLKit
import Synchronization

/// Stores verified webhook bodies with group commit: bodies that arrive while a write is in flight
/// are written together in the next transaction (one multi-row insert and one processing job for
/// the lot), and each request is answered only once its body is committed. One request alone is
/// written at once; under load, batches grow and the cost per event falls.
final class WebhookIntake: Sendable {
    private struct Pending {
        var id: UUID
        var body: Data
        var receivedAt: Date
        var verifier: WebhookVerifier
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var writing = false
    }

    static let maxBatch = 1024

    private let source: String
    private let database: any Database
    private let jobs: JobStore
    private let state = Mutex(State())

    init(source: String, database: any Database, jobs: JobStore) {
        self.source = source
        self.database = database
        self.jobs = jobs
    }

    /// Returns once the body, the verifier that proved it and its processing job are committed;
    /// throws if the write failed.
    func store(_ body: Data, receivedAt: Date, verifier: WebhookVerifier) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLock { state -> Bool in
                state.pending.append(Pending(id: UUID(), body: body, receivedAt: receivedAt, verifier: verifier, continuation: continuation))
                if state.writing { return false }
                state.writing = true
                return true
            }
            if startWriter { Task { await self.writeUntilEmpty() } }
        }
    }

    private func writeUntilEmpty() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.pending.prefix(Self.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await write(batch)
                for item in batch { item.continuation.resume() }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }

    private func write(_ batch: [Pending]) async throws {
        let job = try JobStore.NewJob(ProcessWhatsAppWebhook.self, .init(eventIDs: batch.map(\.id)), priority: .high)
        let jobs = self.jobs
        try await database.transaction { transaction in
            let rows: [any SQLExpression] = batch.map { item in
                SQLGroupExpression([
                    SQLBind(item.id), SQLBind(self.source), SQLBind(item.body), SQLBind(item.receivedAt), SQLBind(WebhookEvent.State.pending.rawValue),
                    SQLBind(item.verifier.kind), SQLBind(item.verifier.connectionID),
                ])
            }
            try await transaction.sql.raw(
                """
                INSERT INTO webhook_events (id, source, body, received_at, state, verifier, verifier_connection_id) VALUES \(SQLList(rows))
                """
            ).run()
            try await jobs.enqueue(job, on: transaction)
        }
    }
}
