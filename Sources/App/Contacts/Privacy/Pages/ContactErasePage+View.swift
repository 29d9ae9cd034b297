import Foundation
import SafeHTML

extension ContactErasePage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.contactEraseTitle), chrome,
            .h1(.text(t(.contactEraseTitle))),
            .p(.strong(.text(model.displayName)), .text(model.phoneNumber.map { " (\($0))" } ?? "")),
            .p(.text(t(.contactEraseIntro))),
            .ul(
                .li(.text(t(.contactEraseMessages, ["messages": String(model.messages), "conversations": String(model.conversations)]))),
                .li(.text(t(.contactEraseProfile, ["notes": String(model.notes)]))),
                .li(.text(t(.contactEraseKept)))
            ),
            .form(
                .id("erase-form"), .method(.post), .action(SiteURL.contactErase(.value(model.id)).path), .class("panel"),
                Forms.csrf(chrome.csrfToken),
                .input(.type(.hidden), .name("confirm"), .value("yes")),
                .button(.type(.submit), .class("button-danger"), .text(t(.contactEraseConfirm))),
                .text(" "),
                .a(.href(SiteURL.contact(.value(model.id)).path), .text(t(.contactEraseCancel)))
            )
        )
    }
}
