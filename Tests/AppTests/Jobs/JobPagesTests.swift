@testable import App
import Fluent
import Foundation
@testable import Jobs
import Testing
import Vapor
import VaporTesting

@Suite struct JobPagesTests {
    func makeOperator(_ app: TestApp) async throws -> Browser {
        let browser = try await app.signUp(name: "Olga Operator", organization: "Platform BV", email: "ops@example.com")
        let user = try #require(try await User.query(on: app.db).filter(\.$email == "ops@example.com").first())
        user.isPlatformAdmin = true
        try await user.update(on: app.db)
        return browser
    }

    func deadJob(_ app: TestApp, label: String) async throws -> UUID {
        let store = JobStore(database: app.db, now: { app.clock.now })
        var job = try JobStore.NewJob(DiagnosticsJob.self, .init(label: label))
        job.maxAttempts = 1
        let id = try #require(try await store.enqueue(job))
        let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
        try await store.markFailed(claim, error: "Meta answered 131026 for \(label)", retryAt: app.clock.now)
        return id
    }

    @Test("operators see queue counts and dead letters, and can retry and discard them")
    func operatorPage() async throws {
        try await TestApp.run { app in
            let ops = try await makeOperator(app)
            let retried = try await deadJob(app, label: "first")
            let discarded = try await deadJob(app, label: "second")

            let page = try await ops.get("/admin/jobs")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Meta answered 131026 for first"))
            #expect(page.body.string.contains("maintenance"))

            var response = try await ops.post("/admin/jobs/\(retried)/retry")
            #expect(response.headers.first(name: .location) == "/admin/jobs?notice=retried")
            response = try await ops.post("/admin/jobs/\(discarded)/discard")
            #expect(response.headers.first(name: .location) == "/admin/jobs?notice=discarded")
            let store = JobStore(database: app.db)
            #expect(try await store.find(retried, organizationID: nil)?.state == .queued)
            #expect(try await store.find(discarded, organizationID: nil) == nil)
            #expect(try await ops.post("/admin/jobs/\(discarded)/discard").status == .notFound)
        }
    }

    @Test("the operator API lists, retries and discards, in the API's error shape")
    func operatorAPI() async throws {
        try await TestApp.run { app in
            let ops = try await makeOperator(app)
            let id = try await deadJob(app, label: "api")
            let overview = try await ops.get("/api/v1/admin/jobs")
            #expect(overview.status == .ok)
            #expect(overview.body.string.contains(#""dead":1"#))
            #expect(overview.body.string.contains(id.uuidString))
            let retried = try await ops.api(.POST, "/api/v1/admin/jobs/\(id)/retry")
            #expect(retried.status == .ok)
            #expect(retried.body.string.contains(#""state":"queued""#))
            #expect(try await ops.api(.POST, "/api/v1/admin/jobs/\(UUID())/retry").status == .notFound)
            #expect(try await ops.api(.DELETE, "/api/v1/admin/jobs/\(id)").status == .noContent)

            let member = try await app.signUp(email: "member@example.com")
            let refused = try await member.get("/api/v1/admin/jobs")
            #expect(refused.status == .notFound)
            #expect(refused.body.string.contains(#""code":"not_found""#))
        }
    }

    @Test("members follow their organization's long jobs on a live page and as JSON")
    func progressPage() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            let store = JobStore(database: app.db, now: { app.clock.now })
            let id = try #require(try await store.enqueue(try .init(DiagnosticsJob.self, .init(label: "import"), organizationID: organization.id)))
            let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.reportProgress(claim, fraction: 0.25, message: "250 of 1,000 contacts")

            let page = try await anna.get("/jobs/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("value=\"25\""))
            #expect(page.body.string.contains("250 of 1,000 contacts"))
            #expect(page.body.string.contains("<script type=\"module\" src=\"/assets/progress.js\">"))
            let json = try await anna.get("/api/v1/jobs/\(id)")
            #expect(json.status == .ok)
            #expect(json.body.string.contains(#""progress":0.25"#))
            #expect(json.body.string.contains(#""state":"running""#))

            let script = try await anna.get("/assets/progress.js")
            #expect(script.headers.first(name: .contentType) == "text/javascript; charset=utf-8")
            #expect(try await anna.get("/jobs/\(UUID())").status == .notFound)
        }
    }
}
