@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// `ContactFilter`: every condition selects the right contacts on both engines, values are bound,
/// another organization's fields are refused and its tags and contacts never counted.
@Suite struct ContactFilterTests {
    struct World {
        let scope: TenantScope
        let theirs: TenantScope
        let vip: UUID, late: UUID, theirTag: UUID
        let plan: ContactFieldDefinition, spend: ContactFieldDefinition, birthday: ContactFieldDefinition
        let member: ContactFieldDefinition, theirField: ContactFieldDefinition
        let connection: UUID
        let now: Date
    }

    /// Ann (VIP, Gold, spend 120, born 1990-05-01, member), Bob (VIP and Late, gold, 80), Cas
    /// (opted out, wrote last week to the connection), Dirk (erased), Eve (Belgian, "50%_off" in
    /// her email), and Theo of another organization with every value Ann has.
    static func world(_ app: TestApp) async throws -> World {
        try await app.signUp(name: "Anna", organization: "Ours", email: "anna@ours.example")
        try await app.signUp(name: "Bram", organization: "Theirs", email: "bram@theirs.example")
        let ours = try await app.organization(named: "Ours").requireID()
        let theirsID = try await app.organization(named: "Theirs").requireID()
        let now = app.clock.now
        let db = app.db
        func contact(_ org: UUID, _ waID: String, _ name: String, email: String? = nil) async throws -> Contact {
            let contact = Contact(organizationID: org, waID: waID, profileName: name, now: now)
            contact.email = email
            try await contact.create(on: db)
            return contact
        }
        func field(_ org: UUID, _ key: String, _ type: ContactFieldType, choices: [String] = []) async throws -> ContactFieldDefinition {
            let field = ContactFieldDefinition(organizationID: org, key: key, label: key, type: type, choices: choices, position: 0, createdAt: now)
            try await field.create(on: db)
            return field
        }
        func set(_ contact: Contact, _ field: ContactFieldDefinition, _ value: FieldValue) async throws {
            try await ContactFieldValue(organizationID: contact.organizationID, contactID: contact.id!, fieldID: field.id!, value: value).create(on: db)
        }
        func tag(_ org: UUID, _ name: String) async throws -> UUID {
            let tag = Tag(organizationID: org, name: name, createdAt: now)
            try await tag.create(on: db)
            return tag.id!
        }
        func label(_ contact: Contact, _ tag: UUID) async throws {
            try await ContactTag(organizationID: contact.organizationID, contactID: contact.id!, tagID: tag, createdAt: now).create(on: db)
        }
        let plan = try await field(ours, "plan", .choice, choices: ["Gold", "Silver"])
        let spend = try await field(ours, "spend", .number)
        let birthday = try await field(ours, "birthday", .date)
        let member = try await field(ours, "member", .yesNo)
        let theirField = try await field(theirsID, "plan", .choice, choices: ["Gold"])
        let vip = try await tag(ours, "VIP"), late = try await tag(ours, "Late"), theirTag = try await tag(theirsID, "VIP")
        let connection = UUID()

        let ann = try await contact(ours, "31611111111", "Ann de Vries", email: "ann@example.nl")
        try await set(ann, plan, .text("Gold"))
        try await set(ann, spend, .number(120))
        try await set(ann, birthday, .date("1990-05-01"))
        try await set(ann, member, .yesNo(true))
        try await label(ann, vip)
        let bob = try await contact(ours, "31622222222", "Bob Bakker")
        try await set(bob, plan, .text("Gold"))
        try await set(bob, spend, .number(80))
        try await set(bob, member, .yesNo(false))
        try await label(bob, vip)
        try await label(bob, late)
        let cas = try await contact(ours, "31633333333", "Cas")
        cas.marketingStatus = .optedOut
        cas.lastInboundAt = now.addingTimeInterval(-7 * 86400)
        cas.lastInboundConnectionID = connection
        try await cas.save(on: db)
        let dirk = try await contact(ours, "31644444444", "Dirk")
        dirk.erasedAt = now
        try await dirk.save(on: db)
        try await set(dirk, plan, .text("Gold"))
        _ = try await contact(ours, "32455555555", "Eve", email: "eve+50%_off@example.be")
        let theo = try await contact(theirsID, "31611111111", "Theo")
        try await set(theo, theirField, .text("Gold"))
        try await label(theo, theirTag)
        return World(
            scope: TenantScope(organizationID: ours, database: db), theirs: TenantScope(organizationID: theirsID, database: db),
            vip: vip, late: late, theirTag: theirTag, plan: plan, spend: spend, birthday: birthday, member: member,
            theirField: theirField, connection: connection, now: now)
    }

