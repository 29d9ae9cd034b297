@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

/// The campaign pages as a member uses them: the two-step form, the draft's preview, sending, the
/// numbers and chart once sent, and the same in Dutch; a contact's name never becomes markup;
/// agents see campaigns without their actions.
@Suite struct CampaignPagesTests {
    @Test func anOwnerCreatesPreviewsAndSendsACampaignOnThePages() async throws {
        try await WhatsAppHarness.run(statusCallbacks: StatusCallbacks(sentAfter: 0, deliveredAfter: 0, readAfter: 0)) { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000891")
            harness.clock.advance(by: 1)  // the audience goes oldest first: Anna is the preview's contact
            try await CampaignTests.contact(harness, "<script>alert(1)</script>", phone: "+31612000892")

            let empty = try await harness.owner.get("/campaigns")
            #expect(empty.status == .ok && empty.body.string.contains("No campaigns yet"))
            let stepOne = try await harness.owner.get("/campaigns/new")
            #expect(stepOne.status == .ok && stepOne.body.string.contains("winter_sale (nl, marketing)"))
            #expect(!stepOne.body.string.contains("id=\"campaign-form\""), "the variables come after the template is chosen")
            let stepTwo = try await harness.owner.get("/campaigns/new?connection_id=\(harness.connectionID)&template=winter_sale%7Cnl")
            #expect(stepTwo.body.string.contains("id=\"campaign-form\"") && stepTwo.body.string.contains("Variable {{2}} in the text"))

            let missingName = try await harness.owner.post(
                "/campaigns/new", ["connection_id": harness.connectionID.uuidString, "template": "winter_sale|nl", "tag": tag.uuidString])
            #expect(missingName.status == .unprocessableEntity && missingName.body.string.contains("name: needs 1 to 100 characters"))

            let created = try await harness.owner.post(
                "/campaigns/new",
                [
                    "name": "Winter sale", "connection_id": harness.connectionID.uuidString, "template": "winter_sale|nl", "tag": tag.uuidString,
                    "body0_source": "name", "body0_fallback": "klant", "body1_source": "text", "body1_text": "20%",
                ])
            #expect(created.status == .seeOther, "\(created.body.string.prefix(2000))")
            let location = try #require(created.headers.first(name: .location))
            let page = try await harness.owner.get(location)
            #expect(page.body.string.contains("The campaign is saved as a draft"))
            #expect(page.body.string.contains("Hoi Anna, 20% korting!"), "the preview shows the first contact's message")

            let campaignID = try #require(try await harness.scope.query(Campaign.self).first()?.id)
            let start = try await harness.owner.post("/campaigns/\(campaignID)/start", ["send_at": ""])
            #expect(start.status == .seeOther)
            try await harness.eventually("sent and read") { try await CampaignStatistics.of(campaignID, in: harness.scope).read == 2 }
            let done = try await harness.owner.get("/campaigns/\(campaignID)")
            #expect(done.body.string.contains("Finished") && done.body.string.contains("data-testid=\"campaign-chart\""))
            #expect(!done.body.string.contains("<script>alert(1)"), "a contact's name is text, never markup")
            #expect(done.body.string.contains("/campaigns/\(campaignID)/recipients.csv"))
            let export = try await harness.owner.get("/campaigns/\(campaignID)/recipients.csv")
            #expect(export.status == .ok && export.body.string.contains("+31612000891"))

            #expect(try await harness.owner.post("/language", ["language": "nl", "return_to": "/campaigns"]).status == .seeOther)
            let dutch = harness.owner
            let nl = try await dutch.get("/campaigns/\(campaignID)")
            #expect(nl.body.string.contains("Afgerond") && nl.body.string.contains("Gelezen") && nl.body.string.contains("Berichten in de tijd"))
            let list = try await dutch.get("/campaigns")
            #expect(list.body.string.contains("Winter sale") && list.body.string.contains("Campagnes"))
            // A finished campaign offers no actions.
            #expect(!done.body.string.contains("/campaigns/\(campaignID)/pause") && !done.body.string.contains("/campaigns/\(campaignID)/cancel"))
        }
    }

    @Test func anActionTheStatusDoesNotAllowIsExplainedOnThePage() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000893")
            let campaign = try await CampaignTests.create(harness, tag: tag)
            _ = try await harness.owner.get("/campaigns/\(campaign.id)")
            let pause = try await harness.owner.post("/campaigns/\(campaign.id)/pause")
            #expect(pause.status == .conflict && pause.body.string.contains("A campaign that is draft cannot be paused."))
            let badTime = try await harness.owner.post("/campaigns/\(campaign.id)/start", ["send_at": "soon"])
            #expect(badTime.status == .unprocessableEntity && badTime.body.string.contains("send_at"))
            #expect(try await CampaignTests.show(harness, campaign.id).status == "draft")
        }
    }

    @Test func agentsSeeCampaignsWithoutTheirActions() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000894")
            let campaign = try await CampaignTests.create(harness, tag: tag)
            let email = "agent@bakkerij.example"
            let agent = try await harness.test.signUp(name: "Agent", organization: "Own of agent", email: email)
            _ = try await harness.test.addMember(email: email, to: harness.organizationID, role: .agent)
            _ = try await agent.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
            let page = try await agent.get("/campaigns/\(campaign.id)")
            #expect(page.status == .ok && !page.body.string.contains("id=\"campaign-actions\""))
            #expect(!(try await agent.get("/campaigns")).body.string.contains("/campaigns/new"))
            #expect(try await agent.get("/campaigns/new").status == .forbidden)
            #expect(try await agent.post("/campaigns/\(campaign.id)/start", ["send_at": ""]).status == .forbidden)
            #expect(try await agent.get("/campaigns/\(campaign.id)/recipients.csv").status == .forbidden)
        }
    }
}
