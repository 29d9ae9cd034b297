import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), evaluated in UTC.
///
/// Each field takes `*`, a number, a range `a-b`, a list `a,b,c` and a step `*/n` or `a-b/n`.
/// Day of week is 0-7 with both 0 and 7 meaning Sunday. As in Vixie cron, when both day fields
/// are restricted a day matches if either does.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(_ expression: String) throws(ParseError) {
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "a cron expression has 5 fields (minute hour day month weekday), got \(fields.count) in \"\(expression)\"")
        }
        description = fields.joined(separator: " ")
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59)
        hours = try Self.parse(fields[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.parse(fields[2], name: "day of month", range: 1...31)
        months = try Self.parse(fields[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.parse(fields[4], name: "day of week", range: 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func parse(_ field: String, name: String, range: ClosedRange<Int>) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count) else { throw ParseError(description: "bad \(name) \"\(part)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw ParseError(description: "bad step in \(name) \"\(part)\"") }
                step = value
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]),
                    low <= high, range.contains(low), range.contains(high)
                else { throw ParseError(description: "bad range in \(name) \"\(part)\" (allowed \(range.lowerBound)-\(range.upperBound))") }
                bounds = low...high
            } else {
                guard let value = Int(pieces[0]), range.contains(value) else {
                    throw ParseError(description: "\(name) \"\(part)\" is outside \(range.lowerBound)-\(range.upperBound)")
                }
                bounds = pieces.count == 2 ? value...range.upperBound : value...value
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// Whether the expression fires in the minute that contains `date`.
    public func matches(_ date: Date) -> Bool {
        let c = Self.calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        guard minutes.contains(c.minute!), hours.contains(c.hour!), months.contains(c.month!) else { return false }
        let dayOfMonth = daysOfMonth.contains(c.day!)
        let dayOfWeek = daysOfWeek.contains(c.weekday! - 1)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return dayOfMonth || dayOfWeek
        case (true, false): return dayOfMonth
        case (false, true): return dayOfWeek
        case (false, false): return true
        }
    }

    /// The latest firing minute at or before `date`, searching back at most `limit` minutes.
    public func latestFire(atOrBefore date: Date, limit: Int = 366 * 24 * 60) -> Date? {
        var minute = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        for _ in 0..<limit {
            if matches(minute) { return minute }
            minute -= 60
        }
        return nil
    }

    /// The first firing minute strictly after `date`.
    public func nextFire(after date: Date, limit: Int = 366 * 24 * 60) -> Date? {
        var minute = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        for _ in 0..<limit {
            if matches(minute) { return minute }
            minute += 60
        }
        return nil
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
