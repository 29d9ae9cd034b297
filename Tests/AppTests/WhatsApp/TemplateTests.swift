@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// Message templates: synced from Meta page by page, created (API and page) and reviewed through
/// webhooks, refused with a clear message before Meta is asked, deleted at Meta and here, and only
/// approved ones offered in a conversation.
@Suite struct TemplateTests {
    static let wabaID = WhatsAppHarness.number.wabaID

    // MARK: Helpers

    func syncJobs(_ harness: WhatsAppHarness, _ states: [String]) async throws -> Int {
        let row = try await (harness.db as! any SQLDatabase).raw(
            """
            SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: SyncMessageTemplates.kind) AND state IN (\(binds: states))
            """
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Asks for a sync through the API and waits until it has run (after any sync already under way,
    /// such as the one connecting the number started).
    func sync(_ harness: WhatsAppHarness) async throws {
        try await harness.eventually("earlier syncs finished") { try await syncJobs(harness, ["queued", "running"]) == 0 }
        let finished = try await syncJobs(harness, ["succeeded"])
        // A sync leaves alone rows written since it began listing; time passes between syncs.
        harness.clock.advance(by: 60)
        let response = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates/sync")
        #expect(response.status == .accepted)
        try await harness.eventually("the sync ran") { try await syncJobs(harness, ["succeeded"]) > finished }
    }

    func stored(_ harness: WhatsAppHarness) async throws -> [App.MessageTemplate] {
        try await harness.scope.query(App.MessageTemplate.self).sort(\.$name).sort(\.$language).all()
    }

    func template(_ harness: WhatsAppHarness, _ name: String, _ language: String = "nl") async throws -> App.MessageTemplate? {
        try await harness.scope.query(App.MessageTemplate.self).filter(\.$name == name).filter(\.$language == language).first()
    }

    static let orderReady = #"""
        {"name":"order_ready","language":"nl","category":"UTILITY","header_text":"Je bestelling","body":"Je bestelling {{1}} ligt klaar bij {{2}}.","examples":["A-17","de Dam"],"footer":"Bakkerij Anna","quick_replies":["Bedankt","Bel me"]}
        """#

    // MARK: Sync

    @Test func aSyncFetchesEveryPageOfTheAccountsTemplates() async throws {
        try await WhatsAppHarness.run { harness in
            // The app asks for 100 a page (the simulator's default is 25): 230 take three pages.
            for index in 0..<230 {
                harness.simulator.addTemplate(
                    name: String(format: "promo_%03d", index), language: index.isMultiple(of: 2) ? "nl" : "en_US",
                    category: index.isMultiple(of: 3) ? "MARKETING" : "UTILITY", body: "Aanbieding \(index)",
                    status: index.isMultiple(of: 5) ? "PENDING" : "APPROVED"
                )
            }
            // Another account's templates are not this organization's.
            harness.simulator.addTemplate(name: "someone_else", body: "Niet van ons", wabaID: "999999999999")
            try await sync(harness)
            let templates = try await stored(harness)
            #expect(templates.count == 230)
            #expect(Set(templates.map(\.name)) == Set((0..<230).map { String(format: "promo_%03d", $0) }))
            #expect(templates.allSatisfy { $0.businessAccountID == Self.wabaID && $0.organizationID == harness.organizationID })
            let last = try #require(try await template(harness, "promo_229", "en_US"))
            #expect(last.status == "APPROVED")
            #expect(last.category == "UTILITY")
            #expect(last.components.contains("Aanbieding 229"))
            #expect(try await template(harness, "promo_225", "en_US")?.status == "PENDING")
            #expect(try await template(harness, "promo_225", "en_US")?.metaID == harness.simulator.templates.first { $0.name == "promo_225" }?.id)
        }
    }

    @Test func templatesDeletedAtMetaDisappearOnTheNextSync() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar")
            harness.simulator.addTemplate(name: "summer_sale", language: "nl", category: "MARKETING", body: "Zomer!")
            harness.simulator.addTemplate(name: "summer_sale", language: "en_US", category: "MARKETING", body: "Summer!")
            try await sync(harness)
            #expect(try await stored(harness).map { "\($0.name)/\($0.language)" } == ["order_ready/nl", "summer_sale/en_US", "summer_sale/nl"])

            // Someone deletes it in WhatsApp Manager.
            try await harness.app.whatsApp.graph.deleteTemplate(name: "summer_sale", wabaID: Self.wabaID, token: WhatsAppHarness.number.accessToken)
            #expect(harness.simulator.templates.map(\.name) == ["order_ready"])
            try await sync(harness)
            #expect(try await stored(harness).map(\.name) == ["order_ready"])
        }
    }

    @Test func aSyncDoesNotUndoWhatChangedWhileItWasListing() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar", status: "PENDING")
            harness.simulator.addTemplate(name: "summer_sale", language: "nl", category: "MARKETING", body: "Zomer!")
            try await sync(harness)

            // A sync lists Meta's templates...
            let started = harness.clock.now
            let listing = try await harness.app.whatsApp.graph.templates(wabaID: Self.wabaID, after: nil, token: WhatsAppHarness.number.accessToken)
            harness.clock.advance(by: 1)
            // ...meanwhile a template is created here and Meta approves another...
            #expect(
                try await harness.owner.api(
                    .POST, "/api/v1/whatsapp/templates", json: Self.orderReady.replacingOccurrences(of: "order_ready", with: "pickup_reminder")
                ).status == .created)
            try await harness.simulator.approveTemplate(name: "order_ready")
            try await harness.eventually("approved") { try await template(harness, "order_ready")?.status == "APPROVED" }
            // ...and then it stores what it listed: neither change is lost.
            try await TemplateStore(scope: harness.scope, now: harness.clock.now)
                .replace(businessAccountID: Self.wabaID, with: listing.templates, listingStarted: started)
            #expect(try await template(harness, "pickup_reminder")?.status == "PENDING")
            #expect(try await template(harness, "order_ready")?.status == "APPROVED")
            #expect(try await stored(harness).map(\.name) == ["order_ready", "pickup_reminder", "summer_sale"])
        }
    }

    @Test func aSyncWithARevokedTokenMarksTheConnectionBrokenAndKeepsTheTemplates() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar")
            try await sync(harness)
            harness.simulator.breakToken(for: WhatsAppHarness.number.phoneNumberID)
            try await sync(harness)
            #expect(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID)?.state == .broken)
            #expect(try await stored(harness).map(\.name) == ["order_ready"])
        }
    }

    // MARK: Creating and review

    @Test func aTemplateCreatedThroughTheAPIIsPendingUntilMetaApprovesIt() async throws {
        try await WhatsAppHarness.run { harness in
            let response = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates", json: Self.orderReady)
            #expect(response.status == .created, "\(response.body.string)")
            let body = try response.content.decode(WhatsAppAPIController.TemplateBody.self)
            #expect(body.name == "order_ready")
            #expect(body.language == "nl")
            #expect(body.status == "PENDING")
            #expect(body.category == "UTILITY")

            // Meta got the whole definition.
            let atMeta = try #require(harness.simulator.templates.first { $0.name == "order_ready" })
            #expect(try await template(harness, "order_ready")?.metaID == atMeta.id)
            #expect(atMeta.status == "PENDING")
            let types = atMeta.components.compactMap { $0["type"]?.stringValue }
            #expect(types == ["HEADER", "BODY", "FOOTER", "BUTTONS"])
            let bodyComponent = try #require(atMeta.components.first { $0["type"]?.stringValue == "BODY" })
            #expect(bodyComponent["text"]?.stringValue == "Je bestelling {{1}} ligt klaar bij {{2}}.")
            #expect(bodyComponent["example"]?["body_text"] == [["A-17", "de Dam"]])
            let buttons = try #require(atMeta.components.first { $0["type"]?.stringValue == "BUTTONS" }?["buttons"]?.array)
            #expect(buttons.compactMap { $0["text"]?.stringValue } == ["Bedankt", "Bel me"])

            // Meta approves: its webhook moves the status.
            try await harness.simulator.approveTemplate(name: "order_ready")
            try await harness.eventually("approved") { try await template(harness, "order_ready")?.status == "APPROVED" }
            let list = try await harness.owner.api(.GET, "/api/v1/whatsapp/templates")
            #expect(try list.content.decode([WhatsAppAPIController.TemplateBody].self).map(\.status) == ["APPROVED"])
        }
    }

    @Test func aTemplateCreatedOnThePageIsListedThere() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.owner.get("/templates")
            let response = try await harness.owner.post(
                "/templates",
                [
                    "name": "pickup_reminder", "language": "nl", "category": "UTILITY", "headerText": "",
                    "body": "Vergeet je {{1}} niet op te halen voor {{2}}!", "examples": "taart\r\n\r\n17:00\r\n",
                    "footer": "", "quickReplies": "Komt goed\nGraag later",
                ])
            #expect(response.status == .seeOther, "\(response.body.string.prefix(800))")
            #expect(response.headers.first(name: .location) == "/templates?notice=created")
            let atMeta = try #require(harness.simulator.templates.first { $0.name == "pickup_reminder" })
            #expect(atMeta.components.compactMap { $0["type"]?.stringValue } == ["BODY", "BUTTONS"], "empty header and footer are left out")
            #expect(atMeta.components.first?["example"]?["body_text"] == [["taart", "17:00"]])

            let page = try await harness.owner.get("/templates?notice=created")
            let row = try #require(try await template(harness, "pickup_reminder"))
            #expect(page.body.string.contains("data-template-id=\"\(row.id!.uuidString)\""))
            #expect(page.body.string.contains("PENDING"))
            #expect(page.body.string.contains("Vergeet je {{1}} niet op te halen"))

            try await harness.simulator.rejectTemplate(name: "pickup_reminder", reason: "INVALID_FORMAT")
            try await harness.eventually("rejected") { try await template(harness, "pickup_reminder")?.status == "REJECTED" }
            #expect(try await template(harness, "pickup_reminder")?.rejectedReason == "INVALID_FORMAT")
            #expect((try await harness.owner.get("/templates")).body.string.contains("INVALID_FORMAT"))
        }
    }

    @Test func qualityAndCategoryWebhooksUpdateTheStoredTemplate() async throws {
        try await WhatsAppHarness.run { harness in
            let seeded = harness.simulator.addTemplate(name: "order_ready", language: "nl", category: "UTILITY", body: "Je bestelling {{1}} ligt klaar")
            harness.simulator.addTemplate(name: "order_ready", language: "en_US", category: "UTILITY", body: "Your order {{1}} is ready")
            try await sync(harness)

            let quality =
                #"{"field":"message_template_quality_update","value":{"previous_quality_score":"GREEN","new_quality_score":"YELLOW","message_template_id":\#(seeded.id),"message_template_name":"order_ready","message_template_language":"nl"}}"#
            #expect(try await harness.postWebhook(WebhookFixtures.envelope([quality])).status == .ok)
            try await harness.eventually("quality") { try await template(harness, "order_ready")?.quality == "YELLOW" }

            let category =
                #"{"field":"template_category_update","value":{"message_template_id":\#(seeded.id),"message_template_name":"order_ready","message_template_language":"nl","previous_category":"UTILITY","new_category":"MARKETING"}}"#
            let paused =
                #"{"field":"message_template_status_update","value":{"event":"PAUSED","message_template_id":\#(seeded.id),"message_template_name":"order_ready","message_template_language":"nl","reason":"LOW_QUALITY"}}"#
            #expect(try await harness.postWebhook(WebhookFixtures.envelope([category, paused])).status == .ok)
            try await harness.eventually("category and status") {
                let row = try await template(harness, "order_ready")
                return row?.category == "MARKETING" && row?.status == "PAUSED"
            }
            #expect(try await template(harness, "order_ready")?.rejectedReason == "LOW_QUALITY")

            // Only the language named changed; another account's update touches nothing here.
            let english = try #require(try await template(harness, "order_ready", "en_US"))
            #expect(english.quality == nil)
            #expect(english.category == "UTILITY")
            #expect(english.status == "APPROVED")
            let elsewhere = quality.replacingOccurrences(of: "YELLOW", with: "RED")
            #expect(try await harness.postWebhook(WebhookFixtures.envelope([elsewhere], wabaID: "999999999999")).status == .ok)
            try await harness.eventually("all webhooks processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).count() == 3
            }
            #expect(try await template(harness, "order_ready")?.quality == "YELLOW")
        }
    }

    /// Definitions Meta would refuse, and what the error must say.
    static let invalid: [(String, String)] = [
        (#"{"name":"Order Ready","language":"nl","category":"UTILITY","body":"Klaar"}"#, "name: may contain only lowercase letters, digits and underscores"),
        (#"{"name":"","language":"nl","category":"UTILITY","body":"Klaar"}"#, "name"),
        (#"{"name":"order_ready","language":"","category":"UTILITY","body":"Klaar"}"#, "language"),
        (#"{"name":"order_ready","language":"nl","category":"PROMOTION","body":"Klaar"}"#, "category must be MARKETING, UTILITY or AUTHENTICATION"),
        (#"{"name":"order_ready","language":"nl","body":"Klaar"}"#, "category must be MARKETING, UTILITY or AUTHENTICATION"),
        (#"{"name":"order_ready","language":"nl","category":"UTILITY","body":""}"#, "components.BODY.text"),
        (#"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Bestelling {{1}} is klaar"}"#, "needs one example per variable"),
        (#"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Bestelling {{2}} is klaar","examples":["A-17"]}"#, "numbered {{1}} to {{1}}"),
        (#"{"name":"order_ready","language":"nl","category":"UTILITY","body":"{{1}} is klaar","examples":["A-17"]}"#, "must not start or end with a variable"),
        (#"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Klaar","examples":["A-17"]}"#, "given but the text has no variables"),
        (
            #"{"name":"order_ready","language":"nl","category":"UTILITY","header_text":"{{1}} en {{2}}","body":"Klaar"}"#,
            "components.HEADER.text: may contain at most one variable"
        ),
        (
            #"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Klaar","footer":"\#(String(repeating: "x", count: 61))"}"#,
            "components.FOOTER.text"
        ),
        (
            #"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Klaar","quick_replies":["Een knop met veel te veel tekst erop"]}"#,
            "components.BUTTONS.buttons[0].text"
        ),
        (
            #"{"name":"order_ready","language":"nl","category":"UTILITY","body":"Klaar","quick_replies":["1","2","3","4","5","6","7","8","9","10","11"]}"#,
            "at most 10 allowed"
        ),
    ]

    @Test func anInvalidDefinitionIsRefusedWithAClearMessageBeforeMetaIsAsked() async throws {
        try await WhatsAppHarness.run { harness in
            for (json, message) in Self.invalid {
                let response = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates", json: json)
                #expect(response.status == .unprocessableEntity, "\(json)")
                let error = try response.content.decode(APIErrorBody.self).error
                #expect(error.code == "template_refused")
                #expect(error.message.contains(message), "\(json): expected \"\(message)\", got \"\(error.message)\"")
            }
            #expect(harness.simulator.templates.isEmpty, "Meta was never asked")
            #expect(try await stored(harness).isEmpty)

            _ = try await harness.owner.get("/templates")
            let page = try await harness.owner.post(
                "/templates", ["name": "order_ready", "language": "nl", "category": "UTILITY", "body": "Bestelling {{1}} is klaar", "examples": ""])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("needs one example per variable"))
            #expect(page.body.string.contains("id=\"template-create-form\""))
            #expect(harness.simulator.templates.isEmpty)
        }
    }

    @Test func whatMetaRefusesIsReportedAndNothingIsStored() async throws {
        try await WhatsAppHarness.run { harness in
            try await harness.eventually("the first sync finished") { try await syncJobs(harness, ["queued", "running"]) == 0 }
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar")
            // Same name and language as one that exists at Meta (but not yet here).
            let response = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates", json: Self.orderReady)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("Meta refused the template (error 100)"), "\(response.body.string)")
            #expect(try await stored(harness).isEmpty)
        }
    }

    @Test(arguments: [Role.agent, .viewer])
    func onlyOwnersAndAdminsManageTemplates(_ role: Role) async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar")
            try await sync(harness)
            let row = try #require(try await template(harness, "order_ready"))
            let member = try await harness.test.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            _ = try await harness.test.addMember(email: "bob@example.com", to: harness.organizationID, role: role)
            _ = try await member.get("/dashboard")
            _ = try await member.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])

            #expect(try await member.api(.POST, "/api/v1/whatsapp/templates", json: Self.orderReady).status == .forbidden)
            #expect(try await member.api(.DELETE, "/api/v1/whatsapp/templates/\(row.id!)").status == .forbidden)
            #expect(try await member.api(.POST, "/api/v1/whatsapp/templates/sync").status == .forbidden)
            #expect(try await member.post("/templates/\(row.id!)/delete").status == .forbidden)
            // They may look.
            #expect(try await member.api(.GET, "/api/v1/whatsapp/templates").status == .ok)
            let page = try await member.get("/templates")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("order_ready"))
            #expect(!page.body.string.contains("template-create-form"))
            #expect(harness.simulator.templates.count == 1)
            #expect(try await stored(harness).count == 1)
        }
    }

    // MARK: Deleting

    @Test func deletingThroughTheAPIRemovesEveryLanguageAtMetaAndHere() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "summer_sale", language: "nl", category: "MARKETING", body: "Zomer!")
            harness.simulator.addTemplate(name: "summer_sale", language: "en_US", category: "MARKETING", body: "Summer!")
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar")
            try await sync(harness)
            let row = try #require(try await template(harness, "summer_sale"))

            let response = try await harness.owner.api(.DELETE, "/api/v1/whatsapp/templates/\(row.id!)")
            #expect(response.status == .noContent, "\(response.body.string)")
            #expect(harness.simulator.templates.map(\.name) == ["order_ready"])
            #expect(try await stored(harness).map(\.name) == ["order_ready"])
            #expect(try await harness.owner.api(.DELETE, "/api/v1/whatsapp/templates/\(row.id!)").status == .notFound)
        }
    }

    @Test func deletingOnThePageRemovesItAtMetaAndHere() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "summer_sale", language: "nl", category: "MARKETING", body: "Zomer!")
            try await sync(harness)
            let row = try #require(try await template(harness, "summer_sale"))
            _ = try await harness.owner.get("/templates")
            let response = try await harness.owner.post("/templates/\(row.id!)/delete")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/templates?notice=deleted")
            #expect(harness.simulator.templates.isEmpty)
            #expect(try await stored(harness).isEmpty)
        }
    }

    @Test func anotherOrganizationsTemplateCannotBeDeleted() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "summer_sale", language: "nl", category: "MARKETING", body: "Zomer!")
            try await sync(harness)
            let row = try #require(try await template(harness, "summer_sale"))
            let other = try await harness.test.signUp(name: "Kees Kaas", organization: "Kaas BV", email: "kees@example.com")
            #expect(try await other.api(.DELETE, "/api/v1/whatsapp/templates/\(row.id!)").status == .notFound)
            #expect(harness.simulator.templates.count == 1)
            #expect(try await stored(harness).count == 1)
        }
    }

    // MARK: In the conversation

    @Test func onlyApprovedTemplatesAreOfferedInTheConversation() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.addTemplate(name: "order_ready", language: "nl", body: "Je bestelling {{1}} ligt klaar", status: "APPROVED")
            harness.simulator.addTemplate(name: "new_offer", language: "nl", category: "MARKETING", body: "Nieuw!", status: "PENDING")
            harness.simulator.addTemplate(name: "bad_offer", language: "nl", category: "MARKETING", body: "Slecht", status: "REJECTED")
            harness.simulator.addTemplate(name: "old_offer", language: "nl", category: "MARKETING", body: "Oud", status: "PAUSED")
            harness.simulator.addTemplate(name: "gone_offer", language: "nl", category: "MARKETING", body: "Weg", status: "DISABLED")
            try await sync(harness)
            #expect(try await stored(harness).count == 5)

            let wamid = try await harness.customer().sendText("Is mijn bestelling klaar?")
            _ = try await harness.stored(wamid)
            let conversation = try #require(try await harness.conversation(with: "31612345678"))
            let page = try await harness.owner.get("/inbox/\(conversation.id!)")
            let html = page.body.string
            #expect(html.contains("id=\"template-form\""))
            #expect(html.contains("value=\"order_ready|nl\""))
            for name in ["new_offer", "bad_offer", "old_offer", "gone_offer"] {
                #expect(!html.contains("value=\"\(name)|nl\""), "\(name) is offered")
            }

            // Approved later: offered from then on.
            try await harness.simulator.approveTemplate(name: "new_offer")
            try await harness.eventually("approved") { try await template(harness, "new_offer")?.status == "APPROVED" }
            #expect((try await harness.owner.get("/inbox/\(conversation.id!)")).body.string.contains("value=\"new_offer|nl\""))
        }
    }
}
