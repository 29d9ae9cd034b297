import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Where and how to reach Stripe's API.
public struct StripeConfiguration: Sendable {
    /// `sk_live_...` or `sk_test_...`.
    public var secretKey: String
    /// `https://api.stripe.com`, or a loopback fake in tests.
    public var baseURL: String
    /// The longest one attempt may take, connecting included.
    public var timeout: TimeInterval
    /// Attempts after the first when Stripe is busy or unreachable.
    public var maxRetries: Int
    /// A `Retry-After` longer than this is not waited for: the error goes to the caller (a job retries later).
    public var longestWait: TimeInterval

    public init(secretKey: String, baseURL: String = "https://api.stripe.com", timeout: TimeInterval = 30, maxRetries: Int = 2, longestWait: TimeInterval = 20)
    {
        self.secretKey = secretKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.longestWait = longestWait
    }
}

/// Stripe's REST API, the calls ADSapp makes: form-encoded bodies, the API version pinned in the
/// `Stripe-Version` header (so an upgrade of the account's default changes nothing here), an
/// `Idempotency-Key` on every POST (the same key on each retry, so a retried create makes one
/// object), and retries with exponential backoff and jitter on a dropped connection, 409, 429 and
/// 5xx, honouring `Retry-After` and `Stripe-Should-Retry`.
public struct StripeClient: Sendable {
    /// The API version every request asks for, and the shape `StripeObjects` reads.
    public static let apiVersion = "2025-03-31.basil"

    public let configuration: StripeConfiguration
    let client: HTTPClient
    let sleep: @Sendable (TimeInterval) async throws -> Void

