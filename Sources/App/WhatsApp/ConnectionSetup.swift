import ADSappCore
import Fluent
import Foundation
import Jobs
import Vapor
import WhatsAppCloud

/// What an admin enters to connect a number (the settings form and `POST /api/v1/whatsapp/connections`).
struct ConnectionInput: Content, Sendable {
    var phoneNumberID: String?
    var businessAccountID: String?
    var accessToken: String?
    /// Only for a number that uses its own Meta app instead of the platform's.
    var appSecret: String?
    var verifyToken: String?
    var sendsPerSecond: Int?

    enum CodingKeys: String, CodingKey {
        case phoneNumberID = "phone_number_id", businessAccountID = "business_account_id", accessToken = "access_token"
        case appSecret = "app_secret", verifyToken = "verify_token", sendsPerSecond = "sends_per_second"
    }
}

/// Why a connection was not saved, per field, in words an admin can act on.
struct ConnectionProblem: Error, Equatable, CustomStringConvertible {
    /// Named as the API's JSON keys and the settings form's fields, so the message points at what to correct.
    enum Field: String, Sendable {
        case phoneNumberID = "phone_number_id", businessAccountID = "business_account_id", accessToken = "access_token"
        case appSecret = "app_secret", verifyToken = "verify_token", sendsPerSecond = "sends_per_second"
    }
    enum Reason: Equatable, Sendable {
        case required, notNumeric, badFormat, outOfRange
        case tokenRefused(String)
        case metaError(code: Int, message: String)
        case unreachable
        case alreadyConnectedElsewhere
        /// Meta does not list the number under the account (`GET /{waba-id}/phone_numbers`).
        case notInBusinessAccount(phoneNumberID: String, businessAccountID: String)
    }
    var field: Field
    var reason: Reason

    var description: String {
        switch reason {
        case .required: "\(field.rawValue) is required"
        case .notNumeric: "\(field.rawValue) must be the numeric id shown in Meta's WhatsApp Manager"
        case .badFormat: "\(field.rawValue) has characters that do not belong in it"
        case .outOfRange: "\(field.rawValue) must be between 1 and 1000"
        case .tokenRefused(let message): "Meta refused this access token (error 190): \(message)"
        case .metaError(let code, let message): "Meta answered with error \(code): \(message)"
        case .unreachable: "Meta's Graph API could not be reached; try again in a moment"
        case .alreadyConnectedElsewhere: "This number is already connected to another organization"
        case .notInBusinessAccount(let phoneNumberID, let businessAccountID):
            "Phone number id \(phoneNumberID) is not a number of WhatsApp Business Account \(businessAccountID); check both ids in Meta's WhatsApp Manager"
        }
    }

    /// In the reader's language where a translation exists; the English description otherwise.
    func message(_ t: Localizer) -> String {
        switch reason {
        case .notInBusinessAccount(let phoneNumberID, let businessAccountID):
            t(.whatsappConnectNotInAccount, ["phone": phoneNumberID, "account": businessAccountID])
        default:
            description
        }
    }
}

/// Connects numbers: checks the token against the Graph API and the number against the business
/// account it is said to belong to, seals the credentials and stores them, then syncs the
/// account's templates. Nothing is saved when a check fails.
struct ConnectionSetup: Sendable {
    let scope: TenantScope
    let services: WhatsAppServices
    let jobs: JobStore
    let now: Date
    /// The plan's number limit, for a member's connect (a platform operator's assignment has none).
    var billing: BillingAccess? = nil

