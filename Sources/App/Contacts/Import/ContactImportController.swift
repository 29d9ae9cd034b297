import CSV
import Fluent
import Foundation
import Jobs
import Vapor

/// The CSV import pages and API: upload, review (preview and mapping), start, failures report, example.
enum ContactImportController {
    /// The largest file accepted: 20 MiB (about 300,000 rows of a few columns).
    static let maxBytes = 20 * 1024 * 1024
    static let previewRows = 5

    struct Refusal: Error {
        let status: HTTPResponseStatus
        let code: String
        let key: TextKey
    }

    // MARK: upload

    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await render(request, error: nil, status: .ok)
    }

    private static func render(_ request: Request, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let html = ContactImportPage.html(.init(error: error, maxMegabytes: maxBytes / 1024 / 1024), try await Chrome.make(for: request, section: .contacts))
        let response = try await HTMLResponse(html: html).encodeResponse(for: request)
        response.status = status
        return response
    }

    struct UploadForm: Content {
        var file: File?
    }

    /// Checks and stores an upload; returns the import in review.
    static func store(_ data: Data, filename: String, request: Request, tenant: Tenant) async throws(Refusal) -> ContactImport {
        guard !data.isEmpty else { throw Refusal(status: .badRequest, code: "no_file", key: .contactImportNoFile) }
        guard data.count <= maxBytes else { throw Refusal(status: .payloadTooLarge, code: "too_large", key: .contactImportTooLarge) }
        // A CSV is text: a NUL byte means a spreadsheet or another binary file.
        guard !data.prefix(65536).contains(0) else { throw Refusal(status: .unsupportedMediaType, code: "not_csv", key: .contactImportNotCSV) }
        let encoding = ContactCSV.detectEncoding(data)
        let sample = ContactCSV.utf8(data.prefix(65536), encoding: encoding)
        let delimiter = ContactCSV.detectDelimiter(Substring(String(decoding: sample, as: UTF8.self)))
        let key = "imports/\(tenant.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).csv"
        let record = ContactImport(
            organizationID: tenant.organizationID, actor: tenant.user.name, filename: String(filename.suffix(200)), objectKey: key,
            size: data.count, encoding: encoding, delimiter: String(delimiter), now: request.now)
        do {
            try await request.whatsApp.media.put(data, key: key, contentType: "text/csv")
            try await record.create(on: tenant.scope.database)
        } catch {
            request.logger.error("import upload not stored", metadata: ["error": .string(String(describing: error))])
            throw Refusal(status: .internalServerError, code: "not_stored", key: .contactImportNotStored)
        }
        return record
    }

    static func bodyData(_ request: Request) -> Data? {
        request.body.data.map { Data(buffer: $0) }
    }

    static func upload(_ request: Request, _ tenant: Tenant) async throws -> Response {
        if let size = request.body.data?.readableBytes, size > maxBytes + 64 * 1024 {
            return try await render(request, error: request.localizer(.contactImportTooLarge), status: .payloadTooLarge)
        }
        let form = try? request.content.decode(UploadForm.self)
        guard let file = form?.file else { return try await render(request, error: request.localizer(.contactImportNoFile), status: .badRequest) }
        do {
            let record = try await store(Data(buffer: file.data), filename: file.filename, request: request, tenant: tenant)
            return request.redirect(to: SiteURL.contactImportReview(.value(record.id!)).path, redirectType: .normal)
        } catch {
            return try await render(request, error: request.localizer(error.key), status: error.status)
        }
    }

    // MARK: review

    static func find(_ request: Request, _ tenant: Tenant) async throws -> ContactImport {
        guard let id = request.parameters.get(SiteURL.importID, as: UUID.self), let record = try await tenant.scope.find(ContactImport.self, id) else {
            throw request.isAPIRequest ? APIError(.notFound, code: "not_found", message: "No such import.") : Abort(.notFound)
        }
        return record
    }

    /// The header and the first rows of the file.
    static func preview(_ record: ContactImport, request: Request) async throws -> (header: [String], rows: [[String]]) {
        let object = try await request.whatsApp.media.get(record.objectKey)
        let reader = try ContactCSV.reader(ContactCSV.utf8(object.data, encoding: record.encoding), delimiter: record.delimiter)
        let header = reader.next() ?? []
        var rows: [[String]] = []
        while rows.count < previewRows, let row = reader.next() { rows.append(row) }
        return (header, rows)
    }

    static func review(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let record = try await find(request, tenant)
        if record.state != .review, let jobID = record.jobID {
            return request.redirect(to: SiteURL.job(.value(jobID)).path, redirectType: .normal)
        }
        return try await renderReview(request, tenant, record, error: nil, status: .ok)
    }

    private static func renderReview(
        _ request: Request, _ tenant: Tenant, _ record: ContactImport, tagAll: String? = nil, error: String?, status: HTTPResponseStatus
    ) async throws -> Response {
        let fields = try await tenant.scope.query(ContactFieldDefinition.self).sort(\.$position).all()
        let (header, rows) = try await preview(record, request: request)
        let model = ContactImportReviewPage.Model(
            id: record.id!, filename: record.filename, encoding: record.encoding.rawValue,
            delimiter: record.delimiter == "\t" ? "tab" : record.delimiter, header: header, rows: rows,
            guesses: header.map { ColumnTarget.guess(header: $0, fields: fields).formValue },
            fields: fields.map { (key: $0.key, label: $0.label) }, tagAll: tagAll, error: error)
        let response = try await HTMLResponse(html: ContactImportReviewPage.html(model, try await Chrome.make(for: request, section: .contacts)))
            .encodeResponse(for: request)
        response.status = status
        return response
    }

    /// Checks a mapping and queues the job; returns the job's id.
    static func start(_ record: ContactImport, mapping: ImportMapping, jobs: JobStore, scope: TenantScope, logger: Logger) async throws(Refusal) -> UUID {
        guard record.state == .review else { throw Refusal(status: .conflict, code: "already_started", key: .contactImportAlreadyStarted) }
        guard mapping.columns.filter({ $0 == .phone }).count == 1 else {
            throw Refusal(status: .unprocessableEntity, code: "needs_phone", key: .contactImportNeedsPhone)
        }
        let tagAll = mapping.tagAll?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (tagAll?.count ?? 0) <= 60 else {
            throw Refusal(status: .unprocessableEntity, code: "invalid_tag", key: .contactImportTagAllTooLong)
        }
        let mapping = ImportMapping(columns: mapping.columns, tagAll: tagAll?.isEmpty == false ? tagAll : nil)
        let importID = record.id!
        let organizationID = scope.organizationID
        do {
            let fields = Set(try await scope.query(ContactFieldDefinition.self).all().map(\.key))
            for case .field(let key) in mapping.columns where !fields.contains(key) {
                throw Refusal(status: .unprocessableEntity, code: "unknown_field", key: .contactImportUnknownField)
            }
            return try await scope.transaction { scope in
                guard let record = try await scope.find(ContactImport.self, importID), record.state == .review else {
                    throw Refusal(status: .conflict, code: "already_started", key: .contactImportAlreadyStarted)
                }
                let job = try JobStore.NewJob(ContactImportJob.self, .init(importID: importID), organizationID: organizationID)
                guard let jobID = try await jobs.enqueue(job, on: scope.database) else { throw Abort(.internalServerError) }
                record.mapping = mapping
                record.state = .queued
                record.jobID = jobID
                try await record.save(on: scope.database)
                return jobID
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            logger.error("import not started", metadata: ["error": .string(String(describing: error))])
            throw Refusal(status: .internalServerError, code: "not_started", key: .contactImportNotStored)
        }
    }

    static func startFromForm(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let record = try await find(request, tenant)
        let (header, _) = try await preview(record, request: request)
        var columns: [ColumnTarget] = []
        for index in header.indices {
            let value = (try? request.content.get(String.self, at: "column\(index)")) ?? "ignore"
            guard let target = ColumnTarget(formValue: value) else { throw Abort(.badRequest, reason: "Unknown column mapping.") }
            columns.append(target)
        }
        let tagAll = try? request.content.get(String.self, at: "tag_all")
        do {
            let jobID = try await start(
                record, mapping: ImportMapping(columns: columns, tagAll: tagAll), jobs: request.jobs, scope: tenant.scope, logger: request.logger)
            return request.redirect(to: SiteURL.job(.value(jobID)).path, redirectType: .normal)
        } catch {
            return try await renderReview(request, tenant, record, tagAll: tagAll, error: request.localizer(error.key), status: error.status)
        }
    }

    // MARK: downloads

    static func csvResponse(_ body: Response.Body, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: body)
    }

    static func failures(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let record = try await find(request, tenant)
        let rows = try await tenant.scope.query(ContactImportFailure.self).filter(\.$importID == record.id!).sort(\.$rowNumber).all()
        var data = ContactCSV.byteOrderMark
        data.append(try ContactCSV.line(["row", "reason"]))
        for row in rows { data.append(try ContactCSV.line([String(row.rowNumber), row.reason])) }
        return csvResponse(.init(data: data), filename: "import-failures.csv")
    }

    static func example(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let fields = try await tenant.scope.query(ContactFieldDefinition.self).sort(\.$position).all()
        var data = ContactCSV.byteOrderMark
        data.append(try ContactCSV.line(["name", "phone", "email", "tags", "opt_in"] + fields.map(\.key)))
        data.append(try ContactCSV.line(["Anna de Vries", "06 1234 5678", "anna@example.com", "vip, newsletter", "yes"] + fields.map { _ in "" }))
        data.append(try ContactCSV.line(["Ben Jansen", "+32 470 12 34 56", "", "", "no"] + fields.map { _ in "" }))
        return csvResponse(.init(data: data), filename: "contacts-example.csv")
    }

    // MARK: API

    struct ImportBody: Content {
        var id: UUID
        var state: String
        var filename: String
        var encoding: String
        var delimiter: String
        var total_rows: Int?
        var rows_done: Int
        var created: Int
        var updated: Int
        var failed: Int
        var progress: Double
        var job_id: UUID?
        var failures_url: String
        var created_at: Date
        var finished_at: Date?

        init(_ record: ContactImport) {
            id = record.id!
            state = record.state.rawValue
            filename = record.filename
            encoding = record.encoding.rawValue
            delimiter = record.delimiter
            total_rows = record.totalRows
            rows_done = record.rowsDone
            created = record.createdCount
            updated = record.updatedCount
            failed = record.failedCount
            progress = record.state == .done ? 1 : record.totalRows.map { $0 == 0 ? 0 : min(1, Double(record.rowsDone) / Double($0)) } ?? 0
            job_id = record.jobID
            failures_url = SiteURL.contactImportFailures(.value(record.id!)).path
            created_at = record.createdAt
            finished_at = record.finishedAt
        }
    }

    /// `POST /api/v1/contacts/imports`: multipart (`file`, optional `mapping` JSON) or a raw CSV body
    /// (`Content-Type: text/csv`, mapping in the `mapping` query parameter). Without a mapping the
    /// guesses from the header are used.
    static func apiCreate(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let data: Data
        let filename: String
        var mappingText: String? = request.query[String.self, at: "mapping"]
        if request.headers.contentType?.type == "multipart" {
            struct Form: Content {
                var file: File?
                var mapping: String?
            }
            guard let form = try? request.content.decode(Form.self), let file = form.file else {
                throw APIError(.badRequest, code: "no_file", message: request.localizer(.contactImportNoFile))
            }
            data = Data(buffer: file.data)
            filename = file.filename
            mappingText = form.mapping ?? mappingText
        } else {
            data = bodyData(request) ?? Data()
            filename = "upload.csv"
        }
        do {
            let record = try await store(data, filename: filename, request: request, tenant: tenant)
            let mapping: ImportMapping
            if let mappingText {
                guard let decoded = try? JSONDecoder().decode(ImportMapping.self, from: Data(mappingText.utf8)) else {
                    throw APIError(
                        .unprocessableEntity, code: "invalid_mapping",
                        message: "mapping must be {\"columns\": [\"name\", \"phone\", \"ignore\", \"field:key\", ...], \"tag_all\": \"optional tag\"}")
                }
                mapping = decoded
            } else {
                let fields = try await tenant.scope.query(ContactFieldDefinition.self).all()
                mapping = ImportMapping(columns: try await preview(record, request: request).header.map { ColumnTarget.guess(header: $0, fields: fields) })
            }
            _ = try await start(record, mapping: mapping, jobs: request.jobs, scope: tenant.scope, logger: request.logger)
            let fresh = try await tenant.scope.find(ContactImport.self, record.id) ?? record
            let response = try await ImportBody(fresh).encodeResponse(for: request)
            response.status = .accepted
            return response
        } catch let refusal as Refusal {
            throw APIError(refusal.status, code: refusal.code, message: request.localizer(refusal.key))
        }
    }

    static func apiShow(_ request: Request, _ tenant: Tenant) async throws -> ImportBody {
        ImportBody(try await find(request, tenant))
    }
}
