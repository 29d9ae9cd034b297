import ADSappCore
import Foundation
import Testing

@Suite struct CustomerServiceWindowTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aCustomerWhoNeverWroteHasNoWindow() {
        let window = CustomerServiceWindow(lastInboundAt: nil)
        #expect(!window.isOpen(at: start))
        #expect(window.closesAt == nil)
        #expect(window.remaining(at: start) == 0)
    }

    @Test func theWindowIsOpenForTwentyFourHoursAfterTheLastInboundMessage() {
        let window = CustomerServiceWindow(lastInboundAt: start)
        #expect(window.isOpen(at: start))
        #expect(window.isOpen(at: start.addingTimeInterval(24 * 3600 - 1)))
        #expect(!window.isOpen(at: start.addingTimeInterval(24 * 3600)))
        #expect(window.remaining(at: start.addingTimeInterval(3600)) == 23 * 3600)
        #expect(window.remaining(at: start.addingTimeInterval(25 * 3600)) == 0)
    }
}
