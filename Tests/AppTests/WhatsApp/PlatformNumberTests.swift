@testable import App
import ConsoleKit
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import WhatsAppSimulator

/// The platform's own number (`WHATSAPP_PHONE_NUMBER_ID`) belongs to the platform: an operator
/// assigns it to one organization at /admin or with `adsapp platform-admin assign-number`; no
/// tenant can claim it, and no tenant sees the platform's secrets.
@Suite struct PlatformNumberTests {
    static let platformNumber = ConnectionTests.kees

    static let variables = [
        "WHATSAPP_PHONE_NUMBER_ID": platformNumber.phoneNumberID,
        "WHATSAPP_ACCESS_TOKEN": platformNumber.accessToken,
        "WHATSAPP_BUSINESS_ACCOUNT_ID": platformNumber.wabaID,
    ]

    func platformConnection(_ harness: WhatsAppHarness) async throws -> WhatsAppConnection? {
        try await WhatsAppConnection.query(on: harness.db).filter(\.$phoneNumberID == Self.platformNumber.phoneNumberID).first()
    }

    func makeOperator(_ harness: WhatsAppHarness, email: String) async throws -> Browser {
        let browser = try await harness.test.signUp(name: "Olga Operator", organization: "Platform Ops", email: email)
        let user = try #require(try await User.query(on: harness.db).filter(\.$email == email).first())
        user.isPlatformAdmin = true
        try await user.save(on: harness.db)
        return browser
    }

    @Test func aTenantAdminCannotClaimThePlatformNumberNorSeeThePlatformsSecrets() async throws {
        try await ConnectionTests.run(variables: Self.variables) { harness in
            let page = try await harness.owner.get("/settings/whatsapp")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(!html.contains("/settings/whatsapp/default"))
            #expect(!html.contains(Self.platformNumber.phoneNumberID))
            #expect(!html.contains(Self.platformNumber.accessToken))
            #expect(!html.contains(WhatsAppHarness.verifyToken))
            #expect(!html.contains(WhatsAppHarness.appSecret))

            // The old one-click route is gone, by form and by API.
            #expect(try await harness.owner.post("/settings/whatsapp/default").status == .notFound)
            #expect(try await harness.owner.api(.POST, "/settings/whatsapp/default").status == .notFound)
            #expect(try await platformConnection(harness) == nil)
        }
    }

    @Test func onlyAPlatformOperatorReachesTheAssignForm() async throws {
        try await ConnectionTests.run(variables: Self.variables) { harness in
            let page = try await harness.owner.get("/admin")
            #expect(page.status == .notFound)
            let assign = "/admin/organizations/\(harness.organizationID)/whatsapp-number"
            let response = try await harness.owner.post(assign)
            #expect(response.status == .notFound)
            #expect(try await platformConnection(harness) == nil)
        }
    }

