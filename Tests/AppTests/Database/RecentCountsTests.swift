@testable import App
import Foundation
import Synchronization
import Testing

/// `RecentCounts`: one count per key shared by every reader, fresh for `maxAge`, answered old while
/// it is counted again, counted before answering once it is much older.
@Suite struct RecentCountsTests {
    /// A clock the test moves, and a count that says how often it ran.
    final class Counter: Sendable {
        let instant = Mutex(ContinuousClock.now)
        let runs = Mutex(0)

        func advance(_ duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func count(_ key: String) -> Int {
            runs.withLock {
                $0 += 1; return $0
            }
        }
        var ran: Int { runs.withLock { $0 } }
    }

    @Test func freshThenOldWhileRecountedThenCountedBeforeAnswering() async throws {
        let counter = Counter()
        let counts = RecentCounts<String, Int>(maxAge: .seconds(2), now: { counter.now }) { counter.count($0) }

        #expect(try await counts.value(for: "a") == 1)
        counter.advance(.seconds(1))
        #expect(try await counts.value(for: "a") == 1, "under maxAge: the kept count")
        #expect(counter.ran == 1)
        #expect(try await counts.value(for: "b") == 2, "another key is counted on its own")

        counter.advance(.seconds(2))
        #expect(try await counts.value(for: "a") == 1, "older than maxAge: still answered, counted again behind it")
        for _ in 0..<500 where counter.ran < 3 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(counter.ran == 3)
        #expect(try await counts.value(for: "a") == 3, "the background count is what the next reader gets")

        counter.advance(.seconds(11))
        #expect(try await counts.value(for: "a") == 4, "five times maxAge old: counted before answering")
    }

    @Test func zeroMaxAgeCountsEveryRead() async throws {
        let counter = Counter()
        let counts = RecentCounts<String, Int>(maxAge: .zero, now: { counter.now }) { counter.count($0) }
        #expect(try await counts.value(for: "a") == 1)
        #expect(try await counts.value(for: "a") == 2)
    }

    @Test func aFailedCountIsNotKept() async throws {
        struct Refused: Error {}
        let counter = Counter()
        let counts = RecentCounts<String, Int>(maxAge: .seconds(60), now: { counter.now }) { key in
            if counter.count(key) == 1 { throw Refused() }
            return 7
        }
        await #expect(throws: Refused.self) { try await counts.value(for: "a") }
        #expect(try await counts.value(for: "a") == 7)
    }
}
