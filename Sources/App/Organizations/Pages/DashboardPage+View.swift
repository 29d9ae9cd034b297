import ADSappCore
import Foundation
import SafeHTML

extension DashboardPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let available: [TextKey] = [.dashboardAvailableAccounts, .dashboardAvailableOrganizations, .dashboardAvailableMembers, .dashboardAvailableLanguages]
        return Layout.page(
            t(.dashboardTitle), chrome,
            .h1(.data(named: "testid", value: "dashboard-title"), .text(t(.dashboardTitle))),
            .p(
                .class("lead"),
                .text(
                    t(.dashboardWelcome, ["name": model.userName]) + " "
                        + t(.dashboardOrganization, ["organization": model.organizationName, "role": t.role(model.role)]))),
            .div(
                .class("stats"),
                .div(
                    .class("stat"), .span(.class("stat-label"), .text(t(.dashboardMembers))),
                    .a(.class("stat-value"), .href(SiteURL.members.path), .text(String(model.memberCount)))),
                .div(
                    .class("stat"), .span(.class("stat-label"), .text(t(.dashboardYourRole))),
                    .span(.class("stat-value"), .text(t.role(model.role))))
            ),
            .div(
                .class("columns"),
                .section(
                    .class("panel"), .h2(.text(t(.dashboardAvailableTitle))),
                    .ul(.class("checklist"), .forEach(available) { .li(.text(t($0))) })),
                .section(.class("panel panel-muted"), .h2(.text(t(.dashboardComingTitle))), .p(.text(t(.dashboardComingBody))))
            )
        )
    }
}
