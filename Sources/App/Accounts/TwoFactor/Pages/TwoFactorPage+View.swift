import ADSappCore
import SafeHTML
import TwoFactor

extension TwoFactorPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.twofactorTitle), chrome,
            .h1(.text(t(.twofactorTitle))),
            Forms.alert(model.requirement, kind: "notice"),
            Forms.alert(model.notice, kind: "notice"),
            .p(.text(t(.twofactorIntro))),
            .unwrap(model.setup, { setupSection($0, model, chrome) }, else: enabledSections(model, chrome))
        )
    }

    private static func setupSection(_ setup: Setup, _ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        return .section(
            .class("panel"), .data(named: "testid", value: "two-factor-setup"),
            .h2(.text(t(.twofactorSetupTitle))),
            .p(.text(t(.twofactorSetupScan))),
            .div(.class("qr-code"), QRImageView.svg(setup.qr, title: setup.qrTitle)),
            .p(.text(t(.twofactorSetupManual))),
            .p(.code(.id("two-factor-secret"), .data(named: "testid", value: "two-factor-secret"), .text(setup.secret))),
            .dl(.dt(.text(t(.twofactorSetupAccount))), .dd(.text(setup.account)), .dt(.text(t(.twofactorSetupIssuer))), .dd(.text(setup.issuer))),
            .p(.text(t(.twofactorSetupConfirm))),
            .form(
                .id("two-factor-confirm-form"), .method(.post), .action(SiteURL.twoFactorConfirm.path), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                codeField(t, id: "confirm-code", hint: nil, error: model.errors["confirm"]),
                .button(.type(.submit), .class("button-primary"), .text(t(.twofactorSetupSubmit)))
            )
        )
    }

    private static func enabledSections(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        return .group(
            .section(
                .class("panel"), .data(named: "testid", value: "two-factor-on"),
                .h2(.text(t(.twofactorOn))),
                .p(.text(t(.twofactorCodesRemaining, ["count": String(model.remainingRecoveryCodes)])))
            ),
            .section(
                .class("panel"),
                .h2(.text(t(.twofactorRegenerateTitle))),
                .p(.text(t(.twofactorRegenerateAbout))),
                Forms.alert(model.errors["regenerate"]),
                .form(
                    .id("two-factor-regenerate-form"), .method(.post), .action(SiteURL.twoFactorRecoveryCodes.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(
                        label: t(.fieldCurrentPassword), name: "password", id: "regenerate-password", type: .password, autocomplete: "current-password"),
                    codeField(t, id: "regenerate-code", hint: nil, error: nil),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.twofactorRegenerateSubmit)))
                )
            ),
            .section(
                .class("panel"),
                .h2(.text(t(.twofactorDisableTitle))),
                .p(.text(t(.twofactorDisableAbout))),
                Forms.alert(model.errors["disable"]),
                .form(
                    .id("two-factor-disable-form"), .method(.post), .action(SiteURL.twoFactorDisable.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(
                        label: t(.fieldCurrentPassword), name: "password", id: "disable-password", type: .password, autocomplete: "current-password"),
                    codeField(t, id: "disable-code", hint: t(.twofactorCodeHint), error: nil),
                    .button(.type(.submit), .class("button-danger"), .text(t(.twofactorDisableSubmit)))
                )
            )
        )
    }

    static func codeField(_ t: Localizer, id: String, hint: String?, error: String?) -> Node {
        Forms.field(label: t(.fieldCode), name: "code", id: id, type: .text, autocomplete: "one-time-code", error: error, hint: hint)
    }
}

/// A QR code as inline SVG, built from escaped nodes like the rest of the page (so its title, which
/// names the account, can never become markup). The same drawing as `QRCode.svg`: a quiet zone of
/// four modules, a light background, and one path with a sub-path per run of dark modules.
enum QRImageView {
    static func svg(_ image: QRImage, title: String, moduleSize: Int = 5) -> Node {
        let side = image.size + 2 * QRCode.quietZone
        let path = QRCode.svgPath(size: image.size) { image.isDark(x: $0, y: $1) }
        let pixels = String(side * moduleSize)
        // Attribute names are lower case here; the HTML parser gives SVG's `viewBox` its capital back.
        return .element(
            named: "svg",
            nodes: [
                .attribute(named: "xmlns", value: "http://www.w3.org/2000/svg"), .attribute(named: "role", value: "img"),
                .attribute(named: "width", value: pixels), .attribute(named: "height", value: pixels),
                .attribute(named: "viewbox", value: "0 0 \(side) \(side)"), .attribute(named: "shape-rendering", value: "crispEdges"),
                .attribute(named: "data-testid", value: "two-factor-qr"),
                .element(named: "title", text: title),
                .element(
                    named: "rect",
                    nodes: [
                        .attribute(named: "width", value: String(side)), .attribute(named: "height", value: String(side)),
                        .attribute(named: "fill", value: "#fff"),
                    ]),
                .element(named: "path", nodes: [.attribute(named: "fill", value: "#000"), .attribute(named: "d", value: path)]),
            ])
    }
}