    static func names(_ filter: ContactFilter, _ scope: TenantScope) async throws -> [String] {
        let definitions = try await scope.query(ContactFieldDefinition.self).all()
        let condition = try filter.sqlCondition(organization: scope.organizationID, fields: definitions)
        return try await scope.sql("SELECT profile_name FROM contacts WHERE \(condition) ORDER BY profile_name").all()
            .map { try $0.decode(column: "profile_name", as: String.self) }
    }

    @Test func everyConditionSelectsTheRightContacts() async throws {
        try await TestApp.run { app in
            let w = try await Self.world(app)
            func names(_ filter: ContactFilter) async throws -> [String] { try await Self.names(filter, w.scope) }
            func field(_ definition: ContactFieldDefinition, _ op: ContactFilter.FieldCondition.Op, _ value: String? = nil) -> ContactFilter {
                ContactFilter(fields: [.init(fieldID: definition.id!, op: op, value: value)])
            }
            // Everyone but the erased, never another organization's.
            #expect(try await names(ContactFilter()) == ["Ann de Vries", "Bob Bakker", "Cas", "Eve"])
            #expect(try await ContactCounts.exact(ContactFilter(), in: w.scope) == 4)
            #expect(try await ContactCounts.exact(ContactFilter(), in: w.theirs) == 1)

            // Search: name case-insensitive, number as typed, email with % and _ taken literally.
            #expect(try await names(ContactFilter(search: "DE VRIES")) == ["Ann de Vries"])
            #expect(try await names(ContactFilter(search: "+31 6 2222")) == ["Bob Bakker"])
            #expect(try await names(ContactFilter(search: "example.nl")) == ["Ann de Vries"])
            #expect(try await names(ContactFilter(search: "50%_off")) == ["Eve"])
            #expect(try await names(ContactFilter(search: "%")) == ["Eve"])
            #expect(try await names(ContactFilter(search: "_")) == ["Eve"])
            #expect(try await names(ContactFilter(search: "' OR 1=1 --")) == [])

            // Tags: every one of them; another organization's tag selects nobody.
            #expect(try await names(ContactFilter(tagIDs: [w.vip])) == ["Ann de Vries", "Bob Bakker"])
            #expect(try await names(ContactFilter(tagIDs: [w.vip, w.late])) == ["Bob Bakker"])
            #expect(try await names(ContactFilter(tagIDs: [w.theirTag])) == [])

            #expect(try await names(ContactFilter(marketing: .optedOut)) == ["Cas"])
            #expect(try await names(ContactFilter(marketing: .unknown)) == ["Ann de Vries", "Bob Bakker", "Eve"])
            #expect(try await names(ContactFilter(lastInboundAfter: w.now.addingTimeInterval(-8 * 86400))) == ["Cas"])
            #expect(try await names(ContactFilter(lastInboundAfter: w.now.addingTimeInterval(-6 * 86400))) == [])
            #expect(try await names(ContactFilter(lastInboundBefore: w.now)) == ["Cas"])
            #expect(try await names(ContactFilter(lastInboundConnectionID: w.connection)) == ["Cas"])
            #expect(try await names(ContactFilter(lastInboundConnectionID: UUID())) == [])
            #expect(try await names(ContactFilter(phonePrefix: "+32")) == ["Eve"])
            #expect(try await names(ContactFilter(phonePrefix: "+316")) == ["Ann de Vries", "Bob Bakker", "Cas"])
            // The prefix is a range of numbers: its ends are exact, a whole number is its own prefix.
            #expect(try await names(ContactFilter(phonePrefix: "+3162")) == ["Bob Bakker"])
            #expect(try await names(ContactFilter(phonePrefix: "+31633333333")) == ["Cas"])
            #expect(try await names(ContactFilter(phonePrefix: "+3")) == ["Ann de Vries", "Bob Bakker", "Cas", "Eve"])
            #expect(try await names(ContactFilter(phonePrefix: "+39")) == [])
            #expect(try await names(ContactFilter(phonePrefix: "+3245555555599")) == [])

            // Custom fields, each by its type.
            #expect(try await names(field(w.plan, .equals, "gold")) == ["Ann de Vries", "Bob Bakker"])
            #expect(try await names(field(w.plan, .notEquals, "Gold")) == ["Cas", "Eve"])
            #expect(try await names(field(w.plan, .contains, "OL")) == ["Ann de Vries", "Bob Bakker"])
            #expect(try await names(field(w.spend, .greaterThan, "100")) == ["Ann de Vries"])
            #expect(try await names(field(w.spend, .lessThan, "100,5")) == ["Bob Bakker"])
            // As numbers, not as text: 80 < 9 as text, not as a number.
            #expect(try await names(field(w.spend, .lessThan, "9")) == [])
            #expect(try await names(field(w.spend, .equals, "120")) == ["Ann de Vries"])
            #expect(try await names(field(w.birthday, .lessThan, "1-1-2000")) == ["Ann de Vries"])
            #expect(try await names(field(w.birthday, .greaterThan, "1990-05-01")) == [])
            #expect(try await names(field(w.member, .equals, "ja")) == ["Ann de Vries"])
            #expect(try await names(field(w.member, .equals, "no")) == ["Bob Bakker"])
            #expect(try await names(field(w.birthday, .isSet)) == ["Ann de Vries"])
            #expect(try await names(field(w.spend, .isNotSet)) == ["Cas", "Eve"])

            // Everything together.
            var all = field(w.plan, .equals, "Gold")
            all.tagIDs = [w.vip]
            all.search = "ann"
            all.phonePrefix = "+31"
            #expect(try await names(all) == ["Ann de Vries"])
            #expect(try await ContactCounts.exact(all, in: w.scope) == 1)
        }
    }

