@testable import App
import ADSappCore
import Fluent
import Foundation
import KeyVault
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// Connecting a number: through the API and the settings page, checked against the Graph API,
/// refused clearly when wrong, only by admins, never twice across organizations, with every
/// credential sealed at rest; checking it again later; and the per-connection webhook route.
@Suite struct ConnectionTests {
    /// A number Anna's organization has not connected yet (the harness connects `WhatsAppHarness.number`).
    static let kees = SimulatedNumber(
        phoneNumberID: "109876543210123", wabaID: "108765432109876", displayPhoneNumber: "+31 10 765 4321",
        verifiedName: "Kaaswinkel Kees", qualityRating: "YELLOW", accessToken: "EAAG-kees-token-number-two"
    )
    /// Another number of another account that the same token may act for.
    static let twin = SimulatedNumber(
        phoneNumberID: "109876543210456", wabaID: "108765432109999", displayPhoneNumber: "+31 10 765 9999",
        verifiedName: "Kaaswinkel Kees Oost", accessToken: kees.accessToken
    )

    static func run(variables: [String: String] = [:], _ body: (WhatsAppHarness) async throws -> Void) async throws {
        try await WhatsAppHarness.run(variables: variables, numbers: [WhatsAppHarness.number, kees, twin], body)
    }

    static func input(
        _ number: SimulatedNumber = kees, appSecret: String? = nil, verifyToken: String? = nil, sendsPerSecond: Int? = nil
    ) -> ConnectionInput {
        ConnectionInput(
            phoneNumberID: number.phoneNumberID, businessAccountID: number.wabaID, accessToken: number.accessToken,
            appSecret: appSecret, verifyToken: verifyToken, sendsPerSecond: sendsPerSecond
        )
    }

    static func json(_ input: ConnectionInput) throws -> String {
        String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
    }

    static func form(_ input: ConnectionInput) -> [String: String] {
        [
            "phone_number_id": input.phoneNumberID ?? "", "business_account_id": input.businessAccountID ?? "",
            "access_token": input.accessToken ?? "", "app_secret": input.appSecret ?? "", "verify_token": input.verifyToken ?? "",
            "sends_per_second": input.sendsPerSecond.map(String.init) ?? "80",
        ]
    }

    func connectByAPI(_ harness: WhatsAppHarness, _ input: ConnectionInput, as browser: Browser? = nil) async throws -> TestingHTTPResponse {
        try await (browser ?? harness.owner).api(.POST, "/api/v1/whatsapp/connections", json: try Self.json(input))
    }

    func connectByForm(_ harness: WhatsAppHarness, _ input: ConnectionInput, as browser: Browser? = nil) async throws -> TestingHTTPResponse {
        let browser = browser ?? harness.owner
        _ = try await browser.get("/settings/whatsapp")
        return try await browser.post("/settings/whatsapp", Self.form(input))
    }

    func connection(_ harness: WhatsAppHarness, _ number: SimulatedNumber = kees) async throws -> WhatsAppConnection? {
        try await WhatsAppConnection.query(on: harness.db).filter(\.$phoneNumberID == number.phoneNumberID).first()
    }

    /// Signs up someone with an organization of their own ("Kaas BV").
    func otherOrganization(_ harness: WhatsAppHarness, email: String = "kees@example.com") async throws -> (Browser, Organization) {
        let browser = try await harness.test.signUp(name: "Kees Kaas", organization: "Kaas BV", email: email)
        return (browser, try await harness.test.organization(named: "Kaas BV"))
    }

    // MARK: Connecting

