import ADSappCore
import Foundation
import SafeHTML

extension BillingPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.billingTitle), chrome,
            .p(.a(.href(SiteURL.settings.path), .text(t(.settingsTitle)))),
            .h1(.text(t(.billingTitle))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            standing(model, t),
            usage(model, t),
            .if(model.standing != .selfHosted, actions(model, chrome)),
            invoices(model, t),
            history(model, t)
        )
    }

    private static func standing(_ model: Model, _ t: Localizer) -> Node {
        let plan = model.plan.map { planName($0, t) } ?? "—"
        let text: String =
            switch model.standing {
            case .selfHosted: t(.billingSelfHosted)
            case .noPlan: t(.billingNoPlan)
            case .trialing(let until): t(.billingTrialing, ["plan": plan, "date": until.map(t.date) ?? "—"])
            case .active: t(.billingActive, ["plan": plan, "date": model.periodEnd.map(t.date) ?? "—"])
            case .cancelling(let at): t(.billingCancelling, ["plan": plan, "date": at.map(t.date) ?? "—"])
            case .pastDue(let graceUntil): t(.billingPastDue, ["plan": plan, "date": graceUntil.map(t.date) ?? "—"])
            case .readOnly(let since): t(.billingReadOnly, ["date": t.date(since)])
            }
        let warning: Bool =
            switch model.standing {
            case .pastDue, .readOnly, .noPlan: true
            default: false
            }
        return .p(.id("billing-standing"), .class(warning ? "alert alert-error" : "lead"), .text(text))
    }

    private static func usage(_ model: Model, _ t: Localizer) -> Node {
        .section(
            .attribute(named: "aria-labelledby", value: "billing-usage-title"),
            .h2(.id("billing-usage-title"), .text(t(.billingUsageTitle))),
            .ul(
                .class("usage-list"), .id("billing-usage"),
                .forEach(model.usage) { row in
                    let id = "usage-\(row.limit.rawValue)"
                    let used = number(row.used, t.language)
                    let amount =
                        row.allowed.map { t(.billingUsageOf, ["used": used, "allowed": number($0, t.language)]) } ?? t(.billingUsageUnlimited, ["used": used])
                    return .li(
                        .data(named: "limit", value: row.limit.rawValue),
                        .span(.id(id), .text(limitName(row.limit, t))), .text(" "), .span(.class("usage-amount"), .text(amount)),
                        .unwrap(row.allowed) { allowed in
                            .progress(
                                .attribute(named: "aria-labelledby", value: id), .attribute(named: "max", value: String(max(allowed, 1))),
                                .attribute(named: "value", value: String(min(row.used, max(allowed, 1)))),
                                .class(row.used >= allowed ? "usage-bar usage-full" : "usage-bar"))
                        })
                }))
    }

    private static func actions(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        func post(_ url: SiteURL, _ label: String, id: String, plan: Plan? = nil, primary: Bool = false) -> Node {
            .form(
                .method(.post), .action(url.path), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                .unwrap(plan) { .input(.type(.hidden), .name("plan"), .value($0.rawValue)) },
                .button(.type(.submit), .id(id), .class(primary ? "button button-primary" : "button-secondary"), .text(label)))
        }
        let subscribed: Bool =
            switch model.standing {
            case .noPlan, .selfHosted: false
            default: true
            }
        let cancelling: Bool = if case .cancelling = model.standing { true } else { false }
        return .section(
            .attribute(named: "aria-labelledby", value: "billing-plans-title"),
            .h2(.id("billing-plans-title"), .text(t(.billingPlansTitle))),
            .div(
                .class("plan-cards"), .id("billing-plans"),
                .forEach(model.plans) { plan in
                    let allowance = plan.allowance
                    let current = subscribed && model.plan == plan
                    return .div(
                        .class(current ? "plan-card plan-current" : "plan-card"), .data(named: "plan", value: plan.rawValue),
                        .h3(.text(planName(plan, t))),
                        .ul(
                            .li(.text(t(.billingPlanSeats, ["n": number(allowance.seats ?? 0, t.language)]))),
                            .li(.text(t(.billingPlanNumbers, ["n": number(allowance.numbers ?? 0, t.language)]))),
                            .li(.text(t(.billingPlanContacts, ["n": number(allowance.contacts ?? 0, t.language)]))),
                            .li(.text(t(.billingPlanMessages, ["n": number(allowance.monthlyMessages ?? 0, t.language)]))),
                            .li(.text(t(.billingPlanAICredits, ["n": number(allowance.monthlyAICredits ?? 0, t.language)]))),
                            .li(.text(t(allowance.singleSignOn ? .billingPlanSSO : .billingPlanNoSSO)))),
                        .if(
                            current, .p(.class("muted"), .text(t(.billingPlanCurrent))),
                            else: .if(
                                subscribed,
                                post(.billingChangePlan, t(.billingChangeTo, ["plan": planName(plan, t)]), id: "change-\(plan.rawValue)", plan: plan),
                                else: post(
                                    .billingCheckout,
                                    model.trialDays.map { t(.billingStartTrial, ["days": String($0)]) } ?? t(.billingChoose, ["plan": planName(plan, t)]),
                                    id: "checkout-\(plan.rawValue)", plan: plan, primary: true))))
                }),
            // A div, not a paragraph: a form cannot sit inside a <p>.
            .div(
                .class("billing-actions"),
                .if(model.hasCustomer, post(.billingPortal, t(.billingPortal), id: "billing-portal")),
                .if(subscribed && !cancelling, post(.billingCancel, t(.billingCancel), id: "billing-cancel")),
                .if(cancelling, post(.billingResume, t(.billingResume), id: "billing-resume", primary: true)))
        )
    }

    private static func invoices(_ model: Model, _ t: Localizer) -> Node {
        .if(
            model.nextInvoice != nil || !model.invoices.isEmpty,
            .section(
                .attribute(named: "aria-labelledby", value: "billing-invoices-title"),
                .h2(.id("billing-invoices-title"), .text(t(.billingInvoicesTitle))),
                .unwrap(model.nextInvoice) { next in
                    .p(.id("billing-next-invoice"), .text(t(.billingNextInvoice, ["amount": next.amount, "date": next.date.map(t.date) ?? "—"])))
                },
                .if(
                    !model.invoices.isEmpty,
                    .div(
                        .class("table-wrap"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                        .attribute(named: "aria-label", value: t(.billingInvoicesTable)),
                        .table(
                            .class("data-table"), .id("billing-invoices"),
                            .thead(
                                .tr(
                                    .th(.text(t(.billingInvoiceNumber))), .th(.text(t(.billingInvoiceDate))), .th(.text(t(.billingInvoiceAmount))),
                                    .th(.text(t(.billingInvoiceStatus))))),
                            .tbody(
                                .forEach(model.invoices) { invoice in
                                    .tr(
                                        .td(invoiceLink(invoice)),
                                        .td(.text(invoice.date.map(t.date) ?? "—")), .td(.text(invoice.amount)), .td(.text(invoiceStatus(invoice.status, t))))
                                }))))))
    }

    private static func history(_ model: Model, _ t: Localizer) -> Node {
        .if(
            !model.audit.isEmpty,
            .section(
                .attribute(named: "aria-labelledby", value: "billing-history-title"),
                .h2(.id("billing-history-title"), .text(t(.billingHistoryTitle))),
                .ul(
                    .class("link-list"), .id("billing-history"),
                    .forEach(model.audit) { line in
                        .li(.time(.text(t.dateTime(line.at))), .text(" · "), .code(.text(line.action)), .text(" · " + line.detail))
                    })))
    }

    /// Stripe's hosted invoice page; only an https address becomes a link.
    private static func invoiceLink(_ invoice: Invoice) -> Node {
        .unwrap(
            invoice.url.flatMap { $0.hasPrefix("https://") ? $0 : nil },
            { url in .a(.href(url), .attribute(named: "rel", value: "noopener"), .text(invoice.number)) }, else: .text(invoice.number))
    }

    static func invoiceStatus(_ status: String, _ t: Localizer) -> String {
        switch status {
        case "paid": t(.billingInvoicePaid)
        case "open": t(.billingInvoiceOpen)
        case "void": t(.billingInvoiceVoid)
        case "uncollectible": t(.billingInvoiceUncollectible)
        default: status
        }
    }
}
