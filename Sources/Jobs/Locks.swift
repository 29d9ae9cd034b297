import Foundation
import Synchronization

final class LockedBool: Sendable {
    private let storage = Mutex(false)
    func set() { storage.withLock { $0 = true } }
    var value: Bool { storage.withLock { $0 } }
}

final class LockedCounter: Sendable {
    private let storage = Mutex(0)
    func add(_ delta: Int) { storage.withLock { $0 += delta } }
    var value: Int { storage.withLock { $0 } }
}

/// A wake-up signal that tasks wait on and any task fires. Firing wakes every waiter; firing
/// with no waiter is remembered once, so a wake-up between two waits is never lost.
public final class Signal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Waits that ended (by timeout) before their continuation was registered.
        var abandoned: Set<UUID> = []
    }

    private let state = Mutex(State())

    public init() {}

    public func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns when fired, or after `timeout`.
    public func wait(timeout: Duration) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForFire(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.end(id)
            }
            await group.next()
            group.cancelAll()
            end(id)
        }
        // Both children are done: forget the id if it was marked after its wait had ended.
        state.withLock { _ = $0.abandoned.remove(id) }
    }

    private func waitForFire(_ id: UUID) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.abandoned.remove(id) != nil { return true }
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends one wait: resumes its continuation, or marks it so it returns as soon as it registers.
    private func end(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            state.abandoned.insert(id)
            return nil
        }
        waiter?.resume()
    }
}

/// Runs `operation`, but stops waiting for it after `limit` and throws `JobError.timedOut`.
/// A job run or a database call that hangs (a reply lost with its connection) must not stall a
/// worker. The abandoned operation is cancelled; whatever it still does later is harmless, because
/// every write the queue makes checks the lease it was made under.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = TimeLimitRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(
                continuation: continuation,
                work: Task { do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) } },
                timer: Task {
                    do { try await Task.sleep(for: limit) } catch { return }
                    race.finish(.failure(JobError.timedOut(limit)))
                }
            )
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of an operation and its timer to finish resumes the waiting task and cancels the other.
final class TimeLimitRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var result: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let result = state.result { return result }
            state.continuation = continuation
            state.work = work
            state.timer = timer
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            guard state.result == nil else { return (nil, nil, nil) }
            state.result = result
            defer { state.continuation = nil; state.work = nil; state.timer = nil }
            return (state.continuation, state.work, state.timer)
        }
        work?.cancel()
        timer?.cancel()
        continuation?.resume(with: result)
    }
}

/// Per-queue wake-ups: enqueues in this process fire them directly; PostgreSQL notifications
/// from other processes fire them through `PostgresListener.jobs`.
public final class JobWakeup: Sendable {
    private let signals = Mutex<[QueueName: Signal]>([:])

    public init() {}

    func signal(_ queue: QueueName) -> Signal {
        signals.withLock { signals in
            if let signal = signals[queue] { return signal }
            let signal = Signal()
            signals[queue] = signal
            return signal
        }
    }

    public func wake(_ queue: QueueName) { signal(queue).fire() }
    public func wakeAll() { signals.withLock { Array($0.values) }.forEach { $0.fire() } }
}
