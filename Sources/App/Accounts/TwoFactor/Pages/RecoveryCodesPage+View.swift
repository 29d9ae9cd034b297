import ADSappCore
import SafeHTML

extension RecoveryCodesPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.twofactorCodesTitle), chrome,
            .h1(.text(t(.twofactorCodesTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .p(.text(t(.twofactorCodesIntro))),
            .ol(
                .class("recovery-codes"), .data(named: "testid", value: "recovery-codes"),
                .forEach(model.codes) { .li(.code(.text($0))) }
            ),
            .p(.a(.href(SiteURL.twoFactor.path), .class("button-primary"), .text(t(.twofactorCodesDone))))
        )
    }
}
