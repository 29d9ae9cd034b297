import Fluent
import Foundation
import SQLKit

/// Token buckets kept in the database, so every app process sending for a number draws from the
/// same bucket: Meta counts per number, not per process.
struct SendRateLimiter: Sendable {
    let database: any SQLDatabase
    let now: @Sendable () -> Date

    struct Bucket: Sendable {
        var key: String
        var perSecond: Double
        var burst: Double

        /// Meta's per-number throughput (80/s by default, up to 1,000).
        static func number(_ phoneNumberID: String, perSecond: Int) -> Bucket {
            Bucket(key: "number:\(phoneNumberID)", perSecond: Double(perSecond), burst: Double(perSecond))
        }

        /// Meta's pair rate: about one message per six seconds to the same customer, with small bursts.
        static func recipient(_ phoneNumberID: String, _ waID: String) -> Bucket {
            Bucket(key: "pair:\(phoneNumberID):\(waID)", perSecond: 1.0 / 6.0, burst: 10)
        }
    }

    /// Waits until the bucket has a token and takes it. Gives up (throwing) after `maxWait`.
    func take(_ bucket: Bucket, maxWait: TimeInterval = 120) async throws {
        let deadline = now().addingTimeInterval(maxWait)
        while true {
            guard let wait = try await tryTake(bucket) else { return }
            guard now().addingTimeInterval(wait) <= deadline else { throw RateLimited(bucket: bucket.key, wait: wait) }
            try await Task.sleep(for: .milliseconds(max(1, Int((wait * 1000).rounded(.up)))))
        }
    }

    /// Its text reaches job errors and logs, so it names the kind of bucket, never the recipient.
    struct RateLimited: Error, CustomStringConvertible {
        var bucket: String
        var wait: TimeInterval
        var description: String {
            let kind = bucket.split(separator: ":").first.map(String.init) ?? "send"
            return "send rate limit (\(kind)): next token in \(Int(wait)) s"
        }
    }

    /// Takes `count` tokens if there are as many (at most the burst); otherwise returns how long until there will be.
    func tryTake(_ bucket: Bucket, count: Int = 1) async throws -> TimeInterval? {
        let count = Double(Swift.max(1, Swift.min(count, Int(bucket.burst))))
        let nowMicros = Int64(now().timeIntervalSince1970 * 1_000_000)
        let engine = database.engine
        // Tokens now = stored + elapsed × rate, capped at the burst.
        let refilled = engine.least("\(bucket.burst)", "tokens + \(engine.greatest("0", "\(nowMicros) - refilled_at")) * \(bucket.perSecond) / 1000000.0")
        let taken = try await database.raw(
            """
            UPDATE send_rate_buckets SET tokens = \(unsafeRaw: refilled) - \(unsafeRaw: "\(count)"), refilled_at = \(unsafeRaw: engine.greatest("refilled_at", "\(nowMicros)"))
            WHERE bucket = \(bind: bucket.key) AND \(unsafeRaw: refilled) >= \(unsafeRaw: "\(count)")
            RETURNING tokens
            """
        ).all()
        if !taken.isEmpty { return nil }
        let inserted = try await database.raw(
            """
            INSERT INTO send_rate_buckets (bucket, tokens, refilled_at) VALUES (\(bind: bucket.key), \(bind: bucket.burst - count), \(bind: nowMicros))
            ON CONFLICT (bucket) DO NOTHING RETURNING tokens
            """
        ).all()
        if !inserted.isEmpty { return nil }
        guard let row = try await database.raw("SELECT tokens, refilled_at FROM send_rate_buckets WHERE bucket = \(bind: bucket.key)").first() else {
            return 0.001
        }
        let tokens = try row.decode(column: "tokens", as: Double.self)
        let refilledAt = try row.decode(column: "refilled_at", as: Int64.self)
        let available = Swift.min(bucket.burst, tokens + Double(Swift.max(0, nowMicros - refilledAt)) * bucket.perSecond / 1_000_000)
        return Swift.max(0.001, (count - available) / bucket.perSecond)
    }
}
