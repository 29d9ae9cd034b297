import Foundation

// The parts of Stripe's objects ADSapp reads, as the pinned API version (`StripeClient.apiVersion`)
// shapes them. Ids of related objects arrive as strings (we never ask Stripe to expand them).

public struct StripeList<Item: Decodable & Sendable>: Decodable, Sendable {
    public var data: [Item]
    public var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
    }
}

extension StripeList: Equatable where Item: Equatable {}

public struct StripeCustomer: Decodable, Sendable, Equatable {
    public var id: String
    public var email: String?
    public var name: String?
    public var metadata: [String: String]?
}

public struct StripeCheckoutSession: Decodable, Sendable, Equatable {
    public var id: String
    /// Where to send the browser: Stripe's hosted page.
    public var url: String?
    public var customer: String?
    public var subscription: String?
    public var clientReferenceID: String?
    /// `open`, `complete` or `expired`.
    public var status: String?
    public var mode: String?
    public var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, url, customer, subscription, status, mode, metadata
        case clientReferenceID = "client_reference_id"
    }
}

public struct StripePortalSession: Decodable, Sendable, Equatable {
    public var id: String
    public var url: String
}

public struct StripeSubscription: Decodable, Sendable, Equatable {
    public struct Item: Decodable, Sendable, Equatable {
        public struct Price: Decodable, Sendable, Equatable {
            public var id: String
            public var unitAmount: Int?
            public var currency: String?

            enum CodingKeys: String, CodingKey {
                case id, currency
                case unitAmount = "unit_amount"
            }
        }
        public var id: String
        public var price: Price
        public var currentPeriodStart: Int?
        public var currentPeriodEnd: Int?

        enum CodingKeys: String, CodingKey {
            case id, price
            case currentPeriodStart = "current_period_start"
            case currentPeriodEnd = "current_period_end"
        }
    }

    public var id: String
    public var customer: String
    /// `incomplete`, `incomplete_expired`, `trialing`, `active`, `past_due`, `canceled`, `unpaid` or `paused`.
    public var status: String
    public var cancelAtPeriodEnd: Bool
    public var trialEnd: Int?
    public var created: Int?
    public var items: StripeList<Item>
    public var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, customer, status, created, items, metadata
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case trialEnd = "trial_end"
    }

    /// The one price ADSapp subscribes to (a plan is one subscription item).
    public var priceID: String? { items.data.first?.price.id }
    /// The end of the current period (since API version 2025-03-31 it lives on the items).
    public var currentPeriodEnd: Date? { items.data.compactMap(\.currentPeriodEnd).max().map { Date(timeIntervalSince1970: TimeInterval($0)) } }
}

public struct StripeInvoice: Decodable, Sendable, Equatable {
    public struct Parent: Decodable, Sendable, Equatable {
        public struct SubscriptionDetails: Decodable, Sendable, Equatable {
            public var subscription: String?
        }
        public var subscriptionDetails: SubscriptionDetails?

        enum CodingKeys: String, CodingKey {
            case subscriptionDetails = "subscription_details"
        }
    }

    /// Absent on a preview.
    public var id: String?
    public var number: String?
    public var customer: String?
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    public var status: String?
    public var amountDue: Int
    public var amountPaid: Int?
    public var currency: String
    public var created: Int?
    public var periodEnd: Int?
    public var nextPaymentAttempt: Int?
    public var attemptCount: Int?
    public var hostedInvoiceURL: String?
    public var invoicePDF: String?
    public var parent: Parent?

    enum CodingKeys: String, CodingKey {
        case id, number, customer, status, currency, created, parent
        case amountDue = "amount_due"
        case amountPaid = "amount_paid"
        case periodEnd = "period_end"
        case nextPaymentAttempt = "next_payment_attempt"
        case attemptCount = "attempt_count"
        case hostedInvoiceURL = "hosted_invoice_url"
        case invoicePDF = "invoice_pdf"
    }

    public var subscription: String? { parent?.subscriptionDetails?.subscription }
}

public struct StripeCharge: Decodable, Sendable, Equatable {
    public var id: String
    public var customer: String?
}

public struct StripeDispute: Decodable, Sendable, Equatable {
    public var id: String
    public var charge: String?
    public var amount: Int
    public var currency: String
    public var reason: String?
    public var status: String?
}

/// A webhook event. `data.object` depends on `type`: read it with `object(as:)`.
public struct StripeEvent: Sendable {
    public var id: String
    public var type: String
    public var created: Int
    public var livemode: Bool
    public var apiVersion: String?
    /// The object's `object` (its kind, e.g. `subscription`) and `id`.
    public var objectKind: String
    public var objectID: String?
    /// The raw body, to read the object from.
    public let body: Data

    struct Envelope: Decodable {
        struct EventData: Decodable {
            struct Reference: Decodable {
                var object: String
                var id: String?
            }
            var object: Reference
        }
        var id: String
        var object: String
        var type: String
        var created: Int
        var livemode: Bool?
        var apiVersion: String?
        var data: EventData

        enum CodingKeys: String, CodingKey {
            case id, object, type, created, livemode, data
            case apiVersion = "api_version"
        }
    }

    struct Wrapped<Object: Decodable>: Decodable {
        struct EventData: Decodable { var object: Object }
        var data: EventData
    }

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case notAnEvent(String)
        public var description: String {
            switch self {
            case .notAnEvent(let reason): "not a Stripe event: \(reason)"
            }
        }
    }

    /// Reads an event from a webhook body; throws when it is not one.
    public init(body: Data) throws {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw ReadError.notAnEvent("\(error)")
        }
        guard envelope.object == "event", envelope.id.hasPrefix("evt_"), !envelope.type.isEmpty else {
            throw ReadError.notAnEvent("object \(envelope.object), id \(envelope.id)")
        }
        id = envelope.id
        type = envelope.type
        created = envelope.created
        livemode = envelope.livemode ?? false
        apiVersion = envelope.apiVersion
        objectKind = envelope.data.object.object
        objectID = envelope.data.object.id
        self.body = body
    }

    /// `data.object` read as the type the event's `type` implies.
    public func object<Object: Decodable>(as type: Object.Type) throws -> Object {
        try JSONDecoder().decode(Wrapped<Object>.self, from: body).data.object
    }
}
