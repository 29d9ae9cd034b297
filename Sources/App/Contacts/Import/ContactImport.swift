import Fluent
import Foundation

/// One CSV import of contacts, from upload through review to the finished job.
final class ContactImport: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_imports"
    static var organizationIDKey: KeyPath<ContactImport, FieldProperty<ContactImport, UUID>> { \.$organizationID }

    enum State: String, Codable, Sendable {
        /// Uploaded; the columns wait for their mapping.
        case review
        case queued
        case running
        case done
        case failed
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    /// The member who uploaded it, for the contacts' history lines.
    @OptionalField(key: "actor") var actor: String?
    @Field(key: "filename") var filename: String
    @Field(key: "object_key") var objectKey: String
    @Field(key: "size") var size: Int
    @Field(key: "encoding") var encoding: CSVEncoding
    /// One character: `,` `;` tab or `|`.
    @Field(key: "delimiter") var delimiter: String
    /// JSON of `ImportMapping`, set when the import is started.
    @OptionalField(key: "mapping") var mappingJSON: String?
    @Field(key: "state") var state: State
    @OptionalField(key: "job_id") var jobID: UUID?
    @OptionalField(key: "total_rows") var totalRows: Int?
    /// The checkpoint: data rows handled so far, committed in the same transaction as their writes.
    @Field(key: "rows_done") var rowsDone: Int
    @Field(key: "created_count") var createdCount: Int
    @Field(key: "updated_count") var updatedCount: Int
    @Field(key: "failed_count") var failedCount: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    init(organizationID: UUID, actor: String?, filename: String, objectKey: String, size: Int, encoding: CSVEncoding, delimiter: String, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.actor = actor
        self.filename = filename
        self.objectKey = objectKey
        self.size = size
        self.encoding = encoding
        self.delimiter = delimiter
        self.state = .review
        self.rowsDone = 0
        self.createdCount = 0
        self.updatedCount = 0
        self.failedCount = 0
        self.createdAt = now
    }

    var mapping: ImportMapping? {
        get { mappingJSON.flatMap { try? JSONDecoder().decode(ImportMapping.self, from: Data($0.utf8)) } }
        set { mappingJSON = newValue.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) } }
    }
}

/// A row of an import that was not imported, and why.
final class ContactImportFailure: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_import_failures"
    static var organizationIDKey: KeyPath<ContactImportFailure, FieldProperty<ContactImportFailure, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "import_id") var importID: UUID
    /// The record's number in the file, the header being row 1.
    @Field(key: "row_number") var rowNumber: Int
    @Field(key: "reason") var reason: String

    init() {}

    init(organizationID: UUID, importID: UUID, rowNumber: Int, reason: String) {
        self.id = UUID()
        self.organizationID = organizationID
        self.importID = importID
        self.rowNumber = rowNumber
        self.reason = String(reason.prefix(500))
    }
}

/// What each column of a file becomes.
enum ColumnTarget: Codable, Sendable, Equatable, Hashable {
    case ignore
    case name
    case phone
    case email
    case tags
    case optIn
    case field(key: String)

    /// The form value: `name`, `phone`, `email`, `tags`, `opt_in`, `field:<key>` or `ignore`.
    var formValue: String {
        switch self {
        case .ignore: "ignore"
        case .name: "name"
        case .phone: "phone"
        case .email: "email"
        case .tags: "tags"
        case .optIn: "opt_in"
        case .field(let key): "field:" + key
        }
    }

    init?(formValue: String) {
        switch formValue {
        case "ignore", "": self = .ignore
        case "name": self = .name
        case "phone": self = .phone
        case "email": self = .email
        case "tags": self = .tags
        case "opt_in": self = .optIn
        default:
            guard formValue.hasPrefix("field:"), formValue.count > 6 else { return nil }
            self = .field(key: String(formValue.dropFirst(6)))
        }
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let target = ColumnTarget(formValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown column target \(text)"))
        }
        self = target
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(formValue)
    }

    /// A guess from a header cell, in English or Dutch.
    static func guess(header: String, fields: [ContactFieldDefinition]) -> ColumnTarget {
        let cell = header.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let plain = cell.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        switch plain {
        case "name", "naam", "full name", "volledige naam", "contact", "contactnaam", "contact name": return .name
        case "phone", "phone number", "telefoon", "telefoonnummer", "mobile", "mobiel", "mobiel nummer", "mobile number", "number", "nummer",
            "whatsapp", "tel", "gsm":
            return .phone
        case "email", "e mail", "email address", "e mail address", "e mailadres", "emailadres", "mail": return .email
        case "tags", "tag", "labels", "label": return .tags
        case "opt in", "optin", "opt in marketing", "marketing", "toestemming", "consent", "aangemeld", "subscribed": return .optIn
        default: break
        }
        if let field = fields.first(where: { $0.key.lowercased() == cell || $0.label.lowercased() == cell }) { return .field(key: field.key) }
        return .ignore
    }
}

/// The columns of a file, by position, and a tag for every contact of the file.
struct ImportMapping: Codable, Sendable, Equatable {
    var columns: [ColumnTarget]
    /// Given to every contact of the file besides its own tags: an uploaded list, for a campaign.
    var tagAll: String?

    enum CodingKeys: String, CodingKey {
        case columns
        case tagAll = "tag_all"
    }

    init(columns: [ColumnTarget], tagAll: String? = nil) {
        self.columns = columns
        self.tagAll = tagAll
    }
}
