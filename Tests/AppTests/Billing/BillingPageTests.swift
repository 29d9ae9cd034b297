@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Stripe
import Testing
import Vapor

@Suite("Billing page")
struct BillingPageTests {
    @Test("Without Stripe the page says self-hosted and unlimited, in English and Dutch, to owners only")
    func selfHosted() async throws {
        try await TestApp.run { app in
            let owner = try await app.signUp(email: "owner@self.example")
            let page = try await owner.get("/settings/billing")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("self-hosted plan, with no limits"))
            #expect(!page.body.string.contains("checkout-starter"))
            #expect(page.body.string.contains("(no limit)"))
            #expect(try await owner.get("/settings").body.string.contains("href=\"/settings/billing\""))
            #expect(try await owner.post("/language", ["language": "nl", "return_to": "/settings/billing"]).status == .seeOther)
            #expect(try await owner.get("/settings/billing").body.string.contains("self-hosted abonnement, zonder limieten"))
            _ = try await owner.post("/language", ["language": "en", "return_to": "/settings/billing"])

            let organization = try await app.organization(named: "Bakkerij Anna").requireID()
            let admin = try await app.signUp(name: "Admin", organization: "Admin home", email: "admin@self.example")
            _ = try await app.addMember(email: "admin@self.example", to: organization, role: .admin)
            #expect(try await admin.post("/organizations/switch", ["organization_id": organization.uuidString]).status == .seeOther)
            #expect(try await admin.get("/settings/billing").status == .forbidden)
            #expect(try await admin.post("/settings/billing/checkout", ["plan": "starter"]).status == .forbidden)
            #expect(try await admin.get("/settings").body.string.contains("/settings/billing") == false)
        }
    }

    @Test("An owner checks out, comes back to their plan, changes it, cancels and resumes; amounts per language")
    func checkoutFlow() async throws {
        try await BillingHarness.run { billing in
            let owner = try await billing.test.signUp(organization: "Bakkerij Één", email: "owner@flow.example")
            let organization = try await billing.test.organization(named: "Bakkerij Één").requireID()
            var page = try await owner.get("/settings/billing")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("no plan yet"))
            #expect(page.body.string.contains("Start a 14-day free trial"))
            // Browsers apply form-action to a form's redirects: this page's forms may end up at Stripe (here the fake), no other page's.
            let stripeOrigin = try #require(billing.simulator.baseURL?.absoluteString)
            #expect(
                page.headers.first(name: "Content-Security-Policy")?.contains(
                    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com \(stripeOrigin);") == true)
            #expect(try await owner.get("/settings").headers.first(name: "Content-Security-Policy")?.contains("form-action 'self';") == true)

            let checkout = try await owner.post("/settings/billing/checkout", ["plan": "professional"])
            #expect(checkout.status == .seeOther)
            let location = try #require(checkout.headers.first(name: .location))
            #expect(location.hasPrefix(try #require(billing.simulator.baseURL?.absoluteString) + "/checkout/cs_test_"))
            // A second click makes a second session for the same customer, never a second customer.
            #expect(try await owner.post("/settings/billing/checkout", ["plan": "professional"]).status == .seeOther)
            #expect(billing.simulator.requests.filter { $0.path == "/v1/customers" }.count == 1)
            let session = billing.simulator.requests.last { $0.path == "/v1/checkout/sessions" }
            #expect(session?.form["client_reference_id"] == organization.uuidString.lowercased())
            #expect(session?.form["subscription_data[trial_period_days]"] == "14")
            #expect(session?.form["locale"] == "en")
            #expect(session?.form["success_url"] == "http://127.0.0.1:8080/settings/billing?notice=checkout")

            // Paid on Stripe's page; the webhooks arrive.
            let before = billing.simulator.eventIDs.count
            try await billing.simulator.completeCheckout(String(location.split(separator: "/").last!))
            try await billing.deliver(billing.events(since: before))
            page = try await owner.get("/settings/billing?notice=checkout")
            #expect(page.body.string.contains("Professional, free trial until"))
            #expect(page.body.string.contains("The plan shows here as soon as Stripe confirms"))
            #expect(page.body.string.contains("1 of 10"), "members: the owner of 10 seats")
            #expect(page.body.string.contains("Next invoice: €79.00"))
            #expect(page.body.string.contains("id=\"billing-invoices\""))
            _ = try await owner.post("/language", ["language": "nl", "return_to": "/settings/billing"])
            let dutch = try await owner.get("/settings/billing").body.string
            #expect(dutch.contains("Volgende factuur: €\u{00A0}79,00"), "\(dutch.components(separatedBy: "billing-next-invoice").last?.prefix(80) ?? "")")
            _ = try await owner.post("/language", ["language": "en", "return_to": "/settings/billing"])

            let changed = try await owner.post("/settings/billing/plan", ["plan": "enterprise"])
            #expect(changed.headers.first(name: .location) == "/settings/billing?notice=changed")
            #expect(try await billing.account(organization).plan == .enterprise)
            #expect(billing.simulator.requests.last?.form["proration_behavior"] == "create_prorations")
            _ = try await owner.post("/settings/billing/cancel")
            #expect(try await billing.account(organization).cancelAtPeriodEnd)
            #expect(try await owner.get("/settings/billing").body.string.contains("(cancelled)"))
            _ = try await owner.post("/settings/billing/resume")
            #expect(try await billing.account(organization).cancelAtPeriodEnd == false)

            let portal = try await owner.post("/settings/billing/portal")
            #expect(portal.headers.first(name: .location)?.contains("/portal/bps_") == true)
            let audit = try await billing.audit(organization)
            for action in ["customer.created", "checkout.started", "plan.changed", "subscription.cancelling", "subscription.resumed"] {
                #expect(audit.contains(action), "\(action) in \(audit)")
            }
        }
    }

    @Test("Refusals: other roles, no CSRF, an unknown plan, a second checkout, Stripe down; nothing changes")
    func refusals() async throws {
        try await BillingHarness.run { billing in
            let owner = try await billing.test.signUp(organization: "Refusing", email: "owner@refuse.example")
            let organization = try await billing.test.organization(named: "Refusing").requireID()
            let agent = try await billing.test.signUp(name: "Agent", organization: "Elsewhere", email: "agent@refuse.example")
            _ = try await billing.test.addMember(email: "agent@refuse.example", to: organization, role: .agent)
            #expect(try await agent.post("/organizations/switch", ["organization_id": organization.uuidString]).status == .seeOther)
            for path in ["/settings/billing/checkout", "/settings/billing/portal", "/settings/billing/plan", "/settings/billing/cancel"] {
                #expect(try await agent.post(path, ["plan": "starter"]).status == .forbidden, "\(path)")
            }
            #expect(try await owner.post("/settings/billing/checkout", ["plan": "starter"], includeCSRF: false).status == .forbidden)
            #expect(try await owner.post("/settings/billing/checkout", ["plan": "platinum"]).headers.first(name: .location) == "/settings/billing?error=plan")
            #expect(
                try await owner.post("/settings/billing/plan", ["plan": "starter"]).headers.first(name: .location) == "/settings/billing?error=no-subscription")
            #expect(billing.simulator.requests.isEmpty)

            billing.simulator.script(.serverError, times: 3)
            let down = try await owner.post("/settings/billing/checkout", ["plan": "starter"])
            #expect(down.headers.first(name: .location) == "/settings/billing?error=stripe")
            #expect(try await owner.get("/settings/billing?error=stripe").body.string.contains("Stripe could not be reached"))

            #expect(try await billing.account(organization).stripeCustomerID == nil)
            #expect(try await owner.post("/settings/billing/checkout", ["plan": "starter"]).status == .seeOther)
            let customer = try #require(try await billing.account(organization).stripeCustomerID)
            _ = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[0])
            #expect(
                try await owner.post("/settings/billing/checkout", ["plan": "enterprise"]).headers.first(name: .location)
                    == "/settings/billing?error=subscribed")
        }
    }
}
