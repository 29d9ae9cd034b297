import Fluent
import Foundation
import SQLKit

/// Who a campaign is for: the contacts of a segment, of any of some tags, and a selection from the
/// contact list, together (each contact once).
struct CampaignAudience: Codable, Sendable, Equatable {
    var segmentID: UUID?
    var tagIDs: [UUID] = []
    var contactIDs: [UUID] = []

    enum CodingKeys: String, CodingKey {
        case segmentID = "segment_id", tagIDs = "tag_ids", contactIDs = "contact_ids"
    }

    init(segmentID: UUID? = nil, tagIDs: [UUID] = [], contactIDs: [UUID] = []) {
        self.segmentID = segmentID
        self.tagIDs = tagIDs
        self.contactIDs = contactIDs
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        segmentID = try container.decodeIfPresent(UUID.self, forKey: .segmentID)
        tagIDs = try container.decodeIfPresent([UUID].self, forKey: .tagIDs) ?? []
        contactIDs = try container.decodeIfPresent([UUID].self, forKey: .contactIDs) ?? []
    }

    var isEmpty: Bool { segmentID == nil && tagIDs.isEmpty && contactIDs.isEmpty }

    /// Refuses a segment, tag or contact that is not this organization's, naming it (`CampaignProblem`).
    func check(in scope: TenantScope) async throws {
        if isEmpty { throw CampaignProblem.invalid(field: "audience", problem: "choose a segment, tags or contacts") }
        if let segmentID, try await scope.find(Segment.self, segmentID) == nil {
            throw CampaignProblem.invalid(field: "audience.segment_id", problem: "there is no such segment")
        }
        let tags = Set(try await scope.query(Tag.self).filter(\.$id ~~ tagIDs).all().compactMap(\.id))
        if let unknown = tagIDs.first(where: { !tags.contains($0) }) {
            throw CampaignProblem.invalid(field: "audience.tag_ids", problem: "there is no tag \(unknown.uuidString)")
        }
        guard contactIDs.count <= 10_000 else {
            throw CampaignProblem.invalid(field: "audience.contact_ids", problem: "at most 10,000 contacts; save a segment for more")
        }
        let known = try await Self.live(Array(Set(contactIDs)), in: scope)
        if let unknown = contactIDs.first(where: { !known.contains($0) }) {
            throw CampaignProblem.invalid(field: "audience.contact_ids", problem: "there is no contact \(unknown.uuidString)")
        }
    }

    /// The audience's live contacts now, each once: the segment's in its order, then the tags', then
    /// the selection.
    func contactIDs(in scope: TenantScope) async throws -> [UUID] {
        var ordered: [UUID] = []
        var seen: Set<UUID> = []
        func add(_ ids: [UUID]) {
            for id in ids where seen.insert(id).inserted { ordered.append(id) }
        }
        if let segmentID, let segment = try await scope.find(Segment.self, segmentID) {
            add(try await segment.contactIDs(in: scope))
        }
        if !tagIDs.isEmpty {
            let rows = try await scope.sql { organization in
                """
                SELECT DISTINCT contacts.id, contacts.created_at FROM contacts
                JOIN contact_tags ON contact_tags.contact_id = contacts.id AND contact_tags.organization_id = contacts.organization_id
                WHERE contacts.organization_id = \(bind: organization) AND contacts.erased_at IS NULL
                  AND contact_tags.tag_id IN \(SQLGroupExpression(tagIDs.map { SQLBind($0) }))
                ORDER BY contacts.created_at, contacts.id
                """
            }.all()
            add(try rows.map { try $0.decode(column: "id", as: UUID.self) })
        }
        if !contactIDs.isEmpty {
            let live = try await Self.live(contactIDs, in: scope)
            add(contactIDs.filter(live.contains))
        }
        return ordered
    }

    /// How many live contacts the audience has now, each once: counted by the database, not loaded.
    func count(in scope: TenantScope) async throws -> Int {
        let parts = try await conditions(in: scope)
        guard !parts.isEmpty else { return 0 }
        let row = try await scope.sql { organization in
            """
            SELECT COUNT(*) AS n FROM contacts
            WHERE contacts.organization_id = \(bind: organization) AND contacts.erased_at IS NULL
              AND (\(SQLList(parts.map { "(\($0))" as SQLQueryString }, separator: SQLRaw(" OR "))))
            """
        }.first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The contact `contactIDs` would put first, found without loading the rest.
    func firstContactID(in scope: TenantScope) async throws -> UUID? {
        for condition in try await conditions(in: scope, selection: false) {
            let row = try await scope.sql { organization in
                """
                SELECT id FROM contacts WHERE contacts.organization_id = \(bind: organization) AND contacts.erased_at IS NULL AND (\(condition))
                ORDER BY created_at, id LIMIT 1
                """
            }.first()
            if let row { return try row.decode(column: "id", as: UUID.self) }
        }
        // The selection in the order it was given.
        for chunk in contactIDs.chunks(of: 500) {
            let live = try await Self.live(Array(chunk), in: scope)
            if let first = chunk.first(where: live.contains) { return first }
        }
        return nil
    }

    /// Which of `ids` are the organization's contacts and not erased, asked 500 at a time.
    private static func live(_ ids: [UUID], in scope: TenantScope) async throws -> Set<UUID> {
        var live: Set<UUID> = []
        for chunk in ids.chunks(of: 500) {
            live.formUnion(try await scope.query(Contact.self).filter(\.$id ~~ Array(chunk)).filter(\.$erasedAt == nil).all().compactMap(\.id))
        }
        return live
    }

    /// The segment's, the tags' and (with `selection`) the selection's conditions over `contacts`.
    private func conditions(in scope: TenantScope, selection: Bool = true) async throws -> [SQLQueryString] {
        var parts: [SQLQueryString] = []
        if let segmentID, let segment = try await scope.find(Segment.self, segmentID) {
            parts.append(try await segment.filter.sqlCondition(in: scope))
        }
        if !tagIDs.isEmpty {
            parts.append(
                """
                EXISTS (SELECT 1 FROM contact_tags WHERE contact_tags.contact_id = contacts.id
                  AND contact_tags.organization_id = \(bind: scope.organizationID) AND contact_tags.tag_id IN \(SQLGroupExpression(tagIDs.map { SQLBind($0) })))
                """)
        }
        if selection, !contactIDs.isEmpty { parts.append("contacts.id IN \(SQLGroupExpression(contactIDs.map { SQLBind($0) }))") }
        return parts
    }
}

/// Why a campaign cannot be saved or started; the message is shown as it is.
enum CampaignProblem: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, problem: String)
    /// The action does not apply to a campaign in this status ("only a paused campaign resumes").
    case wrongStatus(Campaign.Status, action: String)
    /// The organization's plan does not allow it.
    case planLimit(String)

    var description: String {
        switch self {
        case .invalid(let field, let problem): "\(field): \(problem)"
        case .wrongStatus(let status, let action): "A campaign that is \(status.rawValue) cannot \(action)."
        case .planLimit(let text): text
        }
    }
}
