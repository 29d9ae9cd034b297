import Jobs
import Vapor

extension AdminJobsPage {
    /// Counts per queue, dead and retrying jobs, and the webhooks that could not be processed.
    static func query(_ request: Request, notice: String?) async throws -> Model {
        let store = request.jobs
        let troubled = try await store.troubled()
        return Model(
            counts: try await store.counts(), dead: troubled.dead, retrying: troubled.retrying,
            failedWebhooks: try await AdminJobsController.failedWebhooks(request).map {
                .init(id: $0.id, source: $0.source, receivedAt: $0.received_at, error: $0.error ?? "")
            },
            notice: notice
        )
    }
}
