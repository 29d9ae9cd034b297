import Fluent
import Foundation

extension DripListPage {
    static func query(_ tenant: Tenant, notice: String?) async throws -> Model {
        let scope = tenant.scope
        let sequences = try await scope.query(DripSequence.self).sort(\.$createdAt, .descending).limit(200).all()
        var rows: [Row] = []
        for sequence in sequences {
            let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID()).sort(\.$position).all()
            rows.append(
                Row(
                    id: try sequence.requireID(), name: sequence.name, status: sequence.status, steps: steps.count,
                    statistics: try await DripStatistics.of(sequence, steps: steps, in: scope)))
        }
        return Model(rows: rows, canManage: tenant.role.can(.manageCampaigns), notice: notice)
    }
}
