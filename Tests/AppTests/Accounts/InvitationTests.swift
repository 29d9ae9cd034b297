@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite struct InvitationTests {
    static let password = "correct-horse-battery-staple-42"

    @Test("an owner invites by email: the invitation is listed, only its token's hash is stored, and the email is in the chosen language")
    func inviteSendsEmail() async throws {
        try await TestApp.run { app in
            let (owner, organization) = try await app.owner()
            let path = try await app.invite("piet@example.com", role: .admin, by: owner, language: "nl")
            let token = String(path.dropFirst("/invitations/".count))
            #expect(token.count == 43)
            let stored = try #require(try await Invitation.query(on: app.db).first())
            #expect(stored.organizationID == organization.id)
            #expect(stored.tokenHash == sha256Hex(token))
            #expect(stored.tokenHash != token)
            #expect(stored.expiresAt == app.clock.now + 7 * 24 * 3600)
            let email = try await app.lastEmail(to: "piet@example.com", kind: "invitation")
            #expect(email.subject == "Anna de Vries nodigt je uit voor Bakkerij Anna")
            #expect(email.textBody.contains("als Beheerder"))
            #expect(email.headers.first { $0.name == "Reply-To" }?.value == "owner@example.com", "a reply reaches the inviter")
            let page = try await owner.get("/settings/members")
            #expect(page.body.string.contains("piet@example.com"))
            #expect(page.body.string.contains("pending-invitations"))
        }
    }

    @Test("a new person accepts: signs up with the invited address, joins with the role and teams, verified, working in that organization")
    func newPersonAccepts() async throws {
        try await TestApp.run { app in
            let (owner, organization) = try await app.owner()
            let team = Team(organizationID: organization.id!, name: "Support", autoAssign: false, createdAt: app.clock.now)
            try await team.create(on: app.db)
            let path = try await app.invite("piet@example.com", role: .agent, by: owner, teams: [team.id!])
            let visitor = app.browser()
            let page = try await visitor.get(path)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Anna de Vries invited you to join Bakkerij Anna as Agent."))
            #expect(page.body.string.contains("value=\"piet@example.com\""))
            let joined = try await visitor.post(path + "/signup", ["name": "Piet Jansen", "password": Self.password])
            #expect(joined.status == .seeOther)
            #expect(joined.headers.first(name: .location) == "/dashboard")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "piet@example.com").first())
            #expect(user.emailVerifiedAt != nil)
            let membership = try #require(try await Membership.query(on: app.db).filter(\.$user.$id == user.id!).first())
            #expect(membership.organizationID == organization.id)
            #expect(membership.role == .agent)
            #expect(try await TeamMember.query(on: app.db).filter(\.$membership.$id == membership.id!).count() == 1)
            #expect(try await Organization.query(on: app.db).count() == 1, "no organization of their own")
            let dashboard = try await visitor.get("/dashboard")
            #expect(dashboard.body.string.contains("Bakkerij Anna"))
            // Single use: the link is dead now, with the same answer as any unknown link.
            let again = try await app.browser().get(path)
            #expect(again.status == .notFound)
            #expect(again.body.string.contains("This invitation is not valid"))
            let list = try await owner.get("/settings/members")
            #expect(!list.body.string.contains("pending-invitations"))
        }
    }

    @Test("an existing account signs in through the link (next comes back) and joins; the session switches to the organization")
    func existingAccountAccepts() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            try await app.signUp(name: "Piet", organization: "Piet BV", email: "piet@example.com")
            let path = try await app.invite("piet@example.com", by: owner)
            let piet = app.browser()
            let page = try await piet.get(path)
            #expect(page.body.string.contains("/signin?next=\(path)"))
            _ = try await piet.get("/signin?next=" + path)
            let signedIn = try await piet.post("/signin", ["email": "piet@example.com", "password": Self.password, "next": path])
            #expect(signedIn.headers.first(name: .location) == path)
            let invitee = try await piet.get(path)
            #expect(invitee.body.string.contains("invitation-join-form"))
            let joined = try await piet.post(path + "/join")
            #expect(joined.headers.first(name: .location) == "/dashboard")
            let dashboard = try await piet.get("/dashboard")
            #expect(dashboard.body.string.contains("Bakkerij Anna"))
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "piet@example.com").first())
            #expect(try await Membership.query(on: app.db).filter(\.$user.$id == user.id!).count() == 2)
            #expect(user.emailVerifiedAt != nil, "the invitation reached the address")
        }
    }

    @Test("signed in with another address: the page says so and joining is refused")
    func wrongAddress() async throws {
        try await TestApp.run { app in
            let (owner, organization) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            let other = try await app.signUp(name: "Kees", organization: "Kees BV", email: "kees@example.com")
            let page = try await other.get(path)
            #expect(page.body.string.contains("You are signed in as kees@example.com, but this invitation is for piet@example.com."))
            let join = try await other.post(path + "/join")
            #expect(join.status == .forbidden)
            #expect(join.body.string.contains("This invitation is for another email address."))
            #expect(try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).count() == 1)
            // The invitation stays usable for the right person.
            #expect(try await app.browser().get(path).status == .ok)
        }
    }

    @Test("an expired invitation is refused; inviting the address again replaces it")
    func expired() async throws {
        try await TestApp.run(variables: ["INVITATION_TTL_SECONDS": "60"]) { app in
            let (owner, _) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            app.clock.advance(by: 61)
            let page = try await app.browser().get(path)
            #expect(page.status == .notFound)
            let visitor = app.browser()
            _ = try await visitor.get("/signin")
            let signUp = try await visitor.post(path + "/signup", ["name": "Piet", "password": Self.password])
            #expect(signUp.status == .notFound)
            #expect(try await User.query(on: app.db).filter(\.$email == "piet@example.com").count() == 0)
            let members = try await owner.get("/settings/members")
            #expect(members.body.string.contains("Expired"))
            let fresh = try await app.invite("piet@example.com", by: owner)
            #expect(fresh != path)
            #expect(try await app.browser().get(fresh).status == .ok)
        }
    }

    @Test("resend gives a new link and expiry; the old link stops working")
    func resend() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let old = try await app.invite("piet@example.com", by: owner)
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            app.clock.advance(by: 3600)
            _ = try await owner.get("/settings/members")
            let resent = try await owner.post("/settings/members/invitations/\(invitation.id!)/resend")
            #expect(resent.headers.first(name: .location) == "/settings/members?notice=resent")
            let new = try await app.mailedPath(to: "piet@example.com", kind: "invitation", containing: "/invitations/")
            #expect(new != old)
            #expect(try await app.browser().get(old).status == .notFound)
            #expect(try await app.browser().get(new).status == .ok)
            let reloaded = try #require(try await Invitation.find(invitation.id, on: app.db))
            #expect(reloaded.expiresAt == app.clock.now + 7 * 24 * 3600)
        }
    }

    @Test("a withdrawn invitation's link stops working")
    func revoke() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            _ = try await owner.get("/settings/members")
            let revoked = try await owner.post("/settings/members/invitations/\(invitation.id!)/revoke")
            #expect(revoked.headers.first(name: .location) == "/settings/members?notice=revoked")
            #expect(try await app.browser().get(path).status == .notFound)
            let again = try await owner.post("/settings/members/invitations/\(invitation.id!)/revoke")
            #expect(again.status == .notFound)
        }
    }

    @Test("an address that is a member already, or has an open invitation, is refused clearly")
    func alreadyMemberOrInvited() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            _ = try await owner.get("/settings/members")
            let me = try await owner.post("/settings/members/invitations", ["email": "OWNER@example.com", "role": "agent", "language": "en"])
            #expect(me.status == .conflict)
            #expect(me.body.string.contains("This person is already a member of the organization."))
            try await app.invite("piet@example.com", by: owner)
            let twice = try await owner.post("/settings/members/invitations", ["email": "piet@example.com", "role": "viewer", "language": "en"])
            #expect(twice.status == .conflict)
            #expect(twice.body.string.contains("This address has an open invitation already."))
            let invalid = try await owner.post("/settings/members/invitations", ["email": "not-an-address", "role": "viewer", "language": "en"])
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.string.contains("value=\"not-an-address\""))
            #expect(try await Invitation.query(on: app.db).count() == 1)
        }
    }

    @Test("the seat limit counts members and open invitations at invite, and members at accept")
    func seatLimit() async throws {
        try await TestApp.run { app in
            app.app.planLimits = FixedSeats(maximum: 2)
            let (owner, organization) = try await app.owner()
            let first = try await app.invite("piet@example.com", by: owner)
            let refused = try await owner.post("/settings/members/invitations", ["email": "kees@example.com", "role": "agent", "language": "en"])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("Your plan allows 2 members, open invitations included."))
            // The plan shrinks after the invitation was sent: accepting it is refused.
            app.app.planLimits = FixedSeats(maximum: 1)
            let visitor = app.browser()
            _ = try await visitor.get(first)
            let join = try await visitor.post(first + "/signup", ["name": "Piet", "password": Self.password])
            #expect(join.status == .conflict)
            #expect(join.body.string.contains("Your plan allows 1 members"))
            #expect(try await User.query(on: app.db).filter(\.$email == "piet@example.com").count() == 0, "nothing was created")
            #expect(try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).count() == 1)
            app.app.planLimits = UnlimitedPlanLimits()
            #expect(try await visitor.post(first + "/signup", ["name": "Piet", "password": Self.password]).status == .seeOther)
        }
    }

    @Test("agents may not invite; admins may not invite owners")
    func whoMayInvite() async throws {
        try await TestApp.run { app in
            let (owner, organization) = try await app.owner()
            let agent = try await app.signUp(name: "Agent", organization: "Agent BV", email: "agent@example.com")
            _ = try await app.addMember(email: "agent@example.com", to: organization.id!, role: .agent)
            let admin = try await app.signUp(name: "Admin", organization: "Admin BV", email: "admin@example.com")
            _ = try await app.addMember(email: "admin@example.com", to: organization.id!, role: .admin)
            for browser in [agent, admin] {
                _ = try await browser.get("/settings/members")
                _ = try await browser.post("/organizations/switch", ["organization_id": organization.id!.uuidString])
            }
            let agentPage = try await agent.get("/settings/members")
            #expect(!agentPage.body.string.contains("invite-form"))
            #expect(try await agent.post("/settings/members/invitations", ["email": "x@example.com", "role": "agent", "language": "en"]).status == .forbidden)
            let adminPage = try await admin.get("/settings/members")
            #expect(adminPage.body.string.contains("invite-form"))
            #expect(!adminPage.body.string.contains("<option value=\"owner\""))
            let ownerInvite = try await admin.post("/settings/members/invitations", ["email": "x@example.com", "role": "owner", "language": "en"])
            #expect(ownerInvite.status == .forbidden)
            #expect(try await admin.post("/settings/members/invitations", ["email": "x@example.com", "role": "admin", "language": "en"]).status == .seeOther)
            _ = owner
        }
    }

    @Test("the API lists, creates, resends and revokes invitations, with the one error shape")
    func api() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let created = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"piet@example.com","role":"viewer","language":"nl"}"#)
            #expect(created.status == .created)
            struct Body: Decodable { var id: UUID; var email: String; var role: String }
            let body = try JSONDecoder().decode(Body.self, from: Data(created.body.readableBytesView))
            #expect(body.email == "piet@example.com")
            #expect(body.role == "viewer")
            let list = try await owner.api(.GET, "/api/v1/invitations")
            #expect(list.body.string.contains(body.id.uuidString))
            let twice = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"piet@example.com","role":"viewer"}"#)
            #expect(twice.status == .conflict)
            #expect(twice.body.string.contains(#""code":"already_invited""#))
            let member = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"owner@example.com","role":"viewer"}"#)
            #expect(member.body.string.contains(#""code":"already_member""#))
            let badRole = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"kees@example.com","role":"king"}"#)
            #expect(badRole.status == .badRequest)
            #expect(badRole.body.string.contains(#""code":"validation_failed""#))
            let badTeam = try await owner.api(.POST, "/api/v1/invitations", json: #"{"email":"kees@example.com","role":"agent","team_ids":["\#(UUID())"]}"#)
            #expect(badTeam.status == .badRequest)
            let old = try await app.mailedPath(to: "piet@example.com", kind: "invitation", containing: "/invitations/")
            let resent = try await owner.api(.POST, "/api/v1/invitations/\(body.id)/resend")
            #expect(resent.status == .ok)
            #expect(try await app.browser().get(old).status == .notFound)
            let revoked = try await owner.api(.DELETE, "/api/v1/invitations/\(body.id)")
            #expect(revoked.status == .noContent)
            let gone = try await owner.api(.DELETE, "/api/v1/invitations/\(body.id)")
            #expect(gone.status == .notFound)
            #expect(gone.body.string.contains(#""code":"not_found""#))
        }
    }
}
