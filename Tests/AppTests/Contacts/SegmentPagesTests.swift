@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The segment pages: list with live counts, the editor (new, edit, refused input kept), delete
/// with its confirm step; and the attacks beside them: another organization's segment is 404 on
/// every route, its tags and fields are refused, a viewer changes nothing, forms need CSRF, a
/// segment's name is escaped on every page.
@Suite struct SegmentPagesTests {
    typealias Setup = SegmentAPITests.Setup

    /// Posts a form whose names repeat (`tag`, `field`, `op`, `value`), with the page's CSRF token unless `csrf` is false.
    static func post(_ browser: Browser, _ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestingHTTPResponse {
        var fields = fields
        if csrf {
            if browser.csrfToken == nil { _ = try await browser.get("/account") }
            fields.append((CSRFProtection.formField, browser.csrfToken ?? ""))
        }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        let body = fields.map { "\(Browser.formEncode($0.0))=\(Browser.formEncode($0.1))" }.joined(separator: "&")
        return try await browser.send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// The form as a person leaves it: every control sent, blanks included.
    static func form(name: String, tags: [UUID] = [], marketing: String = "", after: String = "", condition: (UUID, String, String)? = nil)
        -> [(String, String)]
    {
        [("name", name), ("q", "")] + tags.map { ("tag", $0.uuidString) } + [
            ("marketing", marketing), ("inbound_after", after), ("inbound_before", ""), ("prefix", ""),
            ("field", condition?.0.uuidString ?? ""), ("op", condition?.1 ?? "equals"), ("value", condition?.2 ?? ""),
            ("field", ""), ("op", "equals"), ("value", ""),
        ]
    }

    static func segments(_ s: Setup) async throws -> [Segment] {
        try await s.scope.query(Segment.self).sort(\.$name).all()
    }

    @Test func createListEditAndDeleteASegment() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let empty = try await s.owner.get("/contacts/segments")
            #expect(empty.status == .ok)
            #expect(empty.body.string.contains("No segments yet") && empty.body.string.contains("href=\"/contacts/segments/new\""))
            let contactList = try await s.owner.get("/contacts").body.string
            #expect(contactList.contains("href=\"/contacts/segments\""), "the contact list links to the segments")

            let new = try await s.owner.get("/contacts/segments/new")
            #expect(new.status == .ok)
            #expect(new.body.string.contains(">5 contacts<"), "the count is rendered on load: \(new.body.string)")
            #expect(new.body.string.contains("src=\"/assets/segments.js\""))
            #expect(new.body.string.contains("<option value selected>Any</option>"), "\"any\" sends an empty value")

            let created = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "VIP", tags: [s.vip]))
            #expect(created.status == .seeOther, "\(created.body.string)")
            #expect(created.headers.first(name: .location) == "/contacts/segments?notice=saved")
            let segment = try #require(try await Self.segments(s).first)
            #expect(segment.name == "VIP" && segment.filter == ContactFilter(tagIDs: [s.vip]))
            let id = try segment.requireID()

            let list = try await s.owner.get("/contacts/segments?notice=saved").body.string
            #expect(list.contains("Segment saved."))
            #expect(list.contains(">VIP</a>") && list.contains("href=\"/contacts/segments/\(id)\""))
            #expect(list.contains("data-field=\"count\">2 contacts<"), "\(list)")
            #expect(list.contains("href=\"/contacts?tag=\(s.vip.uuidString)\""), "the segment's contacts in the list")
            #expect(list.contains("href=\"/contacts/segments/\(id)/delete\""))

            let editor = try await s.owner.get("/contacts/segments/\(id)")
            #expect(editor.status == .ok)
            #expect(editor.body.string.contains("value=\"\(s.vip.uuidString)\" checked"))
            #expect(editor.body.string.contains(">2 contacts<") && editor.body.string.contains("value=\"VIP\""))

            // Narrowed to the VIPs on plan Gold, renamed; then the tag dropped: the three on Gold.
            let edited = try await Self.post(
                s.owner, "/contacts/segments/\(id)", Self.form(name: "Gold VIP", tags: [s.vip], condition: (s.gold, "equals", "Gold")))
            #expect(edited.status == .seeOther, "\(edited.body.string)")
            var stored = try #require(try await s.scope.find(Segment.self, id))
            #expect(stored.name == "Gold VIP" && stored.filter.fields.count == 1 && stored.filter.tagIDs == [s.vip])
            #expect(try await stored.count(in: s.scope) == 2)
            _ = try await Self.post(s.owner, "/contacts/segments/\(id)", Self.form(name: "Gold", condition: (s.gold, "equals", "Gold")))
            stored = try #require(try await s.scope.find(Segment.self, id))
            #expect(stored.name == "Gold" && stored.filter.tagIDs.isEmpty)
            #expect(try await s.owner.get("/contacts/segments").body.string.contains("data-field=\"count\">3 contacts<"))
            #expect(try await Self.segments(s).count == 1, "editing changes the segment, adds none")

