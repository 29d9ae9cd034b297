@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

/// Attacks on the drips API: another organization's sequence is not found, whatever the action; a
/// sequence cannot enrol from, or exit on, another organization's tags or segments, nor send from its
/// number; agents and viewers read sequences but cannot create or activate them.
@Suite struct DripAccessTests {
    @Test func anotherOrganizationsSequenceIsNotFoundWhateverTheAction() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let json = DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]")
            let drip = try await DripTests.create(harness, json)
            let other = try await harness.test.signUp(name: "Mallory", organization: "Elders", email: "mallory@elders.example")
            for (method, path) in [(HTTPMethod.GET, ""), (.PATCH, ""), (.DELETE, ""), (.POST, "/activate"), (.POST, "/pause")] {
                let response = try await other.api(method, "/api/v1/drips/\(drip.id)\(path)", json: method == .PATCH ? json : nil)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status)")
            }
            let listed = try await other.api(.GET, "/api/v1/drips")
            #expect(listed.status == .ok && !listed.body.string.contains(drip.id.uuidString))
            let ours = try await other.api(.POST, "/api/v1/drips", json: json)
            #expect(ours.status == .badRequest, "our number and tag are not theirs")
            let elders = try await harness.test.organization(named: "Elders").requireID()
            #expect(try await DripSequence.query(on: harness.db).filter(\.$organizationID == elders).count() == 0)
            #expect(try await DripTests.show(harness, drip.id).status == "draft")
        }
    }

    @Test func aSequenceCannotUseAnotherOrganizationsTagsOrSegments() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            let theirs = try await harness.test.signUp(name: "Mallory", organization: "Elders", email: "mallory@elders.example")
            #expect(try await theirs.api(.POST, "/api/v1/tags", json: #"{"name":"Theirs"}"#).status == .created)
            let theirTag = try #require(try await App.Tag.query(on: harness.db).filter(\.$name == "Theirs").first()?.id)
            let theirSegment = try await theirs.api(.POST, "/api/v1/segments", json: #"{"name":"All","filter":{}}"#)
            let segmentID = try theirSegment.content.decode(SegmentsAPIController.SegmentBody.self).id
            let base = DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]")
            for (json, field) in [
                (DripTests.json(harness, enrolTag: theirTag, steps: "[\(DripTests.templateStep(after: 0))]"), "enrolment.tag_id"),
                (DripTests.json(harness, enrolTag: tag, exitTag: theirTag, steps: "[\(DripTests.templateStep(after: 0))]"), "exit.tag_id"),
                (base.replacingOccurrences(of: #""enrolment":{"#, with: #""enrolment":{"segment_id":"\#(segmentID)","#), "enrolment.segment_id"),
            ] {
                let response = try await harness.owner.api(.POST, "/api/v1/drips", json: json)
                #expect(response.status == .badRequest && response.body.string.contains(field), "\(field): \(response.body.string)")
            }
            #expect(try await harness.scope.query(DripSequence.self).count() == 0)
        }
    }

    @Test func agentsAndViewersReadSequencesButCannotChangeThem() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            try await CampaignTests.contact(harness, "Anna", phone: "+31612000883")
            let json = DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]")
            let drip = try await DripTests.create(harness, json)
            for role in [Role.agent, .viewer] {
                let email = "\(role.rawValue)@bakkerij.example"
                let member = try await harness.test.signUp(name: "Member", organization: "Own of \(email)", email: email)
                _ = try await harness.test.addMember(email: email, to: harness.organizationID, role: role)
                _ = try await member.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
                #expect(try await member.api(.GET, "/api/v1/drips/\(drip.id)").status == .ok)
                #expect(try await member.api(.POST, "/api/v1/drips", json: json).status == .forbidden)
                #expect(try await member.api(.POST, "/api/v1/drips/\(drip.id)/activate").status == .forbidden)
                #expect(try await member.api(.DELETE, "/api/v1/drips/\(drip.id)").status == .forbidden)
            }
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.isEmpty)
        }
    }
}

extension DripAccessTests {
    /// The plan's monthly campaign messages count drip steps with broadcasts, and an activation that
    /// would go beyond them is refused with the numbers.
    @Test func anActivationBeyondThePlansMonthlyMessagesIsRefusedWithTheNumbers() async throws {
        try await WhatsAppHarness.run { harness in
            try await CampaignTests.approvedTemplate(harness)
            let tag = try await CampaignTests.tag(harness)
            for index in 0..<3 { try await CampaignTests.contact(harness, "Klant \(index)", phone: "+3161200084\(index)") }
            let first = try await DripTests.create(harness, DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]"))
            try await DripTests.activate(harness, first.id)
            #expect(harness.simulator.sentMessages.count == 3)

            let organization = try #require(try await Organization.find(harness.organizationID, on: harness.db))
            organization.planMonthlyMessages = 5
            try await organization.save(on: harness.db)
            let second = try await DripTests.create(harness, DripTests.json(harness, enrolTag: tag, steps: "[\(DripTests.templateStep(after: 0))]"))
            let refused = try await harness.owner.api(.POST, "/api/v1/drips/\(second.id)/activate")
            #expect(refused.status == .paymentRequired && refused.body.string.contains("3 were sent this month and this would send 3 more"))
            #expect(try await DripTests.show(harness, second.id).status == "draft")
            let page = try await harness.owner.post("/drips/\(second.id)/activate")
            #expect(page.status == .paymentRequired && page.body.string.contains("5 campaign messages a month"))
        }
    }
}
