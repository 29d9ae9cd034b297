@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

/// The drip pages as a member uses them: the settings form, adding a template step and a free-text
/// step, activating, the numbers per step once sent, and the same in Dutch; refusals explained on the
/// page; agents see sequences without their actions; another organization's sequence is not found on
/// any route; forms need their CSRF token.
@Suite struct DripPagesTests {
    @Test func anOwnerBuildsAndActivatesASequenceOnThePages() async throws {
        try await WhatsAppHarness.run(statusCallbacks: StatusCallbacks(sentAfter: 0, deliveredAfter: 0, readAfter: 0)) { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "<script>alert(1)</script>", phone: "+31612000881")

            let campaigns = try await harness.owner.get("/campaigns")
            #expect(campaigns.body.string.contains("href=\"/drips\""))
            let empty = try await harness.owner.get("/drips")
            #expect(empty.status == .ok && empty.body.string.contains("No drip sequences yet"))
            #expect(try await harness.owner.get("/drips/new").status == .ok)

            let settings: [(String, String)] = [
                ("name", "Welkom"), ("connection_id", harness.connectionID.uuidString), ("tag_id", tag.uuidString), ("exit_on_reply", "1"),
                ("day", "mon"), ("day", "tue"), ("day", "wed"), ("day", "thu"), ("day", "fri"), ("start", "09:00"), ("end", "17:00"),
            ]
            let badWindow = try await harness.owner.post("/drips/new", pairs: settings.filter { $0.0 != "end" })
            #expect(badWindow.status == .unprocessableEntity && badWindow.body.string.contains("give both a start and an end time"))
            #expect(badWindow.body.string.contains("value=\"Welkom\""), "what was typed stays")
            let created = try await harness.owner.post("/drips/new", pairs: settings)
            #expect(created.status == .seeOther, "\(created.body.string.prefix(1500))")
            let location = try #require(created.headers.first(name: .location))
            let dripID = try #require(try await harness.scope.query(DripSequence.self).first()?.id)
            let draft = try await harness.owner.get(location)
            #expect(draft.body.string.contains("The drip sequence is saved") && draft.body.string.contains("Mon, Tue, Wed, Thu, Fri, 09:00 to 17:00"))
            #expect(draft.body.string.contains("No steps yet") && !draft.body.string.contains("/drips/\(dripID)/activate"))

            let choose = try await harness.owner.get("/drips/\(dripID)?step=winter_sale%7Cnl")
            #expect(choose.body.string.contains("id=\"drip-step-form\"") && choose.body.string.contains("Variable {{2}} in the text"))
            let badDelay = try await harness.owner.post(
                "/drips/\(dripID)/steps", ["step": "winter_sale|nl", "delay_amount": "soon", "delay_unit": "days"])
            #expect(badDelay.status == .unprocessableEntity && badDelay.body.string.contains("step.delay"))
            let template = try await harness.owner.post(
                "/drips/\(dripID)/steps",
                [
                    "step": "winter_sale|nl", "delay_amount": "0", "delay_unit": "minutes", "body0_source": "name", "body0_fallback": "klant",
                    "body1_source": "text", "body1_text": "15%",
                ])
            #expect(template.status == .seeOther, "\(template.body.string.prefix(1500))")
            let text = try await harness.owner.post(
                "/drips/\(dripID)/steps", ["step": "text", "delay_amount": "2", "delay_unit": "days", "text": "Nog vragen?"])
            #expect(text.status == .seeOther)
            let steps = try await harness.owner.get("/drips/\(dripID)")
            #expect(steps.body.string.contains("winter_sale (nl)") && steps.body.string.contains("after 2 days") && steps.body.string.contains("Nog vragen?"))

            // A removed step's place is taken by the next.
            let extra = try await harness.owner.post("/drips/\(dripID)/steps", ["step": "text", "delay_amount": "1", "delay_unit": "hours", "text": "Weg"])
            #expect(extra.status == .seeOther)
            let weg = try #require(try await harness.scope.query(DripStep.self).filter(\.$text == "Weg").first()?.id)
            #expect(try await harness.owner.post("/drips/\(dripID)/steps/delete", ["step_id": weg.uuidString]).status == .seeOther)
            #expect(try await harness.scope.query(DripStep.self).sort(\.$position).all().map(\.position) == [1, 2])

            // 05:26 on a Wednesday in Amsterdam: the window opens at 09:00.
            #expect(try await harness.owner.post("/drips/\(dripID)/activate").status == .seeOther)
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.isEmpty)
            harness.clock.advance(by: 4 * 3600)
            try await DripTests.tick(harness)
            try await harness.eventually("read") { try await DripTests.show(harness, dripID).statistics.steps.first?.read == 1 }
            let active = try await harness.owner.get("/drips/\(dripID)")
            #expect(active.body.string.contains("data-testid=\"drip-chart\"") && active.body.string.contains("/drips/\(dripID)/pause"))
            #expect(!active.body.string.contains("<script>alert(1)"), "a contact's name is text, never markup")
            #expect(!active.body.string.contains("id=\"drip-add-step\""), "an active sequence keeps its steps")
            let refused = try await harness.owner.post("/drips/\(dripID)/steps", ["step": "text", "delay_amount": "1", "delay_unit": "days", "text": "Laat"])
            #expect(refused.status == .conflict && refused.body.string.contains("A sequence that is active cannot be changed."))

