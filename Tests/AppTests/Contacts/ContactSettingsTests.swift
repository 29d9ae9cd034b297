@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

/// Settings → Contacts and `/api/v1/contact-fields`: default country, opt-out/opt-in words, custom
/// field definitions and their rules; viewers read, agents and viewers change nothing, another
/// organization's fields do not exist, forms need their CSRF token, labels are escaped.
@Suite struct ContactSettingsTests {
    struct Harness {
        let app: TestApp
        let owner: Browser
        let organizationID: UUID
    }

    static func run(_ test: (Harness) async throws -> Void) async throws {
        try await TestApp.run { app in
            let owner = try await app.signUp(name: "Anna", organization: "Ours", email: "anna@ours.example")
            let organizationID = try await app.organization(named: "Ours").requireID()
            try await test(Harness(app: app, owner: owner, organizationID: organizationID))
        }
    }

    /// A member of ours with `role`, working in our organization.
    static func member(_ harness: Harness, _ role: Role, email: String) async throws -> Browser {
        let browser = try await harness.app.signUp(name: "Member", organization: "Own of \(email)", email: email)
        _ = try await harness.app.addMember(email: email, to: harness.organizationID, role: role)
        _ = try await browser.post("/organizations/switch", ["organization_id": harness.organizationID.uuidString])
        return browser
    }

    func organization(_ harness: Harness) async throws -> Organization {
        try #require(try await Organization.find(harness.organizationID, on: harness.app.db))
    }

    func fields(_ harness: Harness) async throws -> [ContactFieldDefinition] {
        try await ContactFieldDefinition.query(on: harness.app.db).filter(\.$organizationID == harness.organizationID).sort(\.$position).all()
    }

