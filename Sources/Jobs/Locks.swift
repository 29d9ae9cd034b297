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

/// A wake-up signal one task waits on and any task fires. Firing with no waiter is remembered
/// once, so a wake-up between two waits is never lost.
final class Signal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when fired, or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForFire() }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return }
                self.fire()
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForFire() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Per-queue wake-ups: enqueues in this process fire them directly; PostgreSQL notifications
/// from other processes fire them through `PostgresJobListener`.
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
