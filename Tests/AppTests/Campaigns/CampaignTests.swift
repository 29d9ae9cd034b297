@testable import App
import Fluent
import Jobs
import Foundation
import SQLKit
import Testing
import Vapor
import WhatsAppCloud
import WhatsAppSimulator

/// Broadcasts end to end against the Graph API simulator: who is sent to and who is skipped, the
/// template filled from each contact, the statistics, pausing and cancelling, what stops a campaign,
/// and how an outcome left unknown by a stopped process is settled without sending twice.
@Suite struct CampaignTests {
    static let template = "winter_sale"

    /// An approved MARKETING template "Hoi {{1}}, {{2}} korting!" synced into the app.
    /// The number's messaging limit as Meta reports it: how many different customers a day it may
    /// start conversations with.
    static func setMessagingLimit(_ harness: WhatsAppHarness, to limit: Int) async throws {
        let connection = try #require(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID))
        connection.messagingLimit = limit
        try await connection.save(on: harness.db)
    }

    static func approvedTemplate(_ harness: WhatsAppHarness, category: String = "MARKETING", status: String = "APPROVED") async throws {
        harness.simulator.addTemplate(name: template, language: "nl", category: category, body: "Hoi {{1}}, {{2}} korting!", status: status)
        #expect(try await harness.owner.api(.POST, "/api/v1/whatsapp/templates/sync").status == .accepted)
        try await harness.eventually("the template synced") {
            try await harness.scope.query(App.MessageTemplate.self).filter(\.$name == template).first() != nil
        }
    }

    @discardableResult
    static func contact(_ harness: WhatsAppHarness, _ name: String?, phone: String?, consent: String = "opted_in", tags: [String] = ["Winter"]) async throws
        -> UUID
    {
        var fields: [String: Any] = ["tags": tags, "marketing_status": consent]
        if let name { fields["name"] = name }
        if let phone { fields["phone"] = phone } else { fields["email"] = "\(UUID().uuidString.prefix(8))@example.com" }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let response = try await harness.owner.api(.POST, "/api/v1/contacts", json: json)
        #expect(response.status == .created, "\(response.body.string)")
        return try response.content.decode(ContactsAPIController.ContactBody.self).id
    }