    @Test func connectingThroughTheAPIStoresTheNumberAsMetaDescribesItAndSyncsItsTemplates() async throws {
        try await Self.run { harness in
            harness.simulator.addTemplate(name: "kaas_klaar", language: "nl", body: "Uw kaas ligt klaar", wabaID: Self.kees.wabaID)
            let response = try await connectByAPI(harness, Self.input(sendsPerSecond: 250))
            #expect(response.status == .created, "\(response.body.string)")
            let body = try response.content.decode(WhatsAppAPIController.ConnectionBody.self)
            #expect(body.phone_number_id == Self.kees.phoneNumberID)
            #expect(body.business_account_id == Self.kees.wabaID)
            #expect(body.display_phone_number == "+31 10 765 4321")
            #expect(body.verified_name == "Kaaswinkel Kees")
            #expect(body.quality_rating == "YELLOW")
            #expect(body.state == "active")
            #expect(body.sends_per_second == 250)
            #expect(body.webhook_url == "http://127.0.0.1:8080/api/webhooks/whatsapp")
            #expect(body.has_own_app_secret == false)
            #expect(!response.body.string.contains(Self.kees.accessToken))

            let list = try await harness.owner.api(.GET, "/api/v1/whatsapp/connections")
            #expect(list.status == .ok)
            let numbers = try list.content.decode([WhatsAppAPIController.ConnectionBody].self).map(\.phone_number_id)
            #expect(numbers == [WhatsAppHarness.number.phoneNumberID, Self.kees.phoneNumberID])

            try await harness.eventually("the new account's templates synced") {
                try await harness.scope.query(MessageTemplate.self).filter(\.$businessAccountID == Self.kees.wabaID).first()?.name == "kaas_klaar"
            }
        }
    }

    @Test func connectingThroughTheSettingsFormShowsTheNumberAndWhatToPasteIntoMeta() async throws {
        try await Self.run { harness in
            let before = try await harness.owner.get("/settings/whatsapp")
            #expect(before.status == .ok)
            #expect(before.body.string.contains("id=\"connect-form\""))
            #expect(before.body.string.contains("http://127.0.0.1:8080/api/webhooks/whatsapp"))
            // The platform's verify token is the operator's, never shown to a tenant.
            #expect(!before.body.string.contains(WhatsAppHarness.verifyToken))
            #expect(!before.body.string.contains("Kaaswinkel Kees"))

            let response = try await connectByForm(harness, Self.input(sendsPerSecond: 120))
            #expect(response.status == .seeOther, "\(response.body.string.prefix(500))")
            #expect(response.headers.first(name: .location) == "/settings/whatsapp?notice=connected")
            let stored = try #require(try await connection(harness))
            #expect(stored.organizationID == harness.organizationID)
            #expect(stored.sendsPerSecond == 120)

            let page = try await harness.owner.get("/settings/whatsapp?notice=connected")
            let html = page.body.string
            #expect(html.contains("data-connection-id=\"\(stored.id!.uuidString)\""))
            #expect(html.contains("Kaaswinkel Kees"))
            #expect(html.contains("YELLOW"))
            #expect(html.contains("+31 10 765 4321"))
            #expect(html.contains("http://127.0.0.1:8080/api/webhooks/whatsapp"))
            #expect(!html.contains(WhatsAppHarness.verifyToken))
            #expect(!html.contains(Self.kees.accessToken))
        }
    }

    // MARK: Refusals

    /// Inputs that are wrong before Meta is asked, and what the error must say.
    static let badInputs: [(ConnectionInput, String)] = {
        var cases: [(ConnectionInput, String)] = []
        var input = Self.input()
        input.phoneNumberID = nil
        cases.append((input, "phone_number_id is required"))
        input = Self.input(); input.phoneNumberID = "   "
        cases.append((input, "phone_number_id is required"))
        input = Self.input(); input.phoneNumberID = "1098765432-10123"
        cases.append((input, "phone_number_id must be the numeric id"))
        input = Self.input(); input.phoneNumberID = "١٠٩٨٧٦٥٤٣٢١٠١٢٣"  // digits, but not ASCII ones
        cases.append((input, "phone_number_id must be the numeric id"))
        input = Self.input(); input.businessAccountID = "kaas-waba"
        cases.append((input, "business_account_id must be the numeric id"))
        input = Self.input(); input.businessAccountID = nil
        cases.append((input, "business_account_id is required"))
        input = Self.input(); input.accessToken = nil
        cases.append((input, "access_token is required"))
        input = Self.input(); input.accessToken = "EAAG kees token"
        cases.append((input, "access_token has characters that do not belong in it"))
        input = Self.input(appSecret: "two words")
        cases.append((input, "app_secret has characters that do not belong in it"))
        input = Self.input(verifyToken: "line\nbreak")
        cases.append((input, "verify_token has characters that do not belong in it"))
        cases.append((Self.input(sendsPerSecond: 0), "sends_per_second must be between 1 and 1000"))
        cases.append((Self.input(sendsPerSecond: 1001), "sends_per_second must be between 1 and 1000"))
        return cases
    }()

