import Foundation

/// WhatsApp's 24-hour customer-service window: every message from the customer opens or refreshes it.
/// While it is open a business may send anything; once it has closed, only approved templates.
public struct CustomerServiceWindow: Sendable, Equatable {
    public static let length: TimeInterval = 24 * 60 * 60

    /// When the customer last wrote, if ever.
    public var lastInboundAt: Date?

    public init(lastInboundAt: Date?) {
        self.lastInboundAt = lastInboundAt
    }

    public var closesAt: Date? { lastInboundAt.map { $0.addingTimeInterval(Self.length) } }

    public func isOpen(at now: Date) -> Bool {
        guard let closesAt else { return false }
        return now < closesAt
    }

    /// Time left before the window closes, or zero.
    public func remaining(at now: Date) -> TimeInterval {
        guard let closesAt else { return 0 }
        return max(0, closesAt.timeIntervalSince(now))
    }
}
