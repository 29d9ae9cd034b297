import ADSappCore
import Foundation
import Testing

@Suite struct TimeOrderedIDTests {
    @Test func idsMadeOneAfterAnotherSortInThatOrderEvenWithinOneMillisecond() {
        let moment = Date(timeIntervalSince1970: 1_798_000_000)
        // More than the 4,096 a millisecond's counter holds, all at one wall-clock moment.
        let ids = (0..<10_000).map { _ in TimeOrderedID.next(now: moment) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
    }

    @Test func theLayoutIsVersion7WithTheMillisecondsFirst() {
        let id = TimeOrderedID.next(now: Date(timeIntervalSince1970: 4_102_444_800.123))
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7, "version 7")
        #expect(bytes[8] >> 6 == 0b10, "RFC 9562 variant")
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds >= 4_102_444_800_123)
    }
}