    @Test func badInputThroughTheAPIGetsAClearErrorAndSavesNothing() async throws {
        try await Self.run { harness in
            for (input, message) in Self.badInputs {
                let response = try await connectByAPI(harness, input)
                #expect(response.status == .unprocessableEntity, "\(message)")
                let error = try response.content.decode(APIErrorBody.self).error
                #expect(error.code == "connection_refused")
                #expect(error.message.contains(message), "expected \"\(message)\", got \"\(error.message)\"")
            }
            let typo = try await harness.owner.api(
                .POST, "/api/v1/whatsapp/connections", json: #"{"phone_number_id":"\#(Self.kees.phoneNumberID)","access_token":"t","sends_per_second":"fast"}"#)
            #expect(typo.status == .badRequest)
            #expect(typo.body.string.contains("sends_per_second"))
            #expect(try await WhatsAppConnection.query(on: harness.db).count() == 1)
            #expect(try await connection(harness) == nil)
        }
    }

    @Test func badInputThroughTheFormIsShownOnThePageWhichKeepsTheIdsButNotTheSecrets() async throws {
        try await Self.run { harness in
            for (input, message) in Self.badInputs {
                let response = try await connectByForm(harness, input)
                #expect(response.status == .unprocessableEntity, "\(message)")
                let html = response.body.string
                #expect(html.contains(message), "expected \"\(message)\" on the page")
                #expect(html.contains("id=\"connect-form\""))
                if let id = input.phoneNumberID, id == Self.kees.phoneNumberID {
                    #expect(html.contains("value=\"\(id)\""), "the entered id is kept")
                }
                if let token = input.accessToken { #expect(!html.contains(token), "a token is never sent back") }
                if let secret = input.appSecret { #expect(!html.contains(secret)) }
            }
            #expect(try await WhatsAppConnection.query(on: harness.db).count() == 1)
            #expect(try await connection(harness) == nil)
        }
    }

    @Test func aTokenMetaRefusesGivesThe190ErrorAndSavesNothing() async throws {
        try await Self.run { harness in
            var input = Self.input()
            input.accessToken = "EAAG-not-a-token-meta-knows"
            let response = try await connectByAPI(harness, input)
            #expect(response.status == .unprocessableEntity)
            let error = try response.content.decode(APIErrorBody.self).error
            #expect(error.message.contains("Meta refused this access token (error 190)"), "\(error.message)")
            #expect(error.message.contains("Invalid OAuth access token"))

            let page = try await connectByForm(harness, input)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("error 190"))
            #expect(!page.body.string.contains("EAAG-not-a-token-meta-knows"))

            // A token that works, but not for this number, is not "refused": Meta cannot find the number for it.
            input.accessToken = WhatsAppHarness.number.accessToken
            let foreign = try await connectByAPI(harness, input)
            #expect(foreign.status == .unprocessableEntity)
            #expect(foreign.body.string.contains("error 100"), "\(foreign.body.string)")
            #expect(try await connection(harness) == nil)
        }
    }

    @Test func aNumberConnectedByOneOrganizationCannotBeConnectedByAnother() async throws {
        try await Self.run { harness in
            let mine = try #require(try await connection(harness, WhatsAppHarness.number))
            let sealedBefore = mine.accessTokenSealed
            let (kees, _) = try await otherOrganization(harness)
            let taken = WhatsAppHarness.number
            let input = ConnectionInput(phoneNumberID: taken.phoneNumberID, businessAccountID: taken.wabaID, accessToken: taken.accessToken)

            let response = try await connectByAPI(harness, input, as: kees)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("already connected to another organization"))
            let page = try await connectByForm(harness, input, as: kees)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("already connected to another organization"))

            let after = try #require(try await connection(harness, WhatsAppHarness.number))
            #expect(after.id == mine.id)
            #expect(after.organizationID == harness.organizationID)
            #expect(after.accessTokenSealed == sealedBefore)
            #expect(try await WhatsAppConnection.query(on: harness.db).count() == 1)
        }
    }

