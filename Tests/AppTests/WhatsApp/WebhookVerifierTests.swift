@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// A webhook acts only within what its verifier proves (DESIGN rule 9). Anna's organization uses
/// the platform's Meta app; Kees's organization brings its own app, with its own secret and its
/// own webhook route. Each may write into its own inbox, templates and number; neither can use its
/// signature to reach the other: the event is stored, flagged for the operator, logged, and
/// touches nothing.
@Suite struct WebhookVerifierTests {
    static let kees = ConnectionTests.kees
    static let keesSecret = "kees-own-app-secret-7f3a91"

    /// Kees's side: his organization, his own-app connection and its webhook route.
    struct Kees {
        var browser: Browser
        var organizationID: UUID
        var connectionID: UUID
        var path: String { "/api/webhooks/whatsapp/\(connectionID)" }
        var scope: (any Database) -> TenantScope { { TenantScope(organizationID: organizationID, database: $0) } }
    }

    static func run(_ body: (WhatsAppHarness, Kees) async throws -> Void) async throws {
        try await WhatsAppHarness.run(numbers: [WhatsAppHarness.number, kees]) { harness in
            let browser = try await harness.test.signUp(name: "Kees Kaas", organization: "Kaas BV", email: "kees@example.com")
            let organization = try await harness.test.organization(named: "Kaas BV")
            let response = try await browser.api(
                .POST, "/api/v1/whatsapp/connections",
                json: """
                    {"phone_number_id":"\(kees.phoneNumberID)","business_account_id":"\(kees.wabaID)","access_token":"\(kees.accessToken)","app_secret":"\(keesSecret)"}
                    """)
            #expect(response.status == .created, "\(response.body.string)")
            let connection = try #require(try await WhatsAppConnection.query(on: harness.db).filter(\.$phoneNumberID == kees.phoneNumberID).first())
            try await body(harness, Kees(browser: browser, organizationID: organization.id!, connectionID: connection.id!))
        }
    }

    /// Posts `body` signed with Kees's own app secret to his own route; returns the stored event once processed.
    @discardableResult
    func postAsKees(_ harness: WhatsAppHarness, _ kees: Kees, _ body: String) async throws -> WebhookEvent {
        let signature = WebhookSignature.header(body: Array(body.utf8), appSecret: Self.keesSecret)
        return try await processed(harness) { try await harness.postWebhook(body, signature: signature, path: kees.path) }
    }

    /// Posts `body` signed with the platform's app secret to the platform route; returns the stored event once processed.
    @discardableResult
    func postAsPlatform(_ harness: WhatsAppHarness, _ body: String) async throws -> WebhookEvent {
        try await processed(harness) { try await harness.postWebhook(body) }
    }

    private func processed(_ harness: WhatsAppHarness, _ post: () async throws -> TestingHTTPResponse) async throws -> WebhookEvent {
        let before = Set(try await WebhookEvent.query(on: harness.db).all().map(\.id))
        #expect(try await post().status == .ok)
        let event = try #require(try await WebhookEvent.query(on: harness.db).all().first { !before.contains($0.id) })
        try await harness.eventually("event processed") { try await WebhookEvent.find(event.id, on: harness.db)?.state != .pending }
        return try #require(try await WebhookEvent.find(event.id, on: harness.db))
    }

    /// Refused: flagged where the operator looks, logged with the verifier and the id it named, no secret.
    func expectRefused(_ event: WebhookEvent, verifier: String, naming target: String) {
        #expect(event.state == .failed)
        #expect(event.verifier == verifier)
        #expect(event.refused?.contains(target) == true, "\(event.refused ?? "nil")")
        #expect(event.error?.hasPrefix("refused: ") == true)
        let lines = LogCapture.shared.all.filter { $0.contains(event.id!.uuidString.lowercased()) && $0.contains("refused") }
        #expect(lines.count >= 1)
        #expect(lines.allSatisfy { $0.contains("verifier=\(verifier)") && $0.contains(target) })
        #expect(lines.allSatisfy { !$0.contains(Self.keesSecret) && !$0.contains(WhatsAppHarness.appSecret) })
    }

    func textTo(_ phoneNumberID: String, wabaID: String, wamid: String, from waID: String, _ harness: WhatsAppHarness) -> String {
        let message =
            #"{"from":"\#(waID)","id":"\#(wamid)","timestamp":"\#(Int(harness.clock.now.timeIntervalSince1970))","type":"text","text":{"body":"Betaal hier: evil.example"}}"#
        return WebhookFixtures.envelope(
            [
                WebhookFixtures.messagesChange(
                    contacts: "[\(WebhookFixtures.contact(waID, name: "Oplichter"))]", messages: "[\(message)]", phoneNumberID: phoneNumberID)
            ],
            wabaID: wabaID
        )
    }

    // MARK: Messages