            // Delete: a confirm page, then the POST.
            let confirm = try await s.owner.get("/contacts/segments/\(id)/delete")
            #expect(confirm.status == .ok)
            #expect(confirm.body.string.contains("action=\"/contacts/segments/\(id)/delete\"") && confirm.body.string.contains("Gold"))
            #expect(try await Self.segments(s).count == 1, "the confirm page deletes nothing")
            let deleted = try await s.owner.post("/contacts/segments/\(id)/delete")
            #expect(deleted.status == .seeOther && deleted.headers.first(name: .location) == "/contacts/segments?notice=deleted")
            #expect(try await Self.segments(s).isEmpty)
            #expect(try await Contact.query(on: app.db).count() == 5, "deleting a segment deletes no contact")
            #expect(try await s.owner.get("/contacts/segments/\(id)").status == .notFound)
        }
    }

    @Test func refusedInputIsShownBackWithTheReason() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            var fields = Self.form(name: "   ", tags: [s.vip])
            fields[1] = ("q", "bakker <b>")
            let noName = try await Self.post(s.owner, "/contacts/segments/new", fields)
            #expect(noName.status == .unprocessableEntity)
            #expect(noName.body.string.contains("Give the segment a name of 1 to 100 characters."))
            #expect(noName.body.string.contains("value=\"bakker &lt;b&gt;\""), "the search is kept")
            #expect(noName.body.string.contains("value=\"\(s.vip.uuidString)\" checked"), "the tag is kept")

            let badDate = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "Recent", after: "2024-13-45"))
            #expect(badDate.status == .unprocessableEntity)
            #expect(badDate.body.string.contains("The filter is not valid") && badDate.body.string.contains("inbound_after is not a date"))
            #expect(badDate.body.string.contains("value=\"2024-13-45\"") && badDate.body.string.contains("value=\"Recent\""))
            #expect(badDate.body.string.contains("not counted: the filter is not valid"))

            let badValue = try await Self.post(
                s.owner, "/contacts/segments/new", Self.form(name: "Plan", condition: (s.gold, "greaterThan", "Platinum")))
            #expect(badValue.status == .unprocessableEntity)
            #expect(badValue.body.string.contains("value=\"Platinum\"") && badValue.body.string.contains("<option value=\"greaterThan\" selected>"))

            #expect(try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "VIP", tags: [s.vip])).status == .seeOther)
            let taken = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "VIP", marketing: "opted_in"))
            #expect(taken.status == .conflict)
            #expect(taken.body.string.contains("There is already a segment with this name."))
            #expect(taken.body.string.contains("<option value=\"opted_in\" selected>"))
            let otherCase = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "vip", marketing: "opted_in"))
            #expect(otherCase.status == .conflict, "names are unique in any case")
            let long = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: String(repeating: "x", count: 101)))
            #expect(long.status == .unprocessableEntity)
            #expect(try await Self.segments(s).map(\.name) == ["VIP"], "nothing refused was saved")

            // An edit refused keeps the segment as it was.
            let id = try #require(try await Self.segments(s).first?.id)
            #expect(try await Self.post(s.owner, "/contacts/segments/\(id)", Self.form(name: "")).status == .unprocessableEntity)
            #expect(try await s.scope.find(Segment.self, id)?.name == "VIP")
        }
    }

    @Test func countAgainShowsTheCountOfThePostedFilterAndSavesNothing() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let page = try await s.owner.get("/contacts/segments/new")
            let html = page.body.string
            let recount = try #require(html.range(of: "id=\"segment-recount\" name=\"recount\" value=\"1\""))
            let save = try #require(html.range(of: "class=\"button-primary\""))
            #expect(save.lowerBound < recount.lowerBound, "Save is the form's first button, so Enter in a field saves")
            // Two contacts are tagged VIP (of five): the page counts what was posted, unsaved.
            let counted = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "VIP", tags: [s.vip]) + [("recount", "1")])
            #expect(counted.status == .ok)
            #expect(counted.body.string.contains("data-count=\"2\""))
            #expect(counted.body.string.contains("value=\"VIP\""), "the name typed so far is kept")
            #expect(try await Self.segments(s).isEmpty, "counting saves nothing")

            // On a saved segment too: the saved filter stays as it was.
            #expect(try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "All")).status == .seeOther)
            let id = try #require(try await Self.segments(s).first?.id)
            let edited = try await Self.post(s.owner, "/contacts/segments/\(id)", Self.form(name: "All", tags: [s.vip]) + [("recount", "1")])
            #expect(edited.body.string.contains("data-count=\"2\""))
            #expect(try await s.scope.find(Segment.self, id)?.filter.tagIDs == [])
            // The button posts like the form: without the CSRF token it is refused.
            #expect(try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "X") + [("recount", "1")], csrf: false).status == .forbidden)
        }
    }

    @Test func anotherOrganizationsSegmentTagsAndFieldsAreOutOfReach() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let segment = Segment(organizationID: s.scope.organizationID, name: "VIP", filter: ContactFilter(tagIDs: [s.vip]), now: app.clock.now)
            try await segment.create(on: app.db)
            let id = try segment.requireID()
            let mallory = try await app.signUp(name: "Mallory", organization: "Mallory BV", email: "mallory@example.com")

            #expect(try await mallory.get("/contacts/segments/\(id)").status == .notFound)
            #expect(try await mallory.get("/contacts/segments/\(id)/delete").status == .notFound)
            #expect(try await Self.post(mallory, "/contacts/segments/\(id)", Self.form(name: "Mine")).status == .notFound)
            #expect(try await mallory.post("/contacts/segments/\(id)/delete").status == .notFound)
            let theirs = try await mallory.get("/contacts/segments").body.string
            #expect(theirs.contains("No segments yet") && !theirs.contains(id.uuidString))

            // A filter naming our tag or field is refused, and counts nothing of ours.
            let tag = try await Self.post(mallory, "/contacts/segments/new", Self.form(name: "Spy", tags: [s.vip]))
            #expect(tag.status == .unprocessableEntity)
            #expect(tag.body.string.contains("Unknown tag") && tag.body.string.contains("not counted"))
            #expect(!tag.body.string.contains(">VIP<") && !tag.body.string.contains("2 contacts"))
            let field = try await Self.post(mallory, "/contacts/segments/new", Self.form(name: "Spy", condition: (s.gold, "isSet", "")))
            #expect(field.status == .unprocessableEntity)
            #expect(field.body.string.contains("Unknown custom field") && !field.body.string.contains("3 contacts"))
            #expect(try await Segment.query(on: app.db).count() == 1)
            let ours = try #require(try await s.scope.find(Segment.self, id))
            #expect(ours.name == "VIP" && ours.filter == ContactFilter(tagIDs: [s.vip]))
        }
    }

    @Test func aViewerChangesNothingAndFormsNeedCSRF() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let segment = Segment(organizationID: s.scope.organizationID, name: "VIP", filter: ContactFilter(tagIDs: [s.vip]), now: app.clock.now)
            try await segment.create(on: app.db)
            let id = try segment.requireID()
            let viewer = try await app.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            _ = try await app.addMember(email: "vera@example.com", to: s.scope.organizationID, role: .viewer)
            _ = try await viewer.post("/organizations/switch", ["organization_id": s.scope.organizationID.uuidString])
            for path in ["/contacts/segments", "/contacts/segments/new", "/contacts/segments/\(id)", "/contacts/segments/\(id)/delete"] {
                #expect(try await viewer.get(path).status == .forbidden, "GET \(path)")
            }
            for path in ["/contacts/segments/new", "/contacts/segments/\(id)", "/contacts/segments/\(id)/delete"] {
                #expect(try await Self.post(viewer, path, Self.form(name: "Mine")).status == .forbidden, "POST \(path)")
            }
            #expect(try await viewer.get("/contacts").body.string.contains("href=\"/contacts/segments\"") == false)

            // Without the CSRF token, or with a forged one, the owner's forms do nothing.
            #expect(try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: "New"), csrf: false).status == .forbidden)
            #expect(try await Self.post(s.owner, "/contacts/segments/\(id)", Self.form(name: "Renamed"), csrf: false).status == .forbidden)
            #expect(try await s.owner.post("/contacts/segments/\(id)/delete", includeCSRF: false).status == .forbidden)
            #expect(try await s.owner.post("/contacts/segments/\(id)/delete", csrf: "forged").status == .forbidden)
            #expect(try await Self.segments(s).map(\.name) == ["VIP"])
        }
    }

    @Test func aSegmentsNameIsEscapedOnEveryPage() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let name = "<script>alert(1)</script>"
            #expect(try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: name, tags: [s.vip])).status == .seeOther)
            let id = try #require(try await Self.segments(s).first?.id)
            #expect(try await s.scope.find(Segment.self, id)?.name == name, "stored as typed")
            for path in ["/contacts/segments", "/contacts/segments/\(id)", "/contacts/segments/\(id)/delete"] {
                let html = try await s.owner.get(path).body.string
                #expect(!html.contains("<script>alert(1)"), "\(path)")
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
            // Refused with the name kept: still escaped.
            let taken = try await Self.post(s.owner, "/contacts/segments/new", Self.form(name: name))
            #expect(taken.status == .conflict && !taken.body.string.contains("<script>alert(1)"))
        }
    }

    @Test func theScriptIsServedAndTheNewPageStartsFromTheListsFilter() async throws {
        try await TestApp.run { app in
            let s = try await SegmentAPITests.setup(app)
            let script = try await s.owner.get("/assets/segments.js")
            #expect(script.status == .ok && script.headers.contentType?.description.contains("javascript") == true)
            #expect(script.body.string.contains("segment-count"))
            let list = try await s.owner.get("/contacts?tag=\(s.vip.uuidString)").body.string
            #expect(list.contains("href=\"/contacts/segments/new?tag=\(s.vip.uuidString)\""), "the filtered list offers to save it as a segment")
            #expect(!(try await s.owner.get("/contacts").body.string.contains("save-as-segment")), "no filter, nothing to save")
            let new = try await s.owner.get("/contacts/segments/new?tag=\(s.vip.uuidString)").body.string
            #expect(new.contains("value=\"\(s.vip.uuidString)\" checked") && new.contains(">2 contacts<"))
        }
    }
}
