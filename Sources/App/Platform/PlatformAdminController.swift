import Fluent
import SQLKit
import Vapor

/// The platform operator's pages. The only code that reads across organizations on purpose.
enum PlatformAdminController {
    /// Every organization, for the platform operator only (guarded by `RequirePlatformAdmin`).
    static func organizations(_ request: Request) async throws -> Response {
        let notice: String? = request.query[String.self, at: "notice"] == "assigned" ? request.localizer(.adminNumberNoticeAssigned) : nil
        return try await render(request, notice: notice, error: nil, status: .ok)
    }

    /// Connects the platform's number to one organization (`PlatformNumberAssignment`).
    static func assignNumber(_ request: Request) async throws -> Response {
        guard let organizationID = request.parameters.get(SiteURL.organizationID, as: UUID.self) else { throw Abort(.notFound) }
        do {
            let connection = try await assignment(request).assign(to: organizationID)
            request.logger.notice(
                "Platform number assigned by an operator",
                metadata: [
                    "organization": .string(organizationID.uuidString.lowercased()),
                    "connection": .string(connection.id?.uuidString.lowercased() ?? "-"),
                ])
        } catch PlatformNumberAssignment.Problem.noSuchOrganization {
            throw Abort(.notFound)
        } catch let problem as PlatformNumberAssignment.Problem {
            let message =
                switch problem {
                case .refused(let refusal): refusal.message(request.localizer)
                case .noPlatformNumber: request.localizer(.adminNumberNone)
                case .noSuchOrganization: problem.description
                }
            return try await render(request, notice: nil, error: message, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.admin.path + "?notice=assigned", redirectType: .normal)
    }

    static func assignment(_ request: Request) -> PlatformNumberAssignment {
        PlatformNumberAssignment(services: request.whatsApp, database: request.db, jobs: request.jobs, now: request.now)
    }

    private static func render(_ request: Request, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let model = try await AdminPage.query(request, notice: notice, error: error)
        let html = AdminPage.html(model, try await Chrome.make(for: request, section: .admin))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }
}
