@testable import App
import Fluent
import Foundation
import Jobs
import Testing
import Vapor
import WhatsAppCloud
import WhatsAppSimulator

/// Drip sequences end to end against the Graph API simulator, on the test clock: each step after its
/// delay, once per contact; free text only while the customer's window is open; the send window in the
/// organization's time zone; leaving on a reply, an opt-out or the exit tag; enrolment when a tag is
/// added; statistics per step; and the messages in the contacts' conversations.
@Suite struct DripTests {
    static func json(
        _ harness: WhatsAppHarness, enrolTag: UUID?, onTagAdded: Bool = false, exitOnReply: Bool = true, exitTag: UUID? = nil,
        window: String = "null", steps: String
    ) -> String {
        """
        {"name":"Welkom","connection_id":"\(harness.connectionID)",
         "enrolment":{"tag_id":\(enrolTag.map { "\"\($0)\"" } ?? "null"),"on_tag_added":\(onTagAdded)},
         "exit":{"on_reply":\(exitOnReply),"tag_id":\(exitTag.map { "\"\($0)\"" } ?? "null")},
         "window":\(window),"steps":\(steps)}
        """
    }

    static let templateStep =
        #"{"delay_minutes":%d,"template_name":"winter_sale","template_language":"nl","message":{"body":[{"source":"name","fallback":"klant"},{"source":"text","text":"10%%"}]}}"#

    static func templateStep(after minutes: Int) -> String { String(format: templateStep, minutes) }

    static func create(_ harness: WhatsAppHarness, _ json: String) async throws -> DripsAPIController.DripBody {
        let response = try await harness.owner.api(.POST, "/api/v1/drips", json: json)
        #expect(response.status == .created, "\(response.body.string)")
        return try response.content.decode(DripsAPIController.DripBody.self)
    }

    static func show(_ harness: WhatsAppHarness, _ id: UUID) async throws -> DripsAPIController.DripBody {
        try await harness.owner.api(.GET, "/api/v1/drips/\(id)").content.decode(DripsAPIController.DripBody.self)
    }

    static func activate(_ harness: WhatsAppHarness, _ id: UUID) async throws {
        let response = try await harness.owner.api(.POST, "/api/v1/drips/\(id)/activate")
        #expect(response.status == .ok, "\(response.body.string)")
        try await harness.runJobsUntilIdle()
    }

    /// What the every-minute schedule does: one advance run, and the sends it queues.
    static func tick(_ harness: WhatsAppHarness) async throws {
        try await harness.test.app.backgroundJobs.store(harness.db, harness.test.app.context).enqueue(AdvanceDrips.job())
        try await harness.runJobsUntilIdle()
    }

    static func sent(_ harness: WhatsAppHarness, to waID: String) -> [String] {
        harness.simulator.sentMessages.filter { $0.to == waID }.map(\.type)
    }

