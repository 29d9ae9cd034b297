import Foundation
import SafeHTML

extension SegmentDeletePage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.segmentDeleteTitle), chrome,
            .h1(.text(t(.segmentDeleteTitle))),
            .p(.strong(.text(model.name))),
            .p(.text(t(.segmentDeleteIntro))),
            .form(
                .id("segment-delete-form"), .method(.post), .action(SiteURL.segmentDelete(.value(model.id)).path), .class("panel"),
                Forms.csrf(chrome.csrfToken),
                .button(.type(.submit), .class("button-danger"), .text(t(.segmentDeleteConfirm))),
                .text(" "),
                .a(.href(SiteURL.segment(.value(model.id)).path), .text(t(.segmentFormCancel)))
            )
        )
    }
}
