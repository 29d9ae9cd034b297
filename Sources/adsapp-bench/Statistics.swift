import Foundation

/// The arithmetic every benchmark shares: percentiles, elapsed time, and the one line of JSON each
/// command prints for `scripts/bench`.
enum Statistics {
    /// The value at `fraction` (0.5, 0.99) of `sorted` (ascending), nearest-rank: the smallest value
    /// with at least that fraction of the samples at or below it. 0 when there are no samples.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))]
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        seconds(ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// One line of JSON with sorted keys.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}