    public init(
        _ configuration: StripeConfiguration, client: HTTPClient = .shared,
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) }
    ) {
        self.configuration = configuration
        self.client = client
        self.sleep = sleep
    }

    // MARK: Calls

    public func createCustomer(email: String, name: String, metadata: [String: String], idempotencyKey: String) async throws -> StripeCustomer {
        var form = StripeForm(["email": email, "name": name])
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { form["metadata[\(key)]"] = value }
        return try await post("/v1/customers", form, idempotencyKey: idempotencyKey)
    }

    public struct CheckoutRequest: Sendable {
        public var customer: String
        public var price: String
        public var successURL: String
        public var cancelURL: String
        public var trialDays: Int?
        /// Ours: the organization, read back from `checkout.session.completed`.
        public var clientReferenceID: String
        public var locale: String?

        public init(customer: String, price: String, successURL: String, cancelURL: String, trialDays: Int?, clientReferenceID: String, locale: String?) {
            self.customer = customer
            self.price = price
            self.successURL = successURL
            self.cancelURL = cancelURL
            self.trialDays = trialDays
            self.clientReferenceID = clientReferenceID
            self.locale = locale
        }
    }

    /// A hosted Checkout page for a subscription to one price.
    public func createCheckoutSession(_ request: CheckoutRequest, idempotencyKey: String) async throws -> StripeCheckoutSession {
        var form = StripeForm([
            "mode": "subscription",
            "customer": request.customer,
            "client_reference_id": request.clientReferenceID,
            "line_items[0][price]": request.price,
            "line_items[0][quantity]": "1",
            "success_url": request.successURL,
            "cancel_url": request.cancelURL,
            "locale": request.locale,
        ])
        if let days = request.trialDays, days > 0 { form["subscription_data[trial_period_days]"] = String(days) }
        form["subscription_data[metadata][organization]"] = request.clientReferenceID
        return try await post("/v1/checkout/sessions", form, idempotencyKey: idempotencyKey)
    }

    /// A customer portal session: payment methods, invoices, cancellation, on Stripe's pages.
    public func createPortalSession(customer: String, returnURL: String, locale: String?, idempotencyKey: String) async throws -> StripePortalSession {
        try await post(
            "/v1/billing_portal/sessions", StripeForm(["customer": customer, "return_url": returnURL, "locale": locale]), idempotencyKey: idempotencyKey)
    }

    public func subscription(_ id: String) async throws -> StripeSubscription {
        try await get("/v1/subscriptions/\(try Self.pathComponent(id))")
    }

    public func subscriptions(customer: String) async throws -> StripeList<StripeSubscription> {
        try await get("/v1/subscriptions", query: ["customer": customer, "status": "all", "limit": "10"])
    }

    /// Moves the subscription's one item to another price, prorated.
    public func changePrice(of subscription: StripeSubscription, to price: String, idempotencyKey: String) async throws -> StripeSubscription {
        guard let item = subscription.items.data.first else {
            throw StripeError(kind: .invalidRequest, message: "The subscription \(subscription.id) has no item to change")
        }
        let form = StripeForm([
            "items[0][id]": item.id, "items[0][price]": price, "proration_behavior": "create_prorations", "cancel_at_period_end": "false",
        ])
        return try await post("/v1/subscriptions/\(try Self.pathComponent(subscription.id))", form, idempotencyKey: idempotencyKey)
    }

    /// Cancel at the end of the paid period (true), or take that back (false).
    public func setCancelAtPeriodEnd(_ subscription: String, _ cancel: Bool, idempotencyKey: String) async throws -> StripeSubscription {
        try await post(
            "/v1/subscriptions/\(try Self.pathComponent(subscription))", StripeForm(["cancel_at_period_end": cancel ? "true" : "false"]),
            idempotencyKey: idempotencyKey)
    }

    public func invoices(customer: String, limit: Int) async throws -> StripeList<StripeInvoice> {
        try await get("/v1/invoices", query: ["customer": customer, "limit": String(min(100, max(1, limit)))])
    }

    public func invoice(_ id: String) async throws -> StripeInvoice {
        try await get("/v1/invoices/\(try Self.pathComponent(id))")
    }

    /// The next invoice of a subscription, as it stands (`POST /v1/invoices/create_preview`).
    public func nextInvoice(customer: String, subscription: String, idempotencyKey: String) async throws -> StripeInvoice {
        try await post("/v1/invoices/create_preview", StripeForm(["customer": customer, "subscription": subscription]), idempotencyKey: idempotencyKey)
    }

    public func charge(_ id: String) async throws -> StripeCharge {
        try await get("/v1/charges/\(try Self.pathComponent(id))")
    }

    // MARK: Transport

    func get<T: Decodable>(_ path: String, query: KeyValuePairs<String, String?> = [:]) async throws -> T {
        let form = StripeForm(query)
        return try await send(.GET, path + (form.fields.isEmpty ? "" : "?" + form.encoded), body: nil, idempotencyKey: nil)
    }

    func post<T: Decodable>(_ path: String, _ form: StripeForm, idempotencyKey: String) async throws -> T {
        try await send(.POST, path, body: form.encoded, idempotencyKey: idempotencyKey)
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: String?, idempotencyKey: String?) async throws -> T {
        var attempt = 0
        while true {
            do {
                let data = try await once(method, path, body: body, idempotencyKey: idempotencyKey)
                do {
                    return try JSONDecoder().decode(T.self, from: data)
                } catch {
                    throw StripeError(kind: .api, message: "Stripe's answer to \(method.rawValue) \(path) could not be read: \(error)")
                }
            } catch let error as Failure {
                attempt += 1
                guard attempt <= configuration.maxRetries, let wait = backoff(for: error, attempt: attempt) else { throw error.error }
                try await sleep(wait)
            }
        }
    }

    /// An attempt that failed, with what the answer said about trying again.
    struct Failure: Error {
        var error: StripeError
        var shouldRetry: Bool?
    }

    /// How long to wait before attempt `attempt + 1`, or nil when it must not go again.
    func backoff(for failure: Failure, attempt: Int) -> TimeInterval? {
        let transient = failure.shouldRetry ?? failure.error.isTransient
        guard transient else { return nil }
        if let asked = failure.error.retryAfter {
            return asked <= configuration.longestWait ? asked : nil
        }
        let base = min(0.5 * pow(2, Double(attempt - 1)), 8)
        return max(0.5, base * Double.random(in: 0.5...1))
    }

    private func once(_ method: HTTPMethod, _ path: String, body: String?, idempotencyKey: String?) async throws(Failure) -> Data {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.secretKey)")
        request.headers.add(name: "Stripe-Version", value: Self.apiVersion)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "ADSapp-billing")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
            data = Data(buffer: try await response.body.collect(upTo: 4 << 20))
        } catch {
            throw Failure(error: StripeError(kind: .connection, message: "Stripe did not answer \(method.rawValue) \(path): \(error)"), shouldRetry: nil)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) { return data }
        let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
        let shouldRetry = response.headers.first(name: "Stripe-Should-Retry").map { $0 == "true" }
        throw Failure(
            error: StripeError.from(status: status, body: data, requestID: response.headers.first(name: "Request-Id"), retryAfter: retryAfter),
            shouldRetry: shouldRetry)
    }

    /// An id as one path segment: Stripe's ids are letters, digits and underscores; anything else is refused
    /// rather than escaped, so no id can reach another path.
    static func pathComponent(_ id: String) throws -> String {
        guard !id.isEmpty, id.count <= 255, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StripeError(kind: .invalidRequest, message: "Not a Stripe id: \(id.prefix(40))")
        }
        return id
    }
}