    @Test func theSettingsPageLinksHereAndShowsTheDefaults() async throws {
        try await Self.run { harness in
            let settings = try await harness.owner.get("/settings")
            #expect(settings.body.string.contains("href=\"/settings/contacts\""))
            let page = try await harness.owner.get("/settings/contacts")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("STOP, STOPPEN, AFMELDEN, UNSUBSCRIBE"))
            #expect(page.body.string.contains("<option value=\"NL\" selected"))
        }
    }

    @Test func theOwnerSavesCountryAndWords() async throws {
        try await Self.run { harness in
            let saved = try await harness.owner.post(
                "/settings/contacts", ["default_country": "be", "opt_out_keywords": " stop , Halt,stop", "opt_in_keywords": ""])
            #expect(saved.status == .seeOther)
            var organization = try await organization(harness)
            #expect(organization.defaultCountry == "BE")
            #expect(organization.optOutKeywords == "STOP, HALT")
            #expect(organization.optInKeywords == nil)
            #expect(MarketingKeywords(of: organization).optOut == ["STOP", "HALT"])
            #expect(MarketingKeywords(of: organization).optIn == ["START"])
            // Empty again: the defaults hold.
            _ = try await harness.owner.post("/settings/contacts", ["default_country": "NL", "opt_out_keywords": " , ", "opt_in_keywords": "weer"])
            organization = try await self.organization(harness)
            #expect(organization.optOutKeywords == nil)
            #expect(organization.optInKeywords == "WEER")
            #expect(MarketingKeywords(of: organization).optOut == MarketingKeywords.defaultOptOut)
        }
    }

    @Test func badCountryAndWordsAreRefused() async throws {
        try await Self.run { harness in
            let country = try await harness.owner.post("/settings/contacts", ["default_country": "XX", "opt_out_keywords": "", "opt_in_keywords": ""])
            #expect(country.status == .unprocessableEntity)
            #expect(country.body.string.contains("Choose one of the listed countries."))
            let words = (1...21).map { "w\($0)" }.joined(separator: ",")
            let tooMany = try await harness.owner.post("/settings/contacts", ["default_country": "NL", "opt_out_keywords": words, "opt_in_keywords": ""])
            #expect(tooMany.status == .unprocessableEntity)
            #expect(try await organization(harness).defaultCountry == "NL")
            #expect(try await organization(harness).optOutKeywords == nil)
        }
    }

    @Test func fieldsAreCreatedListedAndDeletedWithTheirValues() async throws {
        try await Self.run { harness in
            let created = try await harness.owner.post(
                "/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "choice", "choices": "Gold\nSilver\n"])
            #expect(created.status == .seeOther)
            _ = try await harness.owner.post("/settings/contacts/fields", ["key": "birthday", "label": "Birthday", "type": "date"])
            let all = try await fields(harness)
            #expect(all.map(\.key) == ["plan", "birthday"])
            #expect(all[0].choices == ["Gold", "Silver"] && all[0].type == .choice)
            #expect(all[1].type == .date && all[1].position > all[0].position)
            let page = try await harness.owner.get("/settings/contacts")
            #expect(page.body.string.contains("data-field-key=\"plan\""))
            #expect(page.body.string.contains("Gold, Silver"))
            // A contact's value goes with its field.
            let contact = Contact(organizationID: harness.organizationID, waID: "31612345678", profileName: "Cas", now: harness.app.clock.now)
            try await contact.create(on: harness.app.db)
            try await ContactFieldValue(organizationID: harness.organizationID, contactID: contact.id!, fieldID: all[0].id!, value: .text("Gold"))
                .create(on: harness.app.db)
            let deleted = try await harness.owner.post("/settings/contacts/fields/\(all[0].id!)/delete")
            #expect(deleted.status == .seeOther)
            #expect(try await fields(harness).map(\.key) == ["birthday"])
            #expect(try await ContactFieldValue.query(on: harness.app.db).count() == 0)
        }
    }

    @Test(arguments: [
        (["key": "Plan", "label": "Plan", "type": "text"], "lowercase letter"),
        (["key": "1plan", "label": "Plan", "type": "text"], "lowercase letter"),
        (["key": "plan-b", "label": "Plan", "type": "text"], "lowercase letter"),
        (["key": "phone", "label": "Phone", "type": "text"], "used by the CSV import"),
        (["key": "opt_in", "label": "Opt in", "type": "yes_no"], "used by the CSV import"),
        (["key": "plan", "label": " ", "type": "text"], "The label must have"),
        (["key": "plan", "label": "Plan", "type": "choice", "choices": ""], "A choice field needs"),
        (["key": "plan", "label": "Plan", "type": "choice", "choices": "Gold\ngold"], "A choice field needs"),
        (["key": "plan", "label": "Plan", "type": "number", "choices": "1\n2"], "A choice field needs"),
        (["key": "plan", "label": "Plan", "type": "colour"], "Choose one of the field types."),
    ])
    func badFieldsAreRefused(form: [String: String], message: String) async throws {
        try await Self.run { harness in
            let response = try await harness.owner.post("/settings/contacts/fields", form)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(message))
            #expect(try await fields(harness).isEmpty)
        }
    }

    @Test func keysAreUniquePerOrganization() async throws {
        try await Self.run { harness in
            _ = try await harness.owner.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"])
            let again = try await harness.owner.post("/settings/contacts/fields", ["key": "plan", "label": "Other", "type": "number"])
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("already exists"))
            // Another organization may use the same key.
            let other = try await harness.app.signUp(name: "Bram", organization: "Theirs", email: "bram@theirs.example")
            #expect(try await other.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"]).status == .seeOther)
            #expect(try await fields(harness).count == 1)
        }
    }

    @Test func theAPIListsCreatesUpdatesAndDeletes() async throws {
        try await Self.run { harness in
            let created = try await harness.owner.api(
                .POST, "/api/v1/contact-fields", json: #"{"key":"plan","label":"Plan","type":"choice","choices":["Gold","Silver"]}"#)
            #expect(created.status == .created)
            let body = try created.content.decode(ContactSettingsController.FieldBody.self)
            #expect(body.key == "plan" && body.choices == ["Gold", "Silver"] && body.type == "choice")
            let list = try await harness.owner.api(.GET, "/api/v1/contact-fields")
            #expect(list.status == .ok)
            #expect(try list.content.decode(Page<ContactSettingsController.FieldBody>.self).data.map(\.key) == ["plan"])
            let patched = try await harness.owner.api(.PATCH, "/api/v1/contact-fields/\(body.id)", json: #"{"label":"Abonnement","choices":["Gold","Bronze"]}"#)
            #expect(patched.status == .ok)
            let field = try #require(try await fields(harness).first)
            #expect(field.label == "Abonnement" && field.choices == ["Gold", "Bronze"])
            let changeKey = try await harness.owner.api(.PATCH, "/api/v1/contact-fields/\(body.id)", json: #"{"key":"other"}"#)
            #expect(changeKey.status == .badRequest)
            let reserved = try await harness.owner.api(.POST, "/api/v1/contact-fields", json: #"{"key":"email","label":"E","type":"text"}"#)
            #expect(reserved.status == .badRequest)
            #expect(try reserved.content.decode(APIErrorBody.self).error.code == "reserved_key")
            let duplicate = try await harness.owner.api(.POST, "/api/v1/contact-fields", json: #"{"key":"plan","label":"P","type":"text"}"#)
            #expect(duplicate.status == .conflict)
            let badType = try await harness.owner.api(.POST, "/api/v1/contact-fields", json: #"{"key":"x","label":"X","type":"colour"}"#)
            #expect(try badType.content.decode(APIErrorBody.self).error.code == "validation_failed")
            #expect(try await harness.owner.api(.DELETE, "/api/v1/contact-fields/\(body.id)").status == .noContent)
            #expect(try await fields(harness).isEmpty)
            #expect(try await harness.owner.api(.DELETE, "/api/v1/contact-fields/\(body.id)").status == .notFound)
        }
    }

    // MARK: - Attacks

    @Test func anotherOrganizationsFieldIsNotFound() async throws {
        try await Self.run { harness in
            _ = try await harness.owner.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"])
            let ours = try #require(try await fields(harness).first?.id)
            let other = try await harness.app.signUp(name: "Bram", organization: "Theirs", email: "bram@theirs.example")
            #expect(try await other.post("/settings/contacts/fields/\(ours)/delete").status == .notFound)
            #expect(try await other.api(.DELETE, "/api/v1/contact-fields/\(ours)").status == .notFound)
            let patch = try await other.api(.PATCH, "/api/v1/contact-fields/\(ours)", json: #"{"label":"Stolen"}"#)
            #expect(patch.status == .notFound)
            #expect(try patch.content.decode(APIErrorBody.self).error.code == "not_found")
            let list = try await other.api(.GET, "/api/v1/contact-fields")
            #expect(try list.content.decode(Page<ContactSettingsController.FieldBody>.self).data.isEmpty)
            #expect(!(try await other.get("/settings/contacts").body.string.contains("data-field-key")))
            #expect(try await fields(harness).first?.label == "Plan")
        }
    }

    @Test(arguments: [Role.viewer, Role.agent])
    func viewersAndAgentsChangeNothing(role: Role) async throws {
        try await Self.run { harness in
            _ = try await harness.owner.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"])
            let field = try #require(try await fields(harness).first?.id)
            let member = try await Self.member(harness, role, email: "member@ours.example")
            let page = try await member.get("/settings/contacts")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Only owners and admins can change these settings."))
            #expect(page.body.string.contains("data-field-key=\"plan\""))
            #expect(!page.body.string.contains("contact-field-form"))
            #expect(
                try await member.post("/settings/contacts", ["default_country": "BE", "opt_out_keywords": "x", "opt_in_keywords": ""]).status == .forbidden)
            #expect(try await member.post("/settings/contacts/fields", ["key": "x", "label": "X", "type": "text"]).status == .forbidden)
            #expect(try await member.post("/settings/contacts/fields/\(field)/delete").status == .forbidden)
            #expect(try await member.api(.GET, "/api/v1/contact-fields").status == .ok)
            #expect(try await member.api(.POST, "/api/v1/contact-fields", json: #"{"key":"x","label":"X","type":"text"}"#).status == .forbidden)
            #expect(try await member.api(.PATCH, "/api/v1/contact-fields/\(field)", json: #"{"label":"X"}"#).status == .forbidden)
            #expect(try await member.api(.DELETE, "/api/v1/contact-fields/\(field)").status == .forbidden)
            #expect(try await organization(harness).defaultCountry == "NL")
            #expect(try await fields(harness).map(\.label) == ["Plan"])
        }
    }

    @Test func anAdminMayChangeThem() async throws {
        try await Self.run { harness in
            let admin = try await Self.member(harness, .admin, email: "admin@ours.example")
            #expect(try await admin.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"]).status == .seeOther)
            #expect(try await fields(harness).count == 1)
        }
    }

    @Test func formsWithoutTheirCSRFTokenAreRefused() async throws {
        try await Self.run { harness in
            _ = try await harness.owner.post("/settings/contacts/fields", ["key": "plan", "label": "Plan", "type": "text"])
            let field = try #require(try await fields(harness).first?.id)
            let noToken = try await harness.owner.post("/settings/contacts", ["default_country": "BE"], includeCSRF: false)
            #expect(noToken.status == .forbidden)
            #expect(try await harness.owner.post("/settings/contacts/fields", ["key": "x", "label": "X", "type": "text"], csrf: "forged").status == .forbidden)
            #expect(try await harness.owner.post("/settings/contacts/fields/\(field)/delete", includeCSRF: false).status == .forbidden)
            #expect(
                try await harness.owner.api(.POST, "/api/v1/contact-fields", json: #"{"key":"x","label":"X","type":"text"}"#, csrfHeader: false).status
                    == .forbidden)
            #expect(try await organization(harness).defaultCountry == "NL")
            #expect(try await fields(harness).count == 1)
        }
    }

    @Test func labelsAndChoicesAreEscapedOnThePage() async throws {
        try await Self.run { harness in
            let created = try await harness.owner.post(
                "/settings/contacts/fields", ["key": "evil", "label": "<script>alert(1)</script>", "type": "choice", "choices": "<img src=x onerror=alert(2)>"])
            #expect(created.status == .seeOther)
            let page = try await harness.owner.get("/settings/contacts").body.string
            #expect(!page.contains("<script>alert(1)"))
            #expect(!page.contains("<img src=x"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
