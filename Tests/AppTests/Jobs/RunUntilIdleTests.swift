@testable import App
import Fluent
import Foundation
@testable import Jobs
import Testing
import Vapor
import WhatsAppCloud

/// Tests run queued jobs in their own task (`runJobsUntilIdle`), and replace the Graph API, the
/// object store and the key provider through `Dependencies`.
@Suite struct RunUntilIdleTests {
    @Test("running until idle runs what is due and leaves what is due later")
    func runsWhatIsDue() async throws {
        try await TestApp.run { app in
            let store = app.app.backgroundJobs.store(app.db, app.app.context)
            let first = try #require(try await store.enqueue(try .init(DiagnosticsJob.self, .init(label: "first"))))
            let flaky = try #require(try await store.enqueue(try .init(DiagnosticsJob.self, .init(label: "flaky", failAttempts: 1))))
            var later = try JobStore.NewJob(DiagnosticsJob.self, .init(label: "later"))
            later.runAt = app.clock.now.addingTimeInterval(3600)
            let delayed = try #require(try await store.enqueue(later))

            #expect(try await app.runJobsUntilIdle() == 2)
            #expect(try await store.find(first, organizationID: nil)?.state == .succeeded)
            #expect(try await store.find(flaky, organizationID: nil)?.state == .queued, "failed once, waiting for its retry")
            #expect(try await store.find(delayed, organizationID: nil)?.state == .queued)
            #expect(try await app.runJobsUntilIdle() == 0, "nothing is due until the clock moves")

            app.clock.advance(by: 3601)
            #expect(try await app.runJobsUntilIdle() == 2)
            #expect(try await store.find(flaky, organizationID: nil)?.state == .succeeded)
            #expect(try await store.find(delayed, organizationID: nil)?.state == .succeeded)
        }
    }

    @Test("a replaced Graph API, object store and key provider are the ones the app uses")
    func replacedServices() async throws {
        let graph = GraphAPIFake()
        let media = InMemoryObjectStore()
        let keys = InMemoryKeyProvider()
        try await TestApp.run(graphAPI: graph, objectStore: media, keyProvider: keys) { app in
            let owner = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            let seed = try await WhatsAppSeed.make(in: organization.id!, label: "Anna", phoneNumberID: "1000000001", app: app)
            #expect(media.keys.count == 1, "the seeded media went to the replaced store")
            let key = try #require(try await OrganizationKey.find(organization.id, on: app.db))
            #expect(key.provider == keys.name)

            let response = try await owner.api(.POST, "/api/v1/conversations/\(seed.conversationID)/messages", json: #"{"type":"text","text":"Komt eraan"}"#)
            #expect(response.status == .accepted, "\(response.body.string)")
            try await app.runJobsUntilIdle()
            let sent = try #require(graph.sent.first)
            #expect(graph.sent.count == 1)
            #expect(sent.phoneNumberID == "1000000001")
            #expect(sent.token == "token-Anna", "the access token was opened with the replaced key provider")
            let message = try #require(try await Message.query(on: app.db).filter(\.$direction == .outbound).first())
            #expect(message.wamid == "wamid.FAKE1")
            #expect(message.status == .sent)
        }
    }
}
