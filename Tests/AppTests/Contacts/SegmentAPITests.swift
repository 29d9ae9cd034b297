@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// `/api/v1/segments`: saved filters with live counts and their contacts, kept to one organization.
@Suite struct SegmentAPITests {
    struct Setup {
        let owner: Browser
        let scope: TenantScope
        let gold: UUID, vip: UUID
    }

    /// "Bakkerij Anna" with 5 contacts, 3 of them with plan Gold and 2 of those tagged VIP.
    static func setup(_ app: TestApp) async throws -> Setup {
        let owner = try await app.signUp(email: "anna@example.com")
        let organization = try await app.organization(named: "Bakkerij Anna").requireID()
        let plan = ContactFieldDefinition(
            organizationID: organization, key: "plan", label: "Plan", type: .choice, choices: ["Gold", "Silver"], position: 0, createdAt: app.clock.now)
        try await plan.create(on: app.db)
        let vip = Tag(organizationID: organization, name: "VIP", createdAt: app.clock.now)
        try await vip.create(on: app.db)
        for index in 0..<5 {
            let contact = Contact(
                organizationID: organization, waID: "3161000000\(index)", profileName: "Klant \(index)", now: app.clock.now.addingTimeInterval(Double(index)))
            try await contact.create(on: app.db)
            if index < 3 {
                try await ContactFieldValue(organizationID: organization, contactID: contact.id!, fieldID: plan.id!, value: .text("Gold")).create(on: app.db)
            }
            if index < 2 {
                try await ContactTag(organizationID: organization, contactID: contact.id!, tagID: vip.id!, createdAt: app.clock.now).create(on: app.db)
            }
        }
        return Setup(owner: owner, scope: TenantScope(organizationID: organization, database: app.db), gold: plan.id!, vip: vip.id!)
    }

