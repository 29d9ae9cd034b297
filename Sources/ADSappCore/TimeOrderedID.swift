import Foundation
import Synchronization

/// UUIDs that sort in the order this process made them: version 7 of RFC 9562 (48 bits of Unix
/// milliseconds, then a 12-bit counter in `rand_a`, then random bits).
///
/// For rows whose order matters among rows of the same moment: a contact's history lines written
/// by one request share its time, and sorting by time alone would show them in any order.
public enum TimeOrderedID {
    private static let last = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))

    public static func next(now: Date = Date()) -> UUID {
        let wall = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (milliseconds, counter) = last.withLock { last in
            if wall > last.milliseconds {
                last = (wall, 0)
            } else if last.counter < 0x0FFF {
                last.counter += 1
            } else {
                // 4,096 in one millisecond: borrow the next one, so the order still holds.
                last = (last.milliseconds + 1, 0)
            }
            return last
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = SystemRandomNumberGenerator()
        for index in 8..<16 { bytes[index] = random.next() }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
