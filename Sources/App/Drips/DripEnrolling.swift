import Fluent
import Foundation
import SQLKit

/// Puts contacts into a sequence, each at most once (a contact who finished or left is not enrolled
/// again), due for step 1 after its delay.
struct DripEnrolling: Sendable {
    let scope: TenantScope
    let now: Date

    static let tagLookBack: TimeInterval = 300

    /// Returns how many were new to the sequence.
    @discardableResult
    func enrol(_ contactIDs: [UUID], in sequence: DripSequence) async throws -> Int {
        guard !contactIDs.isEmpty else { return 0 }
        let sequenceID = try sequence.requireID()
        guard let first = try await scope.query(DripStep.self).filter(\.$sequenceID == sequenceID).sort(\.$position).first() else { return 0 }
        let due = now.addingTimeInterval(TimeInterval(first.delayMinutes * 60))
        var enrolled = 0
        for chunk in contactIDs.chunks(of: 500) {
            let rows = try await scope.sql { organization in
                let values = chunk.map { contactID in
                    SQLGroupExpression(
                        [
                            SQLBind(UUID()), SQLBind(organization), SQLBind(sequenceID), SQLBind(contactID), SQLBind(DripEnrolment.Status.active.rawValue),
                            SQLBind(first.position), SQLBind(due), SQLBind(now),
                        ] as [any SQLExpression])
                }
                return """
                    INSERT INTO drip_enrolments (id, organization_id, sequence_id, contact_id, status, next_position, next_at, enrolled_at)
                    VALUES \(SQLList(values))
                    ON CONFLICT (sequence_id, contact_id) DO NOTHING
                    RETURNING id
                    """
            }.all()
            enrolled += rows.count
        }
        return enrolled
    }

    /// Enrols the contacts that got the sequence's tag since it last looked, and moves its mark on.
    func enrolNewlyTagged(in sequence: DripSequence) async throws {
        guard sequence.enrolOnTagAdded, let tagID = sequence.enrolTagID else { return }
        // Looking back a little further than the last look also finds a tag whose transaction committed
        // after it (with an earlier time); enrolling twice is a no-op.
        let since = (sequence.tagsSeenUntil ?? sequence.activatedAt ?? now).addingTimeInterval(-Self.tagLookBack)
        let rows = try await scope.sql { organization in
            """
            SELECT contact_tags.contact_id FROM contact_tags
            JOIN contacts ON contacts.id = contact_tags.contact_id AND contacts.organization_id = contact_tags.organization_id
            WHERE contact_tags.organization_id = \(bind: organization) AND contact_tags.tag_id = \(bind: tagID)
              AND contact_tags.created_at > \(bind: since) AND contact_tags.created_at <= \(bind: now) AND contacts.erased_at IS NULL
            """
        }.all()
        try await enrol(try rows.map { try $0.decode(column: "contact_id", as: UUID.self) }, in: sequence)
        sequence.tagsSeenUntil = now
        try await sequence.save(on: scope.database)
    }
}
