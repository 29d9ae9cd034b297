@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// `/api/v1/contacts`: list with the page's filters and keyset pages, show, create, change, delete,
/// merge; another organization's contacts do not exist; a viewer reads but does not change.
@Suite struct ContactsAPITests {
    struct Body: Decodable {
        var id: UUID
        var name: String?
        var phone: String?
        var email: String?
        var tags: [String]
        var fields: [String: String]
        var marketing_status: String
        var marketing_source: String?
    }

    struct ListBody: Decodable {
        struct Row: Decodable { var id: UUID; var name: String }
        var data: [Row]
        var next_cursor: String?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestingHTTPResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(response.body.readableBytesView))
    }

    @Test func createChangeShowListAndDelete() async throws {
        try await WhatsAppHarness.run { harness in
            let field = ContactFieldDefinition(
                organizationID: harness.organizationID, key: "plan", label: "Plan", type: .choice, choices: ["Gold"], position: 1, createdAt: harness.clock.now)
            try await field.create(on: harness.db)
            let tag = Tag()
            tag.id = UUID()
            tag.organizationID = harness.organizationID
            tag.name = "VIP"
            tag.createdAt = harness.clock.now
            try await tag.create(on: harness.db)

            let created = try await harness.owner.api(
                .POST, "/api/v1/contacts", json: #"{"name":"Cas","phone":"06-12345678","fields":{"plan":"gold"},"tags":["vip"],"marketing_status":"opted_in"}"#)
            #expect(created.status == .created, "\(created.body.string)")
            let body = try Self.decode(Body.self, created)
            #expect(body.phone == "+31612345678" && body.fields == ["plan": "Gold"] && body.tags == ["VIP"])
            #expect(body.marketing_status == "opted_in" && body.marketing_source == "api")

            let duplicate = try await harness.owner.api(.POST, "/api/v1/contacts", json: #"{"phone":"+31612345678"}"#)
            #expect(duplicate.status == .conflict && duplicate.body.string.contains("duplicate_phone"))
            let badPhone = try await harness.owner.api(.POST, "/api/v1/contacts", json: #"{"phone":"12"}"#)
            #expect(badPhone.status == .badRequest && badPhone.body.string.contains("validation_failed"))
            let badField = try await harness.owner.api(.POST, "/api/v1/contacts", json: #"{"phone":"0611111111","fields":{"nope":"1"}}"#)
            #expect(badField.status == .badRequest)

            let patched = try await harness.owner.api(
                .PATCH, "/api/v1/contacts/\(body.id)", json: #"{"email":"cas@example.com","tags":[],"fields":{"plan":null}}"#)
            #expect(patched.status == .ok, "\(patched.body.string)")
            let after = try Self.decode(Body.self, patched)
            #expect(after.email == "cas@example.com" && after.tags.isEmpty && after.fields.isEmpty && after.name == "Cas")
            #expect(try await harness.owner.api(.GET, "/api/v1/contacts/\(body.id)").status == .ok)

            for index in 0..<3 {
                _ = try await harness.owner.api(.POST, "/api/v1/contacts", json: #"{"phone":"+3161000000\#(index)"}"#)
                harness.clock.advance(by: 1)
            }
            let first = try Self.decode(ListBody.self, try await harness.owner.api(.GET, "/api/v1/contacts?limit=2"))
            #expect(first.data.count == 2)
            let cursor = try #require(first.next_cursor)
            let second = try Self.decode(ListBody.self, try await harness.owner.api(.GET, "/api/v1/contacts?limit=2&cursor=\(cursor)"))
            #expect(second.data.count == 2 && second.next_cursor == nil)
            #expect(Set(first.data.map(\.id)).isDisjoint(with: second.data.map(\.id)))
            let filtered = try Self.decode(ListBody.self, try await harness.owner.api(.GET, "/api/v1/contacts?q=cas"))
            #expect(filtered.data.map(\.id) == [body.id])
            #expect(try await harness.owner.api(.GET, "/api/v1/contacts?cursor=nonsense").status == .badRequest)
            #expect(try await harness.owner.api(.GET, "/api/v1/contacts?marketing=maybe").body.string.contains("validation_failed"))

            #expect(try await harness.owner.api(.DELETE, "/api/v1/contacts/\(body.id)").status == .noContent)
            #expect(try await harness.owner.api(.GET, "/api/v1/contacts/\(body.id)").status == .notFound)
        }
    }

    @Test func anotherOrganizationAndViewersAreRefused() async throws {
        try await WhatsAppHarness.run { harness in
            let contact = Contact(organizationID: harness.organizationID, waID: "31655555555", name: "Ours", now: harness.clock.now)
            try await contact.create(on: harness.db)
            let other = Contact(organizationID: harness.organizationID, waID: "31655555556", name: "Also ours", now: harness.clock.now)
            try await other.create(on: harness.db)
            let stranger = try await harness.test.signUp(name: "Eve", organization: "Theirs", email: "eve@theirs.example")
            let path = "/api/v1/contacts/\(contact.id!)"
            #expect(try await stranger.api(.GET, path).status == .notFound)
            #expect(try await stranger.api(.PATCH, path, json: #"{"name":"Stolen"}"#).status == .notFound)
            #expect(try await stranger.api(.DELETE, path).status == .notFound)
            #expect(try await stranger.api(.POST, "\(path)/merge", json: #"{"duplicateID":"\#(other.id!)"}"#).status == .notFound)
            #expect(!(try await stranger.api(.GET, "/api/v1/contacts").body.string.contains("Ours")))

            let viewer = try await harness.colleague("Vera Viewer", role: .viewer)
            #expect(try await viewer.browser.api(.GET, path).status == .ok)
            #expect(try await viewer.browser.api(.GET, "/api/v1/contacts").status == .ok)
            #expect(try await viewer.browser.api(.POST, "/api/v1/contacts", json: #"{"phone":"0611111111"}"#).status == .forbidden)
            #expect(try await viewer.browser.api(.PATCH, path, json: #"{"name":"X"}"#).status == .forbidden)
            #expect(try await viewer.browser.api(.DELETE, path).status == .forbidden)
            #expect(try await viewer.browser.api(.POST, "\(path)/merge", json: #"{"duplicateID":"\#(other.id!)"}"#).status == .forbidden)
            #expect(try await harness.owner.api(.PATCH, path, json: #"{"name":"X"}"#, csrfHeader: false).status == .forbidden)
            #expect(try await harness.scope.find(Contact.self, contact.id)?.name == "Ours")
        }
    }
}
