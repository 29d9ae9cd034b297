import Fluent
import Foundation
import SQLKit
import Vapor

/// A campaign's recipients with their outcome as CSV, streamed a page at a time in sending order:
/// name, phone, status, reason, Meta's error code and the times of sending and of the last status.
/// Cells that could start a formula are neutralized, as in the contact export.
enum CampaignExport {
    static let pageSize = 1000
    static let header = ["name", "phone", "status", "reason", "error_code", "sent_at", "status_at"]

    static func export(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let campaign = try await tenant.find(Campaign.self, parameter: SiteURL.campaignID, of: request)
        let (scope, campaignID, logger) = (tenant.scope, try campaign.requireID(), request.logger)
        let body = Response.Body(asyncStream: { writer in
            do {
                var head = ContactCSV.byteOrderMark
                head.append(try ContactCSV.line(header))
                try await writer.writeBuffer(ByteBuffer(data: head))
                var after = 0
                while true {
                    let page = try await rows(of: campaignID, after: after, in: scope)
                    var chunk = Data()
                    for row in page { chunk.append(try ContactCSV.line(row.cells, trusted: [1])) }
                    if !chunk.isEmpty { try await writer.writeBuffer(ByteBuffer(data: chunk)) }
                    guard page.count == pageSize, let last = page.last else { break }
                    after = last.position
                }
                try await writer.write(.end)
            } catch {
                logger.error("campaign export failed midway", metadata: ["error": .string(String(describing: error))])
                try await writer.write(.error(error))
            }
        })
        let filename = "campaign-" + campaign.name.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40) + ".csv"
        return ContactImportController.csvResponse(body, filename: filename.isEmpty ? "campaign.csv" : String(filename))
    }

    struct Row {
        var position: Int
        var cells: [String]
    }

    static func rows(of campaignID: UUID, after position: Int, in scope: TenantScope) async throws -> [Row] {
        struct Found: Decodable {
            var position: Int
            var name: String?
            var profile_name: String?
            var wa_id: String?
            var status: String
            var reason: String?
            var error_code: Int?
            var sent_at: Date?
            var status_at: Date?
        }
        let found = try await scope.sql { organization in
            """
            SELECT r.position, c.name, c.profile_name, r.wa_id, r.status, r.reason, r.error_code, r.sent_at, r.status_at
            FROM campaign_recipients r LEFT JOIN contacts c ON c.id = r.contact_id AND c.organization_id = r.organization_id
            WHERE r.organization_id = \(bind: organization) AND r.campaign_id = \(bind: campaignID) AND r.position > \(bind: position)
            ORDER BY r.position LIMIT \(unsafeRaw: String(pageSize))
            """
        }.all(decoding: Found.self)
        let time = ISO8601DateFormatter()
        return found.map { row in
            Row(
                position: row.position,
                cells: [
                    row.name ?? row.profile_name ?? "", row.wa_id.map { "+" + $0 } ?? "", row.status, row.reason ?? "", row.error_code.map(String.init) ?? "",
                    row.sent_at.map(time.string(from:)) ?? "", row.status_at.map(time.string(from:)) ?? "",
                ])
        }
    }
}