    @Test func messagesReachOnlyTheInboxTheirVerifierCovers() async throws {
        try await Self.run { harness, kees in
            let annaNumber = WhatsAppHarness.number
            let before = try await WhatsAppSeed.state(of: harness.organizationID, app: harness.test)

            // Kees signs with his own secret a message for Anna's number.
            let attack = try await postAsKees(
                harness, kees, textTo(annaNumber.phoneNumberID, wabaID: annaNumber.wabaID, wamid: "wamid.ATTACK1", from: "31600000001", harness))
            expectRefused(attack, verifier: "connection", naming: annaNumber.phoneNumberID)
            #expect(attack.verifierConnectionID == kees.connectionID)
            // The platform's secret does not reach Kees's own-app number either.
            let sideways = try await postAsPlatform(
                harness, textTo(Self.kees.phoneNumberID, wabaID: Self.kees.wabaID, wamid: "wamid.ATTACK2", from: "31600000002", harness))
            expectRefused(sideways, verifier: "platform", naming: Self.kees.phoneNumberID)
            for (wamid, waID) in [("wamid.ATTACK1", "31600000001"), ("wamid.ATTACK2", "31600000002")] {
                #expect(try await harness.message(wamid: wamid) == nil)
                #expect(try await Contact.query(on: harness.db).filter(\.$waID == waID).count() == 0)
            }
            #expect(try await WhatsAppSeed.state(of: harness.organizationID, app: harness.test) == before)

            // Each verifier's own number still works.
            let own = try await postAsKees(
                harness, kees, textTo(Self.kees.phoneNumberID, wabaID: Self.kees.wabaID, wamid: "wamid.KEES1", from: "31600000003", harness))
            #expect(own.state == .processed)
            #expect(own.refused == nil)
            #expect(try await harness.stored("wamid.KEES1").organizationID == kees.organizationID)
            let platform = try await postAsPlatform(
                harness, textTo(annaNumber.phoneNumberID, wabaID: annaNumber.wabaID, wamid: "wamid.ANNA1", from: "31600000004", harness))
            #expect(platform.state == .processed)
            #expect(platform.verifier == "platform")
            #expect(try await harness.stored("wamid.ANNA1").organizationID == harness.organizationID)
        }
    }

    // MARK: Statuses

    @Test func statusesMoveOnlyMessagesOfTheConnectionTheirVerifierCovers() async throws {
        try await Self.run { harness, kees in
            let message = try await StatusTests().sentMessage(harness)
            let wamid = try #require(message.wamid)
            let sent = message.status
            #expect(sent != .read)
            let read = WebhookFixtures.status("read", wamid: wamid, to: "31612345678", at: harness.clock.now)
            let statusFor = { (phoneNumberID: String, status: String) in
                WebhookFixtures.envelope([WebhookFixtures.messagesChange(contacts: "[]", statuses: "[\(status)]", phoneNumberID: phoneNumberID)])
            }

            let attack = try await postAsKees(harness, kees, statusFor(WhatsAppHarness.number.phoneNumberID, read))
            expectRefused(attack, verifier: "connection", naming: WhatsAppHarness.number.phoneNumberID)
            #expect(try await harness.scope.find(Message.self, message.id)?.status == sent)

            // The same status with the platform's signature, for Anna's platform-app number: applied.
            let legit = try await postAsPlatform(harness, statusFor(WhatsAppHarness.number.phoneNumberID, read))
            #expect(legit.state == .processed)
            #expect(try await harness.scope.find(Message.self, message.id)?.status == .read)
        }
    }

    // MARK: Template updates

    @Test func templateUpdatesChangeOnlyTemplatesOfAnAccountTheVerifierCovers() async throws {
        try await Self.run { harness, kees in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling ligt klaar", wabaID: WhatsAppHarness.number.wabaID)
            harness.simulator.addTemplate(name: "kaas_klaar", language: "nl", body: "Uw kaas ligt klaar", wabaID: Self.kees.wabaID)
            try await TemplateTests().sync(harness)
            let keesScope = kees.scope(harness.db)
            // Kees's connect synced before his template existed at Meta: he asks again.
            harness.clock.advance(by: 60)
            #expect(try await kees.browser.api(.POST, "/api/v1/whatsapp/templates/sync").status == .accepted)
            try await harness.eventually("Kees's templates synced") {
                try await keesScope.query(App.MessageTemplate.self).filter(\.$name == "kaas_klaar").first() != nil
            }
            func annaTemplate() async throws -> App.MessageTemplate? {
                try await harness.scope.query(App.MessageTemplate.self).filter(\.$name == "order_ready").first()
            }
            func keesTemplate() async throws -> App.MessageTemplate? {
                try await keesScope.query(App.MessageTemplate.self).filter(\.$name == "kaas_klaar").first()
            }
            #expect(try await annaTemplate()?.status == "APPROVED")
            let paused = { (name: String) in
                #"{"field":"message_template_status_update","value":{"event":"PAUSED","message_template_id":1,"message_template_name":"\#(name)","message_template_language":"nl","reason":"LOW_QUALITY"}}"#
            }
            let quality = { (name: String) in
                #"{"field":"message_template_quality_update","value":{"previous_quality_score":"GREEN","new_quality_score":"RED","message_template_id":1,"message_template_name":"\#(name)","message_template_language":"nl"}}"#
            }

            // Kees, with his own secret, names Anna's account.
            let attack = try await postAsKees(
                harness, kees, WebhookFixtures.envelope([paused("order_ready"), quality("order_ready")], wabaID: WhatsAppHarness.number.wabaID))
            expectRefused(attack, verifier: "connection", naming: WhatsAppHarness.number.wabaID)
            // The platform's secret names Kees's own-app account.
            let sideways = try await postAsPlatform(harness, WebhookFixtures.envelope([paused("kaas_klaar")], wabaID: Self.kees.wabaID))
            expectRefused(sideways, verifier: "platform", naming: Self.kees.wabaID)
            #expect(try await annaTemplate()?.status == "APPROVED")
            #expect(try await annaTemplate()?.quality == nil)
            #expect(try await keesTemplate()?.status == "APPROVED")

            // Each for its own account: applied.
            #expect(try await postAsKees(harness, kees, WebhookFixtures.envelope([paused("kaas_klaar")], wabaID: Self.kees.wabaID)).state == .processed)
            #expect(try await keesTemplate()?.status == "PAUSED")
            #expect(try await postAsPlatform(harness, WebhookFixtures.envelope([quality("order_ready")])).state == .processed)
            #expect(try await annaTemplate()?.quality == "RED")
            #expect(try await annaTemplate()?.status == "APPROVED")
        }
    }

