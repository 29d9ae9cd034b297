/// How urgent a job is. Higher priorities run first, but never starve lower ones: each job gets a
/// deadline (`due`) of its run-at time plus its priority's allowance, and workers take the earliest
/// deadline first. Under sustained load a LOW job therefore waits at most about a minute longer
/// than a CRITICAL job enqueued at the same moment, never forever.
public enum JobPriority: Int, CaseIterable, Codable, Sendable, Comparable {
    case critical = 0
    case high = 1
    case normal = 2
    case low = 3

    /// Microseconds added to run-at to get the deadline jobs are ordered by.
    var allowanceMicroseconds: Int64 {
        switch self {
        case .critical: 0
        case .high: 2_000_000
        case .normal: 10_000_000
        case .low: 60_000_000
        }
    }

    public static func < (lhs: JobPriority, rhs: JobPriority) -> Bool { lhs.rawValue > rhs.rawValue }
}

/// A named queue. Each has its own concurrency limit in a worker.
public struct QueueName: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public var description: String { rawValue }

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    // The queues of the original product, and the ones this app adds.
    public static let bulkMessages: QueueName = "bulk-messages"
    public static let contactImport: QueueName = "contact-import"
    public static let templateProcessing: QueueName = "template-processing"
    public static let emailNotification: QueueName = "email-notification"
    public static let webhookProcessing: QueueName = "webhook-processing"
    public static let media: QueueName = "media"
    public static let crmSync: QueueName = "crm-sync"
    public static let ai: QueueName = "ai"
    public static let maintenance: QueueName = "maintenance"
    public static let inbox: QueueName = "inbox"
}

/// The states a job moves through. `succeeded` and `dead` are final (until an operator retries a dead job).
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued
    case running
    case succeeded
    case dead
}
