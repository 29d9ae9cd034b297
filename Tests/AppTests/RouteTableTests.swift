@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Every route states who may reach it where it is registered (`RouteAccess`, `TenantRoutes`):
/// the table printed here is the app's access map, and a route without an entry fails.
@Suite struct RouteTableTests {
    @Test("every route states who may reach it; the table is printed")
    func everyRouteStatesItsAccess() async throws {
        try await TestApp.run(migrate: false) { app in
            let routes = app.app.routes.all
            let table = Self.table(routes)
            print(
                "Route table (method, path, access):\n"
                    + table.map {
                        "\($0.method.padding(toLength: 7, withPad: " ", startingAt: 0)) \($0.path.padding(toLength: 56, withPad: " ", startingAt: 0)) \($0.access)"
                    }.joined(separator: "\n"))
            let unmarked = routes.filter { $0.access == nil }.map { "\($0.method) /\($0.path.string)" }
            #expect(unmarked.isEmpty, "routes that do not state who may reach them: \(unmarked)")
            // The JSON API outside the operators' part is for members, each call with its requirement.
            for route in routes where route.path.string.hasPrefix("api/v1/") && !route.path.string.hasPrefix("api/v1/admin/") {
                guard case .tenant = route.access else {
                    Issue.record(
                        "\(route.method) /\(route.path.string) is an API route but not a tenant route: \(route.access.map(String.init(describing:)) ?? "none")")
                    continue
                }
            }
            for route in routes where route.path.string.hasPrefix("api/v1/admin/") || route.path.string.hasPrefix("admin") {
                #expect(route.access == .platformOperator, "\(route.method) /\(route.path.string)")
            }
            for route in routes where route.path.string.hasPrefix("api/webhooks/") {
                #expect(route.access == .vendorSigned, "\(route.method) /\(route.path.string)")
            }
            // A route needing only membership says so on purpose; these are the ones that do.
            let anyMember = table.filter { $0.access == "tenant: any member" }.map { "\($0.method) \($0.path)" }
            #expect(
                Set(anyMember) == [
                    "POST /settings/members/:membershipID/role", "POST /settings/members/:membershipID/remove",
                    "GET /jobs/:jobID", "GET /api/v1/me", "PATCH /api/v1/members/:membershipID",
                    "DELETE /api/v1/members/:membershipID", "GET /api/v1/jobs/:jobID",
                    // Each member's own email notification choices.
                    "GET /settings/notifications", "POST /settings/notifications",
                ])
        }
    }

    @Test("a member whose role lacks a route's permission is refused before the handler runs: 403, and on the API the error shape")
    func membersLackingThePermissionAreRefused() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Owner", organization: "Route Table Org", email: "owner@routes.example")
            let organization = try await app.organization(named: "Route Table Org")
            var members: [Role: Browser] = [:]
            for role in [Role.viewer, .agent, .owner] {
                let email = "\(role.rawValue)@routes.example"
                if role != .owner {
                    try await app.signUp(name: role.rawValue, organization: "Home of \(role.rawValue)", email: email)
                    _ = try await app.addMember(email: email, to: organization.id!, role: role)
                }
                members[role] = try await Self.browser(signedInAs: email, in: organization.id!, app)
            }
            var checked: [Permission: Int] = [:]
            for route in app.app.routes.all {
                guard case .tenant(.permission(let permission)) = route.access else { continue }
                let path =
                    "/"
                    + route.path.map { component -> String in
                        if case .constant(let text) = component { return text }
                        return UUID().uuidString
                    }.joined(separator: "/")
                let isAPI = path.hasPrefix("/api/")
                for role in [Role.viewer, .agent] where !role.can(permission) {
                    let response = try await Self.send(route.method, path, isAPI: isAPI, as: members[role]!)
                    #expect(response.status == .forbidden, "\(role) \(route.method) \(path) (\(permission)) answered \(response.status)")
                    if isAPI {
                        #expect(response.body.string.contains(#""code":"forbidden""#), "\(role) \(route.method) \(path): \(response.body.string)")
                    }
                    checked[permission, default: 0] += 1
                }
                // The same request from an owner passes the check (a made-up id is then not found, a form invalid):
                // the refusal above came from the requirement, not from the request.
                if checked[permission] != nil {
                    let response = try await Self.send(route.method, path, isAPI: isAPI, as: members[.owner]!)
                    #expect(response.status != .forbidden, "owner \(route.method) \(path) answered \(response.status): \(response.body.string.prefix(300))")
                }
            }
            #expect(Set(checked.keys).isSuperset(of: [.replyToConversations, .manageTemplates, .manageInbox, .manageChannels]), "\(checked)")
        }
    }

    struct Row { var method: String; var path: String; var access: String }

    static func table(_ routes: [Route]) -> [Row] {
        routes.map { Row(method: $0.method.rawValue, path: "/" + $0.path.string, access: $0.access.map(String.init(describing:)) ?? "NONE") }
            .sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    static func browser(signedInAs email: String, in organizationID: UUID, _ app: TestApp) async throws -> Browser {
        let user = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
        let (token, _) = try await SessionStore(database: app.db, context: app.app.context).start(
            userID: user.id!, organizationID: organizationID, userAgent: nil)
        let browser = app.browser()
        browser.cookies[Cookies.session] = token
        browser.csrfToken = SessionStore.csrfToken(forSessionToken: token)
        return browser
    }

    static func send(_ method: HTTPMethod, _ path: String, isAPI: Bool, as browser: Browser) async throws -> TestingHTTPResponse {
        if isAPI { return try await browser.api(method, path, json: method == .GET ? nil : "{}") }
        return method == .GET ? try await browser.get(path) : try await browser.post(path)
    }
}
