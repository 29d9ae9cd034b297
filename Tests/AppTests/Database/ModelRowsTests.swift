@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing

/// `ModelRows`: models read by hand-written SQL come out exactly as Fluent's own queries load them.
@Suite struct ModelRowsTests {
    @Test("a model read from an aliased row equals Fluent's, exists, and an update writes only what changed")
    func readsAsFluentDoes() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna de Vries", organization: "Bakkerij Anna", email: "anna@bakkerij.example")
            let loaded = try #require(try await User.query(on: app.db).filter(\.$email == "anna@bakkerij.example").first())
            let users = ModelRows(User.self, alias: "u")
            let row = try #require(
                try await app.db.sql.raw("SELECT \(unsafeRaw: users.columns) FROM users u WHERE u.id = \(bind: loaded.requireID())").first())
            let read = try users.model(from: row)

            #expect(read.id == loaded.id && read.email == loaded.email && read.name == loaded.name)
            #expect(read.passwordHash == loaded.passwordHash && read.language == loaded.language)
            #expect(read.createdAt == loaded.createdAt && read.emailVerifiedAt == loaded.emailVerifiedAt)
            #expect(read._$idExists && !read.hasChanges, "loaded, not new: nothing to write yet")

            // Someone else changes the password; an update of the name from the copy read before
            // writes the name only and keeps the new password.
            loaded.passwordHash = "changed elsewhere"
            try await loaded.update(on: app.db)
            read.name = "Anna"
            try await read.update(on: app.db)
            let now = try #require(try await User.find(loaded.id, on: app.db))
            #expect(now.name == "Anna" && now.passwordHash == "changed elsewhere")
        }
    }

    @Test("two models share one row under their aliases")
    func twoModelsInOneRow() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna de Vries", organization: "Bakkerij Anna", email: "anna@bakkerij.example")
            let memberships = ModelRows(Membership.self, alias: "m"), organizations = ModelRows(Organization.self, alias: "o")
            let row = try #require(
                try await app.db.sql.raw(
                    """
                    SELECT \(unsafeRaw: memberships.columns), \(unsafeRaw: organizations.columns)
                    FROM memberships m JOIN organizations o ON o.id = m.organization_id
                    """
                ).first())
            let membership = try memberships.model(from: row), organization = try organizations.model(from: row)
            #expect(membership.organizationID == organization.id && membership.role == .owner)
            #expect(organization.name == "Bakkerij Anna" && organization._$idExists && membership._$idExists)
        }
    }

    @Test("a model that lists its fields lists every one Fluent finds, each once")
    func listsEveryField() {
        func check<M: ListsDatabaseFields>(_ model: M.Type) {
            let listed = M().databaseFields.flatMap(\.keys).map(\.description)
            #expect(listed.sorted() == M.keys.map(\.description).sorted(), "\(M.self): add the new field to its databaseFields")
        }
        check(User.self)
        check(UserSession.self)
        check(Membership.self)
        check(Organization.self)
    }
}
