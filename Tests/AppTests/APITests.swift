@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite struct APITests {
    struct ErrorBody: Decodable { struct Detail: Decodable { var code: String; var message: String }; var error: Detail }
    struct MemberPage: Decodable {
        struct Member: Decodable { var id: UUID; var email: String; var role: String }
        var data: [Member]
        var next_cursor: String?
    }

    func error(_ response: TestingHTTPResponse) throws -> ErrorBody.Detail {
        #expect(response.headers.contentType?.description.hasPrefix("application/json") == true)
        return try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error
    }

    @Test("without a session the API answers 401 in the error shape")
    func unauthenticated() async throws {
        try await TestApp.run { app in
            let response = try await app.browser().get("/api/v1/me")
            #expect(response.status == .unauthorized)
            #expect(try error(response).code == "unauthenticated")
        }
    }

    @Test("an unknown API path answers 404 in the error shape, not an HTML page")
    func unknownPath() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let response = try await browser.get("/api/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(try error(response).code == "not_found")
        }
    }

    @Test(
        "limit and cursor are validated, never silently defaulted",
        arguments: [
            "limit=abc", "limit=-1", "limit=0", "limit=101", "limit=", "limit=1.5", "cursor=%21%21", "cursor=bm90LWEtY3Vyc29y",
        ])
    func badPagination(_ query: String) async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let response = try await browser.get("/api/v1/members?\(query)")
            #expect(response.status == .badRequest)
            let detail = try error(response)
            #expect(detail.code == "validation_failed")
            #expect(detail.message.contains(query.hasPrefix("limit") ? "limit" : "cursor"))
        }
    }

    @Test("members page through with a keyset cursor: no gaps, no repeats, even while members join")
    func keysetPagination() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            app.clock.advance(by: 1)
            for index in 0..<6 {
                try await app.signUp(name: "Member \(index)", organization: "Home \(index)", email: "m\(index)@example.com")
                app.clock.advance(by: index.isMultiple(of: 2) ? 0 : 1)  // some share a timestamp: the id breaks ties
                _ = try await app.addMember(email: "m\(index)@example.com", to: organization.id!, role: .agent)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let response = try await anna.get("/api/v1/members?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(response.status == .ok)
                let page = try JSONDecoder().decode(MemberPage.self, from: Data(response.body.readableBytesView))
                seen += page.data.map(\.email)
                cursor = page.next_cursor
                pages += 1
                if pages == 1 {
                    // Someone joins mid-way: they appear at the end, nothing shifts.
                    app.clock.advance(by: 60)
                    try await app.signUp(name: "Late", organization: "Late BV", email: "late@example.com")
                    _ = try await app.addMember(email: "late@example.com", to: organization.id!, role: .viewer)
                }
            } while cursor != nil && pages < 10
            #expect(seen.count == 8)
            #expect(Set(seen).count == 8)
            #expect(seen.first == "anna@example.com")
            #expect(seen.last == "late@example.com")
            #expect(pages == 3)
        }
    }

    @Test("role changes: invalid role 400, another organization's member 404, last owner 409, success 200")
    func roleChanges() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            try await app.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            let bob = try await app.addMember(email: "bob@example.com", to: organization.id!, role: .agent)
            let foreign = try #require(try await Membership.query(on: app.db).filter(\.$organizationID != organization.id!).first())
            let own = try #require(try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).filter(\.$role == .owner).first())

            var response = try await anna.api(.PATCH, "/api/v1/members/\(bob.id!)", json: #"{"role":"superuser"}"#)
            #expect(response.status == .badRequest)
            #expect(try error(response).message.contains("owner, admin, agent, viewer"))
            response = try await anna.api(.PATCH, "/api/v1/members/\(bob.id!)", json: #"{"role":"#)
            #expect(response.status == .badRequest)
            #expect(try error(response).code == "invalid_body")
            response = try await anna.api(.PATCH, "/api/v1/members/\(foreign.id!)", json: #"{"role":"viewer"}"#)
            #expect(response.status == .notFound)
            response = try await anna.api(.PATCH, "/api/v1/members/not-a-uuid", json: #"{"role":"viewer"}"#)
            #expect(response.status == .notFound)
            response = try await anna.api(.PATCH, "/api/v1/members/\(own.id!)", json: #"{"role":"viewer"}"#)
            #expect(response.status == .conflict)
            #expect(try error(response).code == "last_owner")
            response = try await anna.api(.PATCH, "/api/v1/members/\(bob.id!)", json: #"{"role":"admin"}"#)
            #expect(response.status == .ok)
            #expect(response.body.string.contains(#""role":"admin""#))
            response = try await anna.api(.DELETE, "/api/v1/members/\(bob.id!)")
            #expect(response.status == .noContent)
            #expect(try await Membership.find(bob.id!, on: app.db) == nil)
            #expect(try await Membership.find(foreign.id!, on: app.db) != nil)
        }
    }

    @Test("/api/v1/me tells who is signed in, where, with which permissions")
    func me() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let response = try await anna.get("/api/v1/me")
            #expect(response.status == .ok)
            let body = response.body.string
            #expect(body.contains(#""role":"owner""#))
            #expect(body.contains("Bakkerij Anna"))
            #expect(body.contains("grantOwnership"))
            #expect(!body.contains("password"))
        }
    }
}
