@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

/// Attacks on campaigns: another organization's campaign is not found, whatever the action; a
/// campaign cannot be aimed at another organization's contacts, tags, segments or numbers; agents
/// and viewers read campaigns but cannot create or start them; the plan's limit is told before a start.
@Suite struct CampaignAccessTests {
    @Test func anotherOrganizationsCampaignIsNotFoundWhateverTheAction() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let anna = try await CampaignTests.contact(harness, "Anna", phone: "+31612000871")
            let campaign = try await CampaignTests.create(harness, tag: tag)
            let other = try await harness.test.signUp(name: "Mallory", organization: "Elders", email: "mallory@elders.example")

            for (method, path) in [
                (HTTPMethod.GET, ""), (.PATCH, ""), (.POST, "/start"), (.POST, "/pause"), (.POST, "/resume"), (.POST, "/cancel"),
                (.GET, "/preview?contact_id=\(anna)"), (.GET, "/recipients/export"),
            ] {
                let response = try await other.api(method, "/api/v1/campaigns/\(campaign.id)\(path)", json: method == .PATCH ? "{}" : nil)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status)")
            }
            let listed = try await other.api(.GET, "/api/v1/campaigns")
            #expect(listed.status == .ok && !listed.body.string.contains(campaign.id.uuidString))
            #expect(try await CampaignTests.show(harness, campaign.id).status == "draft")

            // Mallory's own campaign cannot name our tag, contact or number.
            let elders = try await harness.test.organization(named: "Elders").requireID()
            let ours = CampaignTests.campaignJSON(harness, tag: tag)
            let created = try await other.api(.POST, "/api/v1/campaigns", json: ours)
            #expect(created.status == .badRequest, "our number is not theirs")
            #expect(try await Campaign.query(on: harness.db).filter(\.$organizationID == elders).count() == 0)
        }
    }

    @Test func aCampaignCannotAimAtAnotherOrganizationsContactsTagsOrSegments() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let theirs = try await harness.test.signUp(name: "Mallory", organization: "Elders", email: "mallory@elders.example")
            let theirContact = try await theirs.api(.POST, "/api/v1/contacts", json: #"{"name":"Victim","phone":"+31612000872"}"#)
            let contactID = try theirContact.content.decode(ContactsAPIController.ContactBody.self).id
            let theirTag = try await theirs.api(.POST, "/api/v1/tags", json: #"{"name":"Theirs"}"#)
            #expect(theirTag.status == .created)
            let theirTagID = try #require(try await App.Tag.query(on: harness.db).filter(\.$name == "Theirs").first()?.id)
            let theirSegment = try await theirs.api(.POST, "/api/v1/segments", json: #"{"name":"All","filter":{}}"#)
            let segmentID = try theirSegment.content.decode(SegmentsAPIController.SegmentBody.self).id

            let base = CampaignTests.campaignJSON(harness, tag: tag)
            for (audience, field) in [
                (#"{"contact_ids":["\#(contactID)"]}"#, "contact_ids"), (#"{"tag_ids":["\#(theirTagID)"]}"#, "tag_ids"),
                (#"{"segment_id":"\#(segmentID)"}"#, "segment_id"),
            ] {
                let json = base.replacingOccurrences(of: #"{"tag_ids":["\#(tag)"]}"#, with: audience)
                let response = try await harness.owner.api(.POST, "/api/v1/campaigns", json: json)
                #expect(response.status == .badRequest && response.body.string.contains(field), "\(field): \(response.body.string)")
            }
            #expect(try await harness.scope.query(Campaign.self).count() == 0)
        }
    }

    @Test func agentsAndViewersReadCampaignsButCannotCreateOrStartThem() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000873")
            let campaign = try await CampaignTests.create(harness, tag: tag)
            for role in [Role.agent, .viewer] {
                let email = "\(role.rawValue)@bakkerij.example"
                let member = try await harness.test.signUp(name: "Member", organization: "Own of \(email)", email: email)
                _ = try await harness.test.addMember(email: email, to: harness.organizationID, role: role)
                _ = try await member.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
                #expect(try await member.api(.GET, "/api/v1/campaigns/\(campaign.id)").status == .ok)
                #expect(try await member.api(.POST, "/api/v1/campaigns", json: CampaignTests.campaignJSON(harness, tag: tag)).status == .forbidden)
                #expect(try await member.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .forbidden)
                #expect(try await member.api(.GET, "/api/v1/campaigns/\(campaign.id)/recipients/export").status == .forbidden)
            }
            try await harness.runJobsUntilIdle()
            #expect(CampaignTests.sent(harness).isEmpty)
        }
    }

    @Test func aStartBeyondThePlansMonthlyMessagesIsRefusedWithTheNumbers() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let organization = try #require(try await Organization.find(harness.organizationID, on: harness.db))
            organization.planMonthlyMessages = 2
            try await organization.save(on: harness.db)
            let tag = try await CampaignTests.tag(harness)
            for index in 0..<3 { try await CampaignTests.contact(harness, "Klant \(index)", phone: "+3161200088\(index)") }
            let campaign = try await CampaignTests.create(harness, tag: tag)
            let refused = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start")
            #expect(refused.status == .paymentRequired)
            #expect(refused.body.string.contains("2 campaign messages a month") && refused.body.string.contains("3 more"))
            #expect(try await CampaignTests.show(harness, campaign.id).status == "draft")

            organization.planContactLimit = 2
            organization.planMonthlyMessages = nil
            try await organization.save(on: harness.db)
            let tooManyContacts = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start")
            #expect(tooManyContacts.status == .paymentRequired && tooManyContacts.body.string.contains("allows 2 contacts"))
            try await harness.runJobsUntilIdle()
            #expect(CampaignTests.sent(harness).isEmpty)
        }
    }
}
