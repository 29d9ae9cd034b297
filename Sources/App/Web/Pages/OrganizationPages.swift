import ADSappCore
import Foundation
import SafeHTML

/// The dashboard: who you are, where you work, and an honest list of what exists.
enum DashboardPage {
    struct Model {
        var userName: String
        var organizationName: String
        var role: Role
        var memberCount: Int
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let available: [TextKey] = [.dashboardAvailableAccounts, .dashboardAvailableOrganizations, .dashboardAvailableMembers, .dashboardAvailableLanguages]
        return Layout.page(t(.dashboardTitle), chrome,
            .h1(.data(named: "testid", value: "dashboard-title"), .text(t(.dashboardTitle))),
            .p(.class("lead"), .text(t(.dashboardWelcome, ["name": model.userName]) + " "
               + t(.dashboardOrganization, ["organization": model.organizationName, "role": t.role(model.role)]))),
            .div(
                .class("stats"),
                .div(.class("stat"), .span(.class("stat-label"), .text(t(.dashboardMembers))),
                     .a(.class("stat-value"), .href(SiteURL.members.path), .text(String(model.memberCount)))),
                .div(.class("stat"), .span(.class("stat-label"), .text(t(.dashboardYourRole))),
                     .span(.class("stat-value"), .text(t.role(model.role))))
            ),
            .div(
                .class("columns"),
                .section(.class("panel"), .h2(.text(t(.dashboardAvailableTitle))),
                         .ul(.class("checklist"), .forEach(available) { .li(.text(t($0))) })),
                .section(.class("panel panel-muted"), .h2(.text(t(.dashboardComingTitle))), .p(.text(t(.dashboardComingBody))))
            )
        )
    }
}

/// A section of the product that a later release fills in. Says so, and shows nothing pretend.
enum SectionPage {
    static func html(title: TextKey, about: TextKey, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(title), chrome,
            .h1(.text(t(title))),
            .p(.class("lead"), .text(t(about))),
            .div(.class("empty-state"), .attribute(named: "role", value: "status"), .p(.text(t(.sectionNotYet))))
        )
    }
}

enum SettingsPage {
    static func html(_ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.settingsTitle), chrome,
            .h1(.text(t(.settingsTitle))),
            .ul(.class("link-list"),
                .li(.a(.href(SiteURL.members.path), .text(t(.settingsMembers)))),
                .li(.a(.href(SiteURL.whatsAppSettings.path), .text(t(.settingsWhatsapp)))),
                .li(.a(.href(SiteURL.inboxSettings.path), .text(t(.settingsInbox)))),
                .li(.a(.href(SiteURL.account.path), .text(t(.settingsAccount)))))
        )
    }
}

/// The members of the current organization, with role changes and removal for those allowed.
enum MembersPage {
    struct Row {
        var membershipID: UUID
        var name: String
        var email: String
        var role: Role
        var joined: Date
        var isSelf: Bool
        /// Roles the viewer may give this member; empty when they may not change it.
        var assignableRoles: [Role]
        var canRemove: Bool
    }

    struct Model {
        var organizationName: String
        var rows: [Row]
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.membersTitle), chrome,
            .h1(.text(t(.membersTitle))),
            .p(.class("lead"), .text(t(.membersIntro, ["organization": model.organizationName]))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.membersName))), .th(.text(t(.membersEmail))), .th(.text(t(.membersRole))),
                    .th(.text(t(.membersJoined))), .th(.text(t(.membersActions)))
                )),
                .tbody(.forEach(model.rows) { row in
                    .tr(
                        .data(named: "membership-id", value: row.membershipID.uuidString),
                        .td(.text(row.name), .if(row.isSelf, .span(.class("muted"), .text(" " + t(.membersYou))))),
                        .td(.text(row.email)),
                        .td(.if(row.assignableRoles.isEmpty, .text(t.role(row.role)), else: roleForm(row, chrome))),
                        .td(.text(t.date(row.joined))),
                        .td(.if(row.canRemove, .form(
                            .method(.post), .action(SiteURL.memberRemove(.value(row.membershipID)).path), .class("inline-form"),
                            Forms.csrf(chrome.csrfToken),
                            .button(.type(.submit), .class("button-danger"), .text(row.isSelf ? t(.membersLeave) : t(.membersRemove)))
                        )))
                    )
                })
            ))
        )
    }

    private static func roleForm(_ row: Row, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let selectID = "role-\(row.membershipID.uuidString)"
        return .form(
            .method(.post), .action(SiteURL.memberRole(.value(row.membershipID)).path), .class("inline-form"),
            Forms.csrf(chrome.csrfToken),
            .label(.for(selectID), .class("visually-hidden"), .text(t(.membersRoleFor, ["name": row.name]))),
            Forms.select(id: selectID, name: "role", options: row.assignableRoles.map { ($0.rawValue, t.role($0)) }, selected: row.role.rawValue),
            .button(.type(.submit), .class("button-secondary"), .text(t(.membersSave)))
        )
    }
}

