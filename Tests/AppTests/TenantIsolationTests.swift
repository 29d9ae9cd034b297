@testable import App
import ADSappCore
import Fluent
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Jobs
import Testing
import Vapor
import VaporTesting

/// DESIGN rule 1: every registered route, walked as the owner of another organization, must
/// answer nothing of this organization's and change nothing of it. New routes are picked up
/// from the router, so a route added without scoping fails here.
@Suite struct TenantIsolationTests {
    struct VictimState: Equatable {
        var organizationName: String
        var memberships: [String]
        var users: [String]
        var sessionCount: Int
        var whatsApp: [String]
        var inbox: [String]
    }

    /// The walk is split into this many parts that run side by side, each on its own app; together they walk every route.
    static let shards = 8

    @Test("every route, called by a member of another organization, reveals and changes nothing of it", arguments: 0..<shards)
    func walkEveryRoute(shard: Int) async throws {
        try await TestApp.run { app in
            // The victim organization, with names that appear nowhere else.
            try await app.signUp(name: "Victim Owner Vv7", organization: "Victim Org Qx9", email: "victim-owner@victim.example")
            try await app.signUp(name: "Victim Agent Zz3", organization: "Neutral Home", email: "victim-agent@victim.example")
            let victim = try await app.organization(named: "Victim Org Qx9")
            _ = try await app.addMember(email: "victim-agent@victim.example", to: victim.id!, role: .agent)
            var victimJob = try JobStore.NewJob(DiagnosticsJob.self, .init(label: "Victim import Qx9"), organizationID: victim.id)
            victimJob.runAt = app.clock.now.addingTimeInterval(3600)  // stays queued during the walk
            let victimJobID = try #require(try await JobStore(database: app.db).enqueue(victimJob))
            let victimMemberships = try await Membership.query(on: app.db).filter(\.$organizationID == victim.id!).all()
            let victimUserIDs = victimMemberships.map { $0.$user.id }

            try await app.signUp(name: "Attacker", organization: "Attacker Org", email: "attacker@attacker.example")
            let attacker = try #require(try await User.query(on: app.db).filter(\.$email == "attacker@attacker.example").first())
            let attackerOrganization = try await app.organization(named: "Attacker Org")

            let victimChannel = try await WhatsAppSeed.make(in: victim.id!, label: "VictimQx9", phoneNumberID: "1000000009", app: app)
            let victimTeam = Team(organizationID: victim.id!, name: "Victim team Qx9", autoAssign: true, createdAt: app.clock.now)
            try await victimTeam.create(on: app.db)
            let victimTag = Tag(organizationID: victim.id!, name: "Victim tag Qx9", createdAt: app.clock.now)
            try await victimTag.create(on: app.db)
            let victimCanned = CannedResponse(organizationID: victim.id!, shortcut: "victimqx9", body: "Victim canned Qx9", createdAt: app.clock.now)
            try await victimCanned.create(on: app.db)
            let victimCampaign = Campaign()
            victimCampaign.id = UUID()
            victimCampaign.organizationID = victim.id!
            victimCampaign.name = "Victim campaign Qx9"
            victimCampaign.connectionID = victimChannel.connectionID
            victimCampaign.templateName = "victimqx9_template"
            victimCampaign.templateLanguage = "nl"
            victimCampaign.templateCategory = "MARKETING"
            victimCampaign.message = CampaignMessage()
            victimCampaign.audience = CampaignAudience(contactIDs: [victimChannel.contactID])
            victimCampaign.status = .paused
            victimCampaign.createdAt = app.clock.now
            victimCampaign.updatedAt = app.clock.now
            try await victimCampaign.create(on: app.db)

            let victimIDs: [UUID] =
                [victim.id!, victimJobID] + victimMemberships.map { $0.id! } + victimUserIDs + victimChannel.ids
                + [victimTeam.id!, victimTag.id!, victimCanned.id!, victimCampaign.id!]
            let secrets =
                [
                    "Victim Org Qx9", "Victim Owner Vv7", "Victim Agent Zz3", "victim-owner@victim.example", "victim-agent@victim.example", "Victim import Qx9",
                    "VictimQx9 message", "VictimQx9 Contact", "VictimQx9 media bytes", "victimqx9_template", "wamid.VictimQx9", "token-VictimQx9",
                    "Victim team Qx9", "Victim tag Qx9", "Victim canned Qx9", "Victim campaign Qx9",
                ]
                + victimIDs.map(\.uuidString)
            let before = try await state(of: victim.id!, users: victimUserIDs, app)

            let routes = app.app.routes.all.enumerated().filter { $0.offset % Self.shards == shard }.map(\.element)
            var walked = 0
            var parameterized = 0
            for route in routes {
                let parameters = route.path.filter { if case .parameter = $0 { true } else { false } }
                let values: [UUID?] = parameters.isEmpty ? [nil] : victimIDs
                var last: (browser: Browser, token: String, path: String)?
                // One session per route, replaced when a request ended it (sign-out, sessions ended elsewhere).
                let store = SessionStore(database: app.db, context: app.app.context)
                var token: String?
                for value in values {
                    let path =
                        "/"
                        + route.path.map { component -> String in
                            switch component {
                            case .constant(let text): text
                            case .parameter, .anything, .catchall: value?.uuidString ?? "x"
                            }
                        }.joined(separator: "/")

                    if token == nil { token = try await store.start(userID: attacker.id!, organizationID: attackerOrganization.id, userAgent: nil).token }
                    let session = try #require(token)
                    let browser = app.browser()
                    browser.cookies[Cookies.session] = session
                    browser.csrfToken = SessionStore.csrfToken(forSessionToken: session)

                    let (response, sent) = try await send(route.method, path, browser, victim: victim.id!)
                    let echoed = SearchableText(path + sent)
                    let answered = SearchableText(response.body.string)
                    let leaked = secrets.filter { !echoed.contains($0) && answered.contains($0) }
                    #expect(leaked.isEmpty, "\(route.method) \(path) answered the victim's \(leaked)")
                    if !parameters.isEmpty, path.hasPrefix("/api/webhooks/") {
                        // Webhooks answer to a signature or a verify token, never to a session: the attacker has neither.
                        #expect([.notFound, .forbidden, .unauthorized].contains(response.status), "\(route.method) \(path) answered \(response.status)")
                    } else if !parameters.isEmpty {
                        #expect(response.status == .notFound, "\(route.method) \(path) answered \(response.status) for another organization's id")
                        parameterized += 1
                    }
                    last = (browser, session, path)
                    if route.method != .GET, route.method != .HEAD, try await store.resolve(token: session) == nil { token = nil }
                }
                // Whatever the route did with every id, the attacker's own pages still show nothing of the victim.
                if let (browser, token, path) = last, try await store.resolve(token: token) != nil {
                    let dashboard = SearchableText(try await browser.get("/dashboard").body.string)
                    #expect(secrets.allSatisfy { !dashboard.contains($0) }, "after \(route.method) \(path) the dashboard shows victim data")
                }
                walked += 1
            }

            func hasParameter(_ route: Route) -> Bool { route.path.contains { if case .parameter = $0 { true } else { false } } }
            func isWebhook(_ route: Route) -> Bool { ("/" + route.path.map(\.description).joined(separator: "/")).hasPrefix("/api/webhooks/") }
            #expect(walked == routes.count)
            #expect(app.app.routes.all.count >= 30, "the walk covers the whole router")
            #expect(app.app.routes.all.filter { hasParameter($0) && !isWebhook($0) }.count >= 4, "there are member routes to walk with ids")
            #expect(
                parameterized == routes.filter { hasParameter($0) && !isWebhook($0) }.count * victimIDs.count, "member routes were walked with every victim id")
            #expect(try await state(of: victim.id!, users: victimUserIDs, app) == before, "the victim's data is unchanged")
            #expect(try await JobStore(database: app.db).find(victimJobID, organizationID: victim.id)?.state == .queued, "the victim's job is untouched")
        }
    }

    /// Sends a request with every input a route might read, filled with the victim's identifiers.
    private func send(_ method: HTTPMethod, _ path: String, _ browser: Browser, victim: UUID) async throws -> (TestingHTTPResponse, String) {
        if method == .GET || method == .HEAD { return (try await browser.send(method, path), "") }
        if path.hasPrefix("/api/") {
            let json = #"{"role":"owner","organization_id":"\#(victim.uuidString)","name":"Renamed"}"#
            return (try await browser.api(method, path, json: json), json)
        }
        let fields = [
            "role": "owner", "organization_id": victim.uuidString, "name": "Renamed", "organization": "Renamed",
            "language": "nl", "email": "victim-owner@victim.example", "password": "not-the-password-1",
            "current_password": "not-the-password-1", "new_password": "another-new-password-2", "return_to": "/dashboard",
        ]
        return (try await browser.post(path, fields), fields.values.joined(separator: " "))
    }

    private func state(of organizationID: UUID, users: [UUID], _ app: TestApp) async throws -> VictimState {
        let organization = try #require(try await Organization.find(organizationID, on: app.db))
        let memberships = try await Membership.query(on: app.db).filter(\.$organizationID == organizationID).all()
            .map { "\($0.id!) \($0.$user.id) \($0.role)" }.sorted()
        let userRows = try await User.query(on: app.db).filter(\.$id ~~ users).all()
            .map { "\($0.id!) \($0.name) \($0.email) \($0.passwordHash) \($0.language ?? "-") \($0.isPlatformAdmin)" }.sorted()
        let sessions = try await UserSession.query(on: app.db).filter(\.$user.$id ~~ users).count()
        return VictimState(
            organizationName: organization.name, memberships: memberships, users: userRows, sessionCount: sessions,
            whatsApp: try await WhatsAppSeed.state(of: organizationID, app: app),
            inbox: try await inboxState(of: organizationID, app))
    }

    /// Teams, tags, canned responses, notes, the conversations' work state, members' capacity and availability, campaigns.
    private func inboxState(of organizationID: UUID, _ app: TestApp) async throws -> [String] {
        let scope = TenantScope(organizationID: organizationID, database: app.db)
        var rows = try await scope.query(Team.self).all().map { "team \($0.id!) \($0.name) \($0.autoAssign)" }
        rows += try await scope.query(TeamMember.self).all().map { "team member \($0.$team.id) \($0.$membership.id)" }
        rows += try await scope.query(Tag.self).all().map { "tag \($0.id!) \($0.name)" }
        rows += try await scope.query(ConversationTag.self).all().map { "tagged \($0.$conversation.id) \($0.$tag.id)" }
        rows += try await scope.query(CannedResponse.self).all().map { "canned \($0.shortcut) \($0.body)" }
        rows += try await scope.query(Note.self).all().map { "note \($0.body)" }
        rows += try await scope.query(Conversation.self).all().map {
            "conversation \($0.id!) \($0.status) \(String(describing: $0.$assignee.id)) \(String(describing: $0.$team.id)) \(String(describing: $0.snoozedUntil))"
        }
        rows += try await scope.query(Membership.self).all().map { "member \($0.id!) \($0.available) \($0.capacity)" }
        rows += [try await Organization.find(organizationID, on: app.db).map { "agents see all: \($0.agentsSeeAll)" } ?? "-"]
        rows += try await scope.query(Campaign.self).all().map { "campaign \($0.id!) \($0.name) \($0.status) \($0.audienceJSON)" }
        rows += try await scope.query(CampaignRecipient.self).all().map { "recipient \($0.id!) \($0.status)" }
        return rows.sorted()
    }
}

