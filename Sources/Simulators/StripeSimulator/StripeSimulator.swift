import AsyncHTTPClient
import Foundation
import NIOCore
import Stripe
import Synchronization
import SimulatorSupport
import Vapor

/// A request the fake received, for tests to look at.
public struct StripeReceivedRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var form: StripeForm
    public var stripeVersion: String?
    public var idempotencyKey: String?
    /// Whether the answer was a replay of an earlier one with the same idempotency key.
    public var replayed: Bool
}

/// An answer the next requests get instead of the normal one, to test how a client copes.
public enum StripeScriptedAnswer: Sendable, Equatable {
    /// 429 `rate_limit` with `Retry-After` (seconds).
    case rateLimited(retryAfter: Int)
    /// 500 `api_error`.
    case serverError
    /// 409 `lock_timeout` with `Stripe-Should-Retry: true`.
    case lockTimeout
    /// 402 `card_declined`.
    case cardDeclined
}

/// A loopback Stripe API for tests and local use. It follows Stripe's documented requests and answers
/// for the calls ADSapp makes: bearer secret key, form-encoded bodies with bracketed names, the
/// objects' shapes of API version 2025-03-31.basil, Stripe's error body (`{"error": {"type", "code",
/// "message", "param"}}`) and statuses, `Idempotency-Key` (same key and parameters: the first answer
/// again, with `Idempotent-Replayed: true`; other parameters: 400 `idempotency_error`). Checkout and
/// portal sessions get a page of their own that stands in for Stripe's hosted pages.
///
/// What Stripe does on its own (a customer paying, a renewal, a failed charge, a dispute) the tests
/// make happen through the methods under "Lifecycle"; each sends the webhook events Stripe would,
/// signed with `Stripe-Signature` over the raw body, to `webhookURL`.
public final class StripeSimulator: Sendable {
    public let secretKey: String
    /// Every secret the events are signed with (more than one while a secret is rolled).
    public let webhookSecrets: Mutex<[String]>
    let now: @Sendable () -> Date
    let state = Mutex(State())
    let deliveryLog = Mutex<[Delivery]>([])
    private let server = LoopbackServer()
    let http = HTTPClient.shared

    struct Stored: Sendable {
        var fingerprint: String
        var status: HTTPResponseStatus
        var body: Data
    }

    struct State: Sendable {
        var prices: [String: SimPrice] = [:]
        var customers: [String: SimCustomer] = [:]
        var checkoutSessions: [String: SimCheckoutSession] = [:]
        var portalSessions: [String: SimPortalSession] = [:]
        var subscriptions: [String: SimSubscription] = [:]
        var invoices: [String: SimInvoice] = [:]
        var charges: [String: SimCharge] = [:]
        var events: [SimEvent] = []
        var requests: [StripeReceivedRequest] = []
        var script: [StripeScriptedAnswer] = []
        var idempotent: [String: Stored] = [:]
        var webhookURL: String?
        var sequence = 0

        mutating func nextID(_ prefix: String) -> String {
            sequence += 1
            return prefix + String(format: "%014d", sequence) + "Sim"
        }
    }

    public init(
        secretKey: String = "sk_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: ""),
        webhookSecret: String = "whsec_" + UUID().uuidString.replacingOccurrences(of: "-", with: ""),
        prices: [(id: String, amount: Int, currency: String)] = [],
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.secretKey = secretKey
        self.webhookSecrets = Mutex([webhookSecret])
        self.now = now
        state.withLock { state in
            for price in prices { state.prices[price.id] = SimPrice(id: price.id, currency: price.currency, unitAmount: price.amount) }
        }
    }

    // MARK: Server

