import Foundation

// Stripe's objects as the fake answers them (API version 2025-03-31.basil shapes), with only the
// fields ADSapp or the official `stripe` package read, spelled as Stripe spells them.

struct SimCustomer: Encodable, Sendable {
    var id: String
    var object = "customer"
    var email: String?
    var name: String?
    var metadata: [String: String]
    var created: Int
    var livemode = false
}

struct SimCheckoutSession: Encodable, Sendable {
    var id: String
    var object = "checkout.session"
    var mode: String
    var customer: String
    var clientReferenceID: String?
    var subscription: String?
    var status: String
    var paymentStatus: String
    var successURL: String
    var cancelURL: String
    var url: String?
    var locale: String?
    var metadata: [String: String]
    var created: Int
    var livemode = false
    /// Not Stripe's: what completing the session subscribes to.
    var price: String
    var trialDays: Int?
    var subscriptionMetadata: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, object, mode, customer, subscription, status, url, locale, metadata, created, livemode
        case clientReferenceID = "client_reference_id"
        case paymentStatus = "payment_status"
        case successURL = "success_url"
        case cancelURL = "cancel_url"
    }
}

struct SimPortalSession: Encodable, Sendable {
    var id: String
    var object = "billing_portal.session"
    var customer: String
    var returnURL: String
    var url: String
    var locale: String?
    var created: Int
    var livemode = false

    enum CodingKeys: String, CodingKey {
        case id, object, customer, url, locale, created, livemode
        case returnURL = "return_url"
    }
}

struct SimPrice: Encodable, Sendable {
    var id: String
    var object = "price"
    var currency: String
    var unitAmount: Int
    var recurring = ["interval": "month"]
    var active = true

    enum CodingKeys: String, CodingKey {
        case id, object, currency, recurring, active
        case unitAmount = "unit_amount"
    }
}

struct SimList<Item: Encodable & Sendable>: Encodable, Sendable {
    var object = "list"
    var data: [Item]
    var hasMore = false
    var url: String

    enum CodingKeys: String, CodingKey {
        case object, data, url
        case hasMore = "has_more"
    }
}

struct SimSubscriptionItem: Encodable, Sendable {
    var id: String
    var object = "subscription_item"
    var price: SimPrice
    var quantity = 1
    var subscription: String
    var currentPeriodStart: Int
    var currentPeriodEnd: Int

    enum CodingKeys: String, CodingKey {
        case id, object, price, quantity, subscription
        case currentPeriodStart = "current_period_start"
        case currentPeriodEnd = "current_period_end"
    }
}

struct SimSubscription: Encodable, Sendable {
    var id: String
    var object = "subscription"
    var customer: String
    var status: String
    var cancelAtPeriodEnd = false
    var canceledAt: Int?
    var trialEnd: Int?
    var created: Int
    var items: SimList<SimSubscriptionItem>
    var metadata: [String: String]
    var livemode = false
    var latestInvoice: String?

    enum CodingKeys: String, CodingKey {
        case id, object, customer, status, created, items, metadata, livemode
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case canceledAt = "canceled_at"
        case trialEnd = "trial_end"
        case latestInvoice = "latest_invoice"
    }
}

struct SimInvoice: Encodable, Sendable {
    struct Parent: Encodable, Sendable {
        struct Details: Encodable, Sendable { var subscription: String }
        var type = "subscription_details"
        var subscriptionDetails: Details

        enum CodingKeys: String, CodingKey {
            case type
            case subscriptionDetails = "subscription_details"
        }
    }

    var id: String?
    var object = "invoice"
    var number: String?
    var customer: String
    var status: String
    var amountDue: Int
    var amountPaid: Int
    var currency: String
    var created: Int
    var periodStart: Int
    var periodEnd: Int
    var nextPaymentAttempt: Int?
    var attemptCount: Int
    var hostedInvoiceURL: String?
    var invoicePDF: String?
    var parent: Parent
    var livemode = false
    /// Not Stripe's on the invoice in this API version: the charge a dispute names.
    var charge: String?

    enum CodingKeys: String, CodingKey {
        case id, object, number, customer, status, currency, created, parent, livemode
        case amountDue = "amount_due"
        case amountPaid = "amount_paid"
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case nextPaymentAttempt = "next_payment_attempt"
        case attemptCount = "attempt_count"
        case hostedInvoiceURL = "hosted_invoice_url"
        case invoicePDF = "invoice_pdf"
    }
}

struct SimCharge: Encodable, Sendable {
    var id: String
    var object = "charge"
    var customer: String
    var amount: Int
    var currency: String
    var paid = true
    var created: Int
    var livemode = false
}

struct SimDispute: Encodable, Sendable {
    var id: String
    var object = "dispute"
    var charge: String
    var amount: Int
    var currency: String
    var reason: String
    var status: String
    var created: Int
    var livemode = false
}

/// An object as a webhook event carries it: already encoded, so events of every kind share one type.
struct SimEvent: Sendable {
    var id: String
    var type: String
    var created: Int
    var object: Data

    func body(apiVersion: String) -> Data {
        var body = Data(#"{"id":"\#(id)","object":"event","api_version":"\#(apiVersion)","created":\#(created),"#.utf8)
        body += Data(#""livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"\#(type)","data":{"object":"#.utf8)
        body += object
        body += Data("}}".utf8)
        return body
    }
}
