import ADSappCore
import Foundation

/// When a business is open, day by day in its own time zone: at most one span a day, which closes
/// the same day it opens (a night shift past midnight is two spans, one each day). Stored as text,
/// one line a day: `mon 09:00-17:30`.
struct BusinessHours: Sendable, Equatable {
    enum Day: String, Sendable, CaseIterable {
        case mon, tue, wed, thu, fri, sat, sun

        /// `Calendar`'s weekday: Sunday is 1.
        var weekday: Int {
            switch self {
            case .sun: 1
            case .mon: 2
            case .tue: 3
            case .wed: 4
            case .thu: 5
            case .fri: 6
            case .sat: 7
            }
        }

        var name: TextKey {
            switch self {
            case .mon: .weekdayMonday
            case .tue: .weekdayTuesday
            case .wed: .weekdayWednesday
            case .thu: .weekdayThursday
            case .fri: .weekdayFriday
            case .sat: .weekdaySaturday
            case .sun: .weekdaySunday
            }
        }
    }

    /// Minutes after midnight; `closes` is later than `opens`.
    struct Span: Sendable, Equatable {
        var opens: Int
        var closes: Int

        /// `09:00`-style times (`TimeOfDay`); nil when either is not a time of day or the span closes
        /// before it opens.
        init?(opens: String, closes: String) {
            guard let opens = TimeOfDay.minutes(opens.trimmingCharacters(in: .whitespaces)),
                let closes = TimeOfDay.minutes(closes.trimmingCharacters(in: .whitespaces)), opens < closes
            else { return nil }
            self.opens = opens
            self.closes = closes
        }

        var text: String { TimeOfDay.text(opens) + "-" + TimeOfDay.text(closes) }
    }

    var days: [Day: Span] = [:]

    var isEmpty: Bool { days.isEmpty }

    /// The stored text; lines it cannot read are left out.
    init(text: String?) {
        for line in (text ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            let times = parts.count == 2 ? parts[1].split(separator: "-") : []
            guard times.count == 2, let day = Day(rawValue: String(parts[0])),
                let span = Span(opens: String(times[0]), closes: String(times[1]))
            else { continue }
            days[day] = span
        }
    }

    init(days: [Day: Span]) { self.days = days }

    var text: String? {
        days.isEmpty ? nil : Day.allCases.compactMap { day in days[day].map { "\(day.rawValue) \($0.text)" } }.joined(separator: "\n")
    }

    /// Whether `date` falls inside the day's span, in `timeZone`.
    func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let day = Day.allCases.first(where: { $0.weekday == parts.weekday }), let span = days[day] else { return false }
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return minute >= span.opens && minute < span.closes
    }
}

/// When automatic answers may go out, against the business hours.
enum AutoAnswerWhen: String, Sendable, CaseIterable {
    case always
    case outsideHours = "outside_hours"
    case insideHours = "inside_hours"

    var name: TextKey {
        switch self {
        case .always: .aiAutoAnswerAlways
        case .outsideHours: .aiAutoAnswerOutsideHours
        case .insideHours: .aiAutoAnswerInsideHours
        }
    }

    func allows(_ hours: BusinessHours, at date: Date, in timeZone: TimeZone) -> Bool {
        switch self {
        case .always: true
        case .insideHours: hours.isOpen(at: date, in: timeZone)
        case .outsideHours: !hours.isOpen(at: date, in: timeZone)
        }
    }
}
