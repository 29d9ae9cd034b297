import ADSappCore
import Fluent
import Vapor

/// `/api/v1`: the signed-in member, their organization and its members, as JSON.
/// Cookie sessions send `X-CSRF-Token` (from `GET /api/v1/me`) on every change.
enum APIv1Controller {
    struct MeResponse: Content {
        struct UserBody: Content { var id: UUID; var name: String; var email: String; var language: String? }
        struct OrganizationBody: Content { var id: UUID; var name: String }
        var user: UserBody
        var organization: OrganizationBody
        var role: String
        var permissions: [String]
        var csrf_token: String
    }

    static func me(_ request: Request, _ tenant: Tenant) async throws -> MeResponse {
        return MeResponse(
            user: .init(id: tenant.user.id!, name: tenant.user.name, email: tenant.user.email, language: tenant.user.language),
            organization: .init(id: tenant.organizationID, name: tenant.organization.name),
            role: tenant.role.rawValue,
            permissions: Permission.allCases.filter { tenant.role.can($0) }.map(\.rawValue),
            csrf_token: tenant.signedIn.csrfToken
        )
    }

    struct MemberBody: Content {
        var id: UUID
        var user_id: UUID
        var name: String
        var email: String
        var role: String
        var joined_at: Date

        init(_ membership: Membership) {
            id = membership.id!
            user_id = membership.$user.id
            name = membership.user.name
            email = membership.user.email
            role = membership.role.rawValue
            joined_at = membership.createdAt
        }
    }

    /// `GET /api/v1/members?limit=1...100&cursor=...`, oldest first, keyset-paginated.
    static func members(_ request: Request, _ tenant: Tenant) async throws -> Page<MemberBody> {
        let page = try request.pageRequest()
        var query = tenant.scope.query(Membership.self).with(\.$user)
        if let cursor = page.cursor {
            let position = try KeysetCursor(decoding: cursor)
            query = query.group(.or) { or in
                or.filter(\.$createdAt > position.createdAt)
                or.group(.and) { and in
                    and.filter(\.$createdAt == position.createdAt)
                    and.filter(\.$id > position.id)
                }
            }
        }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).limit(page.limit + 1).all()
        let visible = Array(rows.prefix(page.limit))
        let next = rows.count > page.limit ? visible.last.map { KeysetCursor(createdAt: $0.createdAt, id: $0.id!).encoded } : nil
        return Page(data: visible.map(MemberBody.init), next_cursor: next)
    }

    struct RoleChange: Content { var role: String? }

    static func changeRole(_ request: Request, _ tenant: Tenant) async throws -> MemberBody {
        let membershipID = try membershipID(request)
        let body = try request.content.decode(RoleChange.self)
        guard let raw = body.role, let role = Role(rawValue: raw) else {
            throw APIError(
                .badRequest, code: "validation_failed", message: "role must be one of: " + Role.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        do {
            let membership = try await MemberManagement(tenant: tenant).changeRole(membershipID: membershipID, to: role)
            try await membership.$user.load(on: request.db)
            return MemberBody(membership)
        } catch let violation as MembershipRuleViolation {
            throw violation.apiError
        }
    }

    static func removeMember(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        do {
            try await MemberManagement(tenant: tenant).remove(membershipID: try membershipID(request))
        } catch let violation as MembershipRuleViolation {
            throw violation.apiError
        }
        return .noContent
    }

    private static func membershipID(_ request: Request) throws -> UUID {
        guard let id = request.parameters.get(SiteURL.membershipID, as: UUID.self) else {
            throw APIError(.notFound, code: "not_found", message: "No such member.")
        }
        return id
    }
}

extension MembershipRuleViolation {
    var apiError: APIError {
        switch self {
        case .notAllowed: APIError(.forbidden, code: "not_allowed", message: "Your role does not allow managing members.")
        case .ownerOnly: APIError(.forbidden, code: "owner_only", message: "Only an owner can make someone owner or change an owner.")
        case .lastOwner: APIError(.conflict, code: "last_owner", message: "An organization needs at least one owner.")
        }
    }
}
