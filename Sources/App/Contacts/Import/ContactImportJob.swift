import ADSappCore
import CSV
import Fluent
import Foundation
import Jobs
import ObjectStore
import SQLKit

/// Imports the rows of an uploaded CSV file (`ContactImport`), in batches. Each batch's contacts,
/// history lines, failures and the checkpoint (`rows_done`) commit in one transaction, so a job
/// that stops midway (a crash, a restart, a deploy) resumes at the first row not yet committed.
struct ContactImportJob: JobHandler {
    struct Payload: Codable, Sendable {
        var importID: UUID
    }

    static let kind = "contact-import"
    static let queue: QueueName = .contactImport
    static let maxAttempts = 5
    static let timeLimit: Duration = .seconds(3600)

    let files: any ObjectStore
    let billing: BillingSettings
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        let contactLimit = try await BillingAccess(settings: billing, now: now()).state(of: organizationID, on: context.database).allowance.contacts
        try await ContactImporter(scope: scope, files: files, now: now, contactLimit: contactLimit).run(payload.importID) { fraction, message in
            try await context.progress(fraction, message)
        }
    }
}

/// The work of `ContactImportJob`, callable by tests (which may stop it after some batches).
struct ContactImporter: Sendable {
    let scope: TenantScope
    let files: any ObjectStore
    let now: @Sendable () -> Date
    /// The plan's contacts: rows that would make a contact past it fail with the reason; `nil`: no limit.
    var contactLimit: Int? = nil
    var batchSize = 500
    /// Tests: stop (throwing `Stopped`) after this many batches of this run.
    var stopAfterBatches: Int?

    struct Stopped: Error {}

    func run(_ importID: UUID, progress: @Sendable (Double, String) async throws -> Void) async throws {
        guard let record = try await scope.find(ContactImport.self, importID), let mapping = record.mapping else { return }
        guard record.state == .queued || record.state == .running else { return }
        let object = try await files.get(record.objectKey)
        let text = ContactCSV.utf8(object.data, encoding: record.encoding)
        let organization = try await Organization.find(scope.organizationID, on: scope.database)
        let country = organization?.defaultCountry ?? "NL"

        if record.totalRows == nil {
            let counter = try ContactCSV.reader(text, delimiter: record.delimiter)
            var rows = -1  // the header
            while counter.next() != nil { rows += 1 }
            record.totalRows = max(0, rows)
        }
        record.state = .running
        try await record.save(on: scope.database)
        let total = record.totalRows ?? 0

        let fields = try await scope.query(ContactFieldDefinition.self).all()
        let fieldsByKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let reader = try ContactCSV.reader(text, delimiter: record.delimiter)
        guard let header = reader.next() else {
            try await finish(importID, state: .done)
            return
        }
        // Skip what earlier runs committed.
        var skipped = 0
        while skipped < record.rowsDone, reader.next() != nil { skipped += 1 }
        var rowNumber = 1 + skipped
        var batches = 0
        let rules = RowRules(mapping: mapping, columnCount: header.count, fieldsByKey: fieldsByKey, country: country)
        while true {
            var batch: [(number: Int, cells: [String])] = []
            while batch.count < batchSize, let cells = reader.next() {
                rowNumber += 1
                batch.append((rowNumber, cells))
            }
            if let error = reader.error { throw error }
            if batch.isEmpty { break }
            let rows = batch
            let actor = record.actor
            let at = now()
            let contactLimit = self.contactLimit
            try await scope.transaction { scope in
                var room: Int?
                if let contactLimit {
                    room = max(0, contactLimit - (try await scope.query(Contact.self).filter(\.$erasedAt == nil).count()))
                }
                try await BatchWriter(scope: scope, rules: rules, actor: actor, now: at, room: room.map { ($0, contactLimit ?? 0) })
                    .write(rows, importID: importID)
            }
            batches += 1
            let done = min(total, rowNumber - 1)
            try await progress(total == 0 ? 1 : Double(done) / Double(total), "\(done) / \(total)")
            if let stopAfterBatches, batches >= stopAfterBatches { throw Stopped() }
        }
        if total >= Self.bulkRows { await tidyContacts() }
        try await finish(importID, state: .done)
        try await progress(1, "\(total) / \(total)")
    }

    /// From this many rows on an import is a bulk write, after which the contacts are tidied.
    static let bulkRows = 1_000

    /// Before the import reads as done, so lists and counts that follow it are fast. The import
    /// has succeeded whatever happens here: a failure is only logged.
    private func tidyContacts() async {
        let sql = scope.database.sql
        do {
            try await sql.engine.tidyAfterBulkWrite(of: Contact.schema, on: sql)
        } catch {
            scope.database.logger.warning("contacts not tidied after an import: \(String(reflecting: error))")
        }
    }

    private func finish(_ importID: UUID, state: ContactImport.State) async throws {
        guard let record = try await scope.find(ContactImport.self, importID) else { return }
        record.state = state
        record.finishedAt = now()
        try await record.save(on: scope.database)
    }
}

