import Fluent
import Foundation
import Vapor

extension SegmentListPage {
    static func query(_ tenant: Tenant, counts: ContactCounts, notice: String?) async throws -> Model {
        let scope = tenant.scope
        var rows: [Row] = []
        for segment in try await scope.query(Segment.self).sort(\.$name).all() {
            let filter = segment.filter
            let count: Int?
            do {
                count = try await counts.count(filter, in: scope)
            } catch let abort as Abort where abort.status == .badRequest {
                count = nil
            }
            rows.append(
                Row(
                    id: try segment.requireID(), name: segment.name, count: count, updatedAt: segment.updatedAt,
                    contactsURL: SegmentFormPage.contactsURL(filter.queryItems)))
        }
        return Model(rows: rows, notice: notice)
    }
}
