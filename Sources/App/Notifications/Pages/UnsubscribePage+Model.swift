import Foundation

/// The page an email's unsubscribe link opens: no sign-in, one button (a GET never changes anything,
/// so link scanners that follow links do not unsubscribe anyone).
enum UnsubscribePage {
    struct Model {
        enum State: Equatable {
            /// Asks to confirm; the form posts to `action`.
            case confirm(action: String)
            case done
            /// The link is unknown or expired.
            case invalid
        }

        var state: State
        var kind: NotificationKind?
        var organizationName: String?
    }
}