/// How a row's cells become a contact's values.
struct RowRules: Sendable {
    let mapping: ImportMapping
    let columnCount: Int
    let fieldsByKey: [String: ContactFieldDefinition]
    let country: String

    struct Parsed: Sendable {
        var phone: String
        var name: String?
        var email: String?
        var tags: [String] = []
        var marketing: MarketingStatus?
        var fields: [(definition: ContactFieldDefinition, value: FieldValue?)] = []
    }

    struct RowError: Error { let reason: String }

    func parse(_ cells: [String]) throws(RowError) -> Parsed {
        guard cells.count == columnCount else {
            throw RowError(reason: "the row has \(cells.count) columns, the header has \(columnCount)")
        }
        var phone: String?
        var parsed = Parsed(phone: "", tags: mapping.tagAll.map { [$0] } ?? [])
        for (index, target) in mapping.columns.enumerated() where index < cells.count {
            let cell = ContactCSV.unneutralized(cells[index].trimmingCharacters(in: .whitespacesAndNewlines))
            switch target {
            case .ignore: break
            case .phone:
                do { phone = try PhoneNumber.e164(cell, defaultCountry: country) } catch { throw RowError(reason: "phone: \(error.description)") }
            case .name: if !cell.isEmpty { parsed.name = String(cell.prefix(200)) }
            case .email:
                if !cell.isEmpty {
                    guard cell.contains("@"), cell.count <= 254, !cell.contains(" ") else {
                        throw RowError(reason: "email: \"\(cell.prefix(60))\" is not an email address")
                    }
                    parsed.email = cell
                }
            case .tags:
                parsed.tags += cell.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "|" })
                    .map { String($0.trimmingCharacters(in: .whitespaces).prefix(60)) }.filter { !$0.isEmpty }
            case .optIn:
                switch cell.lowercased() {
                case "": break
                case "yes", "ja", "j", "y", "1", "true", "opted_in", "opt-in": parsed.marketing = .optedIn
                case "no", "nee", "n", "0", "false", "opted_out", "opt-out": parsed.marketing = .optedOut
                default: throw RowError(reason: "opt-in: \"\(cell.prefix(40))\" is not yes or no")
                }
            case .field(let key):
                guard let definition = fieldsByKey[key] else { break }
                do {
                    let value = try definition.parse(cell)
                    if !cell.isEmpty { parsed.fields.append((definition, value)) }
                } catch { throw RowError(reason: error.description) }
            }
        }
        guard let phone else { throw RowError(reason: "phone: the row has no phone number") }
        parsed.phone = phone
        return parsed
    }
}

/// Writes one batch inside its transaction.
struct BatchWriter: Sendable {
    let scope: TenantScope
    let rules: RowRules
    let actor: String?
    let now: Date
    /// How many new contacts this batch may make under the plan's limit (`nil`: no limit).
    var room: (left: Int, limit: Int)? = nil

