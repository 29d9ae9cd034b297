import SafeHTML

extension LinkInvalidPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let (body, next, label): (TextKey, String, TextKey) =
            switch model.kind {
            case .invitation: (.linkInvalidInvitation, SiteURL.signIn.path, .signupSigninLink)
            case .verification: (.linkInvalidVerification, SiteURL.account.path, .navAccount)
            case .passwordReset: (.linkInvalidReset, SiteURL.passwordForgot.path, .resetAgain)
            }
        return Layout.page(
            t(.linkInvalidTitle), chrome,
            .div(
                .class("auth-card"), .data(named: "testid", value: "link-invalid"),
                .h1(.text(t(.linkInvalidTitle))),
                .p(.text(t(body))),
                .p(.a(.href(next), .text(t(label))))
            ))
    }
}