    static func tag(_ harness: WhatsAppHarness, _ name: String = "Winter") async throws -> UUID {
        let response = try await harness.owner.api(.POST, "/api/v1/tags", json: #"{"name":"\#(name)"}"#)
        #expect(response.status == .created, "\(response.body.string)")
        return try #require(try await harness.scope.query(App.Tag.self).filter(\.$name == name).first()?.id)
    }

    static func campaignJSON(_ harness: WhatsAppHarness, tag: UUID, body: String = #"[{"source":"name","fallback":"klant"},{"source":"text","text":"20%"}]"#)
        -> String
    {
        """
        {"name":"Winter sale","connection_id":"\(harness.connectionID)","template_name":"\(template)","template_language":"nl",
         "message":{"body":\(body)},"audience":{"tag_ids":["\(tag)"]}}
        """
    }

    static func create(_ harness: WhatsAppHarness, tag: UUID) async throws -> CampaignsAPIController.CampaignBody {
        let response = try await harness.owner.api(.POST, "/api/v1/campaigns", json: campaignJSON(harness, tag: tag))
        #expect(response.status == .created, "\(response.body.string)")
        return try response.content.decode(CampaignsAPIController.CampaignBody.self)
    }

    static func show(_ harness: WhatsAppHarness, _ id: UUID) async throws -> CampaignsAPIController.CampaignBody {
        try await harness.owner.api(.GET, "/api/v1/campaigns/\(id)").content.decode(CampaignsAPIController.CampaignBody.self)
    }

    static func recipients(_ harness: WhatsAppHarness, _ id: UUID) async throws -> [CampaignRecipient] {
        try await harness.scope.query(CampaignRecipient.self).filter(\.$campaignID == id).sort(\.$position).all()
    }

    static func sent(_ harness: WhatsAppHarness) -> [SentMessage] {
        harness.simulator.sentMessages.filter { $0.type == "template" }
    }

    @Test func aBroadcastReachesEveryConsentingContactOnceAndAccountsForTheRest() async throws {
        try await WhatsAppHarness.run(statusCallbacks: StatusCallbacks(sentAfter: 0, deliveredAfter: 0, readAfter: 0)) { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            try await Self.contact(harness, "Anna", phone: "+31612000801")
            try await Self.contact(harness, nil, phone: "+31612000802")
            try await Self.contact(harness, "Bram", phone: "+31612000803")
            try await Self.contact(harness, "Cas", phone: "+31612000804", consent: "opted_out")
            try await Self.contact(harness, "Dirk", phone: "+31612000805", consent: "unknown")
            // A customer known only by WhatsApp's user id (no number), tagged like the rest.
            let eva = Contact()
            eva.id = UUID()
            eva.organizationID = harness.organizationID
            eva.userID = "NL.1234567890"
            eva.name = "Eva"
            eva.marketingStatus = .optedIn
            eva.createdAt = harness.clock.now
            eva.updatedAt = harness.clock.now
            try await eva.create(on: harness.db)
            let link = ContactTag()
            link.id = UUID()
            link.organizationID = harness.organizationID
            link.contactID = eva.id!
            link.tagID = tag
            link.createdAt = harness.clock.now
            try await link.create(on: harness.db)
            try await Self.contact(harness, "Not tagged", phone: "+31612000807", tags: [])
            harness.simulator.refuseMessages(to: "31612000803", code: 131026)

            let created = try await Self.create(harness, tag: tag)
            #expect(created.status == "draft" && created.statistics.audience == 0)
            let started = try await harness.owner.api(.POST, "/api/v1/campaigns/\(created.id)/start")
            #expect(started.status == .ok, "\(started.body.string)")
            try await harness.eventually("the campaign finished") { try await Self.show(harness, created.id).status == "finished" }

            let sent = Self.sent(harness)
            #expect(sent.map(\.to).sorted() == ["31612000801", "31612000802"], "each consenting contact once; the refused one was tried and failed")
            let parameters = sent.sorted { $0.to < $1.to }.map { message in
                message.json["template"]?["components"]?.array?.first?["parameters"]?.array?.compactMap { $0["text"]?.string } ?? []
            }
            #expect(parameters == [["Anna", "20%"], ["klant", "20%"]], "the name, or its fallback, and the fixed text")
            let recipients = try await Self.recipients(harness, created.id)
            for message in sent {
                let recipient = try #require(recipients.first { $0.waID == message.to })
                #expect(message.json["biz_opaque_callback_data"]?.string == "campaign-recipient:\(recipient.id!.uuidString.lowercased())")
            }
            try await harness.eventually("the status callbacks arrived") { try await Self.show(harness, created.id).statistics.read == 2 }

            let statistics = try await Self.show(harness, created.id).statistics
            #expect(statistics.audience == 6 && statistics.sent == 2 && statistics.delivered == 2 && statistics.queued == 0)
            #expect(statistics.failed == 1 && statistics.failures.first?.code == 131026)
            #expect(statistics.skipped == 3)
            #expect(Set(statistics.skips.map(\.reason)) == ["opted_out", "no_consent", "no_number"])
            #expect(try await Self.show(harness, created.id).progress == 1)

            // Starting it again sends nothing more.
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(created.id)/start").status == .conflict)
            try await harness.runJobsUntilIdle()
            #expect(Self.sent(harness).count == 2)

            let export = try await harness.owner.api(.GET, "/api/v1/campaigns/\(created.id)/recipients/export")
            #expect(export.status == .ok && export.headers.contentType?.subType == "csv")
            let lines = export.body.string.split(separator: "\r\n")
            #expect(lines.count == 7 && lines[0].hasSuffix("name,phone,status,reason,error_code,sent_at,status_at"))
            #expect(lines.contains { $0.hasPrefix("Anna,+31612000801,read,") })
            #expect(lines.contains { $0.hasPrefix("Bram,+31612000803,failed,") && $0.contains(",131026,") })
            #expect(lines.contains { $0.hasPrefix("Cas,+31612000804,skipped,opted_out,") })

            // The list counts every campaign's own recipients (all in one grouped read).
            harness.clock.advance(by: 1)
            let draft = try await Self.create(harness, tag: tag)
            let list = try await harness.owner.api(.GET, "/api/v1/campaigns").content.decode(App.Page<CampaignsAPIController.CampaignBody>.self)
            #expect(list.data.map(\.id) == [draft.id, created.id])
            #expect(list.data.first?.statistics == CampaignStatistics())
            #expect(list.data.last?.statistics == statistics)
            let page = try await harness.owner.get("/campaigns")
            #expect(page.status == .ok && page.body.string.contains("<td>100 %</td>") && page.body.string.contains("<td>0 %</td>"))
        }
    }

    @Test func theTemplatesParametersAreCheckedAndAPreviewShowsAContactsMessage() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            let anna = try await Self.contact(harness, "Anna", phone: "+31612000811")
            let cas = try await Self.contact(harness, "Cas", phone: "+31612000812", consent: "opted_out")

            let tooFew = try await harness.owner.api(.POST, "/api/v1/campaigns", json: Self.campaignJSON(harness, tag: tag, body: #"[{"source":"name"}]"#))
            #expect(tooFew.status == .badRequest && tooFew.body.string.contains("message.body"))
            let unknownField = try await harness.owner.api(
                .POST, "/api/v1/campaigns", json: Self.campaignJSON(harness, tag: tag, body: #"[{"source":"field:nope"},{"source":"name"}]"#))
            #expect(unknownField.status == .badRequest && unknownField.body.string.contains("nope"))
            let noAudience = try await harness.owner.api(
                .POST, "/api/v1/campaigns", json: Self.campaignJSON(harness, tag: tag).replacingOccurrences(of: "\"tag_ids\":[\"\(tag)\"]", with: ""))
            #expect(noAudience.status == .badRequest && noAudience.body.string.contains("audience"))
            let notJSON = try await harness.owner.api(.POST, "/api/v1/campaigns", json: #"{"name": 12}"#)
            #expect(notJSON.status == .badRequest)
            #expect(try await harness.scope.query(Campaign.self).count() == 0, "nothing refused is saved")

            let campaign = try await Self.create(harness, tag: tag)
            let preview = try await harness.owner.api(.GET, "/api/v1/campaigns/\(campaign.id)/preview?contact_id=\(anna)")
            #expect(try preview.content.decode(CampaignsAPIController.PreviewBody.self).body == "Hoi Anna, 20% korting!")
            let skipped = try await harness.owner.api(.GET, "/api/v1/campaigns/\(campaign.id)/preview?contact_id=\(cas)")
            #expect(try skipped.content.decode(CampaignsAPIController.PreviewBody.self).skipped == "opted_out")

            let past = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start", json: #"{"send_at":"2020-01-01T09:00"}"#)
            #expect(past.status == .badRequest && past.body.string.contains("send_at"))
            let garbled = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start", json: #"{"send_at":"tomorrow"}"#)
            #expect(garbled.status == .badRequest)
            #expect(try await Self.show(harness, campaign.id).status == "draft")
        }
    }

    @Test func aPendingTemplateCannotBeBroadcast() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness, status: "PENDING")
            let tag = try await Self.tag(harness)
            let response = try await harness.owner.api(.POST, "/api/v1/campaigns", json: Self.campaignJSON(harness, tag: tag))
            #expect(response.status == .badRequest && response.body.string.contains("PENDING"))
        }
    }

    @Test func aScheduledCampaignWaitsForItsTimeInTheOrganizationsTimeZone() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            try await Self.contact(harness, "Anna", phone: "+31612000821")
            let campaign = try await Self.create(harness, tag: tag)
            // The harness's clock starts at 2026-12-23T04:26:40Z: 05:26:40 in Amsterdam.
            let response = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start", json: #"{"send_at":"2026-12-23T07:00"}"#)
            #expect(response.status == .ok, "\(response.body.string)")
            let scheduled = try await Self.show(harness, campaign.id)
            #expect(scheduled.status == "scheduled" && scheduled.send_at == ISO8601DateFormatter().date(from: "2026-12-23T06:00:00Z"))
            try await harness.runJobsUntilIdle()
            #expect(Self.sent(harness).isEmpty)
            // Moved earlier: the new time's job starts it; the old one, when its time comes, does nothing.
            let earlier = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start", json: #"{"send_at":"2026-12-23T06:30"}"#)
            #expect(earlier.status == .ok, "\(earlier.body.string)")
            harness.clock.advance(by: 4000)  // 05:33:20Z: past the new time, before the old one
            try await harness.eventually("the campaign finished") { try await Self.show(harness, campaign.id).status == "finished" }
            #expect(Self.sent(harness).count == 1)
            harness.clock.advance(by: 2 * 3600)
            try await harness.runJobsUntilIdle()
            #expect(Self.sent(harness).count == 1, "the job of the first time sends nothing more")
        }
    }

