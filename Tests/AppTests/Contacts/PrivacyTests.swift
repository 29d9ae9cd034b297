@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import ZIPFoundation

/// The GDPR export and erasure of one contact: the ZIP holds exactly the contact's data (media byte
/// for byte, no path from a sender's file name); erasure leaves nothing with the contact's words,
/// name or number in any table or in the object store, keeps the audit line, spares every other
/// contact, and finishes after a crash midway.
@Suite struct PrivacyTests {
    static let number = "31699887701"
    static let name = "Zorraquin Quintessa"
    static let words = "xylophonequark bestelling"
    static let pdf = Data("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8) + Data(repeating: 0x51, count: 3000)

    struct Seeded {
        var contact: Contact
        var conversation: Conversation
        var media: Message
    }

    /// A customer who wrote text and a document (with a hostile file name), an answer, a contact
    /// note, a conversation note, a custom field, a tag and an email; and another customer.
    static func seed(_ harness: WhatsAppHarness) async throws -> Seeded {
        let conversation = try await harness.conversation(of: number, name: name, saying: words)
        harness.clock.advance(by: 60)
        let wamid = try await harness.customer(number, name: name).send(.document(pdf, mimeType: "application/pdf", filename: "../../etc/passwd<x>.pdf"))
        _ = try await harness.stored(wamid)
        try await harness.eventually("media stored") { try await harness.message(wamid: wamid)?.mediaState == .stored }
        let media = try #require(try await harness.message(wamid: wamid))
        harness.clock.advance(by: 60)
        let sent = try await harness.owner.api(
            .POST, "/api/v1/conversations/\(conversation.id!)/messages", json: #"{"type":"text","text":"Antwoord voor xylophonequark"}"#)
        #expect(sent.status == .accepted || sent.status == .created, "\(sent.status) \(sent.body.string)")
        _ = try await harness.runJobsUntilIdle()
        _ = try await harness.conversation(of: "31699887702", name: "Other Person", saying: "otherwords stay")

        let scope = harness.scope
        let contact = try #require(try await scope.query(Contact.self).filter(\.$waID == number).first())
        contact.email = "zorraquin@example.com"
        try await contact.save(on: harness.db)
        let field = ContactFieldDefinition(
            organizationID: harness.organizationID, key: "shoe_size", label: "Shoe size", type: .text, position: 0, createdAt: harness.clock.now)
        try await field.create(on: harness.db)
        try await ContactFieldValue(organizationID: harness.organizationID, contactID: contact.id!, fieldID: field.id!, value: .text("fieldquark 44")).create(
            on: harness.db)
        try await scope.sql { organization in
            """
            INSERT INTO contact_notes (id, organization_id, contact_id, author_name, body, created_at)
            VALUES (\(bind: UUID()), \(bind: organization), \(bind: contact.id!), 'Anna', 'notequark prefers mornings', \(bind: harness.clock.now))
            """
        }.run()
        try await scope.sql { organization in
            """
            INSERT INTO notes (id, organization_id, conversation_id, author_name, body, created_at)
            VALUES (\(bind: UUID()), \(bind: organization), \(bind: conversation.id!), 'Anna', 'convquark called back', \(bind: harness.clock.now))
            """
        }.run()
        let tagID = UUID()
        try await scope.sql { organization in
            "INSERT INTO tags (id, organization_id, name, created_at) VALUES (\(bind: tagID), \(bind: organization), 'VIP', \(bind: harness.clock.now))"
        }.run()
        try await ContactTag(organizationID: harness.organizationID, contactID: contact.id!, tagID: tagID, createdAt: harness.clock.now).create(on: harness.db)
        try await ContactHistory.record(.fieldChanged, contactID: contact.id!, detail: "shoe_size", actor: "Anna de Vries", at: harness.clock.now, in: scope)
        try await seedCampaign(harness, to: contact)
        return Seeded(contact: contact, conversation: conversation, media: media)
    }

    /// A campaign message to the contact (its name and a word filled in), and one to the other customer.
    static func seedCampaign(_ harness: WhatsAppHarness, to contact: Contact) async throws {
        let campaign = Campaign()
        campaign.organizationID = harness.organizationID
        campaign.name = "Voorjaarsactie"
        campaign.connectionID = harness.connectionID
        campaign.templateName = "spring_sale"
        campaign.templateLanguage = "nl"
        campaign.templateCategory = "MARKETING"
        campaign.messageJSON = "{}"
        campaign.audienceJSON = "{}"
        campaign.status = .finished
        campaign.createdAt = harness.clock.now
        campaign.updatedAt = harness.clock.now
        try await campaign.create(on: harness.db)
        let other = try #require(try await harness.scope.query(Contact.self).filter(\.$waID == "31699887702").first())
        for (position, recipient) in [contact, other].enumerated() {
            let row = CampaignRecipient()
            row.organizationID = harness.organizationID
            row.campaignID = campaign.id!
            row.contactID = recipient.id!
            row.position = position + 1
            row.waID = recipient.waID
            let words = position == 0 ? [Self.name, "campaignquark"] : ["Other Person", "othercampaign"]
            row.draftJSON = Campaign.json(OutboundDraft.TemplateDraft(name: "spring_sale", language: "nl", parameters: words))
            row.status = .delivered
            row.attempts = 0
            row.sentAt = harness.clock.now
            row.statusAt = harness.clock.now
            try await row.create(on: harness.db)
        }
    }

    static func unzip(_ data: Data) throws -> [String: Data] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("privacy-test-\(UUID().uuidString).zip")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            files[entry.path] = bytes
        }
        return files
    }

