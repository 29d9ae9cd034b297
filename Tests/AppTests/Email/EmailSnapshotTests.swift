@testable import App
import ADSappCore
import Foundation
import SnapshotTesting
import Testing

/// Every email, rendered in English and in Dutch (subject, text part and HTML part), compared with
/// `__Snapshots__/EmailSnapshotTests/`. Re-record after an intended change:
/// `SNAPSHOT_TESTING_RECORD=all swift test --filter EmailSnapshotTests`, then review the diff.
@Suite(.snapshots(record: PageSnapshotRecording.mode))
struct EmailSnapshotTests {
    static let when = Date(timeIntervalSince1970: 1_798_000_000)
    static let appURL = "https://inbox.example.com"

    /// Every template of the app, with fixed values, and whether it is a notification (with an unsubscribe link).
    static func templates() -> [(name: String, template: any EmailTemplate, organization: String?, notification: Bool)] {
        let link = appURL + "/link/fixture-token"
        return [
            (
                "invitation", InvitationEmail(organizationName: "Bakkerij Anna", inviterName: "Anna de Vries", role: .agent, link: link, expiresAt: when),
                "Bakkerij Anna", false
            ),
            ("password reset", PasswordResetEmail(name: "Bram", link: link, minutes: 60), nil, false),
            ("password changed", PasswordChangedEmail(name: "Bram", resetLink: link), nil, false),
            ("verify email", VerifyEmailEmail(name: "Bram", link: link), nil, false),
            ("sign up attempt", SignUpAttemptEmail(name: "Bram", resetLink: link), nil, false),
            ("two factor on", TwoFactorChangedEmail(name: "Bram", email: "bram@example.com", turnedOn: true), nil, false),
            ("two factor off", TwoFactorChangedEmail(name: "Bram", email: "bram@example.com", turnedOn: false), nil, false),
            (
                "mention",
                MentionEmail(
                    recipientName: "Bram", authorName: "Anna de Vries", organizationName: "Bakkerij Anna", contactName: "Jan Jansen",
                    excerpt: "@bram kun je de terugbetaling controleren?", conversationURL: appURL + "/inbox/00000000-0000-4000-8000-000000000001"),
                "Bakkerij Anna", true
            ),
            (
                "assignment by a colleague",
                AssignmentEmail(recipientName: "Bram", assignedBy: "Anna de Vries", contactName: "Jan Jansen", count: 1, url: appURL + "/inbox/x"),
                "Bakkerij Anna", true
            ),
            (
                "assignment automatic several",
                AssignmentEmail(recipientName: "Bram", assignedBy: nil, contactName: "Jan Jansen", count: 3, url: appURL + "/inbox"), "Bakkerij Anna", true
            ),
            (
                "digest",
                DigestEmail(
                    recipientName: "Bram", organizationName: "Bakkerij Anna",
                    rows: [.init(contactName: "Jan Jansen", waitingSince: when), .init(contactName: "+31612345678", waitingSince: when + 600)], total: 12,
                    inboxURL: appURL + "/inbox"),
                "Bakkerij Anna", true
            ),
        ]
    }

    static func layout() throws -> EmailLayout {
        let configuration = try AppConfiguration.load(from: ["APP_URL": appURL], environment: .testing)
        return EmailLayout(settings: configuration.email, catalog: try Catalog.loadBundled())
    }

    @Test(arguments: Language.allCases)
    func everyEmail(_ language: Language) throws {
        let layout = try Self.layout()
        let unsubscribe = EmailLayout.Unsubscribe(url: Self.appURL + "/unsubscribe/fixture-token", settingsURL: Self.appURL + "/settings/notifications")
        for (name, template, organization, notification) in Self.templates() {
            let rendered = layout.render(template, language: language, organizationName: organization, unsubscribe: notification ? unsubscribe : nil)
            let document =
                "Subject: \(rendered.subject)\n\n--- text ---\n\(rendered.text)\n--- html ---\n" + PageSnapshotTests.readable(rendered.html)
            assertSnapshot(of: document, as: .lines, named: language.rawValue, testName: PageSnapshotTests.slug(name))
            // Both parts in the recipient's language: no catalog key left unfilled.
            #expect(!rendered.text.contains("{"), "\(name): a placeholder left in the text")
            #expect(rendered.html.contains("lang=\"\(language.rawValue)\""))
            if let action = template.body(Localizer(language: language, catalog: layout.catalog)).action {
                #expect(rendered.text.contains(action.url), "\(name): the text part writes the link out")
            }
        }
    }
}
