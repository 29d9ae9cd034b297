import Fluent
import Foundation
import Jobs
import Vapor

/// A job as the API shows it.
struct JobBody: Content {
    var id: UUID
    var kind: String
    var queue: String
    var state: String
    var priority: String
    var attempts: Int
    var max_attempts: Int
    var progress: Double
    var progress_message: String?
    var last_error: String?
    var created_at: Date
    var run_at: Date
    var started_at: Date?
    var finished_at: Date?

    init(_ job: JobSummary) {
        id = job.id
        kind = job.kind
        queue = job.queue
        state = job.state.rawValue
        priority = "\(job.priority)"
        attempts = job.attempts
        max_attempts = job.maxAttempts
        progress = job.progress
        progress_message = job.progressMessage
        last_error = job.lastError
        created_at = job.createdAt
        run_at = job.runAt
        started_at = job.startedAt
        finished_at = job.finishedAt
    }
}

/// The progress of the organization's own long jobs (imports, broadcasts, exports), as a page and as JSON.
enum JobsController {
    private static func job(_ request: Request, _ tenant: Tenant) async throws -> JobSummary {
        guard let id = request.parameters.get(SiteURL.jobID, as: UUID.self),
            let job = try await request.jobs.find(id, organizationID: tenant.organizationID)
        else { throw request.isAPIRequest ? APIError(.notFound, code: "not_found", message: "No such job.") : Abort(.notFound) }
        return job
    }

    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let model = JobPage.Model(try await job(request, tenant))
        return try await HTMLResponse(html: JobPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> JobBody {
        JobBody(try await job(request, tenant))
    }
}

/// The platform operator's job pages and API: counts, dead letters, retry and discard.
enum AdminJobsController {
    struct Overview: Content {
        struct Queue: Content { var queue: String; var queued: Int; var retrying: Int; var running: Int; var succeeded: Int; var dead: Int }
        var queues: [Queue]
        var dead: [JobBody]
        var retrying: [JobBody]
        var failed_webhooks: [FailedWebhookBody]
    }

    struct FailedWebhookBody: Content {
        var id: UUID
        var source: String
        var received_at: Date
        var error: String?
        var bytes: Int
    }

    /// Webhook bodies that could not be processed: kept, with the reason, for the operator.
    static func failedWebhooks(_ request: Request) async throws -> [FailedWebhookBody] {
        try await WebhookEvent.query(on: request.db).filter(\.$state == .failed)
            .sort(\.$receivedAt, .descending).limit(50).all()
            .map { FailedWebhookBody(id: $0.id!, source: $0.source, received_at: $0.receivedAt, error: $0.error, bytes: $0.body.count) }
    }

    static func overview(_ request: Request) async throws -> Overview {
        let store = request.jobs
        let troubled = try await store.troubled()
        return Overview(
            queues: try await store.counts().map {
                .init(queue: $0.queue, queued: $0.queued, retrying: $0.retrying, running: $0.running, succeeded: $0.succeeded, dead: $0.dead)
            },
            dead: troubled.dead.map(JobBody.init),
            retrying: troubled.retrying.map(JobBody.init),
            failed_webhooks: try await failedWebhooks(request)
        )
    }

    static func page(_ request: Request) async throws -> Response {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "retried": t(.adminJobsNoticeRetried)
            case "discarded": t(.adminJobsNoticeDiscarded)
            default: nil
            }
        let model = try await AdminJobsPage.query(request, notice: notice)
        return try await HTMLResponse(html: AdminJobsPage.html(model, Chrome.make(for: request, section: .admin))).encodeResponse(for: request)
    }

    private static func jobID(_ request: Request) throws -> UUID {
        guard let id = request.parameters.get(SiteURL.jobID, as: UUID.self) else {
            throw request.isAPIRequest ? APIError(.notFound, code: "not_found", message: "No such job.") : Abort(.notFound)
        }
        return id
    }

    static func retry(_ request: Request) async throws -> Response {
        guard try await request.jobs.retry(try jobID(request)) else { throw Abort(.notFound) }
        return request.redirect(to: SiteURL.adminJobs.path + "?notice=retried", redirectType: .normal)
    }

    static func discard(_ request: Request) async throws -> Response {
        guard try await request.jobs.discard(try jobID(request)) else { throw Abort(.notFound) }
        return request.redirect(to: SiteURL.adminJobs.path + "?notice=discarded", redirectType: .normal)
    }

    static func retryAPI(_ request: Request) async throws -> JobBody {
        let id = try jobID(request)
        guard try await request.jobs.retry(id), let job = try await request.jobs.find(id, organizationID: nil) else {
            throw APIError(.notFound, code: "not_found", message: "No dead or waiting job with this id.")
        }
        return JobBody(job)
    }

    static func discardAPI(_ request: Request) async throws -> HTTPStatus {
        guard try await request.jobs.discard(try jobID(request)) else {
            throw APIError(.notFound, code: "not_found", message: "No dead or waiting job with this id.")
        }
        return .noContent
    }
}
