@testable import App
import Fluent
import Foundation
import Stripe
import StripeSimulator
import Testing
import Vapor
import VaporTesting

/// An app with billing on, against a started Stripe simulator that shares the app's test clock.
/// The simulator keeps the events it makes; tests deliver them to the app themselves (signed as
/// Stripe signs them), so they can also send them twice, late or in another order.
struct BillingHarness {
    static let prices = ["price_starter_sim", "price_professional_sim", "price_enterprise_sim"]

    let test: TestApp
    let simulator: StripeSimulator
    let stripe: StripeClient

    var app: Application { test.app }
    var db: any Database { test.db }

    static func run(variables: [String: String] = [:], _ body: (BillingHarness) async throws -> Void) async throws {
        let clock = TestClock()
        let simulator = StripeSimulator(
            prices: [(prices[0], 2_900, "eur"), (prices[1], 7_900, "eur"), (prices[2], 24_900, "eur")], now: { clock.now })
        let baseURL = try await simulator.start()
        do {
            var environment = [
                "STRIPE_SECRET_KEY": simulator.secretKey, "STRIPE_WEBHOOK_SECRET": simulator.webhookSecrets.withLock { $0[0] },
                "STRIPE_STARTER_PRICE_ID": prices[0], "STRIPE_PROFESSIONAL_PRICE_ID": prices[1], "STRIPE_ENTERPRISE_PRICE_ID": prices[2],
                "STRIPE_API_BASE": baseURL.absoluteString,
            ]
            environment.merge(variables) { $1 }
            // Sends the tests queue go to a fake Graph API, never to Meta.
            try await TestApp.run(variables: environment, clock: clock, graphAPI: GraphAPIFake()) { test in
                try await body(
                    BillingHarness(
                        test: test, simulator: simulator,
                        stripe: StripeClient(StripeConfiguration(secretKey: simulator.secretKey, baseURL: baseURL.absoluteString))))
            }
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    /// Posts a body to the webhook as Stripe would: signed now with the simulator's secrets, unless a header is given.
    func post(_ body: Data, signature: String? = nil) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: StripeSignature.headerName, value: signature ?? simulator.signature(for: body, at: test.clock.now))
        return try await app.testing().sendRequest(.POST, "/api/webhooks/stripe", headers: headers, body: ByteBuffer(data: body))
    }

    /// Delivers the simulator's events (all, or those after `index`), each answered 200, then runs the jobs.
    @discardableResult
    func deliver(_ ids: [String]) async throws -> [String] {
        for id in ids {
            let response = try await post(try #require(simulator.eventBody(id)))
            #expect(response.status == .ok, "\(id): \(response.body.string)")
        }
        _ = try await test.runJobsUntilIdle()
        return ids
    }

    /// The events the simulator made since `count` were made.
    func events(since count: Int) -> [String] {
        Array(simulator.eventIDs.dropFirst(count))
    }

    /// Signs up an owner with an organization and gives it a Stripe customer, as the billing page does before a checkout.
    func organizationWithCustomer(_ name: String, email: String) async throws -> (organization: UUID, customer: String, browser: Browser) {
        let browser = try await test.signUp(name: "Owner of \(name)", organization: name, email: email)
        let organization = try await test.organization(named: name).requireID()
        let customer = try await stripe.createCustomer(
            email: email, name: name, metadata: ["organization": organization.uuidString], idempotencyKey: "c/\(name)")
        let account = BillingAccount(organizationID: organization, now: test.clock.now)
        account.stripeCustomerID = customer.id
        try await account.create(on: db)
        return (organization, customer.id, browser)
    }

    /// A paid checkout of `plan` for the customer (a trial of `trialDays`), its events delivered; returns the subscription id.
    func subscribe(_ organization: UUID, customer: String, price: String, trialDays: Int? = nil) async throws -> String {
        let session = try await stripe.createCheckoutSession(
            .init(
                customer: customer, price: price, successURL: "http://127.0.0.1:8080/settings/billing", cancelURL: "http://127.0.0.1:8080/settings/billing",
                trialDays: trialDays, clientReferenceID: organization.uuidString, locale: nil), idempotencyKey: UUID().uuidString)
        let before = simulator.eventIDs.count
        try await simulator.completeCheckout(session.id)
        try await deliver(events(since: before))
        return try #require(try await account(organization).stripeSubscriptionID)
    }

    func account(_ organization: UUID) async throws -> BillingAccount {
        try #require(try await BillingAccount.query(on: db).filter(\.$organizationID == organization).first())
    }

    func audit(_ organization: UUID) async throws -> [String] {
        try await BillingAuditLine.query(on: db).filter(\.$organizationID == organization).sort(\.$at).sort(\.$action).all().map(\.action)
    }

    /// The billing emails queued, as `kind → recipient`.
    func emails() async throws -> [String] {
        try await db.sql.raw("SELECT payload FROM jobs WHERE kind = 'email-notification' ORDER BY created_at").all().compactMap { row in
            let payload = try row.decode(column: "payload", as: String.self)
            guard let object = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any], let kind = object["kind"] as? String,
                kind.hasPrefix("billing-")
            else { return nil }
            return kind
        }
    }
}
