@testable import App
import ADSappCore
import Fluent
import Testing
import Vapor

@Suite struct OrganizationTests {
    @Test("a person in two organizations switches between them; each shows only its own data")
    func switching() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            #expect(try await anna.post("/organizations/new", ["name": "Second Shop"]).headers.first(name: .location) == "/dashboard")
            var dashboard = try await anna.get("/dashboard").body.string
            #expect(dashboard.contains("You work in Second Shop as Owner."))
            let first = try await app.organization(named: "Bakkerij Anna")
            #expect(try await anna.post("/organizations/switch", ["organization_id": first.id!.uuidString]).status == .seeOther)
            dashboard = try await anna.get("/dashboard").body.string
            #expect(dashboard.contains("You work in Bakkerij Anna as Owner."))
            #expect(dashboard.contains("Second Shop"), "the switcher lists both")
        }
    }

    @Test("switching to an organization one is not in answers 404 and keeps the current one")
    func switchingToForeign() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            try await app.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            let foreign = try await app.organization(named: "Bob BV")
            #expect(try await anna.post("/organizations/switch", ["organization_id": foreign.id!.uuidString]).status == .notFound)
            #expect(try await anna.post("/organizations/switch", ["organization_id": "not-a-uuid"]).status == .badRequest)
            #expect(try await anna.get("/dashboard").body.string.contains("You work in Bakkerij Anna"))
        }
    }

    @Test("an empty organization name is refused with a message")
    func createValidation() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let response = try await anna.post("/organizations/new", ["name": "   "])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("Fill in this field."))
            #expect(try await Organization.query(on: app.db).count() == 1)
        }
    }
}

@Suite struct MembersTests {
    /// Anna owns Bakkerij Anna; Bob is an admin there and Carla an agent.
    func team(_ app: TestApp) async throws -> (
        anna: Browser, bob: Browser, carla: Browser, organization: Organization, bobID: UUID, carlaID: UUID, annaID: UUID
    ) {
        let anna = try await app.signUp(email: "anna@example.com")
        let bob = try await app.signUp(name: "Bob Jansen", organization: "Bob BV", email: "bob@example.com")
        let carla = try await app.signUp(name: "Carla Smit", organization: "Carla BV", email: "carla@example.com")
        let organization = try await app.organization(named: "Bakkerij Anna")
        let bobMembership = try await app.addMember(email: "bob@example.com", to: organization.id!, role: .admin)
        let carlaMembership = try await app.addMember(email: "carla@example.com", to: organization.id!, role: .agent)
        for (browser, _) in [(bob, 0), (carla, 0)] {
            _ = try await browser.get("/dashboard")
            _ = try await browser.post("/organizations/switch", ["organization_id": organization.id!.uuidString])
        }
        let anna_ = try #require(try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).filter(\.$role == .owner).first())
        return (anna, bob, carla, organization, bobMembership.id!, carlaMembership.id!, anna_.id!)
    }

