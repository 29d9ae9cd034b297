import ADSappCore
import SafeHTML

/// The frame of every page: head, top bar (organization switcher, language, account), main navigation.
enum Layout {
    static func page(_ title: String, _ chrome: Chrome, _ content: Node...) -> HTML {
        let t = chrome.t
        return HTML(
            .lang(chrome.language.rawValue),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(title) · \(t(.appName))"),
                .stylesheet(SiteURL.stylesheet.path)
            ),
            .body(
                .a(.class("skip-link"), .href("#main"), .text(t(.navSkip))),
                topBar(chrome),
                .if(chrome.account != nil && chrome.currentOrganizationID != nil, mainNavigation(chrome)),
                .main(
                    .id("main"), .attribute(named: "tabindex", value: "-1"),
                    .forEach(chrome.warnings) { warning in
                        .div(
                            .class("alert alert-error"), .attribute(named: "role", value: "alert"), .data(named: "testid", value: "warning"),
                            .text(warning.text + " "), .a(.href(warning.link.path), .text(warning.linkLabel)))
                    },
                    .group(content)
                )
            )
        )
    }

    private static func topBar(_ chrome: Chrome) -> Node {
        let t = chrome.t
        return .header(
            .class("top-bar"),
            .a(
                .class("brand"), .href(chrome.account == nil ? SiteURL.home.path : SiteURL.dashboard.path),
                .span(.class("brand-mark"), .ariaHidden(true), .text("◆")), .text(t(.appName))),
            .div(
                .class("top-bar-tools"),
                .unwrap(chrome.account) { _ in organizationSwitcher(chrome) },
                languageForm(chrome),
                .unwrap(chrome.account) { account in
                    .div(
                        .class("account-tools"),
                        .a(.href(SiteURL.account.path), .attribute(named: "title", value: account.email), .text(account.name)),
                        .form(
                            .method(.post), .action(SiteURL.signOut.path), .class("inline-form"),
                            Forms.csrf(chrome.csrfToken),
                            .button(.type(.submit), .class("button-link"), .text(t(.navSignout)))
                        )
                    )
                }
            )
        )
    }

    private static func organizationSwitcher(_ chrome: Chrome) -> Node {
        let t = chrome.t
        guard !chrome.organizations.isEmpty else {
            return .a(.href(SiteURL.newOrganization.path), .text(t(.orgNewLink)))
        }
        return .form(
            .id("organization-switcher"), .method(.post), .action(SiteURL.switchOrganization.path), .class("inline-form"),
            Forms.csrf(chrome.csrfToken),
            .label(.for("organization-select"), .class("visually-hidden"), .text(t(.orgSwitchLabel))),
            Forms.select(
                id: "organization-select", name: "organization_id",
                options: chrome.organizations.map { ($0.id.uuidString, $0.name) },
                selected: chrome.currentOrganizationID?.uuidString
            ),
            .button(.type(.submit), .class("button-secondary"), .text(t(.orgSwitchSubmit)))
        )
    }

    private static func languageForm(_ chrome: Chrome) -> Node {
        let t = chrome.t
        return .form(
            .id("language-form"), .method(.post), .action(SiteURL.language.path), .class("inline-form"),
            Forms.csrf(chrome.csrfToken),
            .input(.type(.hidden), .name("return_to"), .value(chrome.currentPath)),
            .label(.for("language-select"), .class("visually-hidden"), .text(t(.languageLabel))),
            Forms.select(
                id: "language-select", name: "language",
                options: ADSappCore.Language.allCases.map { ($0.rawValue, t($0 == .en ? .languageEn : .languageNl)) },
                selected: chrome.language.rawValue
            ),
            .button(.type(.submit), .class("button-secondary"), .text(t(.languageChange)))
        )
    }

    private static func mainNavigation(_ chrome: Chrome) -> Node {
        let t = chrome.t
        var items: [(SiteURL, TextKey)] = [
            (.dashboard, .navDashboard), (.inbox, .navInbox), (.contacts, .navContacts),
            (.campaigns, .navCampaigns), (.templates, .navTemplates), (.automation, .navAutomation),
            (.analytics, .navAnalytics), (.settings, .navSettings),
        ]
        if chrome.account?.isPlatformAdmin == true { items.append((.admin, .navAdmin)) }
        return .nav(
            .class("main-nav"), .ariaLabel(t(.navLabel)), .data(named: "testid", value: "main-nav"),
            .ul(
                .forEach(items) { url, key in
                    .li(
                        .a(
                            .href(url.path),
                            .if(chrome.activeSection == url, .attribute(named: "aria-current", value: "page")),
                            .text(t(key))
                        ))
                })
        )
    }
}