    static func json(_ data: Data?) throws -> Any {
        try JSONSerialization.jsonObject(with: try #require(data))
    }

    @Test func theExportHoldsExactlyTheContactsDataWithItsMediaByteForByte() async throws {
        try await WhatsAppHarness.run { harness in
            let seeded = try await Self.seed(harness)
            let id = seeded.contact.id!
            let response = try await harness.owner.post("/contacts/\(id)/privacy-export")
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType) == "application/zip")
            #expect(response.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"contact-\(id.uuidString.lowercased())-") == true)
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let files = try Self.unzip(Data(buffer: response.body))
            let mediaPath = ContactPrivacyExport.mediaPath(messageID: seeded.media.id!, filename: seeded.media.mediaFilename)
            #expect(mediaPath == "media/\(seeded.media.id!.uuidString.lowercased())-etcpasswdx.pdf")
            #expect(Set(files.keys) == ["README.txt", "contact.json", "messages.json", "history.json", "notes.json", "campaigns.json", mediaPath])
            #expect(files.keys.allSatisfy { !$0.contains("..") && !$0.hasPrefix("/") })
            #expect(files[mediaPath] == Self.pdf)
            #expect(String(decoding: files["README.txt"]!, as: UTF8.self).contains("GDPR article 15"))

            let contact = try #require(try Self.json(files["contact.json"]) as? [String: Any])
            #expect(contact["phone_number"] as? String == "+" + Self.number)
            #expect(contact["profile_name"] as? String == Self.name)
            #expect(contact["email"] as? String == "zorraquin@example.com")
            #expect(contact["tags"] as? [String] == ["VIP"])
            let fields = try #require(contact["fields"] as? [[String: String]])
            #expect(fields == [["key": "shoe_size", "label": "Shoe size", "type": "text", "value": "fieldquark 44"]])
            #expect((contact["marketing"] as? [String: Any])?["status"] as? String == "unknown")

            let messages = try #require(try Self.json(files["messages.json"]) as? [[String: Any]])
            #expect(messages.count == 3)
            #expect(messages.map { $0["direction"] as? String } == ["inbound", "inbound", "outbound"])
            #expect(messages[0]["text"] as? String == Self.words)
            #expect(messages[2]["text"] as? String == "Antwoord voor xylophonequark")
            #expect(messages.allSatisfy { $0["status"] is String && $0["sent_at"] is String })
            #expect((messages[1]["media"] as? [String: Any])?["file"] as? String == mediaPath)
            #expect(!String(decoding: files["messages.json"]!, as: UTF8.self).contains("otherwords"), "another contact's messages are not in it")

            let notes = try #require(try Self.json(files["notes.json"]) as? [String: [[String: Any]]])
            #expect(notes["contact_notes"]?.map { $0["text"] as? String } == ["notequark prefers mornings"])
            #expect(notes["conversation_notes"]?.map { $0["text"] as? String } == ["convquark called back"])
            let history = try #require(try Self.json(files["history.json"]) as? [[String: Any]])
            #expect(history.contains { $0["kind"] as? String == "field_changed" })
            let campaigns = try #require(try Self.json(files["campaigns.json"]) as? [[String: Any]])
            #expect(campaigns.count == 1, "only this contact's campaign messages")
            #expect(campaigns.first?["campaign"] as? String == "Voorjaarsactie" && campaigns.first?["status"] as? String == "delivered")
            #expect(campaigns.first?["phone_number"] as? String == "+" + Self.number)
            #expect((campaigns.first?["message"] as? [String: Any])?["parameters"] as? [String] == [Self.name, "campaignquark"])

            // The export itself is recorded, with who did it.
            let lines = try await ContactHistory.lines(of: id, in: harness.scope)
            #expect(lines.first?.kind == .exported && lines.first?.actor == "Anna de Vries")

            // The API answers the same archive; the README follows the requester's language.
            let api = try await harness.owner.api(.GET, "/api/v1/contacts/\(id)/privacy-export")
            #expect(api.status == .ok)
            #expect(try Self.unzip(Data(buffer: api.body))[mediaPath] == Self.pdf)
            _ = try await harness.owner.post("/language", ["language": "nl"])
            let dutch = try Self.unzip(Data(buffer: try await harness.owner.post("/contacts/\(id)/privacy-export").body))
            #expect(String(decoding: try #require(dutch["README.txt"]), as: UTF8.self).contains("AVG artikel 15"))
            // No temporary archive is left behind. Other tests export side by side in the same
            // temporary directory, so theirs may be there for a moment; a left-over stays for good.
            var left: [String] = []
            for _ in 0..<100 {
                left = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter {
                    $0.hasPrefix("adsapp-privacy-")
                }
                if left.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(left.isEmpty, "\(left)")
        }
    }

