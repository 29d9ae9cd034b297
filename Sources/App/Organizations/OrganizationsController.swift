import ADSappCore
import Fluent
import Vapor

/// Switching between organizations, creating one, and the page for people in none.
enum OrganizationsController {
    struct SwitchForm: Content { var organization_id: UUID? }

    static func switchOrganization(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let form = try request.content.decode(SwitchForm.self)
        // Only organizations the person belongs to; anything else looks like it does not exist.
        guard let organizationID = form.organization_id,
            try await Memberships(database: request.db).find(userID: signedIn.userID, organizationID: organizationID) != nil
        else { throw Abort(.notFound) }
        signedIn.session.organizationID = organizationID
        try await signedIn.session.update(on: request.db)
        return request.redirect(to: SiteURL.dashboard.path, redirectType: .normal)
    }

    static func newPage(_ request: Request) async throws -> Response {
        try await HTMLResponse(html: NewOrganizationPage.html(.init(), Chrome.make(for: request))).encodeResponse(for: request)
    }

    struct CreateForm: Content { var name: String? }

    static func create(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let form = try request.content.decode(CreateForm.self)
        let name: DisplayName
        do { name = try DisplayName(form.name ?? "", field: "name") } catch {
            let model = NewOrganizationPage.Model(name: form.name ?? "", error: request.localizer.fieldError(error))
            return try await HTMLResponse(status: .unprocessableEntity, html: NewOrganizationPage.html(model, Chrome.make(for: request))).encodeResponse(
                for: request)
        }
        let now = request.now
        let organization = Organization(name: name.value, createdAt: now)
        try await request.db.transaction { database in
            try await organization.create(on: database)
            let scope = TenantScope(organizationID: organization.id!, database: database)
            _ = try await MemberManagement.addMember(userID: signedIn.userID, role: .owner, in: scope, now: now)
            signedIn.session.organizationID = organization.id
            try await signedIn.session.update(on: database)
        }
        return request.redirect(to: SiteURL.dashboard.path, redirectType: .normal)
    }

    static func noOrganizationPage(_ request: Request) async throws -> Response {
        if try await Memberships(database: request.db).first(userID: try request.requireSignedIn().userID) != nil {
            return request.redirect(to: SiteURL.dashboard.path)
        }
        return try await HTMLResponse(html: NoOrganizationPage.html(Chrome.make(for: request))).encodeResponse(for: request)
    }
}