            #expect(try await harness.owner.post("/language", ["language": "nl", "return_to": "/drips"]).status == .seeOther)
            let dutch = try await harness.owner.get("/drips/\(dripID)")
            #expect(dutch.body.string.contains("Berichten per stap") && dutch.body.string.contains("ma, di, wo, do, vr, 09:00 tot 17:00"))
            let list = try await harness.owner.get("/drips")
            #expect(list.body.string.contains("Drip-reeksen") && list.body.string.contains("Welkom"))

            #expect(try await harness.owner.post("/drips/\(dripID)/pause").status == .seeOther)
            let deleted = try await harness.owner.post("/drips/\(dripID)/delete")
            #expect(deleted.status == .seeOther && deleted.headers.first(name: .location) == "/drips?notice=deleted")
            #expect(try await harness.scope.query(DripSequence.self).count() == 0)
            #expect(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).count() == 1, "what was sent stays in the conversation")
        }
    }

    @Test func agentsSeeSequencesWithoutTheirActionsAndOutsidersFindNothing() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let drip = try await DripTests.create(harness, DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]"))
            let stepID = try #require(drip.steps.first?.id)

            let email = "agent@bakkerij.example"
            let agent = try await harness.test.signUp(name: "Agent", organization: "Own of agent", email: email)
            _ = try await harness.test.addMember(email: email, to: harness.organizationID, role: .agent)
            _ = try await agent.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
            let seen = try await agent.get("/drips/\(drip.id)")
            #expect(seen.status == .ok && !seen.body.string.contains("/drips/\(drip.id)/activate") && !seen.body.string.contains("drip-add-step"))
            #expect(try await agent.post("/drips/\(drip.id)/activate").status == .forbidden)
            #expect(try await agent.get("/drips/new").status == .forbidden)

            let mallory = try await harness.test.signUp(name: "Mallory", organization: "Elders", email: "mallory@elders.example")
            _ = try await mallory.get("/drips")
            for path in ["", "/edit"] {
                #expect(try await mallory.get("/drips/\(drip.id)\(path)").status == .notFound, "GET \(path)")
            }
            for (path, fields) in [
                ("/edit", ["name": "Mine"]), ("/activate", [:]), ("/pause", [:]), ("/delete", [:]),
                ("/steps", ["step": "text", "delay_amount": "0", "delay_unit": "days", "text": "Hoi"]), ("/steps/delete", ["step_id": stepID.uuidString]),
            ] {
                #expect(try await mallory.post("/drips/\(drip.id)\(path)", fields).status == .notFound, "POST \(path)")
            }
            #expect(!(try await mallory.get("/drips")).body.string.contains(drip.id.uuidString))

            // Without the form's token nothing changes.
            _ = try await harness.owner.get("/drips/\(drip.id)")
            #expect(try await harness.owner.post("/drips/\(drip.id)/activate", csrf: "forged").status == .forbidden)
            #expect(try await harness.owner.post("/drips/\(drip.id)/delete", includeCSRF: false).status == .forbidden)
            let unchanged = try await DripTests.show(harness, drip.id)
            #expect(unchanged.status == "draft" && unchanged.steps.count == 1)
        }
    }
}
