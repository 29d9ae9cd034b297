@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Stripe
import Testing
import Vapor

struct APIErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }
    var error: Detail
}

/// Each limit refuses where it bites, with a message that names it and the billing page.
@Suite("Billing limits")
struct BillingLimitsTests {
    /// An owner's organization on Starter (3 seats, 1 number, 1,000 contacts).
    func starter(_ billing: BillingHarness, _ name: String) async throws -> (organization: UUID, owner: Browser, subscription: String) {
        let (organization, customer, owner) = try await billing.organizationWithCustomer(name, email: "owner@\(name.lowercased()).example")
        let subscription = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[0])
        return (organization, owner, subscription)
    }

    @Test("Seats: members and open invitations count; the fourth on Starter is refused")
    func seats() async throws {
        try await BillingHarness.run { billing in
            let (_, owner, _) = try await starter(billing, "Seats")
            for n in 1...2 {
                let response = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"m\#(n)@seats.example","role":"agent"}"#)
                #expect(response.status == .created, "\(response.body.string)")
            }
            let refused = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"m3@seats.example","role":"agent"}"#)
            #expect(refused.status == .conflict)
            let message = try refused.content.decode(APIErrorBody.self).error.message
            #expect(message.contains("allows 3 members"))
            #expect(message.contains("/settings/billing"))
        }
    }

    @Test("Numbers: a second number on Starter is refused before Meta is asked; the first may get new credentials")
    func numbers() async throws {
        try await BillingHarness.run { billing in
            let (organization, owner, _) = try await starter(billing, "Numbers")
            _ = try await WhatsAppSeed.make(in: organization, label: "One", phoneNumberID: "1000001", app: billing.test)
            let refused = try await owner.api(
                .POST, "/api/v1/whatsapp/connections", json: #"{"phone_number_id":"1000002","business_account_id":"91000002","access_token":"EAAtoken"}"#)
            #expect(refused.status == .paymentRequired)
            #expect(refused.body.string.contains("plan_limit_numbers"))
            #expect(refused.body.string.contains("allows 1 WhatsApp numbers; 1 are connected"))
            #expect(try await TenantScope(organizationID: organization, database: billing.db).query(WhatsAppConnection.self).count() == 1)
        }
    }

    @Test("Contacts: past 1,000 on Starter a new contact is refused by the form and the API, and an import fails those rows with the reason")
    func contacts() async throws {
        try await BillingHarness.run { billing in
            let (organization, owner, _) = try await starter(billing, "Contacts")
            let now = billing.test.clock.now
            try await (0..<1_000).map { Contact(organizationID: organization, waID: "316120\(String(format: "%05d", $0))", name: "Contact \($0)", now: now) }
                .create(on: billing.db)
            let api = try await owner.api(.POST, "/api/v1/contacts", json: #"{"name":"One more","phone":"+31612001899"}"#)
            #expect(api.status == .paymentRequired)
            #expect(api.body.string.contains("plan_limit_contacts"))
            let form = try await owner.post("/contacts/new", ["name": "One more", "phone": "+31612001898"])
            #expect(form.status == .unprocessableEntity)
            #expect(form.body.string.contains("allows 1,000 (Contacts)"))

            // An import updates who is there and makes nobody new past the limit.
            _ = try await owner.get("/account")
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            headers.add(name: CSRFProtection.header, value: owner.csrfToken ?? "")
            let created = try await owner.send(
                .POST, "/api/v1/contacts/imports", headers: headers,
                body: ByteBuffer(string: "phone,name\n+31612001897,Anna\n+31612000001,Contact One Renamed\n"))
            #expect(created.status == .accepted, "\(created.body.string)")
            _ = try await billing.test.runJobsUntilIdle()
            let record = try #require(try await TenantScope(organizationID: organization, database: billing.db).query(ContactImport.self).first())
            #expect(record.createdCount == 0)
            #expect(record.updatedCount == 1)
            #expect(record.failedCount == 1)
            let failure = try #require(try await TenantScope(organizationID: organization, database: billing.db).query(ContactImportFailure.self).first())
            #expect(failure.rowNumber == 2)
            #expect(failure.reason.contains("the plan allows 1000 contacts"))
            #expect(try await TenantScope(organizationID: organization, database: billing.db).query(Contact.self).count() == 1_000)
        }
    }

    @Test("Monthly messages: a campaign that would pass the plan's business-initiated messages does not start")
    func monthlyMessages() async throws {
        try await BillingHarness.run { billing in
            let (organization, _, _) = try await starter(billing, "Messages")
            let launch = CampaignLaunch(
                scope: TenantScope(organizationID: organization, database: billing.db), now: billing.test.clock.now,
                billing: BillingAccess(settings: billing.app.context.configuration.billing, now: billing.test.clock.now))
            try await launch.checkPlan(audienceSize: 1_000)
            await #expect {
                try await launch.checkPlan(audienceSize: 1_001)
            } throws: { error in
                guard case CampaignProblem.planLimit(let reason) = error else { return false }
                return reason.contains("allows 1000 campaign messages a month") && reason.contains("/settings/billing")
            }
        }
    }

    @Test("Sending: without a plan and when read-only nothing goes out (inbox, API, campaigns), with the reason; paying lets it go again")
    func sending() async throws {
        // Signed in across the eight days the test moves the clock.
        try await BillingHarness.run(variables: ["SESSION_IDLE_TIMEOUT_MINUTES": "43200"]) { billing in
            let (organization, customer, owner) = try await billing.organizationWithCustomer("Sending", email: "owner@sending.example")
            let seed = try await WhatsAppSeed.make(in: organization, label: "Send", phoneNumberID: "2000001", app: billing.test)
            let path = "/api/v1/conversations/\(seed.conversationID.uuidString)/messages"
            var refused = try await owner.api(.POST, path, json: #"{"type":"text","text":"Hallo"}"#)
            #expect(refused.status == .paymentRequired)
            #expect(refused.body.string.contains("plan_required"))
            let inbox = try await owner.get("/inbox").body.string
            #expect(inbox.contains("no plan yet"), "every page shows the banner")
            #expect(inbox.contains("<a href=\"/settings/billing\">Billing</a>"), "with the way to the billing page, for an owner")

            let subscription = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[1])
            #expect(try await owner.api(.POST, path, json: #"{"type":"text","text":"Hallo"}"#).status == .accepted)

            let before = billing.simulator.eventIDs.count
            try await billing.simulator.failRenewal(subscription)
            try await billing.deliver(billing.events(since: before))
            #expect(try await owner.get("/inbox").body.string.contains("A payment failed."))
            #expect(try await owner.api(.POST, path, json: #"{"type":"text","text":"Still in grace"}"#).status == .accepted)

            billing.test.clock.advance(by: 8 * 86_400)
            refused = try await owner.api(.POST, path, json: #"{"type":"text","text":"Hallo"}"#)
            #expect(refused.status == .paymentRequired)
            #expect(refused.body.string.contains("payment_overdue"))
            let page = try await owner.post("/inbox/\(seed.conversationID.uuidString)/messages", ["text": "Hallo"])
            #expect(page.status == .paymentRequired)
            #expect(page.body.string.contains("nothing can be sent until it is paid"))
            // Campaigns and drip sequences do not start either (their sends, already running, wait: RunCampaign, AdvanceDrips).
            let launch = CampaignLaunch(
                scope: TenantScope(organizationID: organization, database: billing.db), now: billing.test.clock.now,
                billing: BillingAccess(settings: billing.app.context.configuration.billing, now: billing.test.clock.now))
            await #expect {
                try await launch.checkPlan(audienceSize: 1)
            } throws: { error in
                guard case CampaignProblem.planLimit(let reason) = error else { return false }
                return reason.contains("read-only until it is paid")
            }
            let messages = try await TenantScope(organizationID: organization, database: billing.db).query(Message.self)
                .filter(\.$direction == .outbound).count()
            #expect(messages == 2)

            let paid = billing.simulator.eventIDs.count
            try await billing.simulator.payOpenInvoice(subscription)
            try await billing.deliver(billing.events(since: paid))
            // The customer wrote again meanwhile (the 24-hour window closed during the eight days).
            let conversation = try #require(try await Conversation.find(seed.conversationID, on: billing.db))
            conversation.lastInboundAt = billing.test.clock.now
            try await conversation.save(on: billing.db)
            let sent = try await owner.api(.POST, path, json: #"{"type":"text","text":"Paid"}"#)
            #expect(sent.status == .accepted, "\(sent.body.string)")
        }
    }
}
