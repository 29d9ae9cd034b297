@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing

/// `TenantScope.sql`: raw SQL on tenant tables runs only when it binds the scope's organization.
@Suite struct TenantSQLTests {
    @Test("raw SQL through a scope returns its own organization's rows, never another's")
    func bindsTheOrganization() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna", organization: "Ours", email: "anna@ours.example")
            try await app.signUp(name: "Bram", organization: "Theirs", email: "bram@theirs.example")
            let ours = try await app.organization(named: "Ours").requireID()
            let theirs = try await app.organization(named: "Theirs").requireID()
            try await Team(organizationID: ours, name: "Our team", autoAssign: false, createdAt: app.clock.now).create(on: app.db)
            try await Team(organizationID: theirs, name: "Their team", autoAssign: false, createdAt: app.clock.now).create(on: app.db)
            let scope = TenantScope(organizationID: ours, database: app.db)

            let names = try await scope.sql { organization in
                "SELECT name FROM teams WHERE organization_id = \(bind: organization) ORDER BY name"
            }.all().map { try $0.decode(column: "name", as: String.self) }
            #expect(names == ["Our team"])

            // A query that binds no organization, or another one, does not reach the database.
            #expect(throws: UnscopedQuery.self) { _ = try scope.sql("SELECT name FROM teams") }
            #expect(throws: UnscopedQuery.self) { _ = try scope.sql("SELECT name FROM teams WHERE organization_id = \(bind: theirs)") }
            #expect(throws: UnscopedQuery.self) { _ = try scope.sql { _ in "DELETE FROM teams" } }
            #expect(try await Team.query(on: app.db).count() == 2)

            // Inside a transaction the scope keeps its organization.
            let counted = try await scope.transaction { scope in
                try await scope.sql { "SELECT count(*) AS n FROM teams WHERE organization_id = \(bind: $0)" }.first()?.decode(column: "n", as: Int.self)
            }
            #expect(counted == 1)
        }
    }

    /// Raw SQL that is not about one organization's rows, by file: each says why it needs the
    /// unscoped `Database.sql`. Anything else reaches tenant tables through `TenantScope.sql`.
    static let unscopedSQL: [String: String] = [
        "DiagnosticsJob.swift": "job_diagnostics, a table of the queue's own",
        "AdminPage+Query.swift": "the platform operators' counts across organizations",
        "PlatformAdminController.swift": "the platform operators' counts across organizations",
        "WebhookIntake.swift": "webhook_events, stored before any organization is known",
        "ProcessWhatsAppWebhook.swift": "webhook_events",
        "StripeWebhookController.swift": "stripe_events, stored before any organization is known",
        "ProcessStripeEvent.swift": "stripe_events, whose organization is what processing finds out",
        "SendWhatsAppMessage.swift": "send_rate_buckets, per phone number",
        "CampaignSender.swift": "send_rate_buckets, per phone number (the same bucket as the inbox's sends)",
        "HealthController.swift": "the migration log",
        "Throttle.swift": "throttle counters and login failures, per address and account",
        "InboxEvents.swift": "the event log every live inbox of every organization reads",
        "LiveAccess.swift": "the sessions of the live sockets, across organizations",
        "LivePresence.swift": "a NOTIFY that carries presence to the other processes; it reads and writes no rows",
        "AutomaticAssignment.swift": "waking snoozed conversations of every organization at once",
        "TenantScope.swift": "the scope itself",
        "SessionStore.swift":
            "a session cookie's own session and person, and the organizations the person is in (each with its count of disconnected numbers), found by the token's hash, before any organization is known",
        "AccountToken.swift": "account_tokens, a person's own mailed links (claimed once, atomically), in no organization",
        "ContactImportJob.swift": "after a bulk import, VACUUM ANALYZE of the contacts table (SQLEngine.tidyAfterBulkWrite) reads or returns no rows",
        "TwoFactorSignIn.swift": "two_factor_pending_sign_ins, a person's sign-in in progress (claimed once, atomically), in no organization",
        "TwoFactorAccount.swift": "two_factor_credentials and their recovery codes, a person's own, in no organization",
        "AdvanceDrips.swift":
            "the due drip enrolments and tag-enrolling sequences of every organization; each is then worked on in its own organization's scope",
        "ContactErasure.swift":
            "webhook_events and send_rate_buckets carry no organization column: the raw bodies and buckets of the erased number are found through this organization's connections",
    ]

    @Test("raw SQL outside a scope is only where it says why")
    func unscopedSQLIsListed() throws {
        let app = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/App").standardized
        let files = try #require(FileManager.default.enumerator(atPath: app.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("Database/") }
        // Simple word boundaries: by Unicode's default rules "sql.raw" is one word, and `.sql.raw(` would slip through.
        let accessor = try Regex(#"\.sql\b(?!\s*[({])"#).wordBoundaryKind(.simple)
        for file in files {
            let text = try String(contentsOf: app.appendingPathComponent(file), encoding: .utf8)
            let name = (file as NSString).lastPathComponent
            // A `PlannedOnceQuery` is raw SQL too, run outside any scope.
            if text.contains(accessor) || text.contains(": PlannedOnceQuery") {
                #expect(
                    Self.unscopedSQL[name] != nil,
                    "\(file) runs raw SQL outside a TenantScope: use scope.sql { organization in … }, or list it here with the reason")
            }
        }
    }

    @Test("the engine is chosen from the database once; feature code asks it, not the dialect")
    func engineOfTheDatabase() async throws {
        try await TestApp.run(migrate: false) { app in
            let engine = app.db.sql.engine
            if TestDatabase.postgresURL != nil {
                #expect(engine is PostgreSQLEngine)
                #expect(engine.least("1", "2") == "LEAST(1, 2)")
                #expect(engine.prefixQuery(["ann", "de"]) == "'ann':* & 'de':*")
            } else {
                #expect(engine is SQLiteEngine)
                #expect(engine.least("1", "2") == "MIN(1, 2)")
                #expect(engine.prefixQuery(["ann", "de"]) == "\"ann\"* \"de\"*")
            }
            let value = try await app.db.sql.raw("SELECT \(unsafeRaw: engine.greatest("3", engine.least("7", "5"))) AS v").first()?.decode(
                column: "v", as: Int.self)
            #expect(value == 5)
        }
    }
}
