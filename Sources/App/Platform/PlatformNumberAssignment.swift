import Fluent
import Foundation
import Jobs

/// Connects the platform's own number (`WHATSAPP_PHONE_NUMBER_ID` + `WHATSAPP_ACCESS_TOKEN`, and
/// `WHATSAPP_BUSINESS_ACCOUNT_ID`) to one organization. Only a platform operator does this, at
/// /admin or with `adsapp platform-admin assign-number`: the number and its token are the
/// platform's, so no tenant can claim them. The same checks as any connection apply
/// (`ConnectionSetup`): Meta must accept the token and list the number under the account.
struct PlatformNumberAssignment: Sendable {
    enum Problem: Error, Equatable, CustomStringConvertible {
        case noPlatformNumber
        case noSuchOrganization
        case refused(ConnectionProblem)

        var description: String {
            switch self {
            case .noPlatformNumber: "no platform number is configured (WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN)"
            case .noSuchOrganization: "no such organization"
            case .refused(let problem): problem.description
            }
        }
    }

    let services: WhatsAppServices
    let database: any Database
    let jobs: JobStore
    let now: Date

    /// The platform number, when one is configured: its id and the organization it is connected to.
    func status() async throws -> (phoneNumberID: String, organizationID: UUID?)? {
        guard let number = services.settings.defaultConnection else { return nil }
        let connection = try await ConnectionDirectory(database: database).connection(phoneNumberID: number.phoneNumberID)
        return (number.phoneNumberID, connection?.organizationID)
    }

    @discardableResult
    func assign(to organizationID: UUID) async throws -> WhatsAppConnection {
        guard let number = services.settings.defaultConnection else { throw Problem.noPlatformNumber }
        guard try await Organization.find(organizationID, on: database) != nil else { throw Problem.noSuchOrganization }
        let scope = TenantScope(organizationID: organizationID, database: database)
        let input = ConnectionInput(phoneNumberID: number.phoneNumberID, businessAccountID: number.businessAccountID, accessToken: number.accessToken)
        do {
            return try await ConnectionSetup(scope: scope, services: services, jobs: jobs, now: now).connect(input)
        } catch let problem as ConnectionProblem {
            throw Problem.refused(problem)
        }
    }
}
