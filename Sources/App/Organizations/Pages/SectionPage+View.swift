import ADSappCore
import Foundation
import SafeHTML

/// A section of the product that a later release fills in. Says so, and shows nothing pretend.
enum SectionPage {
    static func html(title: TextKey, about: TextKey, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(title), chrome,
            .h1(.text(t(title))),
            .p(.class("lead"), .text(t(about))),
            .div(.class("empty-state"), .attribute(named: "role", value: "status"), .p(.text(t(.sectionNotYet))))
        )
    }
}
