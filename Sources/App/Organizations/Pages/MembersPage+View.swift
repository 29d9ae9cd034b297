import ADSappCore
import Foundation
import SafeHTML

extension MembersPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.membersTitle), chrome,
            .h1(.text(t(.membersTitle))),
            .p(.class("lead"), .text(t(.membersIntro, ["organization": model.organizationName]))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .div(
                .class("table-wrap"),
                .table(
                    .class("data-table"),
                    .thead(
                        .tr(
                            .th(.text(t(.membersName))), .th(.text(t(.membersEmail))), .th(.text(t(.membersRole))),
                            .th(.text(t(.membersJoined))), .th(.text(t(.membersActions)))
                        )),
                    .tbody(
                        .forEach(model.rows) { row in
                            .tr(
                                .data(named: "membership-id", value: row.membershipID.uuidString),
                                .td(.text(row.name), .if(row.isSelf, .span(.class("muted"), .text(" " + t(.membersYou))))),
                                .td(.text(row.email)),
                                .td(.if(row.assignableRoles.isEmpty, .text(t.role(row.role)), else: roleForm(row, chrome))),
                                .td(.text(t.date(row.joined))),
                                .td(
                                    .if(
                                        row.canRemove,
                                        .form(
                                            .method(.post), .action(SiteURL.memberRemove(.value(row.membershipID)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken),
                                            .button(.type(.submit), .class("button-danger"), .text(row.isSelf ? t(.membersLeave) : t(.membersRemove)))
                                        )))
                            )
                        })
                )),
            .unwrap(model.invite) { inviteSection($0, model.invitations, chrome) }
        )
    }

    private static func inviteSection(_ form: InviteForm, _ invitations: [InvitationRow], _ chrome: Chrome) -> Node {
        let t = chrome.t
        let languages = ADSappCore.Language.allCases.map { ($0.rawValue, t($0 == .en ? .languageEn : .languageNl)) }
        return .section(
            .class("panel"), .id("invitations"),
            .h2(.id("invite-heading"), .text(t(.invitationsTitle))),
            Forms.alert(form.error),
            .form(
                .id("invite-form"), .method(.post), .action(SiteURL.invitations.path), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(
                    label: t(.fieldEmail), name: "email", id: "invite-email", type: .email, value: form.email, autocomplete: "off", error: form.emailError),
                .div(
                    .class("field"),
                    .label(.for("invite-role"), .text(t(.membersRole))),
                    Forms.select(id: "invite-role", name: "role", options: form.roles.map { ($0.rawValue, t.role($0)) }, selected: form.role.rawValue)),
                .div(
                    .class("field"),
                    .label(.for("invite-language"), .text(t(.invitationsLanguage))),
                    Forms.select(id: "invite-language", name: "language", options: languages, selected: form.language.rawValue)),
                .if(
                    !form.teams.isEmpty,
                    .fieldset(
                        .legend(.text(t(.invitationsTeams))),
                        .forEach(form.teams) { team in
                            .div(
                                .class("checkbox"),
                                .input(
                                    .type(.checkbox), .id("invite-team-\(team.id)"), .name("team_ids"), .value(team.id.uuidString),
                                    .checked(form.teamIDs.contains(team.id))),
                                .label(.for("invite-team-\(team.id)"), .text(team.name)))
                        })),
                .button(.type(.submit), .class("button-primary"), .text(t(.invitationsSubmit)))
            ),
            .h3(.text(t(.invitationsPending))),
            .if(
                invitations.isEmpty, .p(.class("muted"), .text(t(.invitationsNone))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .id("pending-invitations"),
                        .thead(
                            .tr(
                                .th(.text(t(.membersEmail))), .th(.text(t(.membersRole))), .th(.text(t(.invitationsInvitedBy))),
                                .th(.text(t(.invitationsExpires))), .th(.text(t(.membersActions))))),
                        .tbody(
                            .forEach(invitations) { row in
                                .tr(
                                    .data(named: "invitation-id", value: row.id.uuidString),
                                    .td(.text(row.email)), .td(.text(t.role(row.role))), .td(.text(row.inviterName)),
                                    .td(.text(row.isExpired ? t(.invitationsExpired) : t.dateTime(row.expiresAt))),
                                    .td(
                                        .form(
                                            .method(.post), .action(SiteURL.invitationResend(.value(row.id)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken),
                                            .button(
                                                .type(.submit), .class("button-secondary"),
                                                .attribute(named: "aria-label", value: t(.invitationsResendTo, ["email": row.email])),
                                                .text(t(.invitationsResend)))),
                                        .form(
                                            .method(.post), .action(SiteURL.invitationRevoke(.value(row.id)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken),
                                            .button(
                                                .type(.submit), .class("button-danger"),
                                                .attribute(named: "aria-label", value: t(.invitationsRevokeFor, ["email": row.email])),
                                                .text(t(.invitationsRevoke)))))
                                )
                            })
                    ))
            )
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