    static func json(_ response: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The editor's live count is shared per organization and filter and kept for
    /// `CONTACT_COUNTS_MAX_AGE_MILLISECONDS`; another organization asking the same filter gets its own.
    @Test func liveCountsAreSharedPerOrganizationAndFilterForTheirMaxAge() async throws {
        try await TestApp.run(variables: ["CONTACT_COUNTS_MAX_AGE_MILLISECONDS": "60000"]) { app in
            let s = try await Self.setup(app)
            #expect(try await s.owner.get("/contacts/segments/count").body.string == #"{"count":5}"#)
            let organization = s.scope.organizationID
            try await Contact(organizationID: organization, waID: "31610000099", profileName: "Nieuw", now: app.clock.now).create(on: app.db)
            #expect(try await s.owner.get("/contacts/segments/count").body.string == #"{"count":5}"#, "the kept count, up to a minute old here")
            #expect(try await ContactCounts.exact(ContactFilter(), in: s.scope) == 6)
            #expect(try await s.owner.get("/contacts/segments/count?q=Nieuw").body.string == #"{"count":1}"#, "another filter is counted")

            // Another organization with the same (empty) filter: its own count, never ours.
            let mallory = try await app.signUp(name: "Mallory", organization: "Mallory BV", email: "mallory@example.com")
            #expect(try await mallory.get("/contacts/segments/count").body.string == #"{"count":0}"#)
            #expect(try await mallory.get("/contacts/segments/count?q=Nieuw").body.string == #"{"count":0}"#)
            #expect(try await mallory.get("/contacts/segments/count?tag=\(s.vip.uuidString)").status == .badRequest)
        }
    }

    @Test func createListReadUpdatePageAndDelete() async throws {
        try await TestApp.run { app in
            let s = try await Self.setup(app)
            let created = try await s.owner.api(
                .POST, "/api/v1/segments",
                json: #"{"name":"Gold","filter":{"fields":[{"field":"\#(s.gold.uuidString)","op":"equals","value":"gold"}]}}"#)
            #expect(created.status == .created, "\(created.body.string)")
            let body = try Self.json(created)
            #expect(body["count"] as? Int == 3)
            let id = try #require(body["id"] as? String)

            let list = try Self.json(try await s.owner.api(.GET, "/api/v1/segments"))
            let items = try #require(list["data"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["name"] as? String == "Gold" && items.first?["count"] as? Int == 3)

            // Narrowed to VIPs.
            let patched = try await s.owner.api(
                .PATCH, "/api/v1/segments/\(id)",
                json: #"{"filter":{"tag":["\#(s.vip.uuidString)"],"fields":[{"field":"\#(s.gold.uuidString)","op":"equals","value":"Gold"}]}}"#)
            #expect(patched.status == .ok, "\(patched.body.string)")
            #expect(try Self.json(patched)["count"] as? Int == 2)
            #expect(try Self.json(try await s.owner.api(.GET, "/api/v1/segments/\(id)"))["name"] as? String == "Gold")
            let stored = try #require(try await s.scope.find(Segment.self, UUID(uuidString: id)))
            #expect(try await stored.contactIDs(in: s.scope).count == 2)

            // Its contacts, a page at a time.
            let first = try Self.json(try await s.owner.api(.GET, "/api/v1/segments/\(id)/contacts?limit=1"))
            #expect((first["data"] as? [[String: Any]])?.first?["name"] as? String == "Klant 0")
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try Self.json(try await s.owner.api(.GET, "/api/v1/segments/\(id)/contacts?limit=1&cursor=\(cursor)"))
            #expect((second["data"] as? [[String: Any]])?.first?["name"] as? String == "Klant 1")
            #expect(second["next_cursor"] == nil || second["next_cursor"] is NSNull)

            // Names are unique in the organization; bad filters are refused with the API's error shape.
            let taken = try await s.owner.api(.POST, "/api/v1/segments", json: #"{"name":"Gold"}"#)
            #expect(taken.status == .conflict)
            #expect(try await s.owner.api(.POST, "/api/v1/segments", json: #"{"name":"GOLD"}"#).status == .conflict, "in any case")
            let bad = try await s.owner.api(.POST, "/api/v1/segments", json: #"{"name":"X","filter":{"marketing":"maybe"}}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("validation_failed"))
            #expect(try await s.owner.api(.POST, "/api/v1/segments", json: #"{"name":"  "}"#).status == .badRequest)

            #expect(try await s.owner.api(.DELETE, "/api/v1/segments/\(id)").status == .noContent)
            #expect(try await s.owner.api(.GET, "/api/v1/segments/\(id)").status == .notFound)
        }
    }

    @Test func theMigrationNumbersNamesThatDifferOnlyInCaseThenTheIndexRefusesThem() async throws {
        try await TestApp.run { app in
            let s = try await Self.setup(app)
            // As before the migration: names that differ only in case, in two organizations.
            try await app.db.sql.drop(index: "segments_organization_name_any_case").run()
            try await app.signUp(organization: "Bakkerij Bram", email: "bram@example.com")
            let bram = try await app.organization(named: "Bakkerij Bram").requireID()
            for (index, (organization, name)) in [
                (s.scope.organizationID, "VIP"), (s.scope.organizationID, "vip"), (s.scope.organizationID, "Vip"), (bram, "vip"),
            ].enumerated() {
                let segment = Segment(organizationID: organization, name: name, filter: ContactFilter(), now: app.clock.now + Double(index))
                try await segment.create(on: app.db)
            }
            try await IndexSegmentNamesInAnyCase().prepare(on: app.db)
            let names = try await Segment.query(on: app.db).sort(\.$createdAt).all().map(\.name)
            #expect(names == ["VIP", "vip (2)", "Vip (3)", "vip"], "the oldest keeps its name; another organization's is its own")
            let clash = Segment(organizationID: s.scope.organizationID, name: "vIP", filter: ContactFilter(), now: app.clock.now)
            await #expect(throws: (any Error).self) { try await clash.create(on: app.db) }
        }
    }

    @Test func anotherOrganizationsSegmentsFieldsAndTagsStayOutOfReach() async throws {
        try await TestApp.run { app in
            let s = try await Self.setup(app)
            let segment = Segment(organizationID: s.scope.organizationID, name: "VIP", filter: ContactFilter(tagIDs: [s.vip]), now: app.clock.now)
            try await segment.create(on: app.db)
            let mallory = try await app.signUp(name: "Mallory", organization: "Mallory BV", email: "mallory@example.com")
            let id = try segment.requireID()

            // Another tenant's segment: as if it did not exist.
            #expect(try await mallory.api(.GET, "/api/v1/segments/\(id)").status == .notFound)
            #expect(try await mallory.api(.GET, "/api/v1/segments/\(id)/contacts").status == .notFound)
            #expect(try await mallory.api(.PATCH, "/api/v1/segments/\(id)", json: #"{"name":"mine"}"#).status == .notFound)
            #expect(try await mallory.api(.DELETE, "/api/v1/segments/\(id)").status == .notFound)
            #expect(try await s.scope.find(Segment.self, id)?.name == "VIP")
            let list = try Self.json(try await mallory.api(.GET, "/api/v1/segments"))
            #expect((list["data"] as? [Any])?.isEmpty == true)

            // A filter naming another organization's field or tag is refused: no count of their contacts.
            let field = try await mallory.api(
                .POST, "/api/v1/segments", json: #"{"name":"Spy","filter":{"fields":[{"field":"\#(s.gold.uuidString)","op":"isSet"}]}}"#)
            #expect(field.status == .badRequest)
            #expect(!field.body.string.contains("\"count\""))
            let tag = try await mallory.api(.POST, "/api/v1/segments", json: #"{"name":"Spy","filter":{"tag":["\#(s.vip.uuidString)"]}}"#)
            #expect(tag.status == .badRequest)
            #expect(try await Segment.query(on: app.db).count() == 1)
            // The editor's live count: ours counts, theirs is refused.
            let live = try await s.owner.get("/contacts/segments/count?tag=\(s.vip.uuidString)")
            #expect(live.status == .ok && live.body.string.contains("\"count\":2"), "\(live.body.string)")
            #expect(try await mallory.get("/contacts/segments/count?tag=\(s.vip.uuidString)").status == .badRequest)
            #expect(try await mallory.get("/contacts/segments/count?field=\(s.gold.uuidString)&op=isSet&value=").status == .badRequest)

            // A viewer of the organization changes nothing; without the CSRF header nothing happens.
            let viewer = try await app.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            _ = try await app.addMember(email: "vera@example.com", to: s.scope.organizationID, role: .viewer)
            _ = try await viewer.post("/organizations/switch", ["organization_id": s.scope.organizationID.uuidString])
            #expect(try await viewer.api(.POST, "/api/v1/segments", json: #"{"name":"Mine"}"#).status == .forbidden)
            #expect(try await viewer.api(.PATCH, "/api/v1/segments/\(id)", json: #"{"name":"Mine"}"#).status == .forbidden)
            #expect(try await viewer.api(.DELETE, "/api/v1/segments/\(id)").status == .forbidden)
            #expect(try await s.owner.api(.DELETE, "/api/v1/segments/\(id)", csrfHeader: false).status == .forbidden)
            #expect(try await s.owner.api(.POST, "/api/v1/segments", json: #"{"name":"New"}"#, csrfHeader: false).status == .forbidden)
            #expect(try await Segment.query(on: app.db).count() == 1)
        }
    }
}
