import ADSappCore
import Fluent
import Foundation
import SQLKit

/// What an organization uses of each plan limit, this calendar month in its time zone where a limit is monthly.
struct BillingUsage: Sendable, Equatable {
    var seats: Int
    var numbers: Int
    var contacts: Int
    var monthlyMessages: Int
    var monthlyAICredits: Int

    func used(_ limit: BillingLimit) -> Int {
        switch limit {
        case .seats: seats
        case .numbers: numbers
        case .contacts: contacts
        case .monthlyMessages: monthlyMessages
        case .monthlyAICredits: monthlyAICredits
        }
    }

    static func of(_ scope: TenantScope, now: Date, timeZone: TimeZone) async throws -> BillingUsage {
        let row = try await scope.sql { organization in
            """
            SELECT (SELECT COUNT(*) FROM memberships WHERE organization_id = \(bind: organization))
                 + (SELECT COUNT(*) FROM invitations WHERE organization_id = \(bind: organization)
                    AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now)) AS seats,
                   (SELECT COUNT(*) FROM whatsapp_connections WHERE organization_id = \(bind: organization)) AS numbers,
                   (SELECT COUNT(*) FROM contacts WHERE organization_id = \(bind: organization) AND erased_at IS NULL) AS contacts
            """
        }.first()
        return BillingUsage(
            seats: try row?.decode(column: "seats", as: Int.self) ?? 0,
            numbers: try row?.decode(column: "numbers", as: Int.self) ?? 0,
            contacts: try row?.decode(column: "contacts", as: Int.self) ?? 0,
            monthlyMessages: try await monthlyMessages(in: scope, since: startOfMonth(now, timeZone: timeZone)),
            monthlyAICredits: try await AIAssistant.used(in: scope, since: startOfMonth(now, timeZone: timeZone)).requests)
    }

    /// Business-initiated messages since `start`: campaign messages claimed for sending and drip steps sent.
    static func monthlyMessages(in scope: TenantScope, since start: Date) async throws -> Int {
        let row = try await scope.sql { organization in
            """
            SELECT (SELECT COUNT(*) FROM campaign_recipients WHERE organization_id = \(bind: organization) AND claimed_at >= \(bind: start))
                 + (SELECT COUNT(*) FROM drip_deliveries
                    WHERE organization_id = \(bind: organization) AND message_id IS NOT NULL AND created_at >= \(bind: start)) AS n
            """
        }.first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    static func startOfMonth(_ date: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateInterval(of: .month, for: date)?.start ?? date
    }
}
