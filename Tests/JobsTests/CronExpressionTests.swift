import Foundation
import Jobs
import Testing

@Suite struct CronExpressionTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(arguments: [
        ("* * * * *", "2026-11-26T10:17:00Z", true),
        ("*/15 * * * *", "2026-11-26T10:30:00Z", true),
        ("*/15 * * * *", "2026-11-26T10:31:00Z", false),
        ("0 3 * * *", "2026-11-26T03:00:00Z", true),
        ("0 3 * * *", "2026-11-26T04:00:00Z", false),
        ("0 9-17 * * 1-5", "2026-11-26T12:00:00Z", true),  // a Thursday
        ("0 9-17 * * 1-5", "2026-11-28T12:00:00Z", false),  // a Saturday
        ("0 0 * * 0", "2026-11-29T00:00:00Z", true),  // Sunday as 0
        ("0 0 * * 7", "2026-11-29T00:00:00Z", true),  // Sunday as 7
        ("0 0 1 * *", "2026-12-01T00:00:00Z", true),
        ("0 0 1,15 * 5", "2026-11-27T00:00:00Z", true),  // day fields are OR-ed: a Friday
        ("5,10-12 * * * *", "2026-11-26T10:11:00Z", true),
        ("30 */6 * * *", "2026-11-26T18:30:00Z", true),
    ])
    func matches(_ expression: String, _ moment: String, _ expected: Bool) throws {
        #expect(try CronExpression(expression).matches(date(moment)) == expected)
    }

    @Test func latestAndNext() throws {
        let cron = try CronExpression("*/15 * * * *")
        #expect(cron.latestFire(atOrBefore: date("2026-11-26T10:44:59Z")) == date("2026-11-26T10:30:00Z"))
        #expect(cron.nextFire(after: date("2026-11-26T10:45:00Z")) == date("2026-11-26T11:00:00Z"))
    }

    @Test(arguments: [
        "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
        "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *",
    ])
    func refuses(_ expression: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(expression) }
    }
}
