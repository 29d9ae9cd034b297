@testable import App
import ADSappCore
import Fluent
import Jobs
import Foundation
import SQLKit
import Stripe
import Testing
import Vapor

@Suite("Stripe webhooks")
struct StripeWebhookTests {
    @Test("A checkout's events set the plan, its limits and the audit; Stripe's later changes follow")
    func checkoutSetsThePlan() async throws {
        try await BillingHarness.run { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Bakkerij Één", email: "owner@een.example")
            let subscription = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[1], trialDays: 14)
            let account = try await billing.account(organization)
            #expect(account.plan == .professional)
            #expect(account.subscriptionStatus == "trialing")
            #expect(account.trialEnd == billing.test.clock.now.addingTimeInterval(14 * 86_400).roundedToSeconds)
            let limits = try #require(try await Organization.find(organization, on: billing.db))
            #expect(limits.planContactLimit == 10_000)
            #expect(limits.planMonthlyMessages == 10_000)
            #expect(try await billing.audit(organization) == ["payment.succeeded", "plan.changed", "subscription.status"])

            // Upgraded in the portal: Stripe says so with customer.subscription.updated.
            let before = billing.simulator.eventIDs.count
            _ = try await billing.stripe.changePrice(
                of: try await billing.stripe.subscription(subscription), to: BillingHarness.prices[2], idempotencyKey: "up")
            try await billing.deliver(billing.events(since: before))
            #expect(try await billing.account(organization).plan == .enterprise)
            #expect(try #require(try await Organization.find(organization, on: billing.db)).planContactLimit == 100_000)

            // Ended: no plan, nothing allowed beyond what it has.
            let beforeEnd = billing.simulator.eventIDs.count
            try await billing.simulator.endSubscription(subscription)
            try await billing.deliver(billing.events(since: beforeEnd))
            let ended = try await billing.account(organization)
            #expect(ended.subscriptionStatus == "canceled")
            #expect(ended.plan == .enterprise)
            #expect(ended.isSubscribed == false)
            #expect(try #require(try await Organization.find(organization, on: billing.db)).planContactLimit == 0)
        }
    }

    @Test("Events delivered twice and in reverse order leave the same state, each applied once")
    func twiceAndOutOfOrder() async throws {
        try await BillingHarness.run { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Twice", email: "owner@twice.example")
            let session = try await billing.stripe.createCheckoutSession(
                .init(
                    customer: customer, price: BillingHarness.prices[0], successURL: "http://127.0.0.1:8080/settings/billing",
                    cancelURL: "http://127.0.0.1:8080/settings/billing", trialDays: nil, clientReferenceID: organization.uuidString, locale: nil),
                idempotencyKey: "s")
            try await billing.simulator.completeCheckout(session.id)
            let subscription = try #require(try await billing.stripe.subscriptions(customer: customer).data.first)
            // An upgrade happens before any event arrives; then everything arrives backwards, twice.
            _ = try await billing.stripe.changePrice(of: subscription, to: BillingHarness.prices[1], idempotencyKey: "u")
            let events = billing.simulator.eventIDs
            try await billing.deliver(events.reversed() + events)
            let account = try await billing.account(organization)
            #expect(account.plan == .professional, "the oldest event (created, on Starter) came last but Stripe's current state won")
            #expect(account.subscriptionStatus == "active")
            let stored = try await billing.db.sql.raw("SELECT COUNT(*) AS n FROM stripe_events").first()?.decode(column: "n", as: Int.self)
            #expect(stored == events.count)
            let processed = try await billing.db.sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'stripe.event'").first()?.decode(
                column: "n", as: Int.self)
            #expect(processed == events.count)
            #expect(try await billing.audit(organization).filter { $0 == "plan.changed" }.count == 1)
            #expect(try await billing.audit(organization).filter { $0 == "payment.succeeded" }.count == 1)
        }
    }

    @Test("Only a body signed with our secret within 300 s is stored; rotated secrets are accepted")
    func signatures() async throws {
        let rolled = "whsec_previous0000000000000000"
        try await BillingHarness.run { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Signed", email: "owner@signed.example")
            _ = organization
            let body = Data(
                #"{"id":"evt_signed1","object":"event","type":"customer.subscription.trial_will_end","created":1780000000,"data":{"object":{"id":"sub_x","object":"subscription","customer":"\#(customer)","status":"trialing","cancel_at_period_end":false,"items":{"data":[],"has_more":false}}}}"#
                    .utf8)
            let now = billing.test.clock.now
            let wrong = StripeSignature.header(body: Array(body), secrets: ["whsec_wrong"], timestamp: now)
            let old = StripeSignature.header(
                body: Array(body), secrets: billing.simulator.webhookSecrets.withLock { $0 }, timestamp: now.addingTimeInterval(-301))
            for header in [wrong, old, "", "t=\(Int(now.timeIntervalSince1970))"] {
                #expect(try await billing.post(body, signature: header).status == .badRequest)
            }
            var tampered = body
            tampered[tampered.count - 3] = UInt8(ascii: "x")
            #expect(try await billing.post(tampered, signature: billing.simulator.signature(for: body, at: now)).status == .badRequest)
            #expect(try await billing.db.sql.raw("SELECT COUNT(*) AS n FROM stripe_events").first()?.decode(column: "n", as: Int.self) == 0)

            // Stripe rolling its secret signs with both; either being ours is enough.
            let both = StripeSignature.header(body: Array(body), secrets: [rolled] + billing.simulator.webhookSecrets.withLock { $0 }, timestamp: now)
            #expect(try await billing.post(body, signature: both).status == .ok)
            // Signed but not an event: refused, nothing stored.
            let notEvent = Data(#"{"id":"cus_1","object":"customer"}"#.utf8)
            #expect(try await billing.post(notEvent).status == .badRequest)
            #expect(try await billing.db.sql.raw("SELECT COUNT(*) AS n FROM stripe_events").first()?.decode(column: "n", as: Int.self) == 1)
        }
        // We roll ours: both secrets configured, events signed with the old one still pass.
        try await BillingHarness.run(variables: ["STRIPE_WEBHOOK_SECRET": "whsec_newer00000000000000, " + rolled]) { billing in
            let body = Data(#"{"id":"evt_rolled","object":"event","type":"invoice.created","created":1780000000,"data":{"object":{"object":"invoice"}}}"#.utf8)
            let header = StripeSignature.header(body: Array(body), secrets: [rolled], timestamp: billing.test.clock.now)
            #expect(try await billing.post(body, signature: header).status == .ok)
            _ = try await billing.test.runJobsUntilIdle()
            let outcome = try await billing.db.sql.raw("SELECT outcome FROM stripe_events WHERE id = 'evt_rolled'").first()?.decode(
                column: "outcome", as: String.self)
            #expect(outcome == "ignored: not an event ADSapp handles")
        }
    }

    @Test("An event acts only on the organization whose customer it names; an unknown customer changes nothing")
    func tenantIsolation() async throws {
        try await BillingHarness.run { billing in
            let ours = try await billing.organizationWithCustomer("Ours", email: "owner@ours.example")
            let theirs = try await billing.organizationWithCustomer("Theirs", email: "owner@theirs.example")
            // Their checkout, carrying our organization's id as its reference: it must not reach us (nor them, as it lies).
            let session = try await billing.stripe.createCheckoutSession(
                .init(
                    customer: theirs.customer, price: BillingHarness.prices[2], successURL: "http://127.0.0.1:8080/settings/billing",
                    cancelURL: "http://127.0.0.1:8080/settings/billing", trialDays: nil, clientReferenceID: ours.organization.uuidString, locale: nil),
                idempotencyKey: "x")
            try await billing.simulator.completeCheckout(session.id)
            try await billing.deliver(billing.simulator.eventIDs)
            let ourAccount = try await billing.account(ours.organization)
            #expect(ourAccount.planName == nil)
            #expect(ourAccount.stripeSubscriptionID == nil)
            #expect(try await billing.audit(ours.organization).isEmpty)
            // The subscription events themselves name their customer: they reach them, and only them.
            #expect(try await billing.account(theirs.organization).plan == .enterprise)
            let outcome = try await billing.db.sql.raw("SELECT outcome FROM stripe_events WHERE type = 'checkout.session.completed'").first()?
                .decode(column: "outcome", as: String.self)
            #expect(outcome == "ignored: client_reference_id names another organization")

            // A customer no organization has: stored, processed, nothing changed.
            let stranger = try await billing.stripe.createCustomer(email: "x@stranger.example", name: "Stranger", metadata: [:], idempotencyKey: "s")
            let strangerSession = try await billing.stripe.createCheckoutSession(
                .init(
                    customer: stranger.id, price: BillingHarness.prices[0], successURL: "http://127.0.0.1:8080/x", cancelURL: "http://127.0.0.1:8080/x",
                    trialDays: nil, clientReferenceID: ours.organization.uuidString, locale: nil), idempotencyKey: "t")
            let before = billing.simulator.eventIDs.count
            try await billing.simulator.completeCheckout(strangerSession.id)
            try await billing.deliver(billing.events(since: before))
            #expect(try await billing.account(ours.organization).planName == nil)
            let ignored = try await billing.db.sql.raw(
                "SELECT COUNT(*) AS n FROM stripe_events WHERE outcome LIKE 'ignored: no organization has the customer%'"
            )
            .first()?.decode(column: "n", as: Int.self)
            #expect(ignored == 3)
        }
    }

    @Test("Dunning: a failed payment gives a grace period, then read-only, until paid; owners are told and each step is audited")
    func dunningTimeline() async throws {
        try await BillingHarness.run(variables: ["BILLING_GRACE_DAYS": "7"]) { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Dunning", email: "owner@dunning.example")
            let subscription = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[0])
            let failedAt = billing.test.clock.now
            var before = billing.simulator.eventIDs.count
            try await billing.simulator.failRenewal(subscription)
            try await billing.deliver(billing.events(since: before))
            var account = try await billing.account(organization)
            #expect(account.subscriptionStatus == "past_due")
            #expect(account.paymentFailedAt == failedAt)
            #expect(account.graceUntil == failedAt.addingTimeInterval(7 * 86_400))
            #expect(account.readOnlySince == nil)
            #expect(try await billing.emails() == ["billing-payment-failed"])

            // Stripe retries and fails again: no new grace, no second email.
            billing.test.clock.advance(by: 3 * 86_400)
            before = billing.simulator.eventIDs.count
            try await billing.simulator.failRetry(subscription)
            try await billing.deliver(billing.events(since: before))
            #expect(try await billing.account(organization).graceUntil == failedAt.addingTimeInterval(7 * 86_400))
            #expect(try await billing.emails() == ["billing-payment-failed"])

            // Grace over: read-only, recorded, owners told.
            billing.test.clock.advance(by: 4 * 86_400 + 60)
            try await billing.app.backgroundJobs.store(billing.db, billing.app.context).enqueue(try JobStore.NewJob(EndBillingGrace.self, .init()))
            _ = try await billing.test.runJobsUntilIdle()
            account = try await billing.account(organization)
            #expect(account.readOnlySince == billing.test.clock.now)
            #expect(try await billing.emails() == ["billing-payment-failed", "billing-read-only"])

            // Paid in the portal: everything works again.
            before = billing.simulator.eventIDs.count
            try await billing.simulator.payOpenInvoice(subscription)
            try await billing.deliver(billing.events(since: before))
            account = try await billing.account(organization)
            #expect(account.paymentFailedAt == nil)
            #expect(account.graceUntil == nil)
            #expect(account.readOnlySince == nil)
            #expect(account.subscriptionStatus == "active")
            let audit = try await billing.audit(organization)
            for (action, count) in [("payment.failed", 2), ("read_only.started", 1), ("payment.succeeded", 2), ("read_only.ended", 1)] {
                #expect(audit.filter { $0 == action }.count == count, "\(action) in \(audit)")
            }
        }
    }

    @Test("A trial ending and a disputed payment are told to the owners and audited")
    func noticesToOwners() async throws {
        try await BillingHarness.run { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Notices", email: "owner@notices.example")
            let subscription = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[0])
            let before = billing.simulator.eventIDs.count
            try await billing.simulator.trialWillEnd(subscription)
            try await billing.simulator.dispute(subscription)
            try await billing.deliver(billing.events(since: before))
            #expect(try await billing.emails().sorted() == ["billing-dispute", "billing-trial-ending"])
            let audit = try await billing.audit(organization)
            #expect(audit.contains("trial.ending"))
            #expect(audit.contains("payment.disputed"))
        }
    }

    @Test("Without Stripe the webhook does not exist")
    func withoutStripe() async throws {
        try await TestApp.run { app in
            var headers = HTTPHeaders()
            headers.contentType = .json
            let response = try await app.app.testing().sendRequest(.POST, "/api/webhooks/stripe", headers: headers, body: ByteBuffer(string: "{}"))
            #expect(response.status == .notFound)
        }
    }
}

extension Date {
    /// Stripe's timestamps are whole seconds.
    var roundedToSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