    @Test func badConditionsAreRefused() async throws {
        try await TestApp.run { app in
            let w = try await Self.world(app)
            func refused(_ filter: ContactFilter) async {
                await #expect(throws: Abort.self) { try await ContactCounts.exact(filter, in: w.scope) }
            }
            // Another organization's field (never a count of their contacts), an unknown one.
            await refused(ContactFilter(fields: [.init(fieldID: w.theirField.id!, op: .equals, value: "Gold")]))
            await refused(ContactFilter(fields: [.init(fieldID: UUID(), op: .isSet)]))
            // Values that do not fit the field, comparisons that do not apply.
            await refused(ContactFilter(fields: [.init(fieldID: w.spend.id!, op: .greaterThan, value: "many")]))
            await refused(ContactFilter(fields: [.init(fieldID: w.birthday.id!, op: .equals, value: "31-02-2000")]))
            await refused(ContactFilter(fields: [.init(fieldID: w.member.id!, op: .greaterThan, value: "yes")]))
            await refused(ContactFilter(fields: [.init(fieldID: w.spend.id!, op: .contains, value: "1")]))
            await refused(ContactFilter(fields: [.init(fieldID: w.plan.id!, op: .equals, value: "Bronze")]))
            await refused(ContactFilter(fields: [.init(fieldID: w.plan.id!, op: .equals, value: nil)]))
            await refused(ContactFilter(phonePrefix: "+31'--"))
        }
    }

    @Test func queryItemsRoundTrip() throws {
        let field = UUID(), tag = UUID(), connection = UUID()
        let filter = ContactFilter(
            search: "ann", tagIDs: [tag], marketing: .optedIn, lastInboundAfter: Date(timeIntervalSince1970: 1_700_006_400),
            lastInboundBefore: Date(timeIntervalSince1970: 1_700_000_123), lastInboundConnectionID: connection, phonePrefix: "+31",
            fields: [.init(fieldID: field, op: .isSet), .init(fieldID: field, op: .equals, value: "Gold")])
        #expect(try ContactFilter(items: filter.queryItems) == filter)
        #expect(try ContactFilter(items: []) == ContactFilter())
        // A blank row of the editor is skipped; bad values say what is wrong.
        let blank = [URLQueryItem(name: "field", value: ""), URLQueryItem(name: "op", value: "equals"), URLQueryItem(name: "value", value: "")]
        #expect(try ContactFilter(items: blank).isEmpty)
        #expect(throws: Abort.self) { try ContactFilter(items: [URLQueryItem(name: "tag", value: "x")]) }
        #expect(throws: Abort.self) { try ContactFilter(items: [URLQueryItem(name: "marketing", value: "maybe")]) }
        #expect(throws: Abort.self) { try ContactFilter(items: [URLQueryItem(name: "inbound_after", value: "yesterday")]) }
        #expect(throws: Abort.self) { try ContactFilter(items: [URLQueryItem(name: "field", value: field.uuidString)]) }
        #expect(try ContactFilter(items: [URLQueryItem(name: "prefix", value: "0032")]).phonePrefix == "+32")
        #expect(ContactFilter.firstAfter(prefix: "3161") == "3162")
        #expect(ContactFilter.firstAfter(prefix: "3169") == "317")
        #expect(ContactFilter.firstAfter(prefix: "1999") == "2")
        #expect(ContactFilter.firstAfter(prefix: "99") == nil)
    }
}
