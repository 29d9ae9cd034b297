import WhatsAppCloud

/// The rule that keeps an outbound message's status from moving backwards, whatever order Meta's
/// status callbacks arrive in: `DeliveryStatus.isAdvance(from:)` of the WhatsAppCloud module,
/// applied to the statuses the app stores.
enum DeliveryProgress {
    /// Whether a message in `current` moves to `next`. Only Meta's statuses (`sent` … `failed`)
    /// are ever a `next`; the app's own states before them (`queued`, `sending`, `unknown`) count
    /// as "no status from Meta yet".
    static func advances(from current: Message.Status, to next: Message.Status) -> Bool {
        guard let next = next.deliveryStatus else { return false }
        return next.isAdvance(from: current.deliveryStatus)
    }
}

extension Message.Status {
    /// The stored status for one Meta reports, if the app keeps it (`deleted`, `warning` and
    /// `unknown` are not kept).
    init?(_ status: DeliveryStatus) {
        switch status {
        case .sent: self = .sent
        case .delivered: self = .delivered
        case .read: self = .read
        case .played: self = .played
        case .failed: self = .failed
        case .deleted, .warning, .unknown: return nil
        }
    }

    /// Meta's status this one stands for; nil for the app's own states.
    var deliveryStatus: DeliveryStatus? {
        switch self {
        case .sent: .sent
        case .delivered: .delivered
        case .read: .read
        case .played: .played
        case .failed: .failed
        case .received, .queued, .sending, .unknown: nil
        }
    }
}
