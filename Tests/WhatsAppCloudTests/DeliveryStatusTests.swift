import Testing
import WhatsAppCloud

@Suite struct DeliveryStatusTests {
    @Test func forwardAlongTheLine() {
        #expect(DeliveryStatus.sent.isAdvance(from: nil))
        #expect(DeliveryStatus.delivered.isAdvance(from: .sent))
        #expect(DeliveryStatus.read.isAdvance(from: .delivered))
        #expect(DeliveryStatus.read.isAdvance(from: .sent))  // delivered can be skipped
        #expect(DeliveryStatus.played.isAdvance(from: .read))
        #expect(DeliveryStatus.sent.rank < DeliveryStatus.delivered.rank)
        #expect(DeliveryStatus.delivered.rank < DeliveryStatus.read.rank)
        #expect(DeliveryStatus.read.rank < DeliveryStatus.played.rank)
    }

    @Test func neverBackwardsAndNoDuplicates() {
        #expect(!DeliveryStatus.delivered.isAdvance(from: .read))
        #expect(!DeliveryStatus.sent.isAdvance(from: .delivered))
        #expect(!DeliveryStatus.read.isAdvance(from: .played))
        for status in DeliveryStatus.allCases {
            #expect(!status.isAdvance(from: status), "a duplicate \(status) must not count")
        }
    }

    @Test func failedEndsOnlyAnUndeliveredMessage() {
        #expect(DeliveryStatus.failed.isAdvance(from: nil))
        #expect(DeliveryStatus.failed.isAdvance(from: .sent))
        #expect(!DeliveryStatus.failed.isAdvance(from: .delivered))
        #expect(!DeliveryStatus.failed.isAdvance(from: .read))
        #expect(!DeliveryStatus.failed.isAdvance(from: .played))
    }

    @Test func deliveryAfterFailedStillAdvances() {
        // Another of the user's devices received it.
        #expect(DeliveryStatus.delivered.isAdvance(from: .failed))
        #expect(DeliveryStatus.read.isAdvance(from: .failed))
        #expect(DeliveryStatus.played.isAdvance(from: .failed))
        #expect(!DeliveryStatus.sent.isAdvance(from: .failed))
    }

    @Test func deletedIsFinal() {
        #expect(DeliveryStatus.deleted.isAdvance(from: .read))
        #expect(DeliveryStatus.deleted.isAdvance(from: .failed))
        for status in DeliveryStatus.allCases where status != .deleted {
            #expect(!status.isAdvance(from: .deleted))
        }
    }

    @Test func informationalStatusesDoNotMoveAKnownStatus() {
        #expect(!DeliveryStatus.warning.isAdvance(from: .sent))
        #expect(DeliveryStatus.warning.isAdvance(from: nil))
        #expect(!DeliveryStatus.unknown.isAdvance(from: nil))
        #expect(!DeliveryStatus.unknown.isAdvance(from: .sent))
        #expect(DeliveryStatus.delivered.isAdvance(from: .warning))
    }

    /// Whatever order the webhooks arrive in, folding them with `isAdvance` ends at the same status.
    @Test(arguments: [
        [DeliveryStatus.sent, .delivered, .read],
        [.read, .delivered, .sent],
        [.delivered, .read, .sent, .delivered],
        [.sent, .failed, .read],
        [.read, .failed],
    ])
    func outOfOrderEndsAtTheFurthest(_ arrivals: [DeliveryStatus]) {
        var current: DeliveryStatus?
        for status in arrivals where status.isAdvance(from: current) { current = status }
        #expect(current == .read)
    }
}
