import Foundation
import Jobs
import SafeHTML

extension AdminJobsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.adminJobsTitle), chrome,
            .h1(.text(t(.adminJobsTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .h2(.text(t(.adminJobsQueues))),
            .div(
                .class("table-wrap"),
                .table(
                    .class("data-table"),
                    .thead(
                        .tr(
                            .th(.text(t(.adminJobsQueue))), .th(.text(t(.adminJobsQueued))), .th(.text(t(.adminJobsRetrying))),
                            .th(.text(t(.adminJobsRunning))), .th(.text(t(.adminJobsSucceeded))), .th(.text(t(.adminJobsDead)))
                        )),
                    .tbody(
                        .forEach(model.counts) { counts in
                            .tr(
                                .td(.text(counts.queue)), .td(.text(String(counts.queued))), .td(.text(String(counts.retrying))),
                                .td(.text(String(counts.running))), .td(.text(String(counts.succeeded))), .td(.text(String(counts.dead))))
                        })
                )),
            jobTable(t(.adminJobsDead), model.dead, chrome, when: { $0.finishedAt }),
            jobTable(t(.adminJobsWaiting), model.retrying, chrome, when: { $0.runAt }),
            .section(
                .h2(.text(t(.adminWebhooksFailed))),
                .if(
                    model.failedWebhooks.isEmpty, .p(.class("muted"), .text(t(.adminWebhooksNone))),
                    else: .div(
                        .class("table-wrap"),
                        .table(
                            .class("data-table"), .data(named: "testid", value: "failed-webhooks"),
                            .thead(.tr(.th(.text(t(.adminWebhooksReceived))), .th(.text(t(.adminWebhooksSource))), .th(.text(t(.adminWebhooksError))))),
                            .tbody(
                                .forEach(model.failedWebhooks) { event in
                                    .tr(
                                        .data(named: "event-id", value: event.id.uuidString),
                                        .td(.text(event.receivedAt.formatted(.iso8601))), .td(.text(event.source)),
                                        .td(.class("error-text"), .text(event.error)))
                                })
                        )))
            )
        )
    }

    private static func jobTable(_ title: String, _ jobs: [JobSummary], _ chrome: Chrome, when: (JobSummary) -> Date?) -> Node {
        let t = chrome.t
        return .section(
            .h2(.text(title)),
            .if(
                jobs.isEmpty, .p(.class("muted"), .text(t(.adminJobsNone))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.adminJobsKind))), .th(.text(t(.adminJobsQueue))), .th(.text(t(.adminJobsAttempts))),
                                .th(.text(t(.adminJobsLastError))), .th(.text(t(.adminJobsWhen))), .th(.text(t(.membersActions)))
                            )),
                        .tbody(
                            .forEach(jobs) { job in
                                .tr(
                                    .data(named: "job-id", value: job.id.uuidString),
                                    .td(.text(job.kind)), .td(.text(job.queue)), .td(.text("\(job.attempts)/\(job.maxAttempts)")),
                                    .td(.class("error-text"), .text(job.lastError ?? "")),
                                    .td(.text(when(job).map { $0.formatted(.iso8601) } ?? "")),
                                    .td(
                                        .form(
                                            .method(.post), .action(SiteURL.adminJobRetry(.value(job.id)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken), .button(.type(.submit), .class("button-secondary"), .text(t(.adminJobsRetry)))),
                                        .form(
                                            .method(.post), .action(SiteURL.adminJobDiscard(.value(job.id)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken), .button(.type(.submit), .class("button-danger"), .text(t(.adminJobsDiscard))))
                                    )
                                )
                            })
                    )))
        )
    }
}