    /// Starts serving on `host:port` (port 0 picks a free one) and returns the base URL.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> URL {
        try await server.start(name: "stripe-simulator", host: host, port: port) { app in
            app.middleware.use(StripeErrorMiddleware())
            routes(app)
        }
    }

    public func shutdown() async throws {
        try await server.shutdown()
    }

    public var baseURL: URL? { server.baseURL }

    /// Where events go (the app's `/api/webhooks/stripe`); nil keeps them here only.
    public func deliverEvents(to url: String?) { state.withLock { $0.webhookURL = url } }

    // MARK: Inspection and scripting

    public var requests: [StripeReceivedRequest] { state.withLock { $0.requests } }
    public var eventTypes: [String] { state.withLock { $0.events.map(\.type) } }

    /// The next `times` API requests get `answer` (after any answers scripted before).
    public func script(_ answer: StripeScriptedAnswer, times: Int = 1) {
        state.withLock { $0.script += Array(repeating: answer, count: times) }
    }

    // MARK: Routes

    func routes(_ app: Application) {
        let v1 = app.grouped("v1").grouped(StripeAPIGate(simulator: self))
        v1.on(.POST, "customers", body: .collect(maxSize: "1mb")) { [self] in try await self.idempotent($0) { try self.createCustomer($0) } }
        v1.get("customers", ":id") { [self] request in
            try self.json(self.find(\.customers, request.parameters.get("id"), kind: "customer"))
        }
        v1.on(.POST, "checkout", "sessions", body: .collect(maxSize: "1mb")) { [self] in try await self.idempotent($0) { try self.createCheckoutSession($0) } }
        v1.get("checkout", "sessions", ":id") { [self] request in
            try self.json(self.find(\.checkoutSessions, request.parameters.get("id"), kind: "checkout.session"))
        }
        v1.on(.POST, "billing_portal", "sessions", body: .collect(maxSize: "1mb")) { [self] in
            try await self.idempotent($0) { try self.createPortalSession($0) }
        }
        v1.get("subscriptions", ":id") { [self] request in
            try self.json(self.find(\.subscriptions, request.parameters.get("id"), kind: "subscription"))
        }
        v1.get("subscriptions") { [self] request in
            let customer = try? request.query.get(String.self, at: "customer")
            let list = self.state.withLock { state in
                state.subscriptions.values.filter { customer == nil || $0.customer == customer }.sorted { $0.created > $1.created }
            }
            return try self.json(SimList(data: list, url: "/v1/subscriptions"))
        }
        v1.on(.POST, "subscriptions", ":id", body: .collect(maxSize: "1mb")) { [self] in try await self.idempotent($0) { try await self.updateSubscription($0) }
        }
        v1.get("invoices") { [self] request in
            let customer = try? request.query.get(String.self, at: "customer")
            let limit = min(100, max(1, (try? request.query.get(Int.self, at: "limit")) ?? 10))
            let all = self.state.withLock { state in
                state.invoices.values.filter { customer == nil || $0.customer == customer }.sorted { ($0.created, $0.id ?? "") > ($1.created, $1.id ?? "") }
            }
            return try self.json(SimList(data: Array(all.prefix(limit)), hasMore: all.count > limit, url: "/v1/invoices"))
        }
        v1.get("invoices", ":id") { [self] request in
            try self.json(self.find(\.invoices, request.parameters.get("id"), kind: "invoice"))
        }
        v1.on(.POST, "invoices", "create_preview", body: .collect(maxSize: "1mb")) { [self] in try await self.idempotent($0) { try self.previewInvoice($0) } }
        v1.get("charges", ":id") { [self] request in
            try self.json(self.find(\.charges, request.parameters.get("id"), kind: "charge"))
        }
        // Stand-ins for Stripe's hosted pages.
        app.get("checkout", ":id") { [self] request in try self.checkoutPage(request) }
        app.on(.POST, "checkout", ":id", "pay") { [self] request in try await self.payCheckout(request) }
        app.get("portal", ":id") { [self] request in try self.portalPage(request) }
    }

    // MARK: Handlers

    func form(_ request: Request) -> StripeForm {
        StripeForm.decode(request.body.string ?? "")
    }

    func required(_ form: StripeForm, _ name: String) throws -> String {
        guard let value = form[name], !value.isEmpty else {
            throw StripeAPIError.invalidRequest("Missing required param: \(name).", param: name, code: "parameter_missing")
        }
        return value
    }

    func createCustomer(_ request: Request) throws -> Response {
        let form = form(request)
        let customer = state.withLock { state in
            let customer = SimCustomer(
                id: state.nextID("cus_"), email: form["email"], name: form["name"], metadata: Self.metadata(form, "metadata"),
                created: Int(now().timeIntervalSince1970))
            state.customers[customer.id] = customer
            return customer
        }
        return try json(customer)
    }

    func createCheckoutSession(_ request: Request) throws -> Response {
        let form = form(request)
        let mode = try required(form, "mode")
        guard mode == "subscription" else { throw StripeAPIError.invalidRequest("The fake only makes subscription sessions.", param: "mode") }
        let customer = try required(form, "customer")
        let price = try required(form, "line_items[0][price]")
        let successURL = try required(form, "success_url")
        let cancelURL = try required(form, "cancel_url")
        for (name, url) in [("success_url", successURL), ("cancel_url", cancelURL)] where URL(string: url)?.scheme?.hasPrefix("http") != true {
            throw StripeAPIError.invalidRequest("Not a valid URL", param: name, code: "url_invalid")
        }
        let trialDays = try form["subscription_data[trial_period_days]"].map { text -> Int in
            guard let days = Int(text), (1...730).contains(days) else {
                throw StripeAPIError.invalidRequest("Invalid integer: \(text)", param: "subscription_data[trial_period_days]")
            }
            return days
        }
        let base = baseURL?.absoluteString ?? ""
        return try json(
            try state.withLock { state in
                guard state.customers[customer] != nil else { throw StripeAPIError.missing("customer", customer, param: "customer") }
                guard state.prices[price] != nil else { throw StripeAPIError.missing("price", price, param: "line_items[0][price]") }
                let id = state.nextID("cs_test_")
                let session = SimCheckoutSession(
                    id: id, mode: mode, customer: customer, clientReferenceID: form["client_reference_id"], status: "open",
                    paymentStatus: "unpaid", successURL: successURL, cancelURL: cancelURL, url: "\(base)/checkout/\(id)", locale: form["locale"],
                    metadata: Self.metadata(form, "metadata"), created: Int(now().timeIntervalSince1970), price: price, trialDays: trialDays,
                    subscriptionMetadata: Self.metadata(form, "subscription_data[metadata]"))
                state.checkoutSessions[id] = session
                return session
            })
    }

    func createPortalSession(_ request: Request) throws -> Response {
        let form = form(request)
        let customer = try required(form, "customer")
        let returnURL = try required(form, "return_url")
        let base = baseURL?.absoluteString ?? ""
        return try json(
            try state.withLock { state in
                guard state.customers[customer] != nil else { throw StripeAPIError.missing("customer", customer, param: "customer") }
                let id = state.nextID("bps_")
                let session = SimPortalSession(
                    id: id, customer: customer, returnURL: returnURL, url: "\(base)/portal/\(id)", locale: form["locale"],
                    created: Int(now().timeIntervalSince1970))
                state.portalSessions[id] = session
                return session
            })
    }

    func updateSubscription(_ request: Request) async throws -> Response {
        let form = form(request)
        let id = try request.parameters.require("id")
        let (subscription, events) = try state.withLock { state -> (SimSubscription, [SimEvent]) in
            guard var subscription = state.subscriptions[id] else { throw StripeAPIError.missing("subscription", id, param: "id") }
            guard subscription.status != "canceled" else {
                throw StripeAPIError.invalidRequest("A canceled subscription can only update its cancellation_details and metadata.")
            }
            if let price = form["items[0][price]"] {
                guard let itemID = form["items[0][id]"], itemID == subscription.items.data.first?.id else {
                    throw StripeAPIError.invalidRequest("Give the id of the item to change.", param: "items[0][id]")
                }
                guard let newPrice = state.prices[price] else { throw StripeAPIError.missing("price", price, param: "items[0][price]") }
                subscription.items.data[0].price = newPrice
            }
            if let cancel = form["cancel_at_period_end"] {
                guard cancel == "true" || cancel == "false" else {
                    throw StripeAPIError.invalidRequest("Invalid boolean: \(cancel)", param: "cancel_at_period_end")
                }
                subscription.cancelAtPeriodEnd = cancel == "true"
                subscription.canceledAt = cancel == "true" ? Int(now().timeIntervalSince1970) : nil
            }
            state.subscriptions[id] = subscription
            return (subscription, [state.event("customer.subscription.updated", subscription, at: now())])
        }
        await deliver(events)
        return try json(subscription)
    }

    func previewInvoice(_ request: Request) throws -> Response {
        let form = form(request)
        let customer = try required(form, "customer")
        let id = try required(form, "subscription")
        return try json(
            try state.withLock { state in
                guard let subscription = state.subscriptions[id], subscription.customer == customer else {
                    throw StripeAPIError.missing("subscription", id, param: "subscription")
                }
                let item = subscription.items.data[0]
                return SimInvoice(
                    id: nil, customer: customer, status: "draft", amountDue: subscription.cancelAtPeriodEnd ? 0 : item.price.unitAmount,
                    amountPaid: 0, currency: item.price.currency, created: Int(now().timeIntervalSince1970),
                    periodStart: item.currentPeriodEnd, periodEnd: item.currentPeriodEnd + 30 * 86_400, nextPaymentAttempt: item.currentPeriodEnd,
                    attemptCount: 0, parent: .init(subscriptionDetails: .init(subscription: id)))
            })
    }

    // MARK: Helpers

    func find<T: Sendable>(_ table: KeyPath<State, [String: T]>, _ id: String?, kind: String) throws -> T {
        guard let id, let found = state.withLock({ $0[keyPath: table][id] }) else { throw StripeAPIError.missing(kind, id ?? "", param: "id") }
        return found
    }

    /// `metadata[key]=value` fields under `prefix`.
    static func metadata(_ form: StripeForm, _ prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in form.fields where field.name.hasPrefix(prefix + "[") && field.name.hasSuffix("]") {
            result[String(field.name.dropFirst(prefix.count + 1).dropLast())] = field.value
        }
        return result
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func json(_ object: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        Self.response(status, try Self.encoder.encode(object))
    }

    static func response(_ status: HTTPResponseStatus, _ body: Data, headers: [(String, String)] = []) -> Response {
        var httpHeaders = HTTPHeaders([("Content-Type", "application/json"), ("Request-Id", "req_" + UUID().uuidString.prefix(14))])
        for (name, value) in headers { httpHeaders.add(name: name, value: value) }
        return Response(status: status, headers: httpHeaders, body: .init(data: body))
    }

    /// Runs a POST once per idempotency key: the same key with the same parameters answers the first
    /// answer again; with other parameters it is refused, as Stripe does.
    func idempotent(_ request: Request, _ handle: (Request) async throws -> Response) async throws -> Response {
        let key = request.headers.first(name: "Idempotency-Key")
        let fingerprint = request.url.path + "?" + (request.body.string ?? "")
        if let key, let stored = state.withLock({ $0.idempotent[key] }) {
            guard stored.fingerprint == fingerprint else {
                throw StripeAPIError(
                    status: .badRequest, type: "idempotency_error", code: nil, param: nil,
                    message:
                        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."
                )
            }
            record(request, replayed: true)
            return Self.response(stored.status, stored.body, headers: [("Idempotent-Replayed", "true"), ("Idempotency-Key", key)])
        }
        record(request, replayed: false)
        let response = try await handle(request)
        if let key, let data = response.body.data {
            state.withLock { $0.idempotent[key] = Stored(fingerprint: fingerprint, status: response.status, body: data) }
        }
        return response
    }

    func record(_ request: Request, replayed: Bool) {
        let received = StripeReceivedRequest(
            method: request.method.rawValue, path: request.url.path, form: form(request), stripeVersion: request.headers.first(name: "Stripe-Version"),
            idempotencyKey: request.headers.first(name: "Idempotency-Key"), replayed: replayed)
        state.withLock { $0.requests.append(received) }
    }
}