    /// Every `table.column` whose text contains one of `markers` (case-insensitive), as
    /// "table.column: marker". One query per table asks about all its columns and markers at once;
    /// only a table that has one is asked column by column.
    static func columnsContaining(_ markers: [String], _ database: any Database) async throws -> [String] {
        let sql = database.sql
        let postgres = sql.dialect.name == "postgresql"
        var tables: [String: [(name: String, text: SQLQueryString)]] = [:]
        if postgres {
            let columns = try await sql.raw(
                """
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type NOT IN ('ARRAY')
                """
            ).all()
            for column in columns {
                let name = try column.decode(column: "column_name", as: String.self)
                let type = try column.decode(column: "data_type", as: String.self)
                let text: SQLQueryString = type == "bytea" ? "encode(\(ident: name), 'escape')" : "CAST(\(ident: name) AS TEXT)"
                tables[try column.decode(column: "table_name", as: String.self), default: []].append((name, text))
            }
        } else {
            for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all().map({ try $0.decode(column: "name", as: String.self) })
            {
                tables[table] = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all().map {
                    let name = try $0.decode(column: "name", as: String.self)
                    return (name, "CAST(\(ident: name) AS TEXT)")
                }
            }
        }
        func contains(_ table: String, _ columns: [(name: String, text: SQLQueryString)], _ markers: [String]) async throws -> Bool {
            let like: SQLQueryString = postgres ? "ILIKE" : "LIKE"
            let conditions = columns.flatMap { column in markers.map { "\(column.text) \(like) \(bind: "%" + $0 + "%")" as SQLQueryString } }
            let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(conditions.joined(separator: " OR "))").first()
            return try row?.decode(column: "n", as: Int.self) ?? 0 > 0
        }
        var found: [String] = []
        for (table, columns) in tables.sorted(by: { $0.key < $1.key }) where try await contains(table, columns, markers) {
            for column in columns {
                for marker in markers where try await contains(table, [column], [marker]) {
                    found.append("\(table).\(column.name): \(marker)")
                }
            }
        }
        return found
    }

