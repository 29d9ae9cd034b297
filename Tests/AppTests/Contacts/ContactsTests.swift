@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The contact pages: list with filters and keyset pages, new/edit form, the contact page and its
/// forms (tags, consent, notes, delete), with the attacks beside them: another organization's
/// contact is 404 everywhere, a viewer reads but changes nothing, forms need CSRF, text is escaped,
/// conversations the agent may not see are not listed.
@Suite struct ContactsTests {
    static func contact(_ harness: WhatsAppHarness, _ waID: String, name: String? = nil, at offset: TimeInterval = 0) async throws -> Contact {
        let contact = Contact(organizationID: harness.organizationID, waID: waID, name: name, now: harness.clock.now.addingTimeInterval(offset))
        try await contact.create(on: harness.db)
        return contact
    }

    static func history(_ harness: WhatsAppHarness, _ id: UUID) async throws -> [ContactEventKind] {
        try await ContactHistory.lines(of: id, in: harness.scope).map(\.kind)
    }

    @Test func theListShowsContactsNewestFirstWithLinksAndKeysetPages() async throws {
        try await WhatsAppHarness.run { harness in
            for index in 0..<55 { _ = try await Self.contact(harness, "3161000\(String(format: "%04d", index))", name: "Person \(index)", at: Double(index)) }
            let page = try await harness.owner.get("/contacts")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(!html.contains("arrives in a later release"))
            #expect(html.contains("Person 54") && !html.contains("Person 4<"))
            #expect(html.range(of: "Person 54")!.lowerBound < html.range(of: "Person 53")!.lowerBound, "newest first")
            for link in ["/contacts/new", "/contacts/import", "/contacts/export.csv", "/contacts/segments"] { #expect(html.contains("href=\"\(link)")) }
            let next = try #require(html.firstMatch(of: /href="(\/contacts\?cursor=[^"]+)"/)?.1).replacingOccurrences(of: "&amp;", with: "&")
            // A contact added meanwhile does not shift the second page.
            _ = try await Self.contact(harness, "31699999999", name: "Newcomer", at: 100)
            let second = try await harness.owner.get(String(next)).body.string
            #expect(second.contains("Person 4<") && second.contains("Person 0<") && !second.contains("Person 5<") && !second.contains("Newcomer"))
        }
    }

    @Test func theListFiltersAndTheExportLinkCarriesTheFilter() async throws {
        try await WhatsAppHarness.run { harness in
            let anna = try await Self.contact(harness, "31611111111", name: "Anna")
            _ = try await Self.contact(harness, "32470000000", name: "Bert")
            _ = try await MarketingConsent.change(anna.id!, to: .optedIn, source: .agent, actor: nil, at: harness.clock.now, in: harness.scope)
            let byPrefix = try await harness.owner.get("/contacts?prefix=%2B32").body.string
            #expect(byPrefix.contains("Bert") && !byPrefix.contains(">Anna<"))
            let bySearch = try await harness.owner.get("/contacts?q=ann").body.string
            #expect(bySearch.contains(">Anna<") && !bySearch.contains(">Bert<"))
            let byConsent = try await harness.owner.get("/contacts?marketing=opted_in").body.string
            #expect(byConsent.contains(">Anna<") && !byConsent.contains(">Bert<"))
            #expect(byConsent.contains("href=\"/contacts/export.csv?marketing=opted_in\""))
            let bad = try await harness.owner.get("/contacts?marketing=maybe")
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("marketing must be one of"))
        }
    }