/// A text searched for many strings, ignoring case: lowercased once, then each search is
/// `memchr` and `memcmp` over its bytes (Foundation's `contains` on a lowercased copy per string cost the walk
/// a twentieth of the test run's CPU).
struct SearchableText {
    private let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.lowercased().utf8) }

    func contains(_ string: String) -> Bool {
        let needle = Array(string.lowercased().utf8)
        guard !needle.isEmpty else { return true }
        return bytes.withUnsafeBytes { (haystack: UnsafeRawBufferPointer) -> Bool in
            needle.withUnsafeBytes { (needle: UnsafeRawBufferPointer) -> Bool in
                guard let base = haystack.baseAddress, let wanted = needle.baseAddress else { return false }
                let first = Int32(needle[0])
                var offset = 0
                while haystack.count - offset >= needle.count {
                    guard let found = memchr(base + offset, first, haystack.count - offset) else { return false }
                    let at = UnsafeRawPointer(found) - base
                    if haystack.count - at < needle.count { return false }
                    if memcmp(base + at, wanted, needle.count) == 0 { return true }
                    offset = at + 1
                }
                return false
            }
        }
    }
}

/// The tenant scope is the only door to tenant-owned rows: feature code that queries such a
/// model directly (outside the few files that cross organizations on purpose) fails this test.
@Suite struct TenantScopeUsageTests {
    static let crossOrganizationFiles: Set<String> = [
        "Tenancy/TenantScope.swift",  // builds the scoped queries
        "Organizations/Memberships.swift",  // "which organizations is this person in"
        "Platform/PlatformAdminController.swift",  // the operator sees every organization
        "WhatsApp/ConnectionDirectory.swift",  // webhooks name a phone number, not an organization
        "Inbox/AutomaticAssignment.swift",  // the regular sweep visits every organization's teams
        "Accounts/Invitations/Invitations.swift",  // an invitation's link names its organization (found by the token's hash)
        "Notifications/NotificationsController.swift",  // an unsubscribe link names its member (found by the token's hash), signed out
        "Notifications/NotificationMailer.swift",  // an unsubscribe token is looked up by its hash (it names its organization); expired ones are pruned
        "Notifications/NotificationJobs.swift",  // the daily digest visits every member who asked for it
        "Billing/BillingAccounts.swift",  // a verified Stripe event names a customer, not an organization
        "Billing/EndBillingGrace.swift",  // the grace sweep visits every organization's overdue account
    ]

    @Test func noUnscopedQueriesOfTenantOwnedModels() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/App").standardized
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let texts = try Dictionary(
            uniqueKeysWithValues: files.map { ($0.path.replacingOccurrences(of: sources.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8)) })

        let tenantOwned = texts.values.flatMap { text in
            text.matches(of: /final class (\w+): Model, TenantOwned/).map { String($0.1) }
        }
        #expect(tenantOwned.contains("Membership"), "the scan finds tenant-owned models")
        var offenders: [String] = []
        for (file, text) in texts where !Self.crossOrganizationFiles.contains(file) {
            for model in tenantOwned where text.contains("\(model).query(on:") || text.contains("\(model).find(") {
                offenders.append("\(file): \(model)")
            }
        }
        #expect(offenders.isEmpty, "query tenant-owned models through TenantScope: \(offenders)")
    }
}