extension StripeSimulator.State {
    /// A new event about `object`, kept in order.
    mutating func event(_ type: String, _ object: some Encodable, at now: Date) -> SimEvent {
        let event = SimEvent(
            id: nextID("evt_"), type: type, created: Int(now.timeIntervalSince1970),
            object: (try? StripeSimulator.encoder.encode(object)) ?? Data("{}".utf8))
        events.append(event)
        return event
    }
}

/// Checks the secret key, records GETs, and answers scripted failures before a request reaches its route.
struct StripeAPIGate: AsyncMiddleware {
    let simulator: StripeSimulator

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, !token.isEmpty else {
            throw StripeAPIError(
                status: .unauthorized, type: "invalid_request_error", code: nil, param: nil,
                message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.")
        }
        guard token == simulator.secretKey else {
            throw StripeAPIError(
                status: .unauthorized, type: "invalid_request_error", code: "api_key_invalid", param: nil,
                message: "Invalid API Key provided: \(token.prefix(8))****")
        }
        if request.method == .GET { simulator.record(request, replayed: false) }
        let scripted = simulator.state.withLock { $0.script.isEmpty ? nil : $0.script.removeFirst() }
        switch scripted {
        case .rateLimited(let seconds):
            throw StripeAPIError(
                status: .tooManyRequests, type: "invalid_request_error", code: "rate_limit", param: nil,
                message: "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
                headers: [("Retry-After", String(seconds))])
        case .serverError:
            throw StripeAPIError(status: .internalServerError, type: "api_error", code: nil, param: nil, message: "An unknown error occurred")
        case .lockTimeout:
            throw StripeAPIError(
                status: .conflict, type: "invalid_request_error", code: "lock_timeout", param: nil,
                message: "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
                headers: [("Stripe-Should-Retry", "true")])
        case .cardDeclined:
            throw StripeAPIError(status: .paymentRequired, type: "card_error", code: "card_declined", param: nil, message: "Your card was declined.")
        case nil:
            return try await next.respond(to: request)
        }
    }
}