    @Test func eachStepReachesEachContactOnceAfterItsDelayAndTextOnlyInAnOpenWindow() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000811")
            try await CampaignTests.contact(harness, "Bram", phone: "+31612000812")
            try await CampaignTests.contact(harness, "Not tagged", phone: "+31612000813", tags: [])
            let steps = "[\(Self.templateStep(after: 0)),{\"delay_minutes\":60,\"text\":\"Nog vragen?\"},\(Self.templateStep(after: 1440))]"
            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, exitOnReply: false, steps: steps))
            #expect(drip.status == "draft" && drip.steps.map(\.position) == [1, 2, 3])

            try await Self.activate(harness, drip.id)
            #expect(Self.sent(harness, to: "31612000811") == ["template"] && Self.sent(harness, to: "31612000812") == ["template"])
            #expect(Self.sent(harness, to: "31612000813").isEmpty)
            let first = try #require(harness.simulator.sentMessages.first { $0.to == "31612000811" })
            #expect("\(first.json)".contains("Anna"), "the template's {{1}} is the contact's name")

            // Anna writes in, so her window is open for step 2's free text; Bram's is not.
            _ = try await harness.stored(try await harness.customer("31612000811", name: "Anna").sendText("Leuk!"))
            harness.clock.advance(by: 30 * 60)
            try await Self.tick(harness)
            #expect(Self.sent(harness, to: "31612000811").count == 1, "step 2 waits its hour")
            harness.clock.advance(by: 31 * 60)
            try await Self.tick(harness)
            #expect(Self.sent(harness, to: "31612000811") == ["template", "text"])
            #expect(Self.sent(harness, to: "31612000812") == ["template"], "Bram's window is closed: the text is skipped")

            harness.clock.advance(by: 24 * 3600)
            try await Self.tick(harness)
            try await Self.tick(harness)
            #expect(Self.sent(harness, to: "31612000811") == ["template", "text", "template"])
            #expect(Self.sent(harness, to: "31612000812") == ["template", "template"])

            let statistics = try await Self.show(harness, drip.id).statistics
            #expect(statistics.enrolled == 2 && statistics.completed == 2 && statistics.active == 0)
            #expect(statistics.steps.map(\.sent) == [2, 1, 2] || statistics.steps.map { $0.sent + $0.queued } == [2, 1, 2])
            #expect(statistics.steps[1].skipped == 1 && statistics.steps[1].skips == ["window_closed": 1])

            // The messages are in the contacts' conversations; Bram's was opened by the sequence, resolved.
            let bram = try #require(try await harness.conversation(with: "31612000812"))
            #expect(bram.status == .resolved)
            #expect(try await harness.scope.query(Message.self).filter(\.$conversation.$id == bram.requireID()).count() == 2)
        }
    }

    @Test func contactsLeaveOnAReplyAnOptOutOrTheExitTag() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let stop = try await CampaignTests.tag(harness, "Klant geworden")
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000821")
            let bram = try await CampaignTests.contact(harness, "Bram", phone: "+31612000822")
            let cas = try await CampaignTests.contact(harness, "Cas", phone: "+31612000823")
            try await CampaignTests.contact(harness, "Dirk", phone: "+31612000824")
            let steps = "[\(Self.templateStep(after: 0)),\(Self.templateStep(after: 60))]"
            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, exitTag: stop, steps: steps))
            try await Self.activate(harness, drip.id)
            #expect(harness.simulator.sentMessages.count == 4)

            harness.clock.advance(by: 60)
            _ = try await harness.stored(try await harness.customer("31612000821", name: "Anna").sendText("Stop maar"))
            #expect(try await harness.owner.api(.PATCH, "/api/v1/contacts/\(bram)", json: #"{"marketing_status":"opted_out"}"#).status == .ok)
            #expect(try await harness.owner.api(.PATCH, "/api/v1/contacts/\(cas)", json: #"{"tags":["Winter","Klant geworden"]}"#).status == .ok)
            harness.clock.advance(by: 60 * 60)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.map(\.to).filter { $0 == "31612000824" }.count == 2, "only Dirk gets step 2")
            #expect(harness.simulator.sentMessages.count == 5, "\(harness.simulator.sentMessages.map { ($0.to, $0.type) })")

            let statistics = try await Self.show(harness, drip.id).statistics
            #expect(statistics.exits == ["replied": 1, "opted_out": 1, "exit_tag": 1] && statistics.completed == 1, "\(statistics)")
        }
    }

    @Test func theSendWindowHoldsAStepUntilItOpensInTheOrganizationsTimeZone() async throws {
        try await WhatsAppHarness.run { harness in
            // The test clock starts on Wednesday 23 December 2026, 05:26 in Amsterdam.
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000831")
            let window = #"{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:00"}"#
            let steps = "[\(Self.templateStep(after: 0)),\(Self.templateStep(after: 3 * 1440))]"
            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, window: window, steps: steps))
            #expect(drip.window.days == ["mon", "tue", "wed", "thu", "fri"] && drip.window.start == "09:00" && drip.window.end == "17:00")
            try await Self.activate(harness, drip.id)
            #expect(harness.simulator.sentMessages.isEmpty, "05:26 is before the window")
            let enrolment = try #require(try await harness.scope.query(DripEnrolment.self).first())
            #expect(enrolment.nextAt == Date(timeIntervalSince1970: 1_798_012_800), "Wednesday 09:00 in Amsterdam is 08:00 UTC")

            harness.clock.advance(by: 1_798_012_800 - 1_798_000_000 + 1)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.count == 1)
            // Step 2 is due on Saturday: it waits for Monday 28 December, 09:00.
            harness.clock.advance(by: 3 * 86400)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.count == 1)
            let waiting = try #require(try await harness.scope.query(DripEnrolment.self).first())
            #expect(waiting.nextAt == Date(timeIntervalSince1970: 1_798_012_800 + 5 * 86400))
        }
    }

    @Test func aContactGivenTheTagLaterIsEnrolledOnce() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000841")
            let bram = try await CampaignTests.contact(harness, "Bram", phone: "+31612000842", tags: [])
            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, onTagAdded: true, steps: "[\(Self.templateStep(after: 0))]"))
            try await Self.activate(harness, drip.id)
            #expect(harness.simulator.sentMessages.map(\.to) == ["31612000841"])

            harness.clock.advance(by: 60)
            #expect(try await harness.owner.api(.PATCH, "/api/v1/contacts/\(bram)", json: #"{"tags":["Winter"]}"#).status == .ok)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.map(\.to) == ["31612000841", "31612000842"])
            // Taking the tag off and on again does not enrol a second time.
            harness.clock.advance(by: 60)
            #expect(try await harness.owner.api(.PATCH, "/api/v1/contacts/\(bram)", json: #"{"tags":[]}"#).status == .ok)
            #expect(try await harness.owner.api(.PATCH, "/api/v1/contacts/\(bram)", json: #"{"tags":["Winter"]}"#).status == .ok)
            harness.clock.advance(by: 60)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.count == 2)
            #expect(try await Self.show(harness, drip.id).statistics.enrolled == 2)
        }
    }

    /// Two workers reaching the same due contact at once send one message: the enrolment's row lock
    /// and the unique delivery record.
    @Test func aStepIsSentAtMostOnceWhenTwoRunsMeet() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000851")
            let steps = "[\(Self.templateStep(after: 10)),\(Self.templateStep(after: 60))]"
            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, steps: steps))
            try await Self.activate(harness, drip.id)
            harness.clock.advance(by: 11 * 60)
            let enrolment = try #require(try await harness.scope.query(DripEnrolment.self).first()?.id)
            let jobs = harness.test.app.backgroundJobs.store(harness.db, harness.test.app.context)
            let now = harness.clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await DripStepper(scope: harness.scope, jobs: jobs, inboxWakeUp: Signal(), now: now, logger: Logger(label: "test")).advance(
                            enrolment)
                    }
                }
                try await group.waitForAll()
            }
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.count == 1)
            #expect(try await harness.scope.query(DripDelivery.self).count() == 1)
            #expect(try await harness.scope.find(DripEnrolment.self, enrolment)?.nextPosition == 2)
        }
    }

    @Test func aSequenceIsCheckedAndItsStepsChangeOnlyAsADraft() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            for (json, field) in [
                (
                    Self.json(
                        harness, enrolTag: tag, steps: "[" + Array(repeating: #"{"delay_minutes":0,"text":"Hoi"}"#, count: 21).joined(separator: ",") + "]"),
                    "steps"
                ),
                (Self.json(harness, enrolTag: tag, steps: #"[{"delay_minutes":-1,"text":"Hoi"}]"#), "steps[0].delay_minutes"),
                (Self.json(harness, enrolTag: tag, steps: #"[{"delay_minutes":0}]"#), "steps[0]"),
                (
                    Self.json(harness, enrolTag: tag, steps: #"[{"delay_minutes":0,"template_name":"missing","template_language":"nl"}]"#),
                    "steps[0].template_name"
                ),
                (
                    Self.json(
                        harness, enrolTag: tag, steps: #"[{"delay_minutes":0,"template_name":"winter_sale","template_language":"nl","message":{"body":[]}}]"#),
                    "steps[0].message.body"
                ),
                (Self.json(harness, enrolTag: tag, window: #"{"start":"25:00","end":"17:00"}"#, steps: "[\(Self.templateStep(after: 0))]"), "window.start"),
                (Self.json(harness, enrolTag: tag, window: #"{"start":"17:00","end":"09:00"}"#, steps: "[\(Self.templateStep(after: 0))]"), "window"),
                (Self.json(harness, enrolTag: tag, window: #"{"days":["someday"]}"#, steps: "[\(Self.templateStep(after: 0))]"), "window.days"),
                (Self.json(harness, enrolTag: UUID(), steps: "[\(Self.templateStep(after: 0))]"), "enrolment.tag_id"),
                (Self.json(harness, enrolTag: nil, onTagAdded: true, steps: "[\(Self.templateStep(after: 0))]"), "enrolment.on_tag_added"),
            ] {
                let response = try await harness.owner.api(.POST, "/api/v1/drips", json: json)
                #expect(response.status == .badRequest && response.body.string.contains(field), "\(field): \(response.body.string)")
            }
            #expect(try await harness.scope.query(DripSequence.self).count() == 0, "nothing half-saved")

            let drip = try await Self.create(harness, Self.json(harness, enrolTag: tag, steps: "[\(Self.templateStep(after: 0))]"))
            let changed = try await harness.owner.api(
                .PATCH, "/api/v1/drips/\(drip.id)",
                json: Self.json(harness, enrolTag: tag, steps: #"[{"delay_minutes":5,"text":"Hoi"},{"delay_minutes":5,"text":"Doei"}]"#))
            #expect(changed.status == .ok)
            #expect(try changed.content.decode(DripsAPIController.DripBody.self).steps.map(\.text) == ["Hoi", "Doei"])
            try await Self.activate(harness, drip.id)
            let refused = try await harness.owner.api(
                .PATCH, "/api/v1/drips/\(drip.id)", json: Self.json(harness, enrolTag: tag, steps: #"[{"delay_minutes":5,"text":"X"}]"#))
            #expect(refused.status == .conflict)
            #expect(try await harness.owner.api(.DELETE, "/api/v1/drips/\(drip.id)").status == .conflict, "pause it first")
            #expect(try await harness.owner.api(.POST, "/api/v1/drips/\(drip.id)/pause").status == .ok)
            #expect(try await harness.owner.api(.DELETE, "/api/v1/drips/\(drip.id)").status == .noContent)
            #expect(try await harness.scope.query(DripStep.self).count() == 0)
        }
    }

    @Test func aPausedSequenceSendsNothingUntilItIsActivatedAgain() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000861")
            let drip = try await Self.create(
                harness, Self.json(harness, enrolTag: tag, steps: "[\(Self.templateStep(after: 0)),\(Self.templateStep(after: 60))]"))
            try await Self.activate(harness, drip.id)
            #expect(try await harness.owner.api(.POST, "/api/v1/drips/\(drip.id)/pause").status == .ok)
            harness.clock.advance(by: 2 * 3600)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.count == 1)
            try await Self.activate(harness, drip.id)
            #expect(harness.simulator.sentMessages.count == 2)
            #expect(try await Self.show(harness, drip.id).statistics.enrolled == 1, "activating again enrols nobody twice")
        }
    }

    @Test func theSendWindowFindsItsNextOpening() throws {
        let amsterdam = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        let window = DripSendWindow(days: .weekdays, startMinute: 540, endMinute: 1020)
        func local(_ text: String) throws -> Date {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = amsterdam
            formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
            return try #require(formatter.date(from: text))
        }
        #expect(window.nextOpening(atOrAfter: try local("2026-12-23T10:00:00"), in: amsterdam) == (try local("2026-12-23T10:00:00")))
        #expect(window.nextOpening(atOrAfter: try local("2026-12-23T17:00:00"), in: amsterdam) == (try local("2026-12-24T09:00:00")))
        #expect(window.nextOpening(atOrAfter: try local("2026-12-25T16:59:00"), in: amsterdam) == (try local("2026-12-25T16:59:00")))
        #expect(window.nextOpening(atOrAfter: try local("2026-12-26T09:30:00"), in: amsterdam) == (try local("2026-12-28T09:00:00")))
        // Across the change to summer time (29 March 2026), 09:00 stays 09:00 on the wall clock.
        #expect(window.nextOpening(atOrAfter: try local("2026-03-28T12:00:00"), in: amsterdam) == (try local("2026-03-30T09:00:00")))
        #expect(DripSendWindow.always.nextOpening(atOrAfter: try local("2026-12-26T03:00:00"), in: amsterdam) == (try local("2026-12-26T03:00:00")))
        #expect(throws: CampaignProblem.self) { try DripSendWindow(days: [], startMinute: nil, endMinute: nil).check() }
    }
}

extension DripTests {
    /// Meta's messaging limit holds a template step for a customer the business has not reached in the
    /// last 24 hours; one it reached already (by a campaign or the inbox) still gets it.
    @Test func theMessagingLimitHoldsTemplateStepsForNewCustomers() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            try await CampaignTests.setMessagingLimit(harness, to: 2)
            let tag = try await CampaignTests.tag(harness)
            for index in 1...3 { try await CampaignTests.contact(harness, "Klant \(index)", phone: "+3161200087\(index)") }
            let drip = try await Self.create(
                harness, Self.json(harness, enrolTag: tag, steps: "[\(Self.templateStep(after: 0)),\(Self.templateStep(after: 60))]"))
            try await Self.activate(harness, drip.id)
            #expect(harness.simulator.sentMessages.count == 2, "two different customers a day")
            let held = try #require(try await harness.scope.query(DripEnrolment.self).filter(\.$nextPosition == 1).first())
            #expect(held.nextAt > harness.clock.now)

            // An hour later the two reached get step 2; the third still waits for the window to move.
            harness.clock.advance(by: 61 * 60)
            try await Self.tick(harness)
            #expect(harness.simulator.sentMessages.count == 4)
            harness.clock.advance(by: 24 * 3600)
            try await Self.tick(harness)
            try await Self.tick(harness)
            #expect(Set(harness.simulator.sentMessages.map(\.to)).count == 3)
        }
    }
}
