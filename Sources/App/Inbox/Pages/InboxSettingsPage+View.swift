import ADSappCore
import Foundation
import SafeHTML

extension InboxSettingsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let action = SiteURL.inboxSettings.path
        func form(_ id: String, _ kind: String, _ fields: Node...) -> Node {
            .form(
                .id(id), .method(.post), .action(action), .class("settings-form"), Forms.csrf(chrome.csrfToken),
                .input(.type(.hidden), .name("action"), .value(kind)), .group(fields))
        }
        func deleteForm(_ kind: String, _ id: UUID, _ label: String) -> Node {
            .if(
                model.canManage,
                .form(
                    .method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("action"), .value(kind)), .input(.type(.hidden), .name("id"), .value(id.uuidString)),
                    .button(.type(.submit), .class("button-danger"), .attribute(named: "aria-label", value: label), .text(t(.inboxSettingsDelete)))))
        }
        func memberChecks(_ prefix: String, _ selected: Set<UUID>) -> Node {
            .fieldset(
                .element(named: "legend", text: t(.inboxSettingsTeamMembers)),
                .forEach(model.members) { member in
                    .div(
                        .class("check"),
                        .input(
                            .type(.checkbox), .id("\(prefix)-\(member.id)"), .name("member_ids"), .value(member.id.uuidString),
                            .checked(selected.contains(member.id)), .disabled(!model.canManage)),
                        .label(.for("\(prefix)-\(member.id)"), .text(member.name)))
                })
        }
        return Layout.page(
            t(.inboxSettingsTitle), chrome,
            .h1(.text(t(.inboxSettingsTitle))),
            .p(.class("lead"), .text(t(.inboxSettingsIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(
                .class("panel"),
                .h2(.text(t(.inboxSettingsVisibility))),
                form(
                    "visibility-form", "visibility",
                    .div(
                        .class("check"),
                        .input(.type(.checkbox), .id("agents_see_all"), .name("agents_see_all"), .checked(model.agentsSeeAll), .disabled(!model.canManage)),
                        .label(.for("agents_see_all"), .text(t(.inboxSettingsAgentsSeeAll)))),
                    .if(model.canManage, .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave)))))),
            .section(
                .class("panel"),
                .h2(.text(t(.inboxSettingsTeams))),
                .forEach(model.teams) { team in
                    .div(
                        .class("team"), .data(named: "team-id", value: team.id.uuidString),
                        form(
                            "team-\(team.id)", "team.update",
                            .input(.type(.hidden), .name("id"), .value(team.id.uuidString)),
                            Forms.field(
                                label: t(.inboxSettingsTeamName), name: "name", id: "team-name-\(team.id)", type: .text, value: team.name, autocomplete: "off"),
                            .div(
                                .class("check"),
                                .input(.type(.checkbox), .id("auto-\(team.id)"), .name("auto_assign"), .checked(team.autoAssign), .disabled(!model.canManage)),
                                .label(.for("auto-\(team.id)"), .text(t(.inboxSettingsAutoAssign)))),
                            memberChecks("team-\(team.id)", team.members),
                            .if(model.canManage, .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave))))),
                        deleteForm("team.delete", team.id, t(.inboxSettingsDeleteNamed, ["name": team.name])))
                },
                .if(
                    model.canManage,
                    .group(
                        .h3(.text(t(.inboxSettingsNewTeam))),
                        form(
                            "team-create-form", "team.create",
                            Forms.field(label: t(.inboxSettingsTeamName), name: "name", id: "new-team-name", type: .text, autocomplete: "off"),
                            .div(
                                .class("check"), .input(.type(.checkbox), .id("auto_assign"), .name("auto_assign")),
                                .label(.for("auto_assign"), .text(t(.inboxSettingsAutoAssign)))),
                            memberChecks("new-team", []),
                            .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateTeam))))))),
            .section(
                .class("panel"),
                .h2(.text(t(.inboxSettingsCapacity))),
                .p(.class("muted"), .text(t(.inboxSettingsCapacityHint))),
                .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"),
                        .thead(.tr(.th(.text(t(.inboxSettingsMember))), .th(.text(t(.inboxSettingsAvailability))), .th(.text(t(.inboxSettingsCapacity))))),
                        .tbody(
                            .forEach(model.members) { member in
                                .tr(
                                    .td(.text(member.name)),
                                    .td(.text(member.available ? t(.inboxAvailable) : t(.inboxAway))),
                                    .td(
                                        .if(
                                            model.canManage,
                                            .form(
                                                .method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                                                .input(.type(.hidden), .name("action"), .value("capacity")),
                                                .input(.type(.hidden), .name("id"), .value(member.id.uuidString)),
                                                .input(
                                                    .type(.number), .name("capacity"), .value(String(member.capacity)),
                                                    .attribute(named: "min", value: "\(InboxSettings.capacityRange.lowerBound)"),
                                                    .attribute(named: "max", value: "\(InboxSettings.capacityRange.upperBound)"),
                                                    .attribute(named: "aria-label", value: t(.inboxSettingsCapacityOf, ["name": member.name]))),
                                                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave)))),
                                            else: .text(String(member.capacity)))))
                            })))),
            .section(
                .class("panel"),
                .h2(.text(t(.inboxSettingsTags))),
                .ul(
                    .class("tag-list"),
                    .forEach(model.tags) { tag in
                        .li(
                            .span(.class("tag"), .text(tag.label)),
                            deleteForm("tag.delete", UUID(uuidString: tag.value)!, t(.inboxSettingsDeleteNamed, ["name": tag.label])))
                    }),
                .if(
                    model.canManage,
                    form(
                        "tag-create-form", "tag.create",
                        Forms.field(label: t(.inboxSettingsNewTag), name: "name", id: "new-tag-name", type: .text, autocomplete: "off"),
                        .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateTag)))))),
            .section(
                .class("panel"),
                .h2(.text(t(.inboxSettingsCanned))),
                .p(.class("muted"), .text(t(.inboxSettingsCannedHint))),
                .ul(
                    .forEach(model.cannedResponses) { canned in
                        .li(
                            .strong(.text("/" + canned.shortcut)), .text(" " + canned.body),
                            deleteForm("canned.delete", canned.id, t(.inboxSettingsDeleteNamed, ["name": "/" + canned.shortcut])))
                    }),
                .if(
                    model.canManage,
                    form(
                        "canned-create-form", "canned.create",
                        Forms.field(label: t(.inboxSettingsShortcut), name: "shortcut", type: .text, autocomplete: "off"),
                        .div(
                            .class("field"), .label(.for("canned-body"), .text(t(.inboxSettingsCannedBody))),
                            .textarea(.id("canned-body"), .name("body"), .required(true))),
                        .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateCanned))))))
        )
    }
}
