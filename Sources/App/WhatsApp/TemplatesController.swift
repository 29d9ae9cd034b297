import ADSappCore
import Fluent
import Vapor
import WhatsAppCloud

/// The templates page.
enum TemplatesController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await render(request, tenant, notice: nil, error: nil, status: .ok)
    }

    struct CreateForm: Content {
        var name: String?
        var language: String?
        var category: String?
        var headerText: String?
        var body: String?
        var examples: String?
        var footer: String?
        var quickReplies: String?
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(CreateForm.self)
        func lines(_ text: String?) -> [String] {
            (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let input = TemplateInput(
            name: form.name, language: form.language, category: form.category, headerText: form.headerText,
            body: form.body, examples: lines(form.examples), footer: form.footer, quickReplies: lines(form.quickReplies)
        )
        do {
            _ = try await management(request, tenant).create(input)
        } catch let problem as TemplateProblem {
            return try await render(request, tenant, notice: nil, error: problem.description, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.templates.path + "?notice=created", redirectType: .normal)
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let template = try await tenant.find(MessageTemplate.self, parameter: SiteURL.templateID, of: request)
        do {
            try await management(request, tenant).delete(template)
        } catch let problem as TemplateProblem {
            return try await render(request, tenant, notice: nil, error: problem.description, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.templates.path + "?notice=deleted", redirectType: .normal)
    }

    static func sync(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await management(request, tenant).syncAll()
        return request.redirect(to: SiteURL.templates.path + "?notice=syncing", redirectType: .normal)
    }

    private static func management(_ request: Request, _ tenant: Tenant) -> TemplateManagement {
        TemplateManagement(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now)
    }

    private static func render(_ request: Request, _ tenant: Tenant, notice: String?, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let t = request.localizer
        let queryNotice: String? =
            switch request.query[String.self, at: "notice"] {
            case "created": t(.templatesNoticeCreated)
            case "deleted": t(.templatesNoticeDeleted)
            case "syncing": t(.templatesNoticeSyncing)
            default: nil
            }
        let model = try await TemplatesPage.query(tenant, notice: notice ?? queryNotice, error: error)
        return try await HTMLResponse(status: status, html: TemplatesPage.html(model, Chrome.make(for: request, section: .templates))).encodeResponse(
            for: request)
    }
}
