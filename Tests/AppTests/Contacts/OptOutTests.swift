@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

/// Opt-out and opt-in through signed webhooks: keywords change consent once, with one confirmation
/// and a history line; Meta's `user_preferences` act only in the organization the webhook proved.
@Suite struct OptOutTests {
    static let waID = "31612345678"

    /// The customer writes through the simulator (which then knows the window is open); returns the WhatsApp id.
    static func post(_ harness: WhatsAppHarness, _ body: String) async throws -> String {
        let wamid = try await harness.customer(waID).sendText(body)
        _ = try await harness.stored(wamid)
        try await harness.runJobsUntilIdle()
        return wamid
    }

    static func contact(_ harness: WhatsAppHarness) async throws -> Contact {
        try #require(try await harness.scope.query(Contact.self).filter(\.$waID == waID).first())
    }

    static func history(_ harness: WhatsAppHarness) async throws -> [ContactEventKind] {
        try await ContactHistory.lines(of: try contact(harness).requireID(), in: harness.scope).map(\.kind)
    }

    static func texts(_ harness: WhatsAppHarness) -> [String] {
        harness.simulator.sentMessages.compactMap { $0.json["text"]?["body"]?.string }
    }

    @Test func stopOptsOutOnceWithOneConfirmationAndStartOptsBackIn() async throws {
        try await WhatsAppHarness.run { harness in
            let stop = try await Self.post(harness, "Stop!")
            try await harness.eventually("the confirmation at Meta") { harness.simulator.sentMessages.count == 1 }
            var contact = try await Self.contact(harness)
            #expect(contact.marketingStatus == .optedOut)
            #expect(contact.marketingSource == .keyword)
            #expect(contact.lastInboundAt == harness.clock.now)
            #expect(contact.lastInboundConnectionID == harness.connectionID)
            // The organization is Dutch (default country NL) and STOP says nothing about the language.
            #expect(
                Self.texts(harness) == ["Je ontvangt geen marketingberichten meer van Bakkerij Anna. Stuur START om ze weer te ontvangen."])
            #expect(harness.simulator.sentMessages.first?.to == Self.waID)
            #expect(try await Self.history(harness) == [.optedOut])

            // Meta delivers the same webhook again: nothing more is sent or written.
            let replay = WebhookFixtures.text(wamid: stop, from: Self.waID, name: "Jan Jansen", body: "Stop!", timestamp: harness.clock.now)
            #expect(try await harness.postWebhook(replay).status == .ok)
            try await harness.eventually("the replay processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .pending).count() == 0
            }
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.count == 1)
            #expect(try await Self.history(harness) == [.optedOut])

            // A sentence with the word in it is no opt-in or opt-out.
            harness.clock.advance(by: 60)
            _ = try await Self.post(harness, "start calling me please")
            #expect(try await Self.contact(harness).marketingStatus == .optedOut)
            #expect(harness.simulator.sentMessages.count == 1)
            #expect(try await Self.contact(harness).lastInboundAt == harness.clock.now)

            _ = try await Self.post(harness, "  start ")
            try await harness.eventually("the second confirmation") { harness.simulator.sentMessages.count == 2 }
            contact = try await Self.contact(harness)
            #expect(contact.marketingStatus == .optedIn)
            #expect(Self.texts(harness).last == "Je ontvangt weer marketingberichten van Bakkerij Anna. Stuur STOP om ze te stoppen.")
            #expect(try await Self.history(harness) == [.optedIn, .optedOut])