/// Stripe's error answer: `{"error": {"type", "code", "message", "param"}}`.
struct StripeAPIError: Error {
    var status: HTTPResponseStatus
    var type: String
    var code: String?
    var param: String?
    var message: String
    var headers: [(String, String)] = []

    static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> StripeAPIError {
        StripeAPIError(status: .badRequest, type: "invalid_request_error", code: code, param: param, message: message)
    }

    static func missing(_ kind: String, _ id: String, param: String) -> StripeAPIError {
        StripeAPIError(status: .notFound, type: "invalid_request_error", code: "resource_missing", param: param, message: "No such \(kind): '\(id)'")
    }

    var response: Response {
        var error: [String: String] = ["type": type, "message": message]
        if let code { error["code"] = code }
        if let param { error["param"] = param }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data()
        return StripeSimulator.response(status, body, headers: headers)
    }
}

/// Every failure leaves as a Stripe error body.
struct StripeErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as StripeAPIError {
            return error.response
        } catch let abort as any AbortError where abort.status == .notFound {
            return StripeAPIError(
                status: .notFound, type: "invalid_request_error", code: nil, param: nil,
                message: "Unrecognized request URL (\(request.method.rawValue): \(request.url.path))."
            ).response
        } catch {
            return StripeAPIError(status: .internalServerError, type: "api_error", code: nil, param: nil, message: "\(error)").response
        }
    }
}
