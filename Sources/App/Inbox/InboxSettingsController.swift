import ADSappCore
import Fluent
import Vapor

/// Settings → Inbox: who sees what, teams and their members, capacity, tags, canned responses.
/// One page, one form target; each form says which change it is with `action`.
enum InboxSettingsController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "saved" ? request.localizer(.inboxSettingsSaved) : nil
        return try await render(request, tenant, notice: notice, error: nil, status: .ok)
    }

    struct Form: Content {
        var action: String?
        var id: UUID?
        var name: String?
        var auto_assign: String?
        var member_ids: [UUID]?
        var agents_see_all: String?
        var shortcut: String?
        var body: String?
        var capacity: Int?
    }

    static func save(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(Form.self)
        let settings = InboxSettings(tenant: tenant, request: request)
        let t = request.localizer
        do {
            switch form.action {
            case "visibility": try await settings.setAgentsSeeAll(form.agents_see_all == "on")
            case "team.create": try await settings.createTeam(name: form.name ?? "", autoAssign: form.auto_assign == "on", members: form.member_ids ?? [])
            case "team.update":
                guard let id = form.id else { throw InboxSettings.Refusal.notFound }
                _ = try await settings.updateTeam(id, name: form.name, autoAssign: form.auto_assign == "on", members: form.member_ids ?? [])
            case "team.delete": try await settings.deleteTeam(try form.id ?? { throw InboxSettings.Refusal.notFound }())
            case "tag.create": try await settings.createTag(name: form.name ?? "")
            case "tag.delete": try await settings.deleteTag(try form.id ?? { throw InboxSettings.Refusal.notFound }())
            case "canned.create": try await settings.createCannedResponse(shortcut: form.shortcut ?? "", body: form.body ?? "")
            case "canned.delete": try await settings.deleteCannedResponse(try form.id ?? { throw InboxSettings.Refusal.notFound }())
            case "capacity":
                guard let capacity = form.capacity else { throw InboxSettings.Refusal.invalidCapacity }
                try await settings.setCapacity(of: try form.id ?? { throw InboxSettings.Refusal.notFound }(), to: capacity)
            default: throw InboxSettings.Refusal.notFound
            }
        } catch let refusal as InboxSettings.Refusal {
            let message =
                switch refusal {
                case .invalidName: t(.inboxSettingsErrorName, ["max": String(InboxSettings.maxNameLength)])
                case .duplicate: t(.inboxSettingsErrorDuplicate)
                case .invalidShortcut: t(.inboxSettingsErrorShortcut)
                case .invalidBody: t(.inboxSettingsErrorBody, ["max": String(InboxSettings.maxBodyLength)])
                case .invalidCapacity:
                    t(.inboxSettingsErrorCapacity, ["min": "\(InboxSettings.capacityRange.lowerBound)", "max": "\(InboxSettings.capacityRange.upperBound)"])
                case .notAMember, .notFound: t(.inboxSettingsErrorNotFound)
                }
            let status: HTTPResponseStatus = refusal == .notFound || refusal == .notAMember ? .notFound : .unprocessableEntity
            return try await render(request, tenant, notice: nil, error: message, status: status)
        }
        return request.redirect(to: SiteURL.inboxSettings.path + "?notice=saved", redirectType: .normal)
    }

    private static func render(_ request: Request, _ tenant: Tenant, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let model = try await InboxSettingsPage.query(tenant, notice: notice, error: error)
        let html = InboxSettingsPage.html(model, try await Chrome.make(for: request, section: .settings))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }
}
