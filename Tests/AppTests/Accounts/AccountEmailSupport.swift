@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

extension TestApp {
    /// Runs the queued jobs and returns the newest email of `kind` to `address`.
    func lastEmail(to address: String, kind: String) async throws -> OutboxEmail {
        try await runJobsUntilIdle()
        let emails = try await sentEmails(to: address).filter { $0.kind == kind }
        return try #require(emails.last, "no \(kind) email to \(address)")
    }

    /// The path (on this app) of the first link in the newest email of `kind` to `address` that contains `containing`.
    func mailedPath(to address: String, kind: String, containing: String) async throws -> String {
        let email = try await lastEmail(to: address, kind: kind)
        let link = try #require(email.links.first { $0.contains(containing) }, "no \(containing) link in: \(email.textBody)")
        return try #require(URL(string: link)?.path)
    }

    /// An owner with their organization, signed in, and the organization.
    func owner(_ email: String = "owner@example.com", organization: String = "Bakkerij Anna") async throws -> (Browser, Organization) {
        let browser = try await signUp(name: "Anna de Vries", organization: organization, email: email)
        return (browser, try await self.organization(named: organization))
    }

    /// The owner invites `email` from the members page; returns the path of the invitation link.
    @discardableResult
    func invite(_ email: String, role: Role = .agent, by browser: Browser, language: String = "en", teams: [UUID] = []) async throws -> String {
        _ = try await browser.get("/settings/members")
        var fields = ["email": email, "role": role.rawValue, "language": language]
        for (index, team) in teams.enumerated() where index == 0 { fields["team_ids"] = team.uuidString }
        let response = try await browser.post("/settings/members/invitations", fields)
        #expect(response.status == .seeOther, "invitation refused: \(response.body.string.prefix(800))")
        return try await mailedPath(to: email, kind: "invitation", containing: "/invitations/")
    }
}

/// A seat limit for tests: the plan allows `maximum` members.
struct FixedSeats: PlanLimits {
    let maximum: Int
    func seatLimit(organizationID: UUID, on database: any Database) async throws -> SeatLimit { SeatLimit(maximumMembers: maximum) }
}