    @Test func pausingStopsSendingResumingGoesOnAndCancellingEndsIt() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            for index in 0..<3 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200083\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/pause").status == .conflict, "a draft is not sending")
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            // Take the audience, then pause before anything is sent.
            let scope = harness.scope
            let stored = try #require(try await scope.find(Campaign.self, campaign.id))
            try await CampaignLaunch(scope: scope, now: harness.clock.now).start(stored)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/pause").status == .ok)
            try await harness.runJobsUntilIdle()
            let paused = try await Self.show(harness, campaign.id)
            #expect(Self.sent(harness).isEmpty && paused.status == "paused")
            #expect(try await Self.show(harness, campaign.id).statistics.queued == 3)

            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/resume").status == .ok)
            try await harness.eventually("the campaign finished") { try await Self.show(harness, campaign.id).status == "finished" }
            #expect(Self.sent(harness).count == 3)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/cancel").status == .conflict, "a finished campaign stays finished")

            let second = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(second.id)/cancel").status == .ok)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(second.id)/start").status == .conflict)
            try await harness.runJobsUntilIdle()
            #expect(Self.sent(harness).count == 3)
        }
    }

    @Test func aRevokedTokenStopsTheCampaignWithItsReasonAndSendsNothingTwice() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            for index in 0..<3 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200084\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            harness.simulator.breakToken(for: WhatsAppHarness.number.phoneNumberID)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("the campaign stopped") { try await Self.show(harness, campaign.id).status == "stopped" }
            let stopped = try await Self.show(harness, campaign.id)
            #expect(stopped.stop_reason?.contains("access token") == true)
            #expect(stopped.statistics.queued == 3 && stopped.statistics.sent == 0, "nothing was sent; nobody is counted as failed")
            #expect(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID)?.state == .broken)
        }
    }

    @Test func theMessagingLimitHoldsTheRestForLaterWithAReason() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            try await Self.setMessagingLimit(harness, to: 3)
            let tag = try await Self.tag(harness)
            for index in 0..<5 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200085\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("the limit was reached") { try await Self.show(harness, campaign.id).waiting_reason != nil }
            let waiting = try await Self.show(harness, campaign.id)
            #expect(waiting.status == "sending" && waiting.statistics.sent == 3 && waiting.statistics.queued == 2)
            #expect(waiting.waiting_reason?.contains("3 different customers") == true)
            // A day later the window has moved on.
            harness.clock.advance(by: 24 * 3600 + 60)
            try await harness.eventually("the campaign finished") { try await Self.show(harness, campaign.id).status == "finished" }
            #expect(Self.sent(harness).count == 5)
        }
    }

    /// A template sent from the inbox opens a business-initiated conversation too: it takes one of the
    /// messaging limit's customers, so the campaign reaches one fewer before it waits.
    @Test func inboxTemplatesCountTowardsTheMessagingLimit() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            try await Self.setMessagingLimit(harness, to: 3)
            let conversation = try await harness.conversation(of: "31612000879", name: "Inbox klant")
            let template = #"{"type":"template","template":{"name":"\#(Self.template)","language":"nl","parameters":["Jan","10%"]}}"#
            let answered = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/messages", json: template)
            #expect(answered.status == .accepted || answered.status == .created, "\(answered.body.string)")
            _ = try await harness.runJobsUntilIdle()
            #expect(Self.sent(harness).map(\.to) == ["31612000879"])

            let tag = try await Self.tag(harness)
            for index in 0..<4 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200088\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("the limit was reached") { try await Self.show(harness, campaign.id).waiting_reason != nil }
            let waiting = try await Self.show(harness, campaign.id)
            #expect(waiting.statistics.sent == 2 && waiting.statistics.queued == 2, "3 customers a day: the inbox's one and two of the campaign")
        }
    }

    /// The audience's size and first contact, asked of the database, agree with the full list the
    /// launch takes: overlaps counted once, erased contacts left out, the selection in its order.
    @Test func anAudienceIsCountedAndSampledWithoutLoadingIt() async throws {
        try await WhatsAppHarness.run { harness in
            let winter = try await Self.tag(harness)
            let summer = try await Self.tag(harness, "Summer")
            let a = try await Self.contact(harness, "A", phone: "+31612000870", tags: ["Winter"])
            harness.clock.advance(by: 1)
            let b = try await Self.contact(harness, "B", phone: "+31612000871", tags: ["Winter", "Summer"])
            harness.clock.advance(by: 1)
            let c = try await Self.contact(harness, "C", phone: "+31612000872", tags: ["Summer"])
            harness.clock.advance(by: 1)
            let d = try await Self.contact(harness, "D", phone: "+31612000873", tags: [])
            harness.clock.advance(by: 1)
            let erased = try await Self.contact(harness, "E", phone: "+31612000874", tags: ["Winter"])
            let gone = try #require(try await harness.scope.find(Contact.self, erased))
            gone.erasedAt = harness.clock.now
            try await gone.save(on: harness.db)
            let segment = Segment(organizationID: harness.organizationID, name: "Bs", filter: ContactFilter(search: "B"), now: harness.clock.now)
            try await segment.create(on: harness.db)

            let audiences = [
                CampaignAudience(tagIDs: [winter, summer]),
                CampaignAudience(segmentID: segment.id, tagIDs: [summer], contactIDs: [d, a, erased]),
                CampaignAudience(contactIDs: [erased, d, c]),
                CampaignAudience(tagIDs: [winter]),
            ]
            let expected: [(count: Int, first: UUID)] = [(3, a), (4, b), (2, d), (2, a)]
            for (audience, expected) in zip(audiences, expected) {
                let all = try await audience.contactIDs(in: harness.scope)
                #expect(all.count == expected.count && all.first == expected.first)
                #expect(try await audience.count(in: harness.scope) == expected.count)
                #expect(try await audience.firstContactID(in: harness.scope) == expected.first)
            }
        }
    }

    @Test func aResumeGoesOnAtOnceAlsoAfterAWaitOnTheMessagingLimit() async throws {
        try await WhatsAppHarness.run { harness in
            try await Self.approvedTemplate(harness)
            try await Self.setMessagingLimit(harness, to: 3)
            let tag = try await Self.tag(harness)
            for index in 0..<5 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200086\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("the limit was reached") { try await Self.show(harness, campaign.id).waiting_reason != nil }
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/pause").status == .ok)
            // Meta raised the number's tier meanwhile; the run queued for the window's move is minutes away.
            try await Self.setMessagingLimit(harness, to: 1000)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/resume").status == .ok)
            try await harness.eventually("the campaign finished without the clock moving") {
                try await Self.show(harness, campaign.id).status == "finished"
            }
            #expect(Self.sent(harness).count == 5)
        }
    }

    @Test func theSendRateNeverExceedsTheNumbersThroughput() async throws {
        try await WhatsAppHarness.run(throughputPerSecond: 10) { harness in
            try await Self.approvedTemplate(harness)
            let connection = try #require(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID))
            connection.sendsPerSecond = 10
            try await connection.save(on: harness.db)
            let tag = try await Self.tag(harness)
            for index in 0..<30 { try await Self.contact(harness, "Klant \(index)", phone: "+316120009\(String(format: "%02d", index))") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            // The simulator and the app share the injected clock: time moves a tenth of a second at a time.
            let ticking = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(5))
                    harness.clock.advance(by: 0.1)
                }
            }
            try await harness.eventually("the campaign finished") { try await Self.show(harness, campaign.id).status == "finished" }
            ticking.cancel()
            let sent = Self.sent(harness)
            #expect(sent.count == 30)
            #expect(harness.simulator.refusedSends.filter { $0 == 130429 }.isEmpty, "never over the number's throughput")
            let span = sent.map(\.time).max()!.timeIntervalSince(sent.map(\.time).min()!)
            #expect(span >= 1.9, "30 messages at 10 a second after a burst of 10 take at least two seconds, took \(span)")
        }
    }

    @Test func anOutcomeLeftUnknownIsSettledByItsCallbackAndNeverSentAgainUnlessAMemberAsks() async throws {
        try await WhatsAppHarness.run(
            statusCallbacks: StatusCallbacks(sentAfter: 0, deliveredAfter: 0, readAfter: 0),
            variables: ["CAMPAIGN_CLAIM_TIMEOUT_SECONDS": "60", "CAMPAIGN_UNKNOWN_GRACE_SECONDS": "300"]
        ) { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            for index in 0..<3 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200086\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            let scope = harness.scope
            let stored = try #require(try await scope.find(Campaign.self, campaign.id))
            // The audience is taken here, so the test can stage a stopped process; a sender job carries on from it.
            try await CampaignLaunch(scope: scope, now: harness.clock.now).start(stored)
            try await JobStore(database: harness.db).enqueue(try RunCampaign.job(stored))
            let recipients = try await Self.recipients(harness, campaign.id)

            // A process claimed the first two and stopped during the calls: the first reached Meta
            // (its callbacks name it), the second never left.
            for recipient in recipients.prefix(2) {
                recipient.status = .sending
                recipient.claimedAt = harness.clock.now
                try await recipient.save(on: harness.db)
            }
            harness.clock.advance(by: 1)
            let draft = try JSONDecoder().decode(OutboundDraft.TemplateDraft.self, from: Data(recipients[0].draftJSON!.utf8))
            _ = try await harness.app.whatsApp.graph.send(
                OutboundMessage(
                    to: recipients[0].waID!, content: .template(try draft.message()),
                    bizOpaqueCallbackData: CampaignSender.callbackPrefix + recipients[0].id!.uuidString.lowercased()),
                from: WhatsAppHarness.number.phoneNumberID, token: WhatsAppHarness.number.accessToken)

            // The callbacks settle the first before anyone looks again.
            try await harness.eventually("the first is settled") {
                try await scope.find(CampaignRecipient.self, recipients[0].id)?.status == .read
            }
            #expect(try await scope.find(CampaignRecipient.self, recipients[0].id)?.wamid != nil)
            // The sender runs later: the second's claim is stale, so its outcome is unknown, and it is not sent.
            harness.clock.advance(by: 61)
            try await harness.runJobsUntilIdle()
            #expect(try await scope.find(CampaignRecipient.self, recipients[1].id)?.status == .unknown)
            #expect(Self.sent(harness).filter { $0.to == recipients[1].waID }.isEmpty)
            #expect(Self.sent(harness).filter { $0.to == recipients[2].waID }.count == 1)

            // The campaign finishes with it unknown: no callback ever named it, and the sender never guesses.
            try await harness.eventually("the campaign finished") { try await Self.show(harness, campaign.id).status == "finished" }
            let finished = try await Self.show(harness, campaign.id).statistics
            #expect(finished.unknown == 1 && finished.read == 2)
            // Within the grace period nothing is sent again, even when asked.
            let early = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/resend-unconfirmed")
            #expect(try early.content.decode(CampaignsAPIController.ResentBody.self).resent == 0)
            // After it, a member sends the unconfirmed one again: once, and only that one.
            harness.clock.advance(by: 301)
            let resent = try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/resend-unconfirmed")
            #expect(try resent.content.decode(CampaignsAPIController.ResentBody.self).resent == 1)
            try await harness.eventually("the campaign finished again") { try await Self.show(harness, campaign.id).status == "finished" }
            #expect(Self.sent(harness).filter { $0.to == recipients[0].waID }.count == 1)
            #expect(Self.sent(harness).filter { $0.to == recipients[1].waID }.count == 1)
            #expect(Self.sent(harness).filter { $0.to == recipients[2].waID }.count == 1)
        }
    }

    @Test func metaRefusalsMapToWhatACampaignDoes() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func result(_ code: Int) -> CampaignSender.Result { CampaignSender.result(of: GraphError(code: code, title: "t", httpStatus: 400), at: now) }
        guard case .refused(_, _, nil) = result(130429) else { Issue.record("130429 backs off"); return }
        guard case .refused(_, _, let later?) = result(131056), later == now.addingTimeInterval(6) else { Issue.record("131056 delays the customer"); return }
        guard case .failed(131026, _) = result(131026) else { Issue.record("131026 fails the recipient"); return }
        guard case .failed(131048, _) = result(131048) else { Issue.record("131048 stops sends to the customer"); return }
        guard case .stop(190, _) = result(190) else { Issue.record("190 stops the campaign"); return }
        guard case .stop(368, _) = result(368) else { Issue.record("368 stops the campaign"); return }
        guard case .stop(132015, _) = result(132015) else { Issue.record("a paused template stops the campaign"); return }
        guard case .failed(100, _) = result(100) else { Issue.record("other refusals fail the recipient"); return }
    }
}

