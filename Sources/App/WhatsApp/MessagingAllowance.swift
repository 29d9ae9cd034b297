import Fluent
import Foundation
import SQLKit

/// Meta's messaging limit as it stands for one number: how many more different customers its business
/// may start conversations with in the moving 24 hours. The limit belongs to the business portfolio,
/// so the customers reached by every number of the portfolio count (by its accounts' numbers alone
/// when Meta did not name the portfolio): with a template from a campaign, a drip step or the inbox,
/// as each opens a business-initiated conversation.
struct MessagingAllowance: Sendable {
    let connection: WhatsAppConnection
    let scope: TenantScope
    let now: Date

    static let window: TimeInterval = 24 * 3600

    /// How many more different customers may be reached; nil: unlimited.
    func remaining() async throws -> Int? {
        guard let limit = connection.messagingLimit else { return nil }
        let row = try await scope.sql { organization in
            "SELECT COUNT(*) AS n FROM (\(reached(organization: organization, waID: nil))) AS reached"
        }.first()
        return max(0, limit - (try row?.decode(column: "n", as: Int.self) ?? 0))
    }

    /// Whether a template may go to this customer now: there is room for one more, or they were
    /// reached within the window already (and so take no new place).
    func allows(waID: String) async throws -> Bool {
        guard let remaining = try await remaining(), remaining == 0 else { return true }
        return try await scope.sql { organization in reached(organization: organization, waID: waID) }.first() != nil
    }

    /// The customers (their WhatsApp ids) reached in the window, each once; only `waID` when given.
    private func reached(organization: UUID, waID: String?) -> SQLQueryString {
        let since = now.addingTimeInterval(-Self.window)
        let numbers: SQLQueryString =
            if let portfolio = connection.businessPortfolioID {
                "(w.business_portfolio_id = \(bind: portfolio) OR w.business_account_id = \(bind: connection.businessAccountID))"
            } else {
                "w.business_account_id = \(bind: connection.businessAccountID)"
            }
        let recipient: SQLQueryString = waID.map { "AND r.wa_id = \(bind: $0)" } ?? ""
        let contact: SQLQueryString = waID.map { "AND ct.wa_id = \(bind: $0)" } ?? ""
        return """
            SELECT r.wa_id FROM campaign_recipients r
            JOIN campaigns c ON c.id = r.campaign_id AND c.organization_id = r.organization_id
            JOIN whatsapp_connections w ON w.id = c.connection_id AND w.organization_id = c.organization_id
            WHERE r.organization_id = \(bind: organization) AND \(numbers)
              AND r.claimed_at > \(bind: since) AND r.status IN ('sending', 'unknown', 'sent', 'delivered', 'read') AND r.wa_id IS NOT NULL \(recipient)
            UNION
            SELECT ct.wa_id FROM messages m
            JOIN whatsapp_connections w ON w.id = m.connection_id AND w.organization_id = m.organization_id
            JOIN conversations cv ON cv.id = m.conversation_id AND cv.organization_id = m.organization_id
            JOIN contacts ct ON ct.id = cv.contact_id AND ct.organization_id = cv.organization_id
            WHERE m.organization_id = \(bind: organization) AND \(numbers)
              AND m.direction = 'outbound' AND m.kind = 'template' AND m.sent_at > \(bind: since)
              AND m.status IN ('queued', 'sending', 'unknown', 'sent', 'delivered', 'read', 'played') AND ct.wa_id IS NOT NULL \(contact)
            """
    }
}
