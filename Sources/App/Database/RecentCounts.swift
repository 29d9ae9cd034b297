import Foundation

/// Counts that take tens of milliseconds on a large organization, shared by everyone who asks for
/// the same key, and allowed to be a little old: the inbox's tab counts, the contact counts of
/// segments.
///
/// A count is kept for `maxAge`. An older one is still answered while it is counted again in the
/// background (once, whoever asks); one older than five times `maxAge` is counted before answering.
/// With `maxAge` zero every read counts (the tests' setting: they read right after a change).
actor RecentCounts<Key: Hashable & Sendable, Value: Sendable> {
    private struct Entry {
        var value: Value
        var countedAt: ContinuousClock.Instant
    }

    let maxAge: Duration
    private let count: @Sendable (Key) async throws -> Value
    private let now: @Sendable () -> ContinuousClock.Instant
    private var entries: [Key: Entry] = [:]
    private var counting: Set<Key> = []

    init(
        maxAge: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        count: @escaping @Sendable (Key) async throws -> Value
    ) {
        self.maxAge = maxAge
        self.now = now
        self.count = count
    }

    func value(for key: Key) async throws -> Value {
        let now = now()
        forgetUnused(now)
        if let entry = entries[key], maxAge > .zero {
            let age = now - entry.countedAt
            if age < maxAge { return entry.value }
            if age < maxAge * 5 {
                if counting.insert(key).inserted {
                    Task { try? await self.recount(key) }
                }
                return entry.value
            }
        }
        return try await recount(key)
    }

    @discardableResult
    private func recount(_ key: Key) async throws -> Value {
        defer { counting.remove(key) }
        let started = now()
        let value = try await count(key)
        if maxAge > .zero { entries[key] = Entry(value: value, countedAt: started) }
        return value
    }

    /// Entries nobody asked for in a minute go, once there are more than a few.
    private func forgetUnused(_ now: ContinuousClock.Instant) {
        guard entries.count > 16 else { return }
        entries = entries.filter { now - $0.value.countedAt < max(.seconds(60), maxAge * 5) }
    }
}