enum NewOrganizationPage {
    struct Model {
        var name = ""
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.orgNewTitle), chrome, .div(
            .class("auth-card"),
            .h1(.text(t(.orgNewTitle))),
            .p(.text(t(.orgNewIntro))),
            .form(
                .id("new-organization-form"), .method(.post), .action(SiteURL.newOrganization.path), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.fieldOrganization), name: "name", type: .text, value: model.name, autocomplete: "organization", error: model.error),
                .button(.type(.submit), .class("button-primary"), .text(t(.orgNewSubmit)))
            )
        ))
    }
}

enum NoOrganizationPage {
    static func html(_ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.orgNoneTitle), chrome, .div(
            .class("auth-card"),
            .h1(.text(t(.orgNoneTitle))),
            .p(.text(t(.orgNoneBody))),
            .a(.class("button-primary"), .href(SiteURL.newOrganization.path), .text(t(.orgNewLink)))
        ))
    }
}

/// The platform operator's list of every organization, with the platform's WhatsApp number and a
/// form per organization to assign it (`PlatformAdminController.assignNumber`).
enum AdminPage {
    struct Row {
        var name: String
        var created: Date
        var memberCount: Int
        var id: UUID? = nil
    }

    /// `WHATSAPP_PHONE_NUMBER_ID`, and the organization it is connected to, if any.
    struct PlatformNumber {
        var phoneNumberID: String
        var organizationID: UUID?
        var organizationName: String?
    }

    static func html(_ rows: [Row], _ chrome: Chrome, number: PlatformNumber? = nil, notice: String? = nil, error: String? = nil) -> HTML {
        let t = chrome.t
        return Layout.page(t(.adminTitle), chrome,
            .h1(.text(t(.adminTitle))),
            Forms.alert(notice, kind: "notice"),
            Forms.alert(error),
            .p(.a(.href(SiteURL.adminJobs.path), .text(t(.adminJobsLink)))),
            .section(
                .class("panel"), .data(named: "testid", value: "platform-number"),
                .h2(.text(t(.adminNumberTitle))),
                .unwrap(number, { number in
                    .group(
                        .p(.text(t(.adminNumberIntro, ["id": number.phoneNumberID]))),
                        .p(.text(number.organizationID == nil ? t(.adminNumberUnassigned) : t(.adminNumberAssignedTo, ["organization": number.organizationName ?? ""])))
                    )
                }, else: .p(.class("muted"), .text(t(.adminNumberNone))))
            ),
            .h2(.text(t(.adminOrganizations))),
            .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.membersName))), .th(.text(t(.adminCreated))), .th(.text(t(.adminMemberCount))),
                    .if(number != nil, .th(.text(t(.adminNumberColumn))))
                )),
                .tbody(.forEach(rows) { row in
                    .tr(.td(.text(row.name)), .td(.text(t.date(row.created))), .td(.text(String(row.memberCount))),
                        .unwrap(number) { number in .td(assignCell(row, number, chrome)) })
                })
            ))
        )
    }

    /// Nothing once the number is connected elsewhere; its holder says so; the others get the form.
    private static func assignCell(_ row: Row, _ number: PlatformNumber, _ chrome: Chrome) -> Node {
        guard let id = row.id else { return .empty }
        if number.organizationID == id { return .span(.class("badge"), .text(chrome.t(.adminNumberHere))) }
        guard number.organizationID == nil else { return .empty }
        return .form(
            .method(.post), .action(SiteURL.adminAssignNumber(.value(id)).path), .class("inline-form"),
            .data(named: "testid", value: "assign-number"),
            Forms.csrf(chrome.csrfToken),
            .button(.type(.submit), .class("button-secondary"), .text(chrome.t(.adminNumberAssign)))
        )
    }
}
