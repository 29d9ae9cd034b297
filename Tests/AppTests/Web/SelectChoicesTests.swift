@testable import App
import Fluent
import Foundation
import SafeHTML
import Testing
import Vapor

/// A select's empty choice ("Follow my browser", "No team", "Any") sends an empty value, as a
/// browser sends it from the rendered page, and the form takes it.
@Suite struct SelectChoicesTests {
    /// What a browser submits for the option with this text: its `value` attribute (a bare `value`
    /// is empty), or its text when it has none.
    static func submitted(_ html: String, select id: String, option label: String) throws -> String {
        let start = try #require(html.range(of: "<select id=\"\(id)\""), "no select \(id)")
        let rest = html[start.upperBound...]
        let end = try #require(rest.range(of: "</select>"))
        let options = rest[..<end.lowerBound].components(separatedBy: "<option").dropFirst()
        let option = try #require(options.first { $0.contains(">\(label)</option>") }, "no option \(label)")
        let tag = String(option.prefix { $0 != ">" })
        if let quoted = tag.range(of: "value=\"") { return String(tag[quoted.upperBound...].prefix { $0 != "\"" }) }
        return tag.split(separator: " ").contains("value") ? "" : label
    }

    @Test func anEmptyChoiceIsRenderedWithAnEmptyValue() {
        let html = Forms.select(id: "s", name: "s", options: [("", "Any"), ("a", "A")], selected: "").render()
        #expect(html.contains("<option value selected>Any</option>"), "\(html)")
        #expect(html.contains("<option value=\"a\">A</option>"))
    }

    @Test func followMyBrowserOnTheAccountPageIsSaved() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            _ = try await browser.post("/account/language", ["language": "nl"])
            let page = try await browser.get("/account")
            let value = try Self.submitted(page.body.string, select: "language-preference", option: "Volg mijn browser")
            #expect(value == "")
            let saved = try await browser.post("/account/language", ["language": value])
            #expect(saved.status == .seeOther)
            #expect(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first()?.language == nil)
        }
    }

    @Test func noTeamOnTheConversationPageTakesTheTeamAway() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000321", name: "Tess")
            let team = try await harness.owner.api(.POST, "/api/v1/teams", json: #"{"name":"Support","member_ids":[]}"#)
            #expect(team.status == .created, "\(team.body.string)")
            let teamID = try team.content.decode(InboxAPIController.TeamBody.self).id
            let path = "/api/v1/conversations/\(conversation.id!)/work"
            #expect(try await harness.owner.api(.POST, path, json: #"{"action":"team","team_id":"\#(teamID)"}"#).status == .noContent)
            #expect(try await harness.reload(conversation).$team.id == teamID)

            let page = try await harness.owner.get("/inbox/\(conversation.id!)")
            let value = try Self.submitted(page.body.string, select: "team-select", option: "No team")
            #expect(value == "")
            let set = try await harness.owner.post("/inbox/\(conversation.id!)/work", ["action": "team", "team_id": value])
            #expect(set.status == .seeOther, "\(set.body.string.prefix(300))")
            #expect(try await harness.reload(conversation).$team.id == nil)
        }
    }
}
