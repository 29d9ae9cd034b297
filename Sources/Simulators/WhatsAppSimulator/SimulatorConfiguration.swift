import Foundation

/// A business phone number registered on the simulated Graph API.
public struct SimulatedNumber: Sendable, Equatable {
    public var phoneNumberID: String
    public var wabaID: String
    /// As Meta shows it, e.g. "+31 6 12345678"; webhooks carry it without "+" and spaces.
    public var displayPhoneNumber: String
    public var verifiedName: String
    public var qualityRating: String
    /// The Bearer token that may act for this number and its WhatsApp Business Account.
    public var accessToken: String
    /// Meta's name for the business's messaging limit (`TIER_1K`, `TIER_100K`, `TIER_UNLIMITED`).
    public var messagingLimitTier: String
    /// The business portfolio that owns the WhatsApp Business Account; nil: one of its own, "9" + the
    /// account's id. Numbers of different accounts in one portfolio share the messaging limit.
    public var businessPortfolioID: String?

    public init(
        phoneNumberID: String, wabaID: String, displayPhoneNumber: String, verifiedName: String,
        qualityRating: String = "GREEN", accessToken: String, messagingLimitTier: String = "TIER_1K", businessPortfolioID: String? = nil
    ) {
        self.phoneNumberID = phoneNumberID
        self.wabaID = wabaID
        self.displayPhoneNumber = displayPhoneNumber
        self.verifiedName = verifiedName
        self.qualityRating = qualityRating
        self.accessToken = accessToken
        self.messagingLimitTier = messagingLimitTier
        self.businessPortfolioID = businessPortfolioID
    }

    var ownerBusinessID: String { businessPortfolioID ?? "9" + wabaID }

    /// The digits of the display number, the form webhook metadata uses.
    var displayDigits: String { displayPhoneNumber.filter(\.isNumber) }
}

/// How many messages one number may send to one customer: `burst` at once, then one per `perSeconds`.
public struct PairRate: Sendable, Equatable {
    public var burst: Int
    public var perSeconds: Double

    public init(burst: Int, perSeconds: Double) {
        self.burst = burst
        self.perSeconds = perSeconds
    }

    /// Meta: about one message every 6 seconds to the same user, bursts of up to 45 allowed.
    public static let meta = PairRate(burst: 45, perSeconds: 6)
}

/// The sent → delivered → read callbacks that follow an accepted send.
public struct StatusCallbacks: Sendable, Equatable {
    public var enabled: Bool
    /// Seconds after the send at which `sent`, `delivered` and `read` are posted (in that order, unless shuffled).
    public var sentAfter: Double
    public var deliveredAfter: Double
    public var readAfter: Double
    /// When false the customer never reads: only sent and delivered arrive.
    public var customerReads: Bool
    /// Post the three statuses in a random order, as Meta may.
    public var shuffled: Bool
    /// Post every status twice, as Meta sometimes does.
    public var duplicates: Bool

    public init(
        enabled: Bool = true, sentAfter: Double = 0.05, deliveredAfter: Double = 0.15, readAfter: Double = 0.3,
        customerReads: Bool = true, shuffled: Bool = false, duplicates: Bool = false
    ) {
        self.enabled = enabled
        self.sentAfter = sentAfter
        self.deliveredAfter = deliveredAfter
        self.readAfter = readAfter
        self.customerReads = customerReads
        self.shuffled = shuffled
        self.duplicates = duplicates
    }

    public static let off = StatusCallbacks(enabled: false)
}

public struct SimulatorConfiguration: Sendable {
    public var numbers: [SimulatedNumber]
    /// Signs every webhook: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes>`.
    public var appSecret: String
    /// Where customers' messages and status callbacks are POSTed; nil keeps them in the simulator.
    public var webhookURL: URL?
    /// Messages per second per number before 130429.
    public var throughputPerSecond: Int
    public var pairRate: PairRate
    public var statusCallbacks: StatusCallbacks
    /// Seconds from a template's creation to its approval; nil leaves it PENDING until `approveTemplate`.
    public var templateApprovalDelay: Double?
    /// How long the customer-service window stays open after a customer's message.
    public var serviceWindow: TimeInterval
    /// For how many (real) seconds a webhook that failed is posted again, with backoff, as Meta
    /// retries its deliveries; 0: once only.
    public var webhookRetryFor: TimeInterval = 0
    /// A file that gets a line per accepted message, `to<TAB>wamid<TAB>biz_opaque_callback_data<TAB>unix time`,
    /// so another process (a test, a benchmark) can count what was sent and when.
    public var sentLog: URL?
    /// A file that gets a line per webhook POST, `unix time<TAB>milliseconds until the answer<TAB>HTTP status`
    /// (0 when there was none): how fast the app acknowledged.
    public var webhookLog: URL?

    public init(
        numbers: [SimulatedNumber],
        appSecret: String,
        webhookURL: URL? = nil,
        throughputPerSecond: Int = 80,
        pairRate: PairRate = .meta,
        statusCallbacks: StatusCallbacks = StatusCallbacks(),
        templateApprovalDelay: Double? = nil,
        serviceWindow: TimeInterval = 24 * 60 * 60
    ) {
        self.numbers = numbers
        self.appSecret = appSecret
        self.webhookURL = webhookURL
        self.throughputPerSecond = throughputPerSecond
        self.pairRate = pairRate
        self.statusCallbacks = statusCallbacks
        self.templateApprovalDelay = templateApprovalDelay
        self.serviceWindow = serviceWindow
    }
}
