@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Search in the inbox: words in messages (from their start, every word), contact names, phone
/// numbers; marked matches; only the organization's own data; any input without an error.
@Suite struct InboxSearchTests {
    @Test func messagesAreFoundByTheStartsOfTheirWordsNewestFirstWithTheMatchesMarked() async throws {
        try await WhatsAppHarness.run { harness in
            let jan = harness.customer("31612345678", name: "Jan Jansen")
            let older = try await jan.sendText("Is the sourdough bread ready?")
            _ = try await harness.stored(older)
            harness.clock.advance(by: 60)
            let newer = try await harness.customer("31687654321", name: "Piet Pieters").sendText("Two SOURDOUGH loaves and a croissant please")
            _ = try await harness.stored(newer)
            _ = try await harness.stored(try await jan.sendText("Thanks, see you tomorrow"))

            let search = InboxSearch(scope: harness.scope)
            let hits = try await search.search("sourd")
            #expect(hits.map(\.kind) == [.message, .message])
            #expect(hits.map(\.contactName) == ["Piet Pieters", "Jan Jansen"], "newest first")
            #expect(hits[0].snippet.filter(\.match).map { $0.text.lowercased() } == ["sourdough"])
            #expect(hits[0].snippet.map(\.text).joined().contains("loaves and a croissant"))
            #expect(try await harness.message(wamid: newer)?.id == hits[0].messageID)

            // Every word must occur.
            #expect(try await search.search("sourdough croissant").map(\.contactName) == ["Piet Pieters"])
            #expect(try await search.search("sourdough pizza").isEmpty)
        }
    }

    @Test func contactsAreFoundByNameAndByDigitsOfTheirNumber() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.stored(try await harness.customer("31612345678", name: "Anneke van Dijk").sendText("Hallo"))
            _ = try await harness.stored(try await harness.customer("31699887766", name: "Bram Bakker").sendText("Goedemorgen"))
            let search = InboxSearch(scope: harness.scope)

            let byName = try await search.search("anne")
            #expect(byName.map(\.kind) == [.contact])
            #expect(byName.first?.contactName == "Anneke van Dijk")
            #expect(byName.first?.snippet == [.init(text: "Anneke", match: true), .init(text: " van Dijk", match: false)])

            let byNumber = try await search.search("06 9988")
            #expect(byNumber.map(\.contactName) == ["Bram Bakker"], "the digits anywhere in the number, typed the Dutch way")
            #expect(byNumber.first?.snippet.filter(\.match).map(\.text) == ["69988"])
            #expect(try await search.search("0031 6 9988").map(\.contactName) == ["Bram Bakker"])
            #expect(try await search.search("887766").map(\.contactName) == ["Bram Bakker"])
            let conversation = try #require(try await harness.conversation(with: "31699887766"))
            #expect(byNumber.first?.conversationID == conversation.id)
        }
    }

    @Test func anotherOrganizationsMessagesAndContactsNeverAppear() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.stored(try await harness.customer().sendText("Where is my parcel?"))
            _ = try await harness.test.signUp(name: "Olga Other", organization: "Other Shop", email: "other@example.com")
            let other = try await harness.test.organization(named: "Other Shop")
            _ = try await WhatsAppSeed.make(in: other.id!, label: "Parcel", phoneNumberID: "1000000077", app: harness.test)

            let hits = try await InboxSearch(scope: harness.scope).search("parcel")
            #expect(hits.count == 1)
            #expect(hits.allSatisfy { $0.contactName == "Jan Jansen" })
            let api = try await harness.owner.api(.GET, "/api/v1/search?q=parcel")
            #expect(api.status == .ok)
            #expect(!api.body.string.contains("Parcel Contact"))
            #expect(!api.body.string.contains("Parcel message"))
        }
    }

    @Test func anyInputIsAnsweredWithoutAnErrorAndNothingIsMisread() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.stored(try await harness.customer().sendText("Order 42: \"rye\" NOT spelt, 50% off? 🍞"))
            let search = InboxSearch(scope: harness.scope)
            for text in [
                "\"", "rye\" OR \"x", "NOT", "spelt*", "50%", "order:42", "'; DROP TABLE messages; --", "🍞", "a-b-c", "(rye", "NEAR(rye spelt)", "ÉÇÂ",
            ] {
                _ = try await search.search(text)
            }
            // Query syntax typed by a person is just words.
            #expect(try await search.search("rye NOT spelt").count == 1)
            #expect(try await search.search("\"rye\"").count == 1)
            #expect(try await Message.query(on: harness.db).count() == 1)

            let empty = try await harness.owner.api(.GET, "/api/v1/search?q=%20%2B%20")
            #expect(empty.status == .badRequest)
            #expect(empty.body.string.contains("invalid_query"))
            let long = try await harness.owner.api(.GET, "/api/v1/search?q=" + String(repeating: "a", count: 201))
            #expect(long.status == .badRequest)
        }
    }

    @Test func theInboxPageSearchesWithoutJavaScriptInEnglishAndDutch() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.stored(try await harness.customer().sendText("Do you have <b>gluten</b>-free bread?"))
            let page = try await harness.owner.get("/inbox?q=glu")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(#"data-testid="search-results""#))
            #expect(page.body.string.contains("<mark>gluten</mark>"))
            #expect(!page.body.string.contains("<b>gluten"), "message text is escaped")
            #expect(page.body.string.contains("Results for"))

            let none = try await harness.owner.get("/inbox?q=croissant")
            #expect(none.body.string.contains("Nothing found"))
            let tooShort = try await harness.owner.get("/inbox?q=%3F%3F")
            #expect(tooShort.status == .badRequest)
            #expect(tooShort.body.string.contains("at least 3 digits"))

            _ = try await harness.owner.post("/account/language", ["language": "nl"])
            let dutch = try await harness.owner.get("/inbox?q=glu")
            #expect(dutch.body.string.contains("Resultaten voor"))
        }
    }
}

@Suite struct InboxSearchTermsTests {
    @Test func punctuationGoesAndPhoneNumbersAreRecognised() {
        #expect(InboxSearch.Terms("  Zuurdesem-brood, AUB! ").words == ["zuurdesem", "brood", "aub"])
        #expect(InboxSearch.Terms("+31 6 12-34").phoneDigits == "3161234")
        #expect(InboxSearch.Terms("06 1234").phoneDigits == "61234", "the national 0 goes")
        #expect(InboxSearch.Terms("0031 6 1234").phoneDigits == "3161234", "the international 00 goes")
        #expect(InboxSearch.Terms("12").phoneDigits == nil, "too few digits for a number")
        #expect(InboxSearch.Terms("order 123").phoneDigits == nil, "words make it no number")
        #expect(InboxSearch.Terms("?!").isEmpty)
        #expect(InboxSearch.Terms(String(repeating: "a ", count: 20)).words.count == InboxSearch.Terms.maxWords)
    }

    @Test func enginesMarksBecomeFragments() {
        #expect(
            InboxSearch.fragments(marked: "two \u{1}sourdough\u{2} loaves") == [
                .init(text: "two ", match: false), .init(text: "sourdough", match: true), .init(text: " loaves", match: false),
            ])
        #expect(
            InboxSearch.fragments(of: "Émile Zola", matchingWordStarts: ["emi"]) == [
                .init(text: "Émile", match: true), .init(text: " Zola", match: false),
            ])
        #expect(
            InboxSearch.fragments(of: "+31 6 99887766", matchingDigits: "9988") == [
                .init(text: "+31 6 ", match: false), .init(text: "9988", match: true), .init(text: "7766", match: false),
            ])
    }
}
