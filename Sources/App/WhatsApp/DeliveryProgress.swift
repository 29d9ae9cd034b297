/// The rule that keeps an outbound message's status from moving backwards, whatever order Meta's
/// status callbacks arrive in (they are not ordered, and they repeat).
///
/// `sent` < `delivered` < `read` < `played`. `failed` ends a message that has not been delivered;
/// a `delivered` or `read` after `failed` still counts (the customer has several devices and one
/// of them got it), but a `failed` after `delivered` is ignored.
enum DeliveryProgress {
    static func rank(_ status: Message.Status) -> Int {
        switch status {
        case .received: 0
        case .queued: 1
        case .sending, .unknown: 2
        case .failed: 3
        case .sent: 4
        case .delivered: 5
        case .read: 6
        case .played: 7
        }
    }

    /// Whether a message in `current` moves to `next`.
    static func advances(from current: Message.Status, to next: Message.Status) -> Bool {
        if next == .failed { return rank(current) < rank(.delivered) && current != .failed }
        if current == .failed { return rank(next) >= rank(.delivered) }
        return rank(next) > rank(current)
    }
}