extension CampaignTests {
    /// Meta's messaging limit belongs to the business portfolio: customers reached through a number of
    /// one WhatsApp Business Account count for the numbers of the portfolio's other accounts, not for
    /// another portfolio's. The portfolio is asked of Meta when a number is connected.
    @Test func theMessagingLimitIsSharedByTheNumbersOfABusinessPortfolio() async throws {
        var first = WhatsAppHarness.number
        first.businessPortfolioID = "880000000000001"
        let sibling = SimulatedNumber(
            phoneNumberID: "106540352242923", wabaID: "102290129340399", displayPhoneNumber: "+31 20 123 4568", verifiedName: "Bakkerij Anna Zuid",
            accessToken: first.accessToken, businessPortfolioID: "880000000000001")
        let stranger = SimulatedNumber(
            phoneNumberID: "106540352242924", wabaID: "102290129340400", displayPhoneNumber: "+31 20 123 4569", verifiedName: "Bakkerij Bram",
            accessToken: first.accessToken, businessPortfolioID: "880000000000002")
        try await WhatsAppHarness.run(numbers: [first, sibling, stranger]) { harness in
            var connections: [WhatsAppConnection] = []
            for number in [sibling, stranger] {
                let response = try await harness.owner.api(
                    .POST, "/api/v1/whatsapp/connections",
                    json: #"{"phone_number_id":"\#(number.phoneNumberID)","business_account_id":"\#(number.wabaID)","access_token":"\#(number.accessToken)"}"#)
                #expect(response.status == .created, "\(response.body.string)")
                connections.append(
                    try #require(try await harness.scope.query(WhatsAppConnection.self).filter(\.$phoneNumberID == number.phoneNumberID).first()))
            }
            let own = try #require(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID))
            #expect(own.businessPortfolioID == "880000000000001" && connections.map(\.businessPortfolioID) == ["880000000000001", "880000000000002"])

            try await Self.approvedTemplate(harness)
            try await Self.setMessagingLimit(harness, to: 5)
            let tag = try await Self.tag(harness)
            for index in 0..<2 { try await Self.contact(harness, "Klant \(index)", phone: "+3161200089\(index)") }
            let campaign = try await Self.create(harness, tag: tag)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("sent") { try await Self.show(harness, campaign.id).status == "finished" }

            for connection in connections + [own] { connection.messagingLimit = 5 }
            #expect(try await MessagingAllowance(connection: connections[0], scope: harness.scope, now: harness.clock.now).remaining() == 3)
            #expect(try await MessagingAllowance(connection: connections[1], scope: harness.scope, now: harness.clock.now).remaining() == 5)
            #expect(try await MessagingAllowance(connection: own, scope: harness.scope, now: harness.clock.now).remaining() == 3)
        }
    }
}

extension CampaignTests {
    /// The agent who answers a reply sees what the customer got: each message Meta accepted is in the
    /// contact's conversation (opened, resolved, for a contact who had none), moved on by its status
    /// callbacks like any other message.
    @Test func campaignMessagesAppearInTheContactsConversations() async throws {
        try await WhatsAppHarness.run(statusCallbacks: StatusCallbacks(sentAfter: 0, deliveredAfter: 0, readAfter: 0)) { harness in
            try await Self.approvedTemplate(harness)
            let tag = try await Self.tag(harness)
            // Anna wrote before: her conversation is open.
            let anna = try await harness.conversation(of: "31612000861", name: "Anna")
            let annaContact = try #require(try await harness.scope.query(Contact.self).filter(\.$waID == "31612000861").first())
            #expect(
                try await harness.owner.api(.PATCH, "/api/v1/contacts/\(annaContact.requireID())", json: #"{"tags":["Winter"],"marketing_status":"opted_in"}"#)
                    .status == .ok)
            try await Self.contact(harness, "Bram", phone: "+31612000862")
            let campaign = try await Self.create(harness, tag: tag)
            harness.clock.advance(by: 60)
            #expect(try await harness.owner.api(.POST, "/api/v1/campaigns/\(campaign.id)/start").status == .ok)
            try await harness.eventually("read") { try await Self.show(harness, campaign.id).statistics.read == 2 }

            let annaThread = try await harness.scope.query(Message.self).filter(\.$conversation.$id == anna.requireID()).sort(\.$sentAt).all()
            #expect(annaThread.map(\.direction) == [.inbound, .outbound])
            #expect(annaThread.last?.kind == "template" && annaThread.last?.body == "📄 \(Self.template)")
            let bram = try #require(try await harness.conversation(with: "31612000862"))
            #expect(bram.status == .resolved, "a thread the campaign opened asks nobody for an answer")
            try await harness.eventually("the callbacks moved the messages on") {
                try await harness.scope.query(Message.self).filter(\.$direction == .outbound).all().allSatisfy { $0.status == .read }
            }
            let page = try await harness.owner.get("/inbox/\(try bram.requireID())")
            #expect(page.status == .ok && page.body.string.contains(Self.template))
        }
    }
}