    @Test func newContactNormalizesTheNumberRefusesDuplicatesAndKeepsWhatWasTyped() async throws {
        try await WhatsAppHarness.run { harness in
            let field = ContactFieldDefinition(
                organizationID: harness.organizationID, key: "plan_size", label: "Seats", type: .number, position: 1, createdAt: harness.clock.now)
            try await field.create(on: harness.db)
            #expect(try await harness.owner.get("/contacts/new").status == .ok)
            let created = try await harness.owner.post(
                "/contacts/new", ["name": "Cas", "phone": "06 1234 5678", "email": "cas@example.com", "fields[\(field.id!)]": "12"])
            #expect(created.status == .seeOther)
            let contact = try #require(try await ContactDirectory.find(waID: "31612345678", in: harness.scope))
            #expect(contact.name == "Cas" && contact.email == "cas@example.com")
            #expect(try await ContactDirectory.fieldValues(of: [contact.id!], in: harness.scope)[contact.id!]?[field.id!] == .number(12))
            #expect(try await Self.history(harness, contact.id!) == [.created])

            let duplicate = try await harness.owner.post("/contacts/new", ["name": "Other", "phone": "+31 6 12345678"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.string.contains("href=\"/contacts/\(contact.id!)\""))
            #expect(duplicate.body.string.contains("value=\"Other\""), "the form keeps what was typed")

            let badPhone = try await harness.owner.post("/contacts/new", ["name": "Typo <b>", "phone": "12", "fields[\(field.id!)]": "many"])
            #expect(badPhone.status == .unprocessableEntity)
            #expect(badPhone.body.string.contains("That phone number is not valid"))
            #expect(badPhone.body.string.contains("value=\"Typo &lt;b&gt;\""))
            let badField = try await harness.owner.post("/contacts/new", ["phone": "0612345679", "fields[\(field.id!)]": "many"])
            #expect(badField.status == .unprocessableEntity)
            #expect(badField.body.string.contains("not a number"))
            #expect(badField.body.string.contains("value=\"many\""))

            // Edit: each change leaves a history line.
            let edited = try await harness.owner.post(
                "/contacts/\(contact.id!)/edit", ["name": "Cas B", "phone": "+31612345678", "email": "", "fields[\(field.id!)]": ""])
            #expect(edited.status == .seeOther)
            let reloaded = try #require(try await harness.scope.find(Contact.self, contact.id))
            #expect(reloaded.name == "Cas B" && reloaded.email == nil)
            #expect(try await Self.history(harness, contact.id!).sorted { $0.rawValue < $1.rawValue } == [.created, .fieldChanged, .updated])
            #expect(try await harness.owner.get("/contacts/\(contact.id!)/edit").status == .ok)
        }
    }

    @Test func theContactPageChangesTagsConsentAndNotesWithHistory() async throws {
        try await WhatsAppHarness.run { harness in
            let contact = try await Self.contact(harness, "31622222222", name: "<script>alert(1)</script>")
            let tag = Tag()
            tag.id = UUID()
            tag.organizationID = harness.organizationID
            tag.name = "VIP"
            tag.createdAt = harness.clock.now
            try await tag.create(on: harness.db)
            let path = "/contacts/\(contact.id!)"
            #expect(try await harness.owner.post("\(path)/tags", ["tag": tag.id!.uuidString, "action": "add"]).status == .seeOther)
            #expect(try await harness.owner.post("\(path)/consent", ["status": "opted_in"]).status == .seeOther)
            #expect(try await harness.owner.post("\(path)/notes", ["body": "Likes <script>x</script>"]).status == .seeOther)
            let page = try await harness.owner.get(path)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(!html.contains("<script>alert(1)") && !html.contains("<script>x"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("Likes &lt;script&gt;"))
            #expect(html.contains("VIP") && html.contains("Opted in") && html.contains("by a team member"))
            #expect(html.contains("action=\"\(path)/privacy-export\"") && html.contains("href=\"\(path)/erase\""))
            let reloaded = try #require(try await harness.scope.find(Contact.self, contact.id))
            #expect(reloaded.marketingStatus == .optedIn && reloaded.marketingSource == .agent)
            #expect(Set(try await Self.history(harness, contact.id!)) == [.tagged, .optedIn])
            #expect(try await harness.owner.post("\(path)/tags", ["tag": tag.id!.uuidString, "action": "remove"]).status == .seeOther)
            #expect(try await Self.history(harness, contact.id!).first == .untagged)
            let list = try await harness.owner.get("/contacts").body.string
            #expect(!list.contains("<script>alert(1)"))
            #expect(try await harness.owner.post("\(path)/delete").status == .seeOther)
            #expect(try await harness.scope.find(Contact.self, contact.id) == nil)
        }
    }

    @Test func anotherOrganizationsContactIsNotFoundOnEveryRoute() async throws {
        try await WhatsAppHarness.run { harness in
            let ours = try await Self.contact(harness, "31633333333", name: "Ours")
            let stranger = try await harness.test.signUp(name: "Eve", organization: "Theirs", email: "eve@theirs.example")
            let path = "/contacts/\(ours.id!)"
            #expect(try await stranger.get(path).status == .notFound)
            #expect(try await stranger.get("\(path)/edit").status == .notFound)
            for (suffix, fields) in [
                ("/edit", ["name": "Stolen", "phone": "+31633333333"]), ("/notes", ["body": "hi"]), ("/tags", ["tag": UUID().uuidString, "action": "add"]),
                ("/consent", ["status": "opted_out"]), ("/merge", ["duplicate": UUID().uuidString]), ("/delete", [:]),
            ] {
                #expect(try await stranger.post(path + suffix, fields).status == .notFound, "\(suffix)")
            }
            let theirs = try await stranger.get("/contacts").body.string
            #expect(!theirs.contains("Ours"))
            let reloaded = try #require(try await harness.scope.find(Contact.self, ours.id))
            #expect(reloaded.name == "Ours" && reloaded.marketingStatus == .unknown)
        }
    }

    @Test func aViewerReadsButChangesNothingAndFormsNeedCSRF() async throws {
        try await WhatsAppHarness.run { harness in
            let contact = try await Self.contact(harness, "31644444444", name: "Dora")
            let viewer = try await harness.colleague("Vera Viewer", role: .viewer)
            let path = "/contacts/\(contact.id!)"
            #expect(try await viewer.browser.get("/contacts").status == .ok)
            let page = try await viewer.browser.get(path)
            #expect(page.status == .ok && !page.body.string.contains("action=\"\(path)/delete\""))
            #expect(try await viewer.browser.get("/contacts/new").status == .forbidden)
            #expect(try await viewer.browser.post("/contacts/new", ["phone": "0611111112"]).status == .forbidden)
            for suffix in ["/edit", "/notes", "/tags", "/consent", "/merge", "/delete"] {
                #expect(try await viewer.browser.post(path + suffix, ["body": "x", "status": "opted_in"]).status == .forbidden, "\(suffix)")
            }
            #expect(try await harness.owner.post("\(path)/consent", ["status": "opted_in"], includeCSRF: false).status == .forbidden)
            #expect(try await harness.owner.post("\(path)/delete", csrf: "forged").status == .forbidden)
            #expect(try await harness.scope.find(Contact.self, contact.id)?.marketingStatus == .unknown)
        }
    }

    @Test func conversationsTheAgentMayNotSeeAreNotListed() async throws {
        try await WhatsAppHarness.run { harness in
            let agent = try await harness.colleague("Tess Team")
            _ = try await harness.owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":false}"#)
            let hidden = try await harness.conversation(of: "31600000601", name: "Hidden Customer")
            let contactID = hidden.$contact.id
            let ownerPage = try await harness.owner.get("/contacts/\(contactID)").body.string
            #expect(ownerPage.contains("/inbox/\(hidden.id!)"))
            let agentPage = try await agent.browser.get("/contacts/\(contactID)")
            #expect(agentPage.status == .ok)
            #expect(!agentPage.body.string.contains("/inbox/\(hidden.id!)"))
            hidden.$assignee.id = agent.id
            try await hidden.save(on: harness.db)
            #expect(try await agent.browser.get("/contacts/\(contactID)").body.string.contains("/inbox/\(hidden.id!)"))
        }
    }

    @Test func theListQueryUsesTheOrganizationCreatedIndex() async throws {
        try await WhatsAppHarness.run { harness in
            for index in 0..<200 { _ = try await Self.contact(harness, "3165000\(String(format: "%04d", index))", at: Double(index)) }
            let condition = try ContactFilter().sqlCondition(organization: harness.organizationID, fields: [])
            let query = ContactList.query(
                condition, organization: harness.organizationID, after: KeysetCursor(createdAt: harness.clock.now.addingTimeInterval(100), id: UUID()),
                limit: 51)
            let sql = harness.db as! any SQLDatabase
            let plan: String
            if sql.dialect.name == "postgresql" {
                // 200 contacts let the planner sort them as cheaply as it reads the index in order (a run of
                // this test saw it choose the sort): give it an organization of the size the index is for.
                try await sql.raw(
                    """
                    INSERT INTO contacts (id, organization_id, wa_id, name, marketing_status, created_at, updated_at)
                    SELECT gen_random_uuid(), \(bind: harness.organizationID), '3167' || lpad(g::text, 7, '0'), 'Person ' || g, 'unknown',
                           now() - g * interval '1 second', now()
                    FROM generate_series(1, 20000) AS g
                    """
                ).run()
                plan = try await harness.db.transaction { transaction in
                    let sql = transaction as! any SQLDatabase
                    try await sql.raw("ANALYZE contacts").run()
                    try await sql.raw("SET LOCAL enable_seqscan = off").run()
                    return try await sql.raw("EXPLAIN \(query)").all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
                }
            } else {
                plan = try await sql.raw("EXPLAIN QUERY PLAN \(query)").all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            #expect(plan.contains("contacts_organization_created"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE") && !plan.contains("Sort"), "no sort step: \(plan)")
        }
    }

    @Test func aSearchAndACountFindTheSameContactsOnBothDatabasesAndUseTheirIndexesOnPostgreSQL() async throws {
        try await WhatsAppHarness.run { harness in
            for index in 0..<200 {
                _ = try await Self.contact(harness, "3166000\(String(format: "%04d", index))", name: "Contact \(index)", at: Double(index))
            }
            let erased = try await Self.contact(harness, "31669999999", name: "Contact 12 erased", at: 300)
            erased.erasedAt = harness.clock.now
            try await erased.save(on: harness.db)
            let search = ContactFilter(search: "contact 12")
            // "Contact 12" and "Contact 120" to "Contact 129"; never the erased one.
            #expect(try await ContactCounts.exact(search, in: harness.scope) == 11)
            #expect(try await ContactCounts.exact(ContactFilter(), in: harness.scope) == 200)

            let sql = harness.db as! any SQLDatabase
            guard sql.dialect.name == "postgresql" else { return }
            let searchCondition = try search.sqlCondition(organization: harness.organizationID, fields: [])
            let allCondition = try ContactFilter().sqlCondition(organization: harness.organizationID, fields: [])
            let prefixCondition = try ContactFilter(phonePrefix: "+3166").sqlCondition(organization: harness.organizationID, fields: [])
            // Enough contacts that reading them all costs the planner more than an index, and a
            // vacuum so the count can answer from the index alone.
            try await sql.raw(
                """
                INSERT INTO contacts (id, organization_id, wa_id, name, marketing_status, created_at, updated_at)
                SELECT gen_random_uuid(), \(bind: harness.organizationID), '3167' || lpad(g::text, 7, '0'), 'Person ' || g, 'unknown', now(), now()
                FROM generate_series(1, 20000) AS g
                """
            ).run()
            try await sql.raw("VACUUM ANALYZE contacts").run()
            let plans = try await harness.db.transaction { transaction in
                let sql = transaction as! any SQLDatabase
                try await sql.raw("SET LOCAL enable_seqscan = off").run()
                var plans: [String] = []
                for query: SQLQueryString in [
                    ContactList.query(searchCondition, organization: harness.organizationID, after: nil, limit: 51, plan: .matchesFirst),
                    ContactList.query(searchCondition, organization: harness.organizationID, after: nil, limit: 51, plan: .matchesUpTo(2_000)),
                    "SELECT COUNT(*) AS n FROM contacts WHERE \(allCondition)", "SELECT COUNT(*) AS n FROM contacts WHERE \(prefixCondition)",
                ] {
                    plans.append(
                        try await sql.raw("EXPLAIN \(query)").all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n"))
                }
                return plans
            }
            #expect(plans[0].contains("contacts_name_trigrams"), "\(plans[0])")
            #expect(plans[1].contains("contacts_name_trigrams"), "\(plans[1])")
            #expect(plans[2].contains("Index Only Scan using contacts_live_marketing"), "\(plans[2])")
            #expect(plans[3].contains("Index Only Scan using contacts_live_phone"), "\(plans[3])")
            #expect(try await ContactCounts.exact(ContactFilter(phonePrefix: "+3166"), in: harness.scope) == 200)
        }
    }

    /// Every search reads a GIN index's pending list whole: 20,000 new contacts leave at most the
    /// 256 kB limit of it (32 pages) in each search index, not the 4 MB of PostgreSQL's default
    /// (`LimitContactSearchPendingLists`).
    @Test func theSearchIndexesKeepTheirPendingListsShortOnPostgreSQL() async throws {
        try await WhatsAppHarness.run { harness in
            let sql = harness.db as! any SQLDatabase
            guard sql.dialect.name == "postgresql" else { return }
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pgstattuple").run()
            try await sql.raw(
                """
                INSERT INTO contacts (id, organization_id, wa_id, name, profile_name, email, marketing_status, created_at, updated_at)
                SELECT gen_random_uuid(), \(bind: harness.organizationID), '3167' || lpad(g::text, 7, '0'), 'Contact ' || g,
                       'Profile ' || g, 'c' || g || '@example.com', 'unknown', now(), now()
                FROM generate_series(1, 20000) AS g
                """
            ).run()
            for index in LimitContactSearchPendingLists.indexes {
                let pages = try await sql.raw("SELECT pending_pages FROM pgstatginindex(\(bind: index)::regclass)").first()?
                    .decode(column: "pending_pages", as: Int.self)
                #expect(pages.map { $0 <= 32 } == true, "\(index): \(pages.map(String.init) ?? "no such index") pending pages")
            }
        }
    }

    /// A filtered page looks among the newest contacts first and asks the filter's indexes when
    /// that window holds less than a page; a search asks the index first for at most a window of
    /// matches (`ContactList`): whichever way, every page is the same.
    @Test func aFilteredListIsTheSameWhicheverWayItsMatchesAreFound() async throws {
        try await WhatsAppHarness.run { harness in
            // Every fourth contact opted in, old and new.
            func contact(_ waID: String, _ name: String, at offset: Double, _ index: Int) async throws {
                let contact = try await Self.contact(harness, waID, name: name, at: offset)
                if index % 4 == 1 {
                    contact.marketingStatus = .optedIn
                    try await contact.save(on: harness.db)
                }
            }
            for index in 0..<10 { try await contact("3168000\(String(format: "%04d", index))", "Old \(index)", at: Double(index), index) }
            for index in 0..<20 { try await contact("3169000\(String(format: "%04d", index))", "New \(index)", at: Double(100 + index), index) }
            func everyPage(_ filter: ContactFilter, window: Int) async throws -> [String] {
                var names: [String] = []
                var cursor: KeysetCursor?
                repeat {
                    let page = try await ContactList.page(filter, after: cursor, limit: 4, window: window, in: harness.scope)
                    #expect(page.rows.count == 4 || page.next == nil)
                    names += page.rows.map(\.name)
                    cursor = page.next
                } while cursor != nil
                return names
            }
            let new = (0..<20).reversed().map { "New \($0)" }, old = (0..<10).reversed().map { "Old \($0)" }
            let expected: [(ContactFilter, [String])] = [
                (ContactFilter(), new + old),
                // Only old ones match: the window of 6 holds none of them.
                (ContactFilter(search: "old"), old),
                (ContactFilter(search: "new"), new),
                // Matches on both sides of the window's edge.
                (ContactFilter(marketing: .optedIn), ["New 17", "New 13", "New 9", "New 5", "New 1", "Old 9", "Old 5", "Old 1"]),
                (ContactFilter(phonePrefix: "+3168000000"), old),
                (ContactFilter(search: "nobody"), []),
            ]
            for (filter, names) in expected {
                #expect(try await everyPage(filter, window: 6) == names, "\(filter)")
                #expect(try await everyPage(filter, window: 1) == names, "\(filter)")
                #expect(try await everyPage(filter, window: 1_000) == names, "\(filter)")
            }
        }
    }
}
