import Foundation

/// When a sequence may send, in the organization's time zone: some days of the week, and on those
/// days from `startMinute` to `endMinute` after midnight (both nil: the whole day). "Weekdays 9–17"
/// is `.weekdays`, 540, 1020.
struct DripSendWindow: Sendable, Equatable {
    struct Days: OptionSet, Sendable, Equatable {
        let rawValue: Int
        static let monday = Days(rawValue: 1 << 0)
        static let tuesday = Days(rawValue: 1 << 1)
        static let wednesday = Days(rawValue: 1 << 2)
        static let thursday = Days(rawValue: 1 << 3)
        static let friday = Days(rawValue: 1 << 4)
        static let saturday = Days(rawValue: 1 << 5)
        static let sunday = Days(rawValue: 1 << 6)
        static let weekdays: Days = [.monday, .tuesday, .wednesday, .thursday, .friday]
        static let all: Days = [.weekdays, .saturday, .sunday]
        /// In ISO order, Monday first.
        static let ordered: [Days] = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday]

        /// The day of `Calendar.component(.weekday)` (Sunday = 1).
        init(weekday: Int) { self.init(rawValue: 1 << ((weekday + 5) % 7)) }
        init(rawValue: Int) { self.rawValue = rawValue & 0x7F }
    }

    var days: Days = .all
    var startMinute: Int?
    var endMinute: Int?

    /// The open days by name ("mon" … "sun", `DripActions.dayNames`), Monday first.
    var dayNames: [String] {
        zip(DripActions.dayNames, Days.ordered).filter { days.contains($0.1) }.map(\.0)
    }

    /// The day names' words on the pages, Monday first.
    static let dayLabels: [TextKey] = [.dripDayMon, .dripDayTue, .dripDayWed, .dripDayThu, .dripDayFri, .dripDaySat, .dripDaySun]

    static let always = DripSendWindow()

    /// Refuses a window that can never open.
    func check() throws(CampaignProblem) {
        if days.isEmpty { throw .invalid(field: "window.days", problem: "choose at least one day") }
        switch (startMinute, endMinute) {
        case (nil, nil): break
        case (let start?, let end?):
            guard (0..<1440).contains(start), (1...1440).contains(end), start < end else {
                throw .invalid(field: "window", problem: "the window must start before it ends, within one day")
            }
        default: throw .invalid(field: "window", problem: "give both a start and an end time, or neither")
        }
    }

    /// `date` when the window is open then, else the moment it next opens.
    func nextOpening(atOrAfter date: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = startMinute ?? 0
        let end = endMinute ?? 1440
        let today = calendar.startOfDay(for: date)
        for offset in 0..<8 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                days.contains(Days(weekday: calendar.component(.weekday, from: day)))
            else { continue }
            let opens = Self.minute(start, of: day, calendar)
            let closes = Self.minute(end, of: day, calendar)
            if date < opens { return opens }
            if date < closes { return date }
        }
        return date
    }

    /// `minute` minutes after midnight on `day`, as the wall clock reads it (a day with a clock change
    /// keeps 09:00 at 09:00).
    private static func minute(_ minute: Int, of day: Date, _ calendar: Calendar) -> Date {
        if minute >= 1440 { return calendar.date(byAdding: .day, value: 1, to: day) ?? day }
        return calendar.date(bySettingHour: minute / 60, minute: minute % 60, second: 0, of: day) ?? day
    }
}