    static let markers = [number, "Zorraquin", "xylophonequark", "notequark", "convquark", "fieldquark", "campaignquark", "zorraquin@example.com"]

    static func expectErased(_ harness: WhatsAppHarness, _ seeded: Seeded) async throws {
        let found = try await columnsContaining(markers, harness.db)
        #expect(found.isEmpty, "left behind: \(found)")
        let stub = try #require(try await harness.scope.find(Contact.self, seeded.contact.id))
        #expect(stub.erasedAt != nil && stub.waID == nil && stub.name == nil && stub.profileName == nil && stub.email == nil && stub.userID == nil)
        let lines = try await ContactHistory.lines(of: seeded.contact.id!, in: harness.scope)
        #expect(lines.map(\.kind) == [.erased])
        #expect(lines.first?.actor == "Anna de Vries" && lines.first?.detail == nil)
        let store = harness.app.whatsApp.media
        await #expect(throws: (any Error).self) { try await store.get(seeded.media.mediaObjectKey!) }
        // Other contacts keep everything.
        #expect(try await columnsContaining(["otherwords"], harness.db).contains("messages.body: otherwords"))
        #expect(try await columnsContaining(["othercampaign"], harness.db).contains { $0.hasPrefix("campaign_recipients.draft") })
        let other = try #require(try await harness.scope.query(Contact.self).filter(\.$waID == "31699887702").first())
        #expect(other.profileName == "Other Person" && other.erasedAt == nil)
        // Gone from lists; a new message from the same number makes a fresh contact.
        let filter = ContactFilter()
        #expect(try await ContactCounts.exact(filter, in: harness.scope) == 1)
        _ = try await harness.stored(try await harness.customer(number, name: "Back Again").sendText("hello again"))
        let fresh = try #require(try await harness.scope.query(Contact.self).filter(\.$waID == number).first())
        #expect(fresh.id != seeded.contact.id && fresh.erasedAt == nil)
    }

    @Test func erasureFromTheContactPageRemovesEverythingButTheAuditLine() async throws {
        try await WhatsAppHarness.run { harness in
            let seeded = try await Self.seed(harness)
            let id = seeded.contact.id!
            let confirm = try await harness.owner.get("/contacts/\(id)/erase")
            #expect(confirm.status == .ok)
            #expect(confirm.body.string.contains("3 messages in 1 conversations"))
            let response = try await harness.owner.post("/contacts/\(id)/erase", ["confirm": "yes"])
            #expect(response.status == .seeOther)
            let location = try #require(response.headers.first(name: .location))
            #expect(location.hasPrefix("/jobs/"))
            _ = try await harness.runJobsUntilIdle()
            let page = try await harness.owner.get(location)
            #expect(page.status == .ok)
            #expect(page.body.string.contains(#"value="100""#), "the job page shows the finished progress")
            try await Self.expectErased(harness, seeded)
            // The erased contact is gone for its pages: 404, not its stub.
            #expect(try await harness.owner.get("/contacts/\(id)/erase").status == .notFound)
            #expect(try await harness.owner.post("/contacts/\(id)/privacy-export").status == .notFound)
        }
    }

