/// A time on the wall clock as people type it (`09:00`, `9:30`, `24:00` for the end of a day), as
/// minutes after midnight: drip send windows and business hours.
public enum TimeOfDay {
    /// Minutes after midnight, 0 to 1,440; nil when `text` is not `H:MM` or `HH:MM` within a day.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }

    /// `09:00` for 540.
    public static func text(_ minutes: Int) -> String {
        let (hour, minute) = (minutes / 60, minutes % 60)
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }
}
