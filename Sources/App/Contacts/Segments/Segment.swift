import Fluent
import Foundation
import SQLKit
import Vapor

/// A saved contact filter with a name ("VIP customers in Amsterdam"); campaigns send to one.
final class Segment: Model, TenantOwned, @unchecked Sendable {
    static let schema = "segments"
    static var organizationIDKey: KeyPath<Segment, FieldProperty<Segment, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    /// The `ContactFilter` as JSON.
    @Field(key: "filter") var filterJSON: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(organizationID: UUID, name: String, filter: ContactFilter, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.name = name
        self.filterJSON = ""
        self.createdAt = now
        self.updatedAt = now
        self.filter = filter
    }

    /// The saved filter; an unreadable one (never written by this app) selects nobody rather than everyone.
    var filter: ContactFilter {
        get {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return (try? decoder.decode(ContactFilter.self, from: Data(filterJSON.utf8))) ?? ContactFilter(tagIDs: [UUID()])
        }
        set {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .iso8601
            filterJSON = String(decoding: (try? encoder.encode(newValue)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    /// Another segment of the organization has this name, in any case ("VIP" and "vip").
    struct NameTaken: Error {}

    /// Saves the segment unless another segment of its organization has the same name in any case.
    /// The check reads the organization's segment names (a handful) and compares them as people
    /// read them; the unique index on the lower-cased name settles two saves at the same moment.
    func saveWithUniqueName(in scope: TenantScope) async throws {
        let key = name.lowercased()
        let others = try await scope.query(Segment.self).field(\.$id).field(\.$name).all()
        if others.contains(where: { $0.id != id && $0.name.lowercased() == key }) { throw NameTaken() }
        do {
            try await save(on: scope.database)
        } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
            throw NameTaken()
        }
    }

    /// The ids of the contacts this segment selects now (for campaigns), in creation order.
    func contactIDs(in scope: TenantScope) async throws -> [UUID] {
        try await Self.contactIDs(filter, in: scope)
    }

    static func contactIDs(_ filter: ContactFilter, in scope: TenantScope) async throws -> [UUID] {
        let condition = try await filter.sqlCondition(in: scope)
        return try await scope.sql("SELECT id FROM contacts WHERE \(condition) ORDER BY created_at, id").all()
            .map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// How many contacts it selects now.
    func count(in scope: TenantScope) async throws -> Int {
        try await ContactCounts.exact(filter, in: scope)
    }

    /// A name as typed: trimmed, 1 to 100 characters.
    static func checkedName(_ input: String?) throws -> String {
        let name = (input ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw Abort(.badRequest, reason: "A segment needs a name of 1 to 100 characters.") }
        return name
    }
}

extension Segment {
    /// Refuses a filter naming a field, tag or number that is not this organization's (`400`): a
    /// saved segment never refers to another organization's rows.
    static func check(_ filter: ContactFilter, in scope: TenantScope) async throws {
        _ = try await filter.sqlCondition(in: scope)
        if !filter.tagIDs.isEmpty {
            let known = Set(try await scope.query(Tag.self).filter(\.$id ~~ filter.tagIDs).all().compactMap(\.id))
            if let unknown = filter.tagIDs.first(where: { !known.contains($0) }) {
                throw Abort(.badRequest, reason: "Unknown tag: \(unknown.uuidString)")
            }
        }
        if let number = filter.lastInboundConnectionID, try await scope.find(WhatsAppConnection.self, number) == nil {
            throw Abort(.badRequest, reason: "Unknown number: \(number.uuidString)")
        }
    }
}