    @Test(arguments: [Role.agent, .viewer])
    func onlyOwnersAndAdminsConnectNumbers(_ role: Role) async throws {
        try await Self.run { harness in
            let member = try await harness.test.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            _ = try await harness.test.addMember(email: "bob@example.com", to: harness.organizationID, role: role)
            _ = try await member.get("/dashboard")
            #expect(try await member.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString]).status == .seeOther)

            #expect(try await connectByAPI(harness, Self.input(), as: member).status == .forbidden)
            #expect(try await connectByForm(harness, Self.input(), as: member).status == .forbidden)
            #expect(try await member.api(.GET, "/api/v1/whatsapp/connections").status == .forbidden)
            #expect(try await member.api(.POST, "/api/v1/whatsapp/connections/\(harness.connectionID)/check").status == .forbidden)
            #expect(try await connection(harness) == nil)

            // They see the numbers, not the form or the verify token.
            let page = try await member.get("/settings/whatsapp")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(WhatsAppHarness.number.displayPhoneNumber))
            #expect(!page.body.string.contains("connect-form"))
            #expect(!page.body.string.contains(WhatsAppHarness.verifyToken))
        }
    }

    // MARK: Credentials at rest

    @Test func theTokenAppSecretAndVerifyTokenAreSealedAtRest() async throws {
        try await Self.run { harness in
            let appSecret = "kees-own-app-secret-7f3a91"
            let verifyToken = "kees-own-verify-token-52c8"
            let response = try await connectByForm(harness, Self.input(appSecret: appSecret, verifyToken: verifyToken))
            #expect(response.status == .seeOther, "\(response.body.string.prefix(500))")
            let stored = try #require(try await connection(harness))

            let sql = harness.db as! any SQLDatabase
            let row = try #require(
                try await sql.raw(
                    """
                    SELECT access_token_sealed, app_secret_sealed, verify_token_sealed FROM whatsapp_connections WHERE id = \(bind: stored.id!)
                    """
                ).first())
            let columns = try ["access_token_sealed", "app_secret_sealed", "verify_token_sealed"].map { try row.decode(column: $0, as: Data.self) }
            for secret in [Self.kees.accessToken, appSecret, verifyToken] {
                for column in columns {
                    #expect(column.range(of: Data(secret.utf8)) == nil, "\(secret) is stored in the clear")
                    #expect(column.range(of: Data(secret.utf8.prefix(12))) == nil, "part of \(secret) is stored in the clear")
                }
            }
            // Nor anywhere else in the table.
            let dump = try await sql.raw("SELECT * FROM whatsapp_connections").all()
            for anyRow in dump {
                for name in anyRow.allColumns {
                    let text = (try? anyRow.decode(column: name, as: String?.self)) ?? nil
                    #expect(![Self.kees.accessToken, appSecret, verifyToken].contains { text?.contains($0) == true }, "\(name)")
                }
            }

            // Sealed, not lost: the organization's key opens each value, for its own purpose only.
            let vault = harness.app.whatsApp.vault
            #expect(try await vault.open(columns[0], for: harness.organizationID, purpose: .whatsAppAccessToken, on: harness.db) == Self.kees.accessToken)
            #expect(try await vault.open(columns[1], for: harness.organizationID, purpose: .whatsAppAppSecret, on: harness.db) == appSecret)
            #expect(try await vault.open(columns[2], for: harness.organizationID, purpose: .whatsAppVerifyToken, on: harness.db) == verifyToken)
            await #expect(throws: (any Error).self) {
                try await vault.open(columns[0], for: harness.organizationID, purpose: .whatsAppAppSecret, on: harness.db)
            }
        }
    }

    @Test func twoOrganizationsSealTheSameTokenDifferentlyAndOneOrganizationsKeyCannotOpenTheOthers() async throws {
        try await Self.run { harness in
            #expect(try await connectByAPI(harness, Self.input(Self.kees)).status == .created)
            let (kees, keesOrganization) = try await otherOrganization(harness)
            let twinResponse = try await connectByAPI(harness, Self.input(Self.twin), as: kees)
            #expect(twinResponse.status == .created, "\(twinResponse.body.string)")
            let anna = try #require(try await connection(harness, Self.kees))
            let other = try #require(try await connection(harness, Self.twin))
            #expect(other.organizationID == keesOrganization.id)
            #expect(Self.kees.accessToken == Self.twin.accessToken)
            #expect(anna.accessTokenSealed != other.accessTokenSealed)

            // Each organization has its own data key, wrapped by the master key.
            let keys = try await OrganizationKey.query(on: harness.db).all()
            let annaKey = try #require(keys.first { $0.id == harness.organizationID })
            let keesKey = try #require(keys.first { $0.id == keesOrganization.id })
            #expect(annaKey.wrappedKey != keesKey.wrappedKey)
            let provider = try LocalKeyProvider(masterKeyFile: Self.masterKeyFile(harness))
            func unwrap(_ key: OrganizationKey) async throws -> Data {
                let symmetric = try await provider.unwrap(key.wrappedKey, context: Data("organization/\(key.id!.uuidString.lowercased())".utf8))
                return symmetric.withUnsafeBytes { Data($0) }
            }
            let annaBytes = try await unwrap(annaKey)
            let keesBytes = try await unwrap(keesKey)
            #expect(annaBytes != keesBytes)

            // Anna's sealed token, opened with Kees's key under Anna's own context: refused.
            let annaContext = Data("\(harness.organizationID.uuidString.lowercased())/whatsapp.access_token".utf8)
            #expect(try Envelope.open(anna.accessTokenSealed, with: .init(data: annaBytes), context: annaContext) == Data(Self.kees.accessToken.utf8))
            #expect(throws: (any Error).self) {
                try Envelope.open(anna.accessTokenSealed, with: .init(data: keesBytes), context: annaContext)
            }
            // And through the vault, in either direction.
            let vault = harness.app.whatsApp.vault
            await #expect(throws: (any Error).self) {
                try await vault.open(anna.accessTokenSealed, for: keesOrganization.id!, purpose: .whatsAppAccessToken, on: harness.db)
            }
            await #expect(throws: (any Error).self) {
                try await vault.open(other.accessTokenSealed, for: harness.organizationID, purpose: .whatsAppAccessToken, on: harness.db)
            }
        }
    }

    static func masterKeyFile(_ harness: WhatsAppHarness) -> URL {
        URL(fileURLWithPath: harness.app.context.configuration.dataDirectory).appendingPathComponent("master.key")
    }

    @Test func theMasterKeyFileIsCreatedReadableByItsOwnerOnly() async throws {
        try await Self.run { harness in
            let path = Self.masterKeyFile(harness).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let permissions = try #require(attributes[.posixPermissions] as? NSNumber).intValue
            #expect(permissions == 0o600, "mode \(String(permissions, radix: 8))")
            #expect((attributes[.size] as? NSNumber)?.intValue == 32)
            // A key file others may read is refused, not used.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            #expect(throws: KeyVaultError.self) { try LocalKeyProvider(masterKeyFile: Self.masterKeyFile(harness)) }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }

    // MARK: The number and its business account

    @Test func aNumberOutsideTheBusinessAccountItNamesIsRefusedAndNothingIsSaved() async throws {
        try await Self.run { harness in
            // The token may act for both accounts, but Kees's number is not one of the twin's account.
            var input = Self.input()
            input.businessAccountID = Self.twin.wabaID
            let response = try await connectByAPI(harness, input)
            #expect(response.status == .unprocessableEntity)
            let error = try response.content.decode(APIErrorBody.self).error
            #expect(error.code == "connection_refused")
            #expect(error.message.contains("is not a number of WhatsApp Business Account \(Self.twin.wabaID)"), "\(error.message)")

            let page = try await connectByForm(harness, input)
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("is not a number of WhatsApp Business Account"))
            _ = try await harness.owner.post("/language", ["language": "nl", "return_to": "/settings/whatsapp"])
            let dutch = try await connectByForm(harness, input)
            #expect(dutch.body.string.contains("is geen nummer van WhatsApp Business-account \(Self.twin.wabaID)"))
            _ = try await harness.owner.post("/language", ["language": "en", "return_to": "/settings/whatsapp"])

            // An account the token cannot see at all: Meta's own error, on the account field.
            input.businessAccountID = WhatsAppHarness.number.wabaID
            let foreign = try await connectByAPI(harness, input)
            #expect(foreign.status == .unprocessableEntity)
            #expect(foreign.body.string.contains("error 100"), "\(foreign.body.string)")
            #expect(try await connection(harness) == nil)
            #expect(try await MessageTemplate.query(on: harness.db).filter(\.$businessAccountID == Self.twin.wabaID).count() == 0)
        }
    }

    // MARK: Checking again

    @Test func checkingAgainRefreshesWhatMetaSaysAboutTheNumber() async throws {
        try await Self.run { harness in
            #expect(try await connectByAPI(harness, Self.input()).status == .created)
            let stored = try #require(try await connection(harness))
            stored.qualityRating = "RED"
            stored.verifiedName = "Old Name"
            try await stored.save(on: harness.db)
            harness.clock.advance(by: 3600)

            let response = try await harness.owner.post("/settings/whatsapp/\(stored.id!)/check")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/settings/whatsapp?notice=checked")
            let checked = try #require(try await connection(harness))
            #expect(checked.qualityRating == "YELLOW")
            #expect(checked.verifiedName == "Kaaswinkel Kees")
            #expect(checked.state == .active)
            #expect(checked.checkedAt == harness.clock.now)
            let page = try await harness.owner.get("/settings/whatsapp?notice=checked")
            #expect(page.body.string.contains("YELLOW"))
            #expect(!page.body.string.contains("Old Name"))
        }
    }

    @Test func checkingAgainWithARevokedTokenMarksTheConnectionBroken() async throws {
        try await Self.run { harness in
            #expect(try await connectByAPI(harness, Self.input()).status == .created)
            let stored = try #require(try await connection(harness))
            harness.simulator.breakToken(for: Self.kees.phoneNumberID)

            let response = try await harness.owner.api(.POST, "/api/v1/whatsapp/connections/\(stored.id!)/check")
            #expect(response.status == .ok)
            let body = try response.content.decode(WhatsAppAPIController.ConnectionBody.self)
            #expect(body.state == "broken")
            #expect(body.state_detail?.contains("Session has expired") == true, "\(body.state_detail ?? "")")
            #expect(try await connection(harness)?.state == .broken)
            // The harness's own number, with another token, is untouched.
            #expect(try await connection(harness, WhatsAppHarness.number)?.state == .active)

            // The form's check says the same, and the admins are told.
            #expect(try await harness.owner.post("/settings/whatsapp/\(stored.id!)/check").status == .seeOther)
            #expect(try await connection(harness)?.state == .broken)
            #expect((try await harness.owner.get("/dashboard")).body.string.contains("data-testid=\"warning\""))

            // A check with the token working again repairs it.
            harness.simulator.restoreToken(for: Self.kees.phoneNumberID)
            #expect(try await harness.owner.post("/settings/whatsapp/\(stored.id!)/check").status == .seeOther)
            #expect(try await connection(harness)?.state == .active)
        }
    }

    @Test func anotherOrganizationsConnectionCannotBeChecked() async throws {
        try await Self.run { harness in
            let (kees, _) = try await otherOrganization(harness)
            #expect(try await kees.api(.POST, "/api/v1/whatsapp/connections/\(harness.connectionID)/check").status == .notFound)
            #expect(try await kees.post("/settings/whatsapp/\(harness.connectionID)/check").status == .notFound)
        }
    }

    // MARK: A connection's own Meta app

    @Test func theConnectionsOwnWebhookRouteUsesItsOwnVerifyTokenAndAppSecret() async throws {
        try await Self.run { harness in
            let appSecret = "kees-own-app-secret-7f3a91"
            let verifyToken = "kees-own-verify-token-52c8"
            let response = try await connectByAPI(harness, Self.input(appSecret: appSecret, verifyToken: verifyToken))
            #expect(response.status == .created, "\(response.body.string)")
            let body = try response.content.decode(WhatsAppAPIController.ConnectionBody.self)
            let path = "/api/webhooks/whatsapp/\(body.id)"
            #expect(body.has_own_app_secret)
            #expect(body.webhook_url == "http://127.0.0.1:8080" + path)
            let settings = try await harness.owner.get("/settings/whatsapp")
            #expect(settings.body.string.contains("http://127.0.0.1:8080" + path))
            // Its own verify token is shown beside it; the platform's is not.
            #expect(settings.body.string.contains(verifyToken))
            #expect(!settings.body.string.contains(WhatsAppHarness.verifyToken))

            // Verification with the connection's own token, and only there.
            let client = try harness.app.testing()
            let own = try await client.sendRequest(.GET, "\(path)?hub.mode=subscribe&hub.verify_token=\(verifyToken)&hub.challenge=8123")
            #expect(own.status == .ok)
            #expect(own.body.string == "8123")
            #expect(
                try await client.sendRequest(.GET, "\(path)?hub.mode=subscribe&hub.verify_token=\(WhatsAppHarness.verifyToken)&hub.challenge=1").status
                    == .forbidden)
            #expect(
                try await client.sendRequest(.GET, "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=\(verifyToken)&hub.challenge=1").status
                    == .forbidden)
            #expect(
                try await client.sendRequest(.GET, "/api/webhooks/whatsapp/\(UUID())?hub.mode=subscribe&hub.verify_token=\(verifyToken)&hub.challenge=1").status
                    == .notFound)

            // Signed with the platform's secret: refused here. Signed with its own: stored and processed.
            let message =
                #"{"from":"31698765432","id":"wamid.KEES1","timestamp":"\#(Int(harness.clock.now.timeIntervalSince1970))","type":"text","text":{"body":"Heeft u oude Gouda?"}}"#
            let notification = WebhookFixtures.envelope(
                [
                    WebhookFixtures.messagesChange(
                        contacts: "[\(WebhookFixtures.contact("31698765432", name: "Truus"))]", messages: "[\(message)]", phoneNumberID: Self.kees.phoneNumberID
                    )
                ],
                wabaID: Self.kees.wabaID
            )
            #expect(try await harness.postWebhook(notification, path: path).status == .unauthorized)
            #expect(try await WebhookEvent.query(on: harness.db).count() == 0)
            let ownSignature = WebhookSignature.header(body: Array(notification.utf8), appSecret: appSecret)
            // The platform route does not know the connection's secret.
            #expect(try await harness.postWebhook(notification, signature: ownSignature).status == .unauthorized)
            #expect(try await harness.postWebhook(notification, signature: ownSignature, path: path).status == .ok)
            let stored = try await harness.stored("wamid.KEES1")
            #expect(stored.organizationID == harness.organizationID)
            #expect(stored.connectionID == body.id)
            #expect(stored.body == "Heeft u oude Gouda?")
        }
    }

    @Test func aConnectionWithoutItsOwnAppOnItsOwnRouteFallsBackToThePlatformSecretAndToken() async throws {
        try await Self.run { harness in
            let path = "/api/webhooks/whatsapp/\(harness.connectionID)"
            let client = try harness.app.testing()
            let challenge = try await client.sendRequest(.GET, "\(path)?hub.mode=subscribe&hub.verify_token=\(WhatsAppHarness.verifyToken)&hub.challenge=77")
            #expect(challenge.body.string == "77")
            #expect(try await harness.postWebhook(WebhookTests.emptyNotification, path: path).status == .ok)
            let wrong = WebhookSignature.header(body: Array(WebhookTests.emptyNotification.utf8), appSecret: "kees-own-app-secret-7f3a91")
            #expect(try await harness.postWebhook(WebhookTests.emptyNotification, signature: wrong, path: path).status == .unauthorized)
            #expect(try await WebhookEvent.query(on: harness.db).count() == 1)
        }
    }

    @Test func aNumberWithItsOwnAppButNoVerifyTokenGetsOneOfItsOwn() async throws {
        try await Self.run { harness in
            let response = try await connectByAPI(harness, Self.input(appSecret: "kees-own-app-secret-7f3a91"))
            #expect(response.status == .created, "\(response.body.string)")
            let stored = try #require(try await connection(harness))
            let sealed = try #require(stored.verifyTokenSealed)
            let token = try await harness.app.whatsApp.vault.open(sealed, for: harness.organizationID, purpose: .whatsAppVerifyToken, on: harness.db)
            #expect(token.count == 48)
            #expect(token != WhatsAppHarness.verifyToken)
            let page = try await harness.owner.get("/settings/whatsapp")
            #expect(page.body.string.contains(token))
            let path = "/api/webhooks/whatsapp/\(stored.id!)"
            let challenge = try await harness.app.testing().sendRequest(.GET, "\(path)?hub.mode=subscribe&hub.verify_token=\(token)&hub.challenge=31")
            #expect(challenge.body.string == "31")
            // A viewer sees neither token.
            let viewer = try await harness.test.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            _ = try await harness.test.addMember(email: "vera@example.com", to: harness.organizationID, role: .viewer)
            _ = try await viewer.get("/dashboard")
            #expect(try await viewer.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString]).status == .seeOther)
            let seen = try await viewer.get("/settings/whatsapp")
            #expect(seen.body.string.contains(Self.kees.displayPhoneNumber))
            #expect(!seen.body.string.contains(token))
            #expect(!seen.body.string.contains(WhatsAppHarness.verifyToken))
        }
    }
}
