import ADSappCore
import Fluent
import Vapor

/// The members page of the current organization.
enum MembersController {
    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "role_changed": t(.membersNoticeRoleChanged)
            case "removed": t(.membersNoticeRemoved)
            case "invited": t(.invitationsNoticeSent)
            case "resent": t(.invitationsNoticeResent)
            case "revoked": t(.invitationsNoticeRevoked)
            default: nil
            }
        let error: String? =
            switch request.query[String.self, at: "error"] {
            case "last_owner": t(.membersErrorLastOwner)
            case "owner_only": t(.membersErrorOwnerOnly)
            case "not_allowed": t(.membersErrorNotAllowed)
            default: nil
            }
        return try await render(request, tenant, notice: notice, error: error)
    }

    /// The members page, with the invite form as typed (and its problems) when `invite` is given.
    static func render(
        _ request: Request, _ tenant: Tenant, notice: String? = nil, error: String? = nil, invite: MembersPage.InviteForm? = nil,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let model = try await MembersPage.query(tenant, notice: notice, error: error, invite: invite, language: request.language, now: request.now)
        return try await HTMLResponse(status: status, html: MembersPage.html(model, Chrome.make(for: request, section: .settings))).encodeResponse(
            for: request)
    }

    struct RoleForm: Content { var role: String? }

    static func changeRole(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let membershipID = try request.parameters.require(SiteURL.membershipID, as: UUID.self)
        guard let role = try request.content.decode(RoleForm.self).role.flatMap(Role.init(rawValue:)) else { throw Abort(.badRequest) }
        do {
            _ = try await MemberManagement(tenant: tenant).changeRole(membershipID: membershipID, to: role)
        } catch let violation as MembershipRuleViolation {
            return request.redirect(to: SiteURL.members.path + "?error=" + violation.code, redirectType: .normal)
        }
        return request.redirect(to: SiteURL.members.path + "?notice=role_changed", redirectType: .normal)
    }

    static func remove(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let membershipID = try request.parameters.require(SiteURL.membershipID, as: UUID.self)
        do {
            try await MemberManagement(tenant: tenant).remove(membershipID: membershipID)
        } catch let violation as MembershipRuleViolation {
            return request.redirect(to: SiteURL.members.path + "?error=" + violation.code, redirectType: .normal)
        }
        if membershipID == tenant.membership.id { return request.redirect(to: SiteURL.dashboard.path, redirectType: .normal) }
        return request.redirect(to: SiteURL.members.path + "?notice=removed", redirectType: .normal)
    }
}

extension MembershipRuleViolation {
    var code: String {
        switch self {
        case .notAllowed: "not_allowed"
        case .ownerOnly: "owner_only"
        case .lastOwner: "last_owner"
        }
    }
}
