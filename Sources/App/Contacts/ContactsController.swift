import ADSappCore
import Fluent
import Vapor

/// The contact pages: list, new, edit, the contact page and its forms.
enum ContactsController {
    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        async let chrome = Chrome.make(for: request, section: .contacts)
        let model = try await ContactListPage.query(request, tenant)
        return try await HTMLResponse(status: model.error == nil ? .ok : .badRequest, html: ContactListPage.html(model, try await chrome))
            .encodeResponse(for: request)
    }

    // MARK: - New and edit

    struct Form: Content {
        var name: String?
        var phone: String?
        var email: String?
        var fields: [String: String]?

        var input: ContactEditor.Input {
            var fieldValues: [UUID: String] = [:]
            for (key, value) in fields ?? [:] { if let id = UUID(uuidString: key) { fieldValues[id] = value } }
            return ContactEditor.Input(name: name ?? "", phone: phone ?? "", email: email ?? "", fields: fieldValues)
        }
    }

    static func newPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await renderForm(request, tenant, contact: nil, typed: nil, refusal: nil)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(Form.self).input
        do {
            let contact = try await editor(request, tenant).save(input, to: nil)
            return request.redirect(to: SiteURL.contact(.value(try contact.requireID())).path + "?notice=saved", redirectType: .normal)
        } catch let refusal as ContactEditor.Refusal {
            return try await renderForm(request, tenant, contact: nil, typed: input, refusal: refusal)
        }
    }

    static func editPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await renderForm(request, tenant, contact: try await contact(request, tenant), typed: nil, refusal: nil)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let input = try request.content.decode(Form.self).input
        do {
            _ = try await editor(request, tenant).save(input, to: contact)
            return request.redirect(to: SiteURL.contact(.value(try contact.requireID())).path + "?notice=saved", redirectType: .normal)
        } catch let refusal as ContactEditor.Refusal {
            return try await renderForm(request, tenant, contact: contact, typed: input, refusal: refusal)
        }
    }

    static func editor(_ request: Request, _ tenant: Tenant) -> ContactEditor {
        ContactEditor(
            scope: tenant.scope, defaultCountry: tenant.organization.defaultCountry, actor: tenant.user.name, now: request.now, billing: request.billingAccess)
    }

    static func message(_ refusal: ContactEditor.Refusal, _ t: Localizer) -> String {
        switch refusal {
        case .phone(let reason): t(.contactFormErrorPhone, ["reason": reason])
        case .phoneRequired: t(.contactFormErrorPhoneRequired)
        case .duplicate: t(.contactFormErrorDuplicate)
        case .nameTooLong: t(.contactFormErrorName, ["max": "\(ContactEditor.maxNameLength)"])
        case .email: t(.contactFormErrorEmail)
        case .field(let error): t(.contactFormErrorField, ["reason": error.description])
        case .planLimit(let refusal): refusal.text(t)
        }
    }

    private static func renderForm(
        _ request: Request, _ tenant: Tenant, contact: Contact?, typed: ContactEditor.Input?, refusal: ContactEditor.Refusal?
    ) async throws -> Response {
        let chrome = try await Chrome.make(for: request, section: .contacts)
        var duplicateID: UUID?
        if case .duplicate(let id) = refusal { duplicateID = id }
        let model = try await ContactFormPage.query(
            tenant, contact: contact, typed: typed, error: refusal.map { message($0, request.localizer) }, duplicateID: duplicateID)
        let status: HTTPResponseStatus = refusal == nil ? .ok : (duplicateID == nil ? .unprocessableEntity : .conflict)
        return try await HTMLResponse(status: status, html: ContactFormPage.html(model, chrome)).encodeResponse(for: request)
    }

    // MARK: - The contact page

    /// The contact of the URL, in this organization and not erased; otherwise 404.
    static func contact(_ request: Request, _ tenant: Tenant) async throws -> Contact {
        let contact = try await tenant.find(Contact.self, parameter: SiteURL.contactID, of: request)
        guard contact.erasedAt == nil else { throw Abort(.notFound) }
        return contact
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "saved": t(.contactNoticeSaved)
            case "merged": t(.contactNoticeMerged)
            default: nil
            }
        return try await render(request, tenant, contact, notice: notice, error: nil, status: .ok)
    }

    private static func render(
        _ request: Request, _ tenant: Tenant, _ contact: Contact, notice: String?, error: String?, status: HTTPResponseStatus
    ) async throws -> Response {
        let chrome = try await Chrome.make(for: request, section: .contacts)
        let search = String((request.query[String.self, at: "merge_q"] ?? "").prefix(200))
        let model = try await ContactPage.query(tenant, contact: contact, mergeSearch: search, notice: notice, error: error)
        return try await HTMLResponse(status: status, html: ContactPage.html(model, chrome)).encodeResponse(for: request)
    }

    private static func back(_ request: Request, _ contact: Contact, notice: String = "saved") throws -> Response {
        request.redirect(to: SiteURL.contact(.value(try contact.requireID())).path + "?notice=\(notice)", redirectType: .normal)
    }

    struct NoteForm: Content { var body: String? }

    static func addNote(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let body = (try request.content.decode(NoteForm.self).body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, body.count <= ContactEditor.maxNoteLength else {
            return try await render(
                request, tenant, contact, notice: nil, error: request.localizer(.contactNotesInvalid, ["max": "\(ContactEditor.maxNoteLength)"]),
                status: .unprocessableEntity)
        }
        _ = try await ContactEditor.addNote(body, to: try contact.requireID(), author: tenant.user, at: request.now, in: tenant.scope)
        return try back(request, contact)
    }

    struct TagForm: Content {
        var tag: String?
        var action: String?
    }

    static func changeTags(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let form = try request.content.decode(TagForm.self)
        guard let tagID = form.tag.flatMap(UUID.init(uuidString:)), let action = form.action, action == "add" || action == "remove" else {
            throw Abort(.badRequest)
        }
        _ = try await ContactEditor.setTag(
            tagID, on: try contact.requireID(), present: action == "add", actor: tenant.user.name, at: request.now, in: tenant.scope)
        return try back(request, contact)
    }

    struct ConsentForm: Content { var status: String? }

    static func changeConsent(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        guard let status = MarketingStatus(rawValue: try request.content.decode(ConsentForm.self).status ?? "") else { throw Abort(.badRequest) }
        _ = try await MarketingConsent.change(
            try contact.requireID(), to: status, source: .agent, actor: tenant.user.name, at: request.now, in: tenant.scope)
        return try back(request, contact)
    }

    struct MergeForm: Content { var duplicate: String? }

    static func merge(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        guard let duplicateID = try request.content.decode(MergeForm.self).duplicate.flatMap(UUID.init(uuidString:)) else {
            throw Abort(.badRequest)
        }
        do {
            try await ContactMerge.merge(
                keep: try contact.requireID(), duplicate: duplicateID, actor: tenant.user.name, at: request.now, in: tenant.scope,
                inboxWakeUp: request.application.backgroundJobs.inboxWakeUp)
        } catch let refusal as ContactMerge.Refusal {
            switch refusal {
            case .notFound: throw Abort(.notFound)
            case .sameContact:
                return try await render(request, tenant, contact, notice: nil, error: request.localizer(.contactMergeErrorSame), status: .unprocessableEntity)
            }
        }
        return try back(request, contact, notice: "merged")
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        try await contact.delete(on: tenant.scope.database)
        return request.redirect(to: SiteURL.contacts.path, redirectType: .normal)
    }
}