            // An English word gets an English answer.
            _ = try await Self.post(harness, "UNSUBSCRIBE.")
            try await harness.eventually("the third confirmation") { harness.simulator.sentMessages.count == 3 }
            #expect(
                Self.texts(harness).last == "You will no longer receive marketing messages from Bakkerij Anna. Send START to receive them again.")
            #expect(try await Self.contact(harness).marketingStatus == .optedOut)
        }
    }

    @Test func anOrganizationsOwnWordsReplaceTheDefaults() async throws {
        try await WhatsAppHarness.run { harness in
            let organization = try #require(try await Organization.find(harness.organizationID, on: harness.db))
            organization.optOutKeywords = "genoeg, basta"
            organization.optInKeywords = "graag"
            try await organization.save(on: harness.db)

            _ = try await Self.post(harness, "STOP")
            #expect(try await Self.contact(harness).marketingStatus == .unknown)
            #expect(harness.simulator.sentMessages.isEmpty)

            _ = try await Self.post(harness, "Basta!")
            try await harness.eventually("the confirmation") { harness.simulator.sentMessages.count == 1 }
            #expect(try await Self.contact(harness).marketingStatus == .optedOut)
            #expect(Self.texts(harness) == ["Je ontvangt geen marketingberichten meer van Bakkerij Anna. Stuur GRAAG om ze weer te ontvangen."])

            _ = try await Self.post(harness, "graag")
            try await harness.eventually("the opt-in confirmation") { harness.simulator.sentMessages.count == 2 }
            #expect(try await Self.contact(harness).marketingStatus == .optedIn)
        }
    }

    static func preferences(_ waID: String, _ value: String, at timestamp: Date) -> String {
        let change =
            #"{"field":"user_preferences","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"31201234567","phone_number_id":"\#(WebhookFixtures.phoneNumberID)"},"contacts":[{"profile":{"name":"Jan"},"wa_id":"\#(waID)"}],"user_preferences":[{"wa_id":"\#(waID)","detail":"User requested","category":"marketing_messages","value":"\#(value)","timestamp":\#(Int(timestamp.timeIntervalSince1970))}]}}"#
        return WebhookFixtures.envelope([change])
    }

    @Test func metasUserPreferencesStopAndResumeOnlyInTheProvenOrganization() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await Self.post(harness, "Hallo")
            // Another organization knows the same customer.
            try await harness.test.signUp(name: "Bram", organization: "Theirs", email: "bram@theirs.example")
            let theirs = try await harness.test.organization(named: "Theirs").requireID()
            let theirContact = Contact(organizationID: theirs, waID: Self.waID, profileName: "Jan", now: harness.clock.now)
            try await theirContact.create(on: harness.db)

            harness.clock.advance(by: 10)
            #expect(try await harness.postWebhook(Self.preferences(Self.waID, "stop", at: harness.clock.now)).status == .ok)
            try await harness.eventually("opted out") { try await Self.contact(harness).marketingStatus == .optedOut }
            #expect(try await Self.contact(harness).marketingSource == .whatsAppPreferences)
            #expect(try await Contact.find(theirContact.id, on: harness.db)?.marketingStatus == .unknown)
            // Meta's own setting needs no confirmation from us.
            #expect(harness.simulator.sentMessages.isEmpty)

            // Replayed, or older than the last change: nothing more in the history.
            #expect(try await harness.postWebhook(Self.preferences(Self.waID, "stop", at: harness.clock.now)).status == .ok)
            #expect(try await harness.postWebhook(Self.preferences(Self.waID, "resume", at: harness.clock.now.addingTimeInterval(-3600))).status == .ok)
            try await harness.eventually("processed") { try await WebhookEvent.query(on: harness.db).filter(\.$state == .pending).count() == 0 }
            #expect(try await Self.history(harness) == [.optedOut])

            harness.clock.advance(by: 10)
            #expect(try await harness.postWebhook(Self.preferences(Self.waID, "resume", at: harness.clock.now)).status == .ok)
            try await harness.eventually("opted in") { try await Self.contact(harness).marketingStatus == .optedIn }
            #expect(try await Self.history(harness) == [.optedIn, .optedOut])

            // A webhook for an account no connection of ours belongs to changes nobody, here or there.
            harness.clock.advance(by: 10)
            let foreign = Self.preferences(Self.waID, "stop", at: harness.clock.now).replacingOccurrences(of: WebhookFixtures.wabaID, with: "999999999")
            #expect(try await harness.postWebhook(foreign).status == .ok)
            try await harness.eventually("processed") { try await WebhookEvent.query(on: harness.db).filter(\.$state == .pending).count() == 0 }
            #expect(try await Self.contact(harness).marketingStatus == .optedIn)
            #expect(try await Contact.find(theirContact.id, on: harness.db)?.marketingStatus == .unknown)
        }
    }

    @Test func keywordsAreTheWholeMessage() {
        let keywords = MarketingKeywords()
        #expect(keywords.meaning(of: "STOP") == .optOut)
        #expect(keywords.meaning(of: " stoppen! ") == .optOut)
        #expect(keywords.meaning(of: "Afmelden.") == .optOut)
        #expect(keywords.meaning(of: "unsubscribe 🛑") == .optOut)
        #expect(keywords.meaning(of: "Start") == .optIn)
        #expect(keywords.meaning(of: "stop calling me please") == nil)
        #expect(keywords.meaning(of: "stopt") == nil)
        #expect(keywords.meaning(of: "") == nil)
        let own = MarketingKeywords(optOutList: " Genoeg ,,basta", optInList: "")
        #expect(own.optOut == ["GENOEG", "BASTA"] && own.optIn == ["START"])
        #expect(own.meaning(of: "stop") == nil)
    }
}