    /// Connects the number, or (for a number this organization already has) replaces its credentials.
    func connect(_ input: ConnectionInput) async throws -> WhatsAppConnection {
        let phoneNumberID = try Self.numericID(input.phoneNumberID, .phoneNumberID)
        if let billing, try await scope.query(WhatsAppConnection.self).filter(\.$phoneNumberID == phoneNumberID).first() == nil {
            let connected = try await scope.query(WhatsAppConnection.self).count()
            try await billing.require(.numbers, used: connected, for: scope.organizationID, on: scope.database)
        }
        let token = try Self.secret(input.accessToken, .accessToken, required: true)!
        let appSecret = try Self.secret(input.appSecret, .appSecret, required: false)
        // A number with its own Meta app gets its own verify token: the platform's is never shown to a tenant.
        let verifyToken = try Self.secret(input.verifyToken, .verifyToken, required: false) ?? (appSecret == nil ? nil : Self.newVerifyToken())
        let rate = input.sendsPerSecond ?? services.settings.sendsPerSecond
        guard (1...1000).contains(rate) else { throw ConnectionProblem(field: .sendsPerSecond, reason: .outOfRange) }

        let info: PhoneNumberInfo
        do {
            info = try await services.graph.phoneNumberInfo(phoneNumberID: phoneNumberID, token: token)
        } catch let error as GraphError {
            if error.disposition == .tokenBroken {
                throw ConnectionProblem(field: .accessToken, reason: .tokenRefused(error.message ?? error.title ?? ""))
            }
            throw ConnectionProblem(field: .phoneNumberID, reason: .metaError(code: error.code, message: error.message ?? error.title ?? ""))
        } catch {
            throw ConnectionProblem(field: .phoneNumberID, reason: .unreachable)
        }

        let existing = try await ConnectionDirectory(database: scope.database).connection(phoneNumberID: phoneNumberID)
        if let existing, existing.organizationID != scope.organizationID {
            throw ConnectionProblem(field: .phoneNumberID, reason: .alreadyConnectedElsewhere)
        }
        let businessAccountID: String
        if let given = input.businessAccountID, !given.isEmpty {
            businessAccountID = try Self.numericID(given, .businessAccountID)
        } else if let existing {
            businessAccountID = existing.businessAccountID
        } else {
            throw ConnectionProblem(field: .businessAccountID, reason: .required)
        }
        try await checkAccount(businessAccountID, lists: phoneNumberID, token: token)
        let portfolioID = try? await services.graph.businessPortfolioID(businessAccountID: businessAccountID, token: token)

        let connection = existing ?? WhatsAppConnection()
        if connection.id == nil {
            connection.id = UUID()
            connection.organizationID = scope.organizationID
            connection.phoneNumberID = phoneNumberID
            connection.createdAt = now
        }
        let vault = services.vault
        connection.businessAccountID = businessAccountID
        // Not told this time (Meta unreachable for this call): keep what was known.
        if let portfolioID { connection.businessPortfolioID = portfolioID }
        connection.displayPhoneNumber = info.displayPhoneNumber
        connection.verifiedName = info.verifiedName
        connection.qualityRating = info.qualityRating
        connection.accessTokenSealed = try await vault.seal(token, for: scope.organizationID, purpose: .whatsAppAccessToken, on: scope.database)
        connection.appSecretSealed = try await appSecret.asyncMap {
            try await vault.seal($0, for: scope.organizationID, purpose: .whatsAppAppSecret, on: scope.database)
        }
        connection.verifyTokenSealed = try await verifyToken.asyncMap {
            try await vault.seal($0, for: scope.organizationID, purpose: .whatsAppVerifyToken, on: scope.database)
        }
        connection.sendsPerSecond = rate
        switch info.messagingLimit {
        case .limited(let customers): connection.messagingLimit = customers
        case .unlimited: connection.messagingLimit = nil
        // Meta did not say: keep what was known, or the lowest tier a new business starts at.
        case nil: if existing == nil { connection.messagingLimit = 250 }
        }
        connection.state = .active
        connection.stateDetail = nil
        connection.checkedAt = now

        let sync = try JobStore.NewJob(
            SyncMessageTemplates.self, .init(connectionID: try connection.requireID()),
            uniqueKey: "templates:\(businessAccountID):\(scope.organizationID)", organizationID: scope.organizationID
        )
        let jobs = self.jobs
        try await scope.transaction { scope in
            do {
                try await connection.save(on: scope.database)
            } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
                throw ConnectionProblem(field: .phoneNumberID, reason: .alreadyConnectedElsewhere)
            }
            try await jobs.enqueue(sync, on: scope.database)
        }
        return connection
    }

    /// Asks Meta about the number again: refreshes name and quality, or marks the connection broken.
    func check(_ connection: WhatsAppConnection) async throws {
        let token = try await services.vault.open(connection.accessTokenSealed, for: scope.organizationID, purpose: .whatsAppAccessToken, on: scope.database)
        do {
            let info = try await services.graph.phoneNumberInfo(phoneNumberID: connection.phoneNumberID, token: token)
            connection.displayPhoneNumber = info.displayPhoneNumber
            connection.verifiedName = info.verifiedName
            connection.qualityRating = info.qualityRating
            connection.state = .active
            connection.stateDetail = nil
            connection.checkedAt = now
            try await connection.save(on: scope.database)
        } catch let error as GraphError where error.disposition == .tokenBroken || error.disposition == .accountBlocked {
            try await ConnectionHealth.record(error, for: connection, at: now, on: scope.database)
        }
    }

    /// Meta lists the account's numbers, a page at a time: the number must be among them, or a
    /// webhook about the account (templates, quality) would be taken to be about this number.
    private func checkAccount(_ businessAccountID: String, lists phoneNumberID: String, token: String) async throws {
        var cursor: String?
        do {
            for _ in 0..<20 {
                let page = try await services.graph.phoneNumberIDs(businessAccountID: businessAccountID, after: cursor, token: token)
                if page.phoneNumberIDs.contains(phoneNumberID) { return }
                guard let next = page.nextCursor else { break }
                cursor = next
            }
        } catch let error as GraphError {
            if error.disposition == .tokenBroken {
                throw ConnectionProblem(field: .accessToken, reason: .tokenRefused(error.message ?? error.title ?? ""))
            }
            throw ConnectionProblem(field: .businessAccountID, reason: .metaError(code: error.code, message: error.message ?? error.title ?? ""))
        } catch {
            throw ConnectionProblem(field: .businessAccountID, reason: .unreachable)
        }
        throw ConnectionProblem(field: .businessAccountID, reason: .notInBusinessAccount(phoneNumberID: phoneNumberID, businessAccountID: businessAccountID))
    }

    static func newVerifyToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    private static func numericID(_ value: String?, _ field: ConnectionProblem.Field) throws -> String {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { throw ConnectionProblem(field: field, reason: .required) }
        guard value.count <= 32, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw ConnectionProblem(field: field, reason: .notNumeric) }
        return value
    }

    private static func secret(_ value: String?, _ field: ConnectionProblem.Field, required: Bool) throws -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            if required { throw ConnectionProblem(field: field, reason: .required) }
            return nil
        }
        guard value.count <= 4096, value.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw ConnectionProblem(field: field, reason: .badFormat)
        }
        return value
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
