@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// CSV import: encodings and delimiters, mapping, broken rows with reasons, upsert, opt-in through
/// `MarketingConsent`, a restart midway, twice the same file, size limit, many batches.
@Suite struct ImportTests {
    struct Harness {
        let app: TestApp
        let owner: Browser
        let organizationID: UUID
        var scope: TenantScope { TenantScope(organizationID: organizationID, database: app.db) }

        static func run(_ test: (Harness) async throws -> Void) async throws {
            try await TestApp.run { app in
                let owner = try await app.signUp(email: "anna@example.com")
                let organization = try await app.organization(named: "Bakkerij Anna")
                try await test(Harness(app: app, owner: owner, organizationID: organization.id!))
            }
        }

        func field(_ key: String, _ type: ContactFieldType, choices: [String] = []) async throws {
            try await ContactFieldDefinition(
                organizationID: organizationID, key: key, label: key.capitalized, type: type, choices: choices, position: 0, createdAt: app.clock.now
            ).create(on: app.db)
        }

        func contacts() async throws -> [Contact] {
            try await scope.query(Contact.self).sort(\.$waID).all()
        }

        func events() async throws -> Int {
            try await scope.query(ContactEvent.self).count()
        }

        /// Uploads, starts with the guessed mapping (as the review form shows it, plus `extra` fields)
        /// and runs the job.
        func importFile(_ data: Data, browser: Browser? = nil, extra: [String: String] = [:]) async throws -> ContactImport {
            let browser = browser ?? owner
            let upload = try await Self.upload(browser, data)
            #expect(upload.status == .seeOther, "\(upload.body.string.prefix(300))")
            let review = try #require(upload.headers.first(name: .location))
            let page = try await browser.get(review)
            #expect(page.status == .ok)
            var fields: [String: String] = [:]
            for index in 0..<30 {
                guard let selected = Self.selected(in: page.body.string, name: "column\(index)") else { break }
                fields["column\(index)"] = selected
            }
            let start = try await browser.post(review, fields.merging(extra) { $1 })
            #expect(start.status == .seeOther, "\(start.body.string.prefix(300))")
            #expect(start.headers.first(name: .location)?.hasPrefix("/jobs/") == true)
            try await app.runJobsUntilIdle()
            let id = try #require(UUID(uuidString: String(review.split(separator: "/").last!)))
            return try #require(try await scope.find(ContactImport.self, id))
        }

        static func selected(in html: String, name: String) -> String? {
            guard let start = html.range(of: "name=\"\(name)\"") else { return nil }
            let rest = html[start.upperBound...]
            guard let end = rest.range(of: "</select>"), let option = rest[..<end.lowerBound].range(of: "selected") else { return nil }
            let before = rest[..<option.lowerBound]
            guard let value = before.range(of: "value=\"", options: .backwards) else { return nil }
            return String(before[value.upperBound...].prefix { $0 != "\"" })
        }

        static func multipart(_ data: Data, csrf: String?, boundary: String = "XyZboundary42") -> ByteBuffer {
            var body = Data()
            if let csrf {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8))
            }
            body.append(
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            return ByteBuffer(data: body)
        }