    @Test("the members page lists everyone with their role")
    func list() async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            let page = try await team.carla.get("/settings/members")
            #expect(page.status == .ok)
            for text in ["Anna de Vries", "Bob Jansen", "Carla Smit", "anna@example.com"] { #expect(page.body.string.contains(text)) }
            #expect(!page.body.string.contains("/role\""), "an agent gets no role forms")
        }
    }

    @Test("an owner changes roles; the change is stored")
    func changeRole() async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            let response = try await team.anna.post("/settings/members/\(team.carlaID)/role", ["role": "viewer"])
            #expect(response.headers.first(name: .location) == "/settings/members?notice=role_changed")
            #expect(try await Membership.find(team.carlaID, on: app.db)?.role == .viewer)
        }
    }

    @Test("the last owner cannot be demoted or removed; with a second owner they can leave")
    func lastOwner() async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            var response = try await team.anna.post("/settings/members/\(team.annaID)/role", ["role": "admin"])
            #expect(response.headers.first(name: .location) == "/settings/members?error=last_owner")
            response = try await team.anna.post("/settings/members/\(team.annaID)/remove")
            #expect(response.headers.first(name: .location) == "/settings/members?error=last_owner")
            #expect(try await team.anna.get("/settings/members?error=last_owner").body.string.contains("at least one owner"))
            #expect(try await Membership.find(team.annaID, on: app.db)?.role == .owner)

            _ = try await team.anna.post("/settings/members/\(team.bobID)/role", ["role": "owner"])
            response = try await team.anna.post("/settings/members/\(team.annaID)/remove")
            #expect(response.headers.first(name: .location) == "/dashboard")
            #expect(try await Membership.find(team.annaID, on: app.db) == nil)
        }
    }

    @Test("an admin cannot make an owner or touch one")
    func adminLimits() async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            var response = try await team.bob.post("/settings/members/\(team.carlaID)/role", ["role": "owner"])
            #expect(response.headers.first(name: .location) == "/settings/members?error=owner_only")
            response = try await team.bob.post("/settings/members/\(team.annaID)/remove")
            #expect(response.headers.first(name: .location) == "/settings/members?error=owner_only")
            response = try await team.bob.post("/settings/members/\(team.carlaID)/role", ["role": "admin"])
            #expect(response.headers.first(name: .location) == "/settings/members?notice=role_changed")
        }
    }

    @Test("agents cannot manage members", arguments: ["role", "remove"])
    func agentsCannot(action: String) async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            let response = try await team.carla.post("/settings/members/\(team.bobID)/\(action)", ["role": "viewer"])
            #expect(response.headers.first(name: .location) == "/settings/members?error=not_allowed")
            #expect(try await Membership.find(team.bobID, on: app.db)?.role == .admin)
        }
    }

    @Test("a removed member loses access at once and their sessions in that organization end")
    func removal() async throws {
        try await TestApp.run { app in
            let team = try await team(app)
            #expect(try await team.carla.get("/dashboard").body.string.contains("Bakkerij Anna as Agent"))
            let response = try await team.anna.post("/settings/members/\(team.carlaID)/remove")
            #expect(response.headers.first(name: .location) == "/settings/members?notice=removed")
            let carlaUser = try #require(try await User.query(on: app.db).filter(\.$email == "carla@example.com").first())
            #expect(
                try await UserSession.query(on: app.db).filter(\.$user.$id == carlaUser.id!).filter(\.$organizationID == team.organization.id!).count() == 0)
            let after = try await team.carla.get("/dashboard")
            #expect(after.status == .seeOther, "the ended session is no longer signed in")
            // Signing in again lands in the organization Carla still has.
            _ = try await team.carla.get("/signin")
            _ = try await team.carla.post("/signin", ["email": "carla@example.com", "password": "correct-horse-battery-staple-42"])
            let dashboard = try await team.carla.get("/dashboard").body.string
            #expect(dashboard.contains("Carla BV"))
            #expect(!dashboard.contains("Bakkerij Anna"))
        }
    }

    @Test("someone removed from their only organization is told so")
    func noOrganizationLeft() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).delete()
            let response = try await anna.get("/dashboard")
            #expect(response.headers.first(name: .location) == "/organizations/none")
            let page = try await anna.get("/organizations/none")
            #expect(page.body.string.contains("You are not in any organization"))
            #expect(try await anna.get("/api/v1/me").status == .forbidden)
        }
    }
}

@Suite struct PlatformAdminTests {
    @Test("the platform page is invisible to everyone but platform admins")
    func access() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            try await app.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            #expect(try await anna.get("/admin").status == .notFound)
            #expect(!(try await anna.get("/dashboard").body.string.contains("href=\"/admin\"")))
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first())
            user.isPlatformAdmin = true
            try await user.update(on: app.db)
            let page = try await anna.get("/admin")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Bob BV"))
            #expect(try await anna.get("/dashboard").body.string.contains("href=\"/admin\""))
        }
    }
}