    func write(_ rows: [(number: Int, cells: [String])], importID: UUID) async throws {
        let organizationID = scope.organizationID
        var failures: [ContactImportFailure] = []
        var parsedRows: [(Int, RowRules.Parsed)] = []
        for row in rows {
            do { parsedRows.append((row.number, try rules.parse(row.cells))) } catch {
                failures.append(ContactImportFailure(organizationID: organizationID, importID: importID, rowNumber: row.number, reason: error.reason))
            }
        }
        let waIDs = Array(Set(parsedRows.map { String($0.1.phone.dropFirst()) }))
        var contacts: [String: Contact] = [:]
        if !waIDs.isEmpty {
            for contact in try await scope.query(Contact.self).filter(\.$waID ~~ waIDs).all() {
                if let waID = contact.waID { contacts[waID] = contact }
            }
        }
        let existingIDs = contacts.values.compactMap(\.id)
        var values: [UUID: [UUID: ContactFieldValue]] = [:]
        var tagLinks: Set<[UUID]> = []
        if !existingIDs.isEmpty {
            for value in try await scope.query(ContactFieldValue.self).filter(\.$contactID ~~ existingIDs).all() {
                values[value.contactID, default: [:]][value.fieldID] = value
            }
            for link in try await scope.query(ContactTag.self).filter(\.$contactID ~~ existingIDs).all() {
                tagLinks.insert([link.contactID, link.tagID])
            }
        }
        var tagIDs: [String: UUID] = [:]
        let tagNames = Set(parsedRows.flatMap { $0.1.tags })
        if !tagNames.isEmpty {
            for tag in try await scope.query(Tag.self).all() where tagNames.contains(tag.name) { tagIDs[tag.name] = tag.id }
            for name in tagNames.sorted() where tagIDs[name] == nil {
                let tag = Tag(organizationID: organizationID, name: name, createdAt: now)
                try await tag.create(on: scope.database)
                tagIDs[name] = tag.id
            }
        }

        var newContacts: [Contact] = []
        var events: [ContactEvent] = []
        var newValues: [ContactFieldValue] = []
        var newLinks: [ContactTag] = []
        var consent: [(UUID, MarketingStatus)] = []
        var created = 0
        var updatedIDs = Set<UUID>()
        for (number, row) in parsedRows {
            let waID = String(row.phone.dropFirst())
            let contact: Contact
            var changed = false
            if let existing = contacts[waID] {
                contact = existing
                if let name = row.name, contact.name != name { contact.name = name; changed = true }
                if let email = row.email, contact.email != email { contact.email = email; changed = true }
                if changed, !newContacts.contains(where: { $0 === contact }) {
                    contact.updatedAt = now
                    try await contact.save(on: scope.database)
                    events.append(.init(organizationID: organizationID, contactID: contact.id!, kind: .updated, detail: "import", actor: actor, createdAt: now))
                }
            } else {
                if let room, created >= room.left {
                    failures.append(
                        ContactImportFailure(
                            organizationID: organizationID, importID: importID, rowNumber: number,
                            reason: "the plan allows \(room.limit) contacts: an owner can choose a larger plan on the billing page (\(SiteURL.billing.path))"))
                    continue
                }
                contact = Contact(organizationID: organizationID, waID: waID, name: row.name, now: now)
                contact.email = row.email
                contacts[waID] = contact
                newContacts.append(contact)
                events.append(.init(organizationID: organizationID, contactID: contact.id!, kind: .imported, detail: nil, actor: actor, createdAt: now))
                created += 1
            }
            let contactID = contact.id!
            for (definition, value) in row.fields {
                let fieldID = definition.id!
                if let current = values[contactID]?[fieldID] {
                    guard current.value != value else { continue }
                    current.value = value
                    try await current.save(on: scope.database)
                } else if let value {
                    let new = ContactFieldValue(organizationID: organizationID, contactID: contactID, fieldID: fieldID, value: value)
                    values[contactID, default: [:]][fieldID] = new
                    newValues.append(new)
                } else {
                    continue
                }
                changed = true
                events.append(
                    .init(organizationID: organizationID, contactID: contactID, kind: .fieldChanged, detail: definition.key, actor: actor, createdAt: now))
            }
            for name in row.tags {
                guard let tagID = tagIDs[name], !tagLinks.contains([contactID, tagID]) else { continue }
                tagLinks.insert([contactID, tagID])
                newLinks.append(ContactTag(organizationID: organizationID, contactID: contactID, tagID: tagID, createdAt: now))
                events.append(.init(organizationID: organizationID, contactID: contactID, kind: .tagged, detail: name, actor: actor, createdAt: now))
                changed = true
            }
            if let marketing = row.marketing { consent.append((contactID, marketing)) }
            if changed, !newContacts.contains(where: { $0 === contact }) { updatedIDs.insert(contactID) }
        }
        if !newContacts.isEmpty { try await newContacts.create(on: scope.database) }
        if !newValues.isEmpty { try await newValues.create(on: scope.database) }
        if !newLinks.isEmpty { try await newLinks.create(on: scope.database) }
        if !events.isEmpty { try await events.create(on: scope.database) }
        let consentChanged = try await Self.changeConsent(consent, actor: actor, at: now, in: scope)
        if !failures.isEmpty { try await failures.create(on: scope.database) }
        let newIDs = Set(newContacts.compactMap(\.id))
        updatedIDs.formUnion(consentChanged.subtracting(newIDs))
        let updated = updatedIDs.count
        let total = rows.count
        try await scope.sql { organization in
            """
            UPDATE contact_imports SET rows_done = rows_done + \(bind: total), created_count = created_count + \(bind: created),
              updated_count = updated_count + \(bind: updated), failed_count = failed_count + \(bind: failures.count)
            WHERE organization_id = \(bind: organization) AND id = \(bind: importID)
            """
        }.run()
    }

    /// The batch's consent changes, a few statements at a time: each run of rows in which no
    /// contact repeats is written per status, so a contact twice in the file changes as the rows say.
    private static func changeConsent(
        _ changes: [(UUID, MarketingStatus)], actor: String?, at now: Date, in scope: TenantScope
    ) async throws -> Set<UUID> {
        var changed = Set<UUID>()
        var run: [(UUID, MarketingStatus)] = []
        var inRun = Set<UUID>()
        func write() async throws {
            for status in MarketingStatus.allCases {
                let ids = run.filter { $0.1 == status }.map(\.0)
                changed.formUnion(try await MarketingConsent.change(ids, to: status, source: .import, actor: actor, at: now, in: scope))
            }
            run = []
            inRun = []
        }
        for change in changes {
            if inRun.contains(change.0) { try await write() }
            run.append(change)
            inRun.insert(change.0)
        }
        try await write()
        return changed
    }
}