        static func upload(_ browser: Browser, _ data: Data, path: String = "/contacts/import", csrf: Bool = true) async throws -> TestingHTTPResponse {
            if browser.csrfToken == nil { _ = try await browser.get("/contacts/import") }
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=XyZboundary42")
            return try await browser.send(.POST, path, headers: headers, body: multipart(data, csrf: csrf ? browser.csrfToken : nil))
        }
    }

    static func windows1252(_ text: String) -> Data {
        Data(
            text.unicodeScalars.map { scalar -> UInt8 in
                switch scalar.value {
                case 0x20AC: 0x80
                case ..<0x100: UInt8(scalar.value)
                default: UInt8(ascii: "?")
                }
            })
    }

    @Test(arguments: [("utf8", ","), ("bom", ";"), ("1252", "\t"), ("1252", ";"), ("utf8", "|")])
    func encodingsAndDelimitersAreDetected(encoding: String, delimiter: String) async throws {
        try await Harness.run { harness in
            let lines: [[String]] = [
                ["Naam", "Telefoon", "E-mail"], ["Zoë Brontë", "06 1234 5678", "zoe@example.com"], ["Café € Noël", "+32 470 12 34 56", ""],
            ]
            let text: String = lines.map { $0.joined(separator: delimiter) + "\r\n" }.joined()
            let data: Data =
                switch encoding {
                case "bom": ContactCSV.byteOrderMark + Data(text.utf8)
                case "1252": Self.windows1252(text)
                default: Data(text.utf8)
                }
            let record = try await harness.importFile(data)
            #expect(record.encoding.rawValue == (encoding == "bom" ? "utf-8-bom" : encoding == "1252" ? "windows-1252" : "utf-8"))
            #expect(record.delimiter == delimiter)
            #expect(record.state == .done)
            let contacts = try await harness.contacts()
            #expect(contacts.map(\.waID) == ["31612345678", "32470123456"])
            #expect(contacts.map(\.name) == ["Zoë Brontë", "Café € Noël"])
            #expect(contacts.first?.email == "zoe@example.com")
            #expect(record.createdCount == 2 && record.failedCount == 0)
        }
    }

    @Test func quotedNewlinesTagsFieldsAndOptInUpsertByPhone() async throws {
        try await Harness.run { harness in
            try await harness.field("customer_number", .number)
            try await harness.field("plan", .choice, choices: ["basic", "pro"])
            let existing = Contact(organizationID: harness.organizationID, waID: "31612345678", profileName: "Jan", now: harness.app.clock.now)
            try await existing.create(on: harness.app.db)
            let csv = """
                name,phone,email,tags,opt_in,customer_number,plan
                "Jan ""de"" Vries
                tweede regel",0612345678,jan@example.com,"vip, newsletter",ja,42,pro
                Piet,0687654321,,vip,nee,,basic

                """
            let record = try await harness.importFile(Data(csv.utf8))
            #expect(record.createdCount == 1 && record.updatedCount == 1 && record.failedCount == 0)
            let contacts = try await harness.contacts()
            #expect(contacts.count == 2)
            let jan = try #require(contacts.first { $0.waID == "31612345678" })
            #expect(jan.id == existing.id)
            #expect(jan.name == "Jan \"de\" Vries\ntweede regel")
            #expect(jan.marketingStatus == .optedIn && jan.marketingSource == .import)
            let piet = try #require(contacts.first { $0.waID == "31687654321" })
            #expect(piet.marketingStatus == .optedOut)
            let values = try await harness.scope.query(ContactFieldValue.self).filter(\.$contactID == jan.id!).all()
            #expect(Set(values.compactMap(\.value)) == [.number(42), .text("pro")])
            let tags = try await harness.scope.query(Tag.self).all().map(\.name).sorted()
            #expect(tags == ["newsletter", "vip"])
            #expect(try await harness.scope.query(ContactTag.self).count() == 3)
            let history = try await ContactHistory.lines(of: jan.id!, in: harness.scope).map(\.kind)
            #expect(history.filter { $0 == .optedIn }.count == 1)

            // The same file again changes nothing: no contacts, values, tags or history lines.
            let events = try await harness.events()
            let again = try await harness.importFile(Data(csv.utf8))
            #expect(again.createdCount == 0 && again.updatedCount == 0)
            #expect(try await harness.events() == events)
            #expect(try await harness.contacts().count == 2)
            #expect(try await harness.scope.query(ContactTag.self).count() == 3)
        }
    }

    /// An uploaded list for a campaign: every contact of the file, new or known, gets the tag typed on
    /// the review form (or `tag_all` in the API's mapping) beside its own; a tag too long is refused
    /// with the form kept and nothing imported.
    @Test func everyContactOfAFileCanGetTheTagOfAList() async throws {
        try await Harness.run { harness in
            let existing = Contact(organizationID: harness.organizationID, waID: "31612345678", profileName: "Jan", now: harness.app.clock.now)
            try await existing.create(on: harness.app.db)
            let csv = Data("name,phone,tags\nJan,0612345678,vip\nPiet,0687654321,\n".utf8)

            let upload = try await Harness.upload(harness.owner, csv)
            let review = try #require(upload.headers.first(name: .location))
            let columns = ["column0": "name", "column1": "phone", "column2": "tags"]
            let refused = try await harness.owner.post(review, columns.merging(["tag_all": String(repeating: "x", count: 61)]) { $1 })
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("at most 60 characters"))
            #expect(refused.body.string.contains(#"value="\#(String(repeating: "x", count: 61))""#), "the typed tag is shown back")
            #expect(try await harness.contacts().count == 1, "nothing imported")

            let started = try await harness.owner.post(review, columns.merging(["tag_all": "  Beurs 2026 "]) { $1 })
            #expect(started.status == .seeOther)
            try await harness.app.runJobsUntilIdle()
            let tags = try await harness.scope.query(Tag.self).all()
            #expect(tags.map(\.name).sorted() == ["Beurs 2026", "vip"])
            let list = try #require(tags.first { $0.name == "Beurs 2026" })
            let listed = try await harness.scope.query(ContactTag.self).filter(\.$tagID == list.id!).all().map(\.contactID)
            #expect(Set(listed) == Set(try await harness.contacts().map { $0.id! }), "the known contact and the new one")
            #expect(try await harness.scope.query(ContactTag.self).count() == 3)

            // The API: `tag_all` in the mapping.
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            headers.add(name: CSRFProtection.header, value: harness.owner.csrfToken ?? "")
            let mapping = #"{"columns":["name","phone"],"tag_all":"API lijst"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let created = try await harness.owner.send(
                .POST, "/api/v1/contacts/imports?mapping=\(mapping)", headers: headers, body: ByteBuffer(string: "name,phone\nKees,0611122233\n"))
            #expect(created.status == .accepted, "\(created.body.string)")
            try await harness.app.runJobsUntilIdle()
            let kees = try #require(try await harness.contacts().first { $0.waID == "31611122233" })
            let apiTag = try #require(try await harness.scope.query(Tag.self).filter(\.$name == "API lijst").first())
            #expect(try await harness.scope.query(ContactTag.self).filter(\.$tagID == apiTag.id!).all().map(\.contactID) == [kees.id!])
        }
    }

    /// A number twice in one batch changes its consent as the rows say, in their order.
    @Test func aNumberTwiceInOneFileTakesEachConsentInTurn() async throws {
        try await Harness.run { harness in
            let csv = "name,phone,opt_in\nAnna,0611111111,ja\nBram,0622222222,ja\nAnna,+31611111111,nee\n"
            let record = try await harness.importFile(Data(csv.utf8))
            #expect(record.createdCount == 2 && record.failedCount == 0)
            let contacts = try await harness.contacts()
            #expect(contacts.map(\.marketingStatus) == [.optedOut, .optedIn])
            let anna = try #require(contacts.first)
            let kinds = try await harness.scope.query(ContactEvent.self).filter(\.$contactID == anna.id!).all().map(\.kind)
            #expect(kinds.filter { $0 == .optedIn }.count == 1 && kinds.filter { $0 == .optedOut }.count == 1)
        }
    }

    @Test func brokenRowsAreReportedWithRowAndReason() async throws {
        try await Harness.run { harness in
            try await harness.field("customer_number", .number)
            let csv = """
                name,phone,opt_in,customer_number
                Good,0612345678,yes,1
                Bad phone,12ab,yes,2
                Bad number,0612345679,,twelve
                Too short,0612345670
                Bad opt-in,0612345671,maybe,3
                =HYPERLINK("http://evil"),not a number,,

                """
            let record = try await harness.importFile(Data(csv.utf8))
            #expect(record.createdCount == 1)
            #expect(record.failedCount == 5)
            let report = try await harness.owner.get("/contacts/import/\(record.id!)/failures.csv")
            #expect(report.status == .ok)
            #expect(report.headers.contentType?.subType == "csv")
            #expect(report.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            #expect(report.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let text = report.body.string
            #expect(text.hasPrefix("\u{FEFF}row,reason"))
            #expect(text.contains("3,\"phone: "))
            #expect(text.contains("4,customer_number: not a number: twelve"))
            #expect(text.contains("5,\"the row has 2 columns, the header has 4\""))
            #expect(text.contains("6,\"opt-in: \"\"maybe\"\" is not yes or no\""))
            // A reason quotes the cell; a cell that could run as a formula never starts a report cell.
            #expect(!text.contains(",=") && !text.contains("\n="))
        }
    }

    @Test func aRestartMidwayResumesAtTheCheckpointWithoutDuplicates() async throws {
        try await Harness.run { harness in
            var csv = "name,phone,opt_in\n"
            for index in 0..<95 { csv += "Person \(index),06\(String(10_000_000 + index)),\(index % 2 == 0 ? "yes" : "")\n" }
            let upload = try await Harness.upload(harness.owner, Data(csv.utf8))
            let review = try #require(upload.headers.first(name: .location))
            let id = try #require(UUID(uuidString: String(review.split(separator: "/").last!)))
            let record = try #require(try await harness.scope.find(ContactImport.self, id))
            _ = try await ContactImportController.start(
                record, mapping: .init(columns: [.name, .phone, .optIn]), jobs: harness.app.app.backgroundJobs.store(harness.app.db, harness.app.app.context),
                scope: harness.scope, logger: harness.app.app.logger)
            var importer = ContactImporter(scope: harness.scope, files: harness.app.app.whatsApp.media, now: { harness.app.clock.now })
            importer.batchSize = 10
            importer.stopAfterBatches = 3
            await #expect(throws: ContactImporter.Stopped.self) { try await importer.run(id) { _, _ in } }
            #expect(try await harness.contacts().count == 30)
            #expect(try await harness.scope.find(ContactImport.self, id)?.rowsDone == 30)
            importer.stopAfterBatches = nil
            try await importer.run(id) { _, _ in }
            let done = try #require(try await harness.scope.find(ContactImport.self, id))
            #expect(done.state == .done && done.rowsDone == 95 && done.createdCount == 95)
            #expect(try await harness.contacts().count == 95)
            // One `imported` line per contact, one `opted_in` per even row: nothing twice.
            #expect(try await harness.scope.query(ContactEvent.self).filter(\.$kind == .imported).count() == 95)
            #expect(try await harness.scope.query(ContactEvent.self).filter(\.$kind == .optedIn).count() == 48)
        }
    }

    /// Many batches of the default size through the page and the job. The 100,000-row import runs on the
    /// release binary, killed midway, in system-tests/jobs/test_contact_import.py.
    @Test func aFileOfManyBatchesImportsEveryRowOnce() async throws {
        try await Harness.run { harness in
            var csv = "name;phone;email\n"
            for index in 0..<2_400 { csv += "Contact \(index);+3161\(String(1_000_000 + index));c\(index)@example.com\n" }
            let sql = harness.app.db as! any SQLDatabase
            let vacuumsBefore = try await Self.contactVacuums(sql)
            let record = try await harness.importFile(Data(csv.utf8))
            #expect(record.state == .done)
            #expect(record.createdCount == 2_400 && record.failedCount == 0 && record.rowsDone == 2_400)
            #expect(try await harness.scope.query(Contact.self).count() == 2_400)
            #expect(try await harness.scope.query(ContactEvent.self).filter(\.$kind == .imported).count() == 2_400)
            // A bulk import tidies the contacts before it reads as done (`SQLEngine.tidyAfterBulkWrite`).
            if let vacuumsBefore { #expect(try await Self.contactVacuums(sql) == vacuumsBefore + 1) }
        }
    }

    /// PostgreSQL's count of manual vacuums of `contacts` in this database; SQLite has none.
    static func contactVacuums(_ sql: any SQLDatabase) async throws -> Int? {
        guard sql.dialect.name == "postgresql" else { return nil }
        // Statistics reach the view when a backend reports them; a new snapshot is taken per call.
        try await sql.raw("SELECT pg_stat_clear_snapshot()").run()
        return try await sql.raw("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'contacts'").first()?
            .decode(column: "vacuum_count", as: Int.self)
    }

    @Test func filesOverTheLimitAndNonCSVAreRefused() async throws {
        try await Harness.run { harness in
            _ = try await harness.owner.get("/contacts/import")
            // One byte over the limit, as a raw API body: refused by the size check every upload passes.
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            headers.add(name: CSRFProtection.header, value: harness.owner.csrfToken ?? "")
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: ContactImportController.maxBytes + 1)
            let raw = try await harness.owner.send(.POST, "/api/v1/contacts/imports", headers: headers, body: big)
            #expect(raw.status == .payloadTooLarge)
            #expect(raw.body.string.contains("\"code\":\"too_large\""))
            // Through the page, a form larger than the file limit and its envelope is refused before it is parsed.
            var form = HTTPHeaders()
            form.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=XyZboundary42")
            form.add(name: CSRFProtection.header, value: harness.owner.csrfToken ?? "")
            let page = try await harness.owner.send(
                .POST, "/contacts/import", headers: form,
                body: Harness.multipart(Data(repeating: UInt8(ascii: "a"), count: ContactImportController.maxBytes + 65 * 1024), csrf: nil))
            #expect(page.status == .payloadTooLarge)
            #expect(page.body.string.contains("larger than 20 MB"))
            let binary = try await Harness.upload(harness.owner, Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0]))
            #expect(binary.status == .unsupportedMediaType)
            #expect(try await harness.scope.query(ContactImport.self).count() == 0)
        }
    }

    @Test func theExampleFileImports() async throws {
        try await Harness.run { harness in
            let example = try await harness.owner.get("/contacts/import/example.csv")
            #expect(example.status == .ok)
            let record = try await harness.importFile(Data(buffer: example.body))
            #expect(record.createdCount == 2 && record.failedCount == 0)
        }
    }

    @Test func theAPIImportsARawCSVAndShowsProgress() async throws {
        try await Harness.run { harness in
            _ = try await harness.owner.get("/account")
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            headers.add(name: CSRFProtection.header, value: harness.owner.csrfToken ?? "")
            let created = try await harness.owner.send(
                .POST, "/api/v1/contacts/imports", headers: headers, body: ByteBuffer(string: "phone,name\n0612345678,Anna\n"))
            #expect(created.status == .accepted, "\(created.body.string)")
            let body = try created.content.decode(ContactImportController.ImportBody.self)
            #expect(body.state == "queued")
            try await harness.app.runJobsUntilIdle()
            let shown = try await harness.owner.get("/api/v1/contacts/imports/\(body.id)")
            let done = try shown.content.decode(ContactImportController.ImportBody.self)
            #expect(done.state == "done" && done.created == 1 && done.progress == 1)
            #expect(done.failures_url == "/contacts/import/\(body.id)/failures.csv")
            // Without a phone column the API answers in its error shape.
            let refused = try await harness.owner.send(.POST, "/api/v1/contacts/imports", headers: headers, body: ByteBuffer(string: "name\nAnna\n"))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("\"code\":\"needs_phone\""))
        }
    }

    // MARK: attacks

    @Test func anotherTenantsImportIsNotFound() async throws {
        try await Harness.run { harness in
            let record = try await harness.importFile(Data("name,phone\nA,0612345678\n".utf8))
            let mallory = try await harness.app.signUp(name: "Mallory", organization: "Other", email: "mallory@example.com")
            for path in ["/contacts/import/\(record.id!)", "/contacts/import/\(record.id!)/failures.csv", "/api/v1/contacts/imports/\(record.id!)"] {
                #expect(try await mallory.get(path).status == .notFound, "\(path)")
            }
            #expect(try await mallory.post("/contacts/import/\(record.id!)", ["column0": "name", "column1": "phone"]).status == .notFound)
        }
    }

    @Test func aViewerCannotImportOrExport() async throws {
        try await Harness.run { harness in
            let viewer = try await harness.app.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            _ = try await harness.app.addMember(email: "vera@example.com", to: harness.organizationID, role: .viewer)
            _ = try await viewer.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
            #expect(try await viewer.get("/contacts/import").status == .forbidden)
            #expect(try await viewer.get("/contacts/export.csv").status == .forbidden)
            #expect(try await viewer.get("/api/v1/contacts/export").status == .forbidden)
            #expect(try await Harness.upload(viewer, Data("name,phone\nA,0612345678\n".utf8)).status == .forbidden)
            #expect(try await harness.scope.query(ContactImport.self).count() == 0)
        }
    }

    @Test func anUploadWithoutTheCSRFTokenOrFromAnotherSiteIsRefused() async throws {
        try await Harness.run { harness in
            let data = Data("name,phone\nA,0612345678\n".utf8)
            #expect(try await Harness.upload(harness.owner, data, csrf: false).status == .forbidden)
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=XyZboundary42")
            headers.replaceOrAdd(name: .origin, value: "https://evil.example")
            let foreign = try await harness.owner.send(
                .POST, "/contacts/import", headers: headers, body: Harness.multipart(data, csrf: harness.owner.csrfToken))
            #expect(foreign.status == .forbidden)
            #expect(try await harness.scope.query(ContactImport.self).count() == 0)
        }
    }

    @Test func anUploadedHTMLFileIsNeverServedBackAsHTML() async throws {
        try await Harness.run { harness in
            let html = Data("name,phone\n<script>alert(1)</script>,<img src=x onerror=alert(1)>\n".utf8)
            let record = try await harness.importFile(html)
            let review = try await harness.owner.get("/contacts/import/\(record.id!)")
            #expect(!review.body.string.contains("<script>alert(1)"))
            let report = try await harness.owner.get("/contacts/import/\(record.id!)/failures.csv")
            #expect(report.headers.contentType?.type == "text" && report.headers.contentType?.subType == "csv")
            #expect(report.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(report.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
        }
    }
}
