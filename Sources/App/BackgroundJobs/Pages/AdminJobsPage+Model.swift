import Foundation
import Jobs

/// The operator's view of the queue: counts per queue, dead letters and jobs waiting for a retry.
enum AdminJobsPage {
    struct Model {
        var counts: [QueueCounts]
        var dead: [JobSummary]
        var retrying: [JobSummary]
        var failedWebhooks: [FailedWebhook]
        var notice: String?
    }

    struct FailedWebhook {
        var id: UUID
        var source: String
        var receivedAt: Date
        var error: String
    }
}