    @Test func anOperatorAssignsThePlatformNumberToOneOrganization() async throws {
        try await ConnectionTests.run(variables: Self.variables) { harness in
            let operatorBrowser = try await makeOperator(harness, email: "olga@example.com")
            let page = try await operatorBrowser.get("/admin")
            #expect(page.status == .ok)
            let assign = "/admin/organizations/\(harness.organizationID)/whatsapp-number"
            #expect(page.body.string.contains("action=\"\(assign)\""))
            #expect(page.body.string.contains(Self.platformNumber.phoneNumberID))
            #expect(page.body.string.contains("It is not connected to any organization yet."))
            #expect(!page.body.string.contains(Self.platformNumber.accessToken))

            // A forged form without the operator's CSRF token does nothing.
            #expect(try await operatorBrowser.post(assign, includeCSRF: false).status == .forbidden)
            #expect(try await platformConnection(harness) == nil)

            let response = try await operatorBrowser.post(assign)
            #expect(response.status == .seeOther, "\(response.body.string.prefix(500))")
            #expect(response.headers.first(name: .location) == "/admin?notice=assigned")
            let stored = try #require(try await platformConnection(harness))
            #expect(stored.organizationID == harness.organizationID)
            #expect(stored.businessAccountID == Self.platformNumber.wabaID)
            #expect(stored.verifiedName == Self.platformNumber.verifiedName)
            #expect(stored.appSecretSealed == nil)
            #expect(
                try await harness.app.whatsApp.vault.open(stored.accessTokenSealed, for: harness.organizationID, purpose: .whatsAppAccessToken, on: harness.db)
                    == Self.platformNumber.accessToken)

            let after = try await operatorBrowser.get("/admin?notice=assigned")
            #expect(after.body.string.contains("It is connected to Bakkerij Anna."))
            #expect(!after.body.string.contains("data-testid=\"assign-number\""))
            // The organization sees its new number, still without the platform's secrets.
            let settings = try await harness.owner.get("/settings/whatsapp")
            #expect(settings.body.string.contains(Self.platformNumber.displayPhoneNumber))
            #expect(!settings.body.string.contains(WhatsAppHarness.verifyToken))

            // Once assigned, it cannot be assigned to another organization.
            let ops = try await harness.test.organization(named: "Platform Ops")
            let again = try await operatorBrowser.post("/admin/organizations/\(ops.id!)/whatsapp-number")
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("already connected to another organization"))
            #expect(try await platformConnection(harness)?.organizationID == harness.organizationID)
            #expect(try await operatorBrowser.post("/admin/organizations/\(UUID())/whatsapp-number").status == .notFound)
        }
    }

    @Test func theAdminPageSpeaksDutch() async throws {
        try await ConnectionTests.run(variables: Self.variables) { harness in
            let operatorBrowser = try await makeOperator(harness, email: "olga@example.com")
            _ = try await operatorBrowser.post("/language", ["language": "nl", "return_to": "/admin"])
            let page = try await operatorBrowser.get("/admin")
            #expect(page.body.string.contains("Het WhatsApp-nummer van het platform"))
            #expect(page.body.string.contains("Nummer toewijzen"))
        }
    }

    @Test func aPlatformNumberOutsideItsBusinessAccountIsNotAssigned() async throws {
        var variables = Self.variables
        variables["WHATSAPP_BUSINESS_ACCOUNT_ID"] = ConnectionTests.twin.wabaID
        try await ConnectionTests.run(variables: variables) { harness in
            let operatorBrowser = try await makeOperator(harness, email: "olga@example.com")
            _ = try await operatorBrowser.get("/admin")
            let response = try await operatorBrowser.post("/admin/organizations/\(harness.organizationID)/whatsapp-number")
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("is not a number of WhatsApp Business Account \(ConnectionTests.twin.wabaID)"))
            #expect(try await platformConnection(harness) == nil)
        }
    }

    @Test func withoutAPlatformNumberTheAdminPageSaysSoAndOffersNoForm() async throws {
        try await ConnectionTests.run { harness in
            let operatorBrowser = try await makeOperator(harness, email: "olga@example.com")
            let page = try await operatorBrowser.get("/admin")
            #expect(page.body.string.contains("No platform number is configured"))
            #expect(!page.body.string.contains("data-testid=\"assign-number\""))
            let response = try await operatorBrowser.post("/admin/organizations/\(harness.organizationID)/whatsapp-number")
            #expect(response.status == .unprocessableEntity)
        }
    }

    @Test func theCommandAssignsThePlatformNumberByOrganizationNameOrID() async throws {
        try await ConnectionTests.run(variables: Self.variables) { harness in
            func command(_ arguments: [String]) async throws {
                var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["adsapp"] + arguments))
                context.application = harness.app
                try await PlatformAdminCommand().run(using: &context)
            }
            await #expect(throws: (any Error).self) { try await command(["assign-number", "No Such Org"]) }
            await #expect(throws: (any Error).self) { try await command(["claim-number", "Bakkerij Anna"]) }
            #expect(try await platformConnection(harness) == nil)

            try await command(["assign-number", "Bakkerij Anna"])
            #expect(try await platformConnection(harness)?.organizationID == harness.organizationID)

            // Assigning it again to the same organization by id refreshes it; elsewhere is refused.
            try await command(["assign-number", harness.organizationID.uuidString])
            _ = try await harness.test.signUp(name: "Kees Kaas", organization: "Kaas BV", email: "kees@example.com")
            await #expect(throws: (any Error).self) { try await command(["assign-number", "Kaas BV"]) }
            #expect(try await platformConnection(harness)?.organizationID == harness.organizationID)
        }
    }
}