    // MARK: Account updates

    @Test func numberQualityUpdatesChangeOnlyAConnectionTheVerifierCovers() async throws {
        try await Self.run { harness, kees in
            let quality = { (display: String) in
                #"{"field":"phone_number_quality_update","value":{"display_phone_number":"\#(display)","event":"FLAGGED","current_limit":"TIER_250"}}"#
            }
            let annaDisplay = WhatsAppHarness.number.displayPhoneNumber.filter(\.isNumber)
            let keesDisplay = Self.kees.displayPhoneNumber.filter(\.isNumber)
            let annaBefore = try #require(try await WhatsAppConnection.find(harness.connectionID, on: harness.db)).qualityRating
            let keesBefore = try #require(try await WhatsAppConnection.find(kees.connectionID, on: harness.db)).qualityRating

            let attack = try await postAsKees(harness, kees, WebhookFixtures.envelope([quality(annaDisplay)], wabaID: WhatsAppHarness.number.wabaID))
            expectRefused(attack, verifier: "connection", naming: WhatsAppHarness.number.wabaID)
            let sideways = try await postAsPlatform(harness, WebhookFixtures.envelope([quality(keesDisplay)], wabaID: Self.kees.wabaID))
            expectRefused(sideways, verifier: "platform", naming: Self.kees.wabaID)
            #expect(try await WhatsAppConnection.find(harness.connectionID, on: harness.db)?.qualityRating == annaBefore)
            #expect(try await WhatsAppConnection.find(kees.connectionID, on: harness.db)?.qualityRating == keesBefore)

            #expect(try await postAsKees(harness, kees, WebhookFixtures.envelope([quality(keesDisplay)], wabaID: Self.kees.wabaID)).state == .processed)
            #expect(try await WhatsAppConnection.find(kees.connectionID, on: harness.db)?.qualityRating == "FLAGGED TIER_250")
            #expect(try await postAsPlatform(harness, WebhookFixtures.envelope([quality(annaDisplay)])).state == .processed)
            #expect(try await WhatsAppConnection.find(harness.connectionID, on: harness.db)?.qualityRating == "FLAGGED TIER_250")
        }
    }

    // MARK: What the operator sees

    @Test func aRefusedEventIsListedForTheOperatorWithItsReason() async throws {
        try await Self.run { harness, kees in
            let attack = try await postAsKees(
                harness, kees,
                textTo(WhatsAppHarness.number.phoneNumberID, wabaID: WhatsAppHarness.number.wabaID, wamid: "wamid.ATTACK3", from: "31600000005", harness))
            #expect(attack.state == .failed)
            let anna = try #require(try await User.query(on: harness.db).filter(\.$email == "anna@example.com").first())
            anna.isPlatformAdmin = true
            try await anna.save(on: harness.db)
            let page = try await harness.owner.get("/admin/jobs")
            #expect(page.body.string.contains("data-event-id=\"\(attack.id!.uuidString)\""))
            #expect(page.body.string.contains(WhatsAppHarness.number.phoneNumberID))
        }
    }

    /// A body stored before verifiers were recorded counts as the platform's: never wider than that.
    @Test func anEventWithoutARecordedVerifierIsTreatedAsThePlatforms() {
        #expect(WebhookVerifier(storedConnectionID: nil) == .platform)
        let id = UUID()
        #expect(WebhookVerifier(storedConnectionID: id) == .connection(id))
        let own = WhatsAppConnection()
        own.id = UUID()
        own.appSecretSealed = Data([1])
        let shared = WhatsAppConnection()
        shared.id = UUID()
        #expect(!WebhookVerifier.platform.covers(own))
        #expect(WebhookVerifier.platform.covers(shared))
        #expect(WebhookVerifier.connection(own.id!).covers(own))
        #expect(!WebhookVerifier.connection(own.id!).covers(shared))
        #expect(!WebhookVerifier.connection(UUID()).covers(own))
    }
}
