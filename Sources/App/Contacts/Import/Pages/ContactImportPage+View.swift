import Foundation
import SafeHTML

extension ContactImportPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.contactImportTitle), chrome,
            .h1(.text(t(.contactImportTitle))),
            Forms.alert(model.error),
            .p(.text(t(.contactImportIntro, ["megabytes": String(model.maxMegabytes)]))),
            .p(.a(.href(SiteURL.contactImportExample.path), .attribute(named: "download", value: "contacts-example.csv"), .text(t(.contactImportExampleLink)))),
            .form(
                .id("import-form"), .method(.post), .action(SiteURL.contactImport.path), .enctype(.multipartData), .class("panel"),
                Forms.csrf(chrome.csrfToken),
                .div(
                    .class("field"),
                    .label(.for("import-file"), .text(t(.contactImportFile))),
                    .input(.type(.file), .id("import-file"), .name("file"), .attribute(named: "accept", value: ".csv,text/csv,text/plain"), .required(true))
                ),
                .button(.type(.submit), .class("button-primary"), .text(t(.contactImportUpload)))
            )
        )
    }
}

extension ContactImportReviewPage {
    static func targets(_ model: Model, _ t: Localizer) -> [(value: String, label: String)] {
        [
            ("ignore", t(.contactImportTargetIgnore)), ("name", t(.contactImportTargetName)), ("phone", t(.contactImportTargetPhone)),
            ("email", t(.contactImportTargetEmail)), ("tags", t(.contactImportTargetTags)), ("opt_in", t(.contactImportTargetOptIn)),
        ] + model.fields.map { (value: "field:" + $0.key, label: t(.contactImportTargetField, ["label": $0.label])) }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let options = targets(model, t)
        return Layout.page(
            t(.contactImportReviewTitle), chrome,
            .h1(.text(t(.contactImportReviewTitle))),
            Forms.alert(model.error),
            .p(.text(t(.contactImportDetected, ["file": model.filename, "encoding": model.encoding, "delimiter": model.delimiter]))),
            .form(
                .id("import-mapping"), .method(.post), .action(SiteURL.contactImportReview(.value(model.id)).path),
                Forms.csrf(chrome.csrfToken),
                .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .data(named: "testid", value: "import-preview"),
                        .thead(
                            .tr(.forEach(Array(model.header.enumerated())) { index, name in .th(.id("column\(index)-label"), .text(name)) }),
                            .tr(
                                .forEach(Array(model.header.indices)) { index in
                                    .th(
                                        Forms.select(
                                            id: "column\(index)", name: "column\(index)", options: options,
                                            selected: index < model.guesses.count ? model.guesses[index] : "ignore", labelledBy: "column\(index)-label"))
                                })
                        ),
                        .tbody(.forEach(model.rows) { row in .tr(.forEach(row) { cell in .td(.text(cell)) }) })
                    )),
                .p(.class("muted"), .text(t(.contactImportMappingHint))),
                Forms.field(
                    label: t(.contactImportTagAll), name: "tag_all", type: .text, value: model.tagAll, autocomplete: "off",
                    hint: t(.contactImportTagAllHint), required: false),
                .button(.type(.submit), .class("button-primary"), .text(t(.contactImportStart)))
            )
        )
    }
}