    @Test func anErasureStoppedMidwayIsFinishedByTheNextRunThroughTheAPI() async throws {
        try await WhatsAppHarness.run { harness in
            let seeded = try await Self.seed(harness)
            let id = seeded.contact.id!
            await #expect(throws: ContactErasure.SimulatedCrash.self) {
                try await ContactErasure.erase(
                    contactID: id, actor: "Anna de Vries", at: harness.clock.now, in: harness.scope, media: harness.app.whatsApp.media,
                    tuning: .init(batchSize: 1, failAfterBatches: 2))
            }
            let left = try await harness.scope.sql { organization in
                "SELECT COUNT(*) AS n FROM messages WHERE organization_id = \(bind: organization) AND conversation_id = \(bind: seeded.conversation.id!)"
            }.first()?.decode(column: "n", as: Int.self)
            #expect(left == 1, "two batches of one were committed before the crash")
            #expect(try await harness.scope.find(Contact.self, id)?.waID == Self.number, "the stub is written last")

            let response = try await harness.owner.api(.POST, "/api/v1/contacts/\(id)/erasure")
            #expect(response.status == .accepted)
            let body = try response.content.decode(ContactPrivacyController.ErasureBody.self)
            _ = try await harness.runJobsUntilIdle()
            let job = try await harness.owner.api(.GET, "/api/v1/jobs/\(body.job_id)")
            #expect(job.body.string.contains(#""state":"succeeded""#), "\(job.body.string)")
            #expect(job.body.string.contains(#""progress":1"#))
            try await Self.expectErased(harness, seeded)
            // Running it once more does nothing wrong.
            try await ContactErasure.erase(contactID: id, actor: "x", at: harness.clock.now, in: harness.scope, media: harness.app.whatsApp.media)
            #expect(try await ContactHistory.lines(of: id, in: harness.scope).map(\.actor) == ["Anna de Vries"])
        }
    }

    @Test func attacksAnotherTenantsContactRolesCSRFAndScript() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31699887703", name: "<script>alert(1)</script>", saying: "hi")
            let contactID = conversation.$contact.id
            // Another organization's owner: 404 everywhere, nothing queued.
            let mallory = try await harness.test.signUp(name: "Mallory", organization: "Mallory BV", email: "mallory@example.com")
            #expect(try await mallory.post("/contacts/\(contactID)/privacy-export").status == .notFound)
            #expect(try await mallory.get("/contacts/\(contactID)/erase").status == .notFound)
            #expect(try await mallory.post("/contacts/\(contactID)/erase").status == .notFound)
            #expect(try await mallory.api(.GET, "/api/v1/contacts/\(contactID)/privacy-export").status == .notFound)
            #expect(try await mallory.api(.POST, "/api/v1/contacts/\(contactID)/erasure").status == .notFound)
            #expect(try await mallory.post("/contacts/not-a-uuid/erase").status == .notFound)

            // A viewer exports and erases nothing; an agent exports (a customer may ask any agent) but cannot erase.
            let viewer = try await harness.test.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            _ = try await harness.test.addMember(email: "vera@example.com", to: harness.organizationID, role: .viewer)
            _ = try await viewer.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
            #expect(try await viewer.post("/contacts/\(contactID)/privacy-export").status == .forbidden)
            #expect(try await viewer.post("/contacts/\(contactID)/erase").status == .forbidden)
            #expect(try await viewer.api(.POST, "/api/v1/contacts/\(contactID)/erasure").status == .forbidden)
            let agent = try await harness.test.signUp(name: "Aad", organization: "Aad BV", email: "aad@example.com")
            _ = try await harness.test.addMember(email: "aad@example.com", to: harness.organizationID, role: .agent)
            _ = try await agent.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
            #expect(try await agent.post("/contacts/\(contactID)/privacy-export").status == .ok)
            #expect(try await agent.get("/contacts/\(contactID)/erase").status == .forbidden)
            #expect(try await agent.post("/contacts/\(contactID)/erase").status == .forbidden)
            #expect(try await agent.api(.POST, "/api/v1/contacts/\(contactID)/erasure").status == .forbidden)

            // Without the CSRF token nothing happens.
            #expect(try await harness.owner.post("/contacts/\(contactID)/erase", includeCSRF: false).status == .forbidden)
            #expect(try await harness.owner.post("/contacts/\(contactID)/privacy-export", includeCSRF: false).status == .forbidden)
            #expect(try await harness.owner.api(.POST, "/api/v1/contacts/\(contactID)/erasure", csrfHeader: false).status == .forbidden)
            let jobs = try await harness.scope.sql { organization in
                "SELECT COUNT(*) AS n FROM jobs WHERE organization_id = \(bind: organization) AND kind = 'contact-erasure'"
            }.first()?.decode(column: "n", as: Int.self)
            #expect(jobs == 0)

            // The name is text on the confirm page, never markup.
            let page = try await harness.owner.get("/contacts/\(contactID)/erase")
            #expect(!page.body.string.contains("<script>alert(1)"))
            #expect(page.body.string.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
