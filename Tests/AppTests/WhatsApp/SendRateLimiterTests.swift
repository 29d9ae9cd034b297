@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// The send token buckets in the database: a burst at once, then the rate; shared by every process
/// on the database; one pair bucket per recipient. Time is the test clock's, so nothing sleeps.
@Suite struct SendRateLimiterTests {
    func limiter(_ app: TestApp) -> SendRateLimiter {
        SendRateLimiter(database: app.db as! any SQLDatabase, now: { app.clock.now })
    }

    /// Takes tokens until the bucket refuses, returning how many it gave.
    func drain(_ limiter: SendRateLimiter, _ bucket: SendRateLimiter.Bucket, atMost: Int = 2000) async throws -> Int {
        var taken = 0
        while taken < atMost, try await limiter.tryTake(bucket) == nil { taken += 1 }
        return taken
    }

    @Test func aBucketGivesItsBurstAtOnceThenRefusesWithTheWaitForTheNextToken() async throws {
        try await TestApp.run { app in
            let limiter = limiter(app)
            let bucket = SendRateLimiter.Bucket.number("106540352242922", perSecond: 4)
            #expect(bucket.burst == 4)
            for _ in 0..<4 { #expect(try await limiter.tryTake(bucket) == nil) }
            let wait = try #require(try await limiter.tryTake(bucket))
            #expect(abs(wait - 0.25) < 0.0001, "one token every 1/4 s, got \(wait)")
            // Refusing takes nothing: asking again at the same moment gives the same answer.
            let again = try #require(try await limiter.tryTake(bucket))
            #expect(abs(again - 0.25) < 0.0001)
        }
    }

    @Test func tokensComeBackAtTheRateAndNeverBeyondTheBurst() async throws {
        try await TestApp.run { app in
            let limiter = limiter(app)
            let bucket = SendRateLimiter.Bucket(key: "test:refill", perSecond: 2, burst: 5)
            #expect(try await drain(limiter, bucket) == 5)

            app.clock.advance(by: 0.25)
            let halfway = try #require(try await limiter.tryTake(bucket))
            #expect(abs(halfway - 0.25) < 0.0001, "half a token there, half to come: \(halfway)")
            app.clock.advance(by: 0.25)
            #expect(try await limiter.tryTake(bucket) == nil, "a whole token after 1/2 s")
            #expect(try await limiter.tryTake(bucket) != nil)

            app.clock.advance(by: 1.5)
            #expect(try await drain(limiter, bucket) == 3, "1.5 s at 2/s is three tokens")

            // A long pause fills the bucket to its burst, not to 2 × 3600.
            app.clock.advance(by: 3600)
            #expect(try await drain(limiter, bucket) == 5)
        }
    }

    @Test func waitingPastTheLimitThrowsRateLimitedWithTheWait() async throws {
        try await TestApp.run { app in
            let limiter = limiter(app)
            let bucket = SendRateLimiter.Bucket(key: "test:wait", perSecond: 0.1, burst: 1)
            try await limiter.take(bucket, maxWait: 0)
            let error = await #expect(throws: SendRateLimiter.RateLimited.self) {
                try await limiter.take(bucket, maxWait: 5)
            }
            #expect(error?.bucket == "test:wait")
            #expect(abs((error?.wait ?? 0) - 10) < 0.001)
            app.clock.advance(by: 10)
            try await limiter.take(bucket, maxWait: 0)
        }
    }

    @Test func twoProcessesOnTheSameDatabaseDrawFromOneBucket() async throws {
        try await TestApp.run { app in
            // A second app on the same database, as a second `serve` or `worker` process would be.
            let other = try await Application.make(.testing)
            other.logger.logLevel = .warning
            do {
                let dependencies = Dependencies(now: { app.clock.now }, randomBytes: Dependencies.live.randomBytes)
                try await configure(other, configuration: app.app.context.configuration, dependencies: dependencies, migrate: true)
                let first = limiter(app)
                let second = SendRateLimiter(database: other.db as! any SQLDatabase, now: { app.clock.now })
                let bucket = SendRateLimiter.Bucket.number("106540352242922", perSecond: 10)

                for _ in 0..<6 { #expect(try await first.tryTake(bucket) == nil) }
                #expect(try await drain(second, bucket) == 4, "the second process sees what the first took")
                #expect(try await first.tryTake(bucket) != nil)

                // Both at once, after one second: ten tokens in all, however the takes interleave.
                app.clock.advance(by: 1)
                let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<30 {
                        let limiter = index.isMultiple(of: 2) ? first : second
                        group.addTask { try await limiter.tryTake(bucket) == nil }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(granted == 10)
                #expect(try await first.tryTake(bucket) != nil)
                #expect(try await second.tryTake(bucket) != nil)
            } catch {
                try? await other.asyncShutdown()
                throw error
            }
            try await other.asyncShutdown()
        }
    }

    @Test func thePairBucketIsPerRecipient() async throws {
        try await TestApp.run { app in
            let limiter = limiter(app)
            let number = "106540352242922"
            let jan = SendRateLimiter.Bucket.recipient(number, "31612345678")
            let piet = SendRateLimiter.Bucket.recipient(number, "31687654321")
            let burst = try await drain(limiter, jan)
            #expect(burst == Int(jan.burst))
            let wait = try #require(try await limiter.tryTake(jan))
            #expect(abs(wait - 6) < 0.001, "about one message per six seconds to the same customer: \(wait)")
            // Another customer of the same number has a full bucket of his own.
            #expect(try await drain(limiter, piet) == Int(piet.burst))
            // The same customer on another number too.
            #expect(try await limiter.tryTake(.recipient("106540352249999", "31612345678")) == nil)
            // And the number's own bucket is a different one again.
            #expect(try await limiter.tryTake(.number(number, perSecond: 80)) == nil)

            app.clock.advance(by: 6)
            #expect(try await limiter.tryTake(jan) == nil)
            #expect(try await limiter.tryTake(jan) != nil)
        }
    }
}
