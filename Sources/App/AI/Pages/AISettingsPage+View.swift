import ADSappCore
import Foundation
import SafeHTML

extension AISettingsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let language = chrome.language
        let budget = model.budget ?? model.platformBudget
        return Layout.page(
            t(.aiSettingsTitle), chrome,
            .h1(.text(t(.aiSettingsTitle))),
            .p(.class("lead"), .text(t(.aiSettingsIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(!model.configured, .div(.class("alert alert-warning"), .data(named: "testid", value: "ai-not-configured"), .text(t(.aiSettingsNotConfigured)))),
            .section(
                .class("panel"),
                .form(
                    .id("ai-settings-form"), .method(.post), .action(SiteURL.aiSettings.path), .class("settings-form"), Forms.csrf(chrome.csrfToken),
                    .fieldset(
                        .element(named: "legend", text: t(.aiSettingsFeatures)),
                        .p(.class("field-hint"), .text(t(.aiSettingsFeaturesHint))),
                        .forEach(model.features) { row in
                            .div(
                                .class("check"),
                                .input(
                                    .type(.checkbox), .id("feature-\(row.feature.rawValue)"), .name("features[]"), .value(row.feature.rawValue),
                                    .checked(row.enabled)),
                                .label(.for("feature-\(row.feature.rawValue)"), .text(t(row.feature.name))))
                        }),
                    Forms.field(
                        label: t(.aiSettingsModel), name: "model", id: "ai-model", type: .text, value: model.model, autocomplete: "off",
                        hint: t(.aiSettingsModelHint, ["model": model.defaultModel ?? "—"]), required: false),
                    Forms.field(
                        label: t(.aiSettingsBudget), name: "budget", id: "ai-budget", type: .text,
                        value: model.budgetText ?? model.budget.map { String(format: "%.2f", $0) },
                        autocomplete: "off", hint: t(.aiSettingsBudgetHint, ["budget": model.platformBudget.map { dollars($0, language) } ?? "—"]),
                        required: false),
                    .label(.for("ai-knowledge"), .text(t(.aiSettingsKnowledge))),
                    .p(
                        .id("ai-knowledge-hint"), .class("field-hint"),
                        .text(t(.aiSettingsKnowledgeHint, ["max": BillingPage.number(OrganizationAISettings.maxKnowledgeLength, language)]))),
                    .textarea(
                        .id("ai-knowledge"), .name("knowledge"), .attribute(named: "maxlength", value: String(OrganizationAISettings.maxKnowledgeLength)),
                        .attribute(named: "aria-describedby", value: "ai-knowledge-hint"), .attribute(named: "rows", value: "8"), .text(model.knowledge)),
                    .label(.for("ai-categories"), .text(t(.aiSettingsCategories))),
                    .p(
                        .id("ai-categories-hint"), .class("field-hint"),
                        .text(t(.aiSettingsCategoriesHint, ["max": String(OrganizationAISettings.maxCategories)]))),
                    .textarea(
                        .id("ai-categories"), .name("categories"), .attribute(named: "aria-describedby", value: "ai-categories-hint"),
                        .attribute(named: "rows", value: "5"), .text(model.categories.joined(separator: "\n"))),
                    autoAnswerFields(model.autoAnswer, t),
                    .fieldset(
                        .element(named: "legend", text: t(.aiSettingsKey)),
                        .p(
                            .class("field-hint"), .data(named: "testid", value: "ai-key-state"),
                            .text(t(model.hasOwnKey ? .aiSettingsKeySet : .aiSettingsKeyUnset))),
                        .label(.for("ai-api-key"), .text(t(model.hasOwnKey ? .aiSettingsKeyReplace : .aiSettingsKeyNew))),
                        .input(.type(.password), .id("ai-api-key"), .name("api_key"), .attribute(named: "autocomplete", value: "off")),
                        .if(
                            model.hasOwnKey,
                            .div(
                                .class("check"), .input(.type(.checkbox), .id("ai-remove-key"), .name("remove_api_key")),
                                .label(.for("ai-remove-key"), .text(t(.aiSettingsKeyRemove)))))),
                    .button(.type(.submit), .class("button-primary"), .text(t(.aiSettingsSave))))),
            .section(
                .class("panel"),
                .h2(.text(t(.aiSettingsUsageTitle))),
                .p(
                    .data(named: "testid", value: "ai-usage-total"),
                    .text(
                        t(
                            .aiSettingsUsageTotal,
                            [
                                "requests": BillingPage.number(model.requests, language), "spent": dollars(model.spent, language),
                                "budget": budget.map { dollars($0, language) } ?? "—",
                            ]))),
                .if(
                    model.usage.isEmpty, .p(.class("muted"), .text(t(.aiSettingsUsageNone))),
                    else: .group(
                        AIUsageChart.svg(model.usage, t),
                        .div(
                            .class("table-wrap"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                            .attribute(named: "aria-label", value: t(.aiSettingsUsageTable)),
                            .table(
                                .class("data-table"), .id("ai-usage"),
                                .thead(
                                    .tr(
                                        .th(.text(t(.aiSettingsUsageFeature))), .th(.text(t(.aiSettingsUsageRequests))),
                                        .th(.text(t(.aiSettingsUsageTokens))), .th(.text(t(.aiSettingsUsageCost))))),
                                .tbody(
                                    .forEach(model.usage) { row in
                                        .tr(
                                            .td(.text(t(row.feature.name))), .td(.text(BillingPage.number(row.requests, language))),
                                            .td(.text(BillingPage.number(row.tokens, language))), .td(.text(dollars(row.cost, language))))
                                    }))))))
        )
    }
}

extension AISettingsPage {
    /// When automatic answers may go out, and what hands a conversation to a person.
    static func autoAnswerFields(_ settings: AutoAnswer, _ t: Localizer) -> Node {
        .fieldset(
            .id("ai-auto-answer"),
            .element(named: "legend", text: t(.aiSettingsAutoAnswer)),
            .p(.class("field-hint"), .text(t(.aiSettingsAutoAnswerHint))),
            .label(.for("ai-auto-answer-when"), .text(t(.aiSettingsAutoAnswerWhen))),
            Forms.select(
                id: "ai-auto-answer-when", name: "auto_answer_when", options: AutoAnswerWhen.allCases.map { ($0.rawValue, t($0.name)) },
                selected: settings.when.rawValue),
            .fieldset(
                .class("business-hours"),
                .element(named: "legend", text: t(.aiSettingsHours, ["timeZone": settings.timeZone])),
                .p(.class("field-hint"), .text(t(.aiSettingsHoursHint))),
                .forEach(settings.hours) { row in
                    let day = t(row.day.name)
                    return .div(
                        .class("hours-row"), .data(named: "day", value: row.day.rawValue),
                        .label(.for("hours-\(row.day.rawValue)-opens"), .text(t(.aiSettingsOpens, ["day": day]))),
                        .input(.type(.time), .id("hours-\(row.day.rawValue)-opens"), .name("hours_\(row.day.rawValue)_opens"), .value(row.opens)),
                        .label(.for("hours-\(row.day.rawValue)-closes"), .text(t(.aiSettingsCloses, ["day": day]))),
                        .input(.type(.time), .id("hours-\(row.day.rawValue)-closes"), .name("hours_\(row.day.rawValue)_closes"), .value(row.closes)))
                }),
            .label(.for("ai-handoff"), .text(t(.aiSettingsHandoff))),
            .p(.id("ai-handoff-hint"), .class("field-hint"), .text(t(.aiSettingsHandoffHint, ["max": String(OrganizationAISettings.maxHandoffKeywords)]))),
            .textarea(
                .id("ai-handoff"), .name("handoff_keywords"), .attribute(named: "aria-describedby", value: "ai-handoff-hint"),
                .attribute(named: "rows", value: "4"), .text(settings.handoffKeywords.joined(separator: "\n"))),
            Forms.field(
                label: t(.aiSettingsConfidence), name: "auto_answer_confidence", id: "ai-confidence", type: .number, value: settings.confidence,
                autocomplete: "off", hint: t(.aiSettingsConfidenceHint), required: false),
            Forms.field(
                label: t(.aiSettingsLimit), name: "auto_answer_limit", id: "ai-limit", type: .number, value: settings.limit,
                autocomplete: "off", hint: t(.aiSettingsLimitHint), required: false))
    }
}

/// This month's cost per feature as bars: which feature spends the budget.
enum AIUsageChart {
    static let width = 640.0
    static let rowHeight = 30.0

    static func svg(_ rows: [AISettingsPage.UsageRow], _ t: Localizer) -> Node {
        let top = max(rows.map(\.cost).max() ?? 0, 0.000_001)
        let label = rows.map { "\(t($0.feature.name)) \(AISettingsPage.dollars($0.cost, t.language))" }.joined(separator: "; ")
        return SVGChart.drawing(
            class: "ai-usage-chart", testID: "ai-usage-chart", width: width, height: rowHeight * Double(rows.count) + 8,
            title: t(.aiSettingsUsageChart) + ": " + label,
            rows.enumerated().map { index, row in
                let y = Double(index) * rowHeight
                let barWidth = (width - 300) * row.cost / top
                return .group(
                    SVGChart.label(t(row.feature.name), x: 4, y: y + 19),
                    SVGChart.bar(x: 150, y: y + 6, width: barWidth, height: 18, fill: "#2b6cb0"),
                    SVGChart.label(AISettingsPage.dollars(row.cost, t.language), x: 156 + barWidth, y: y + 19))
            })
    }
}
