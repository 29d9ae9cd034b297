import Foundation
import Jobs
import SafeHTML

extension JobPage {
    static func stateText(_ state: JobState, _ t: Localizer) -> String {
        switch state {
        case .queued: t(.jobStateQueued)
        case .running: t(.jobStateRunning)
        case .succeeded: t(.jobStateSucceeded)
        case .dead: t(.jobStateDead)
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let percent = Int((model.progress * 100).rounded())
        return Layout.page(
            t(.jobTitle), chrome,
            .h1(.text(t(.jobTitle))),
            .section(
                .class("panel job-progress"),
                .id("job-progress"),
                .data(named: "source", value: "/api/v1/jobs/\(model.id.uuidString)"),
                .forEach(JobState.allCases) { state in .data(named: "label-\(state.rawValue)", value: stateText(state, t)) },
                .p(.text(t(.jobKind, ["kind": model.kind]))),
                .p(.class("job-state"), .attribute(named: "role", value: "status"), .data(named: "field", value: "state"), .text(stateText(model.state, t))),
                .label(.for("job-progress-bar"), .text(t(.jobProgressLabel))),
                .element(
                    named: "progress",
                    nodes: [
                        .id("job-progress-bar"), .attribute(named: "max", value: "100"), .attribute(named: "value", value: String(percent)),
                        .text("\(percent)%"),
                    ]),
                .p(.data(named: "field", value: "message"), .text(model.message ?? "")),
                .p(.class("muted"), .text(t(.jobLive) + " "), .a(.href(SiteURL.job(.value(model.id)).path), .text(t(.jobRefresh))))
            ),
            .script(.attribute(named: "type", value: "module"), .src(SiteURL.progressScript.path))
        )
    }
}
