import Fluent
import Foundation
import Vapor

/// The segment pages: the list, the editor (new and saved), and delete with its confirm step.
/// Another organization's segment is 404 on every route (`Tenant.find`).
enum SegmentsController {
    static func list(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "saved": t(.segmentsNoticeSaved)
            case "deleted": t(.segmentsNoticeDeleted)
            default: nil
            }
        let model = try await SegmentListPage.query(tenant, counts: request.application.contactCounts, notice: notice)
        return try await HTMLResponse(html: SegmentListPage.html(model, try await Chrome.make(for: request, section: .contacts))).encodeResponse(for: request)
    }

    // MARK: - The editor

    struct Form: Content {
        var name: String?
        /// Set by the editor's "Count again" button: show the count of the filter as posted, save nothing.
        var recount: String?
    }

    /// A new segment starts from the contact list's filter when it links here with one.
    static func newPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let items = ContactFilter.items(try request.query.decode(ContactFilter.Names.self))
        return try await render(request, tenant, segmentID: nil, name: "", items: items, refusal: nil)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await save(request, tenant, to: nil)
    }

    static func editPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        return try await render(request, tenant, segmentID: try segment.requireID(), name: segment.name, items: segment.filter.queryItems, refusal: nil)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await save(request, tenant, to: try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request))
    }

    /// Why a posted segment was not saved.
    enum Refusal: Error {
        case name
        case nameTaken
        case filter(reason: String)
    }

    private static func save(_ request: Request, _ tenant: Tenant, to segment: Segment?) async throws -> Response {
        let form = try request.content.decode(Form.self)
        let name = form.name ?? ""
        let items = ContactFilter.items(try request.content.decode(ContactFilter.Names.self))
        if form.recount != nil {
            return try await render(request, tenant, segmentID: try segment?.requireID(), name: name, items: items, refusal: nil)
        }
        do {
            let checkedName: String
            do { checkedName = try Segment.checkedName(name) } catch { throw Refusal.name }
            let filter: ContactFilter
            do {
                filter = try ContactFilter(items: items)
                try await Segment.check(filter, in: tenant.scope)
            } catch let abort as Abort where abort.status == .badRequest {
                throw Refusal.filter(reason: abort.reason)
            }
            let saving = segment ?? Segment(organizationID: tenant.organizationID, name: checkedName, filter: filter, now: request.now)
            saving.name = checkedName
            saving.filter = filter
            saving.updatedAt = request.now
            do { try await saving.saveWithUniqueName(in: tenant.scope) } catch is Segment.NameTaken { throw Refusal.nameTaken }
            return request.redirect(to: SiteURL.segments.path + "?notice=saved", redirectType: .normal)
        } catch let refusal as Refusal {
            return try await render(request, tenant, segmentID: try segment?.requireID(), name: name, items: items, refusal: refusal)
        }
    }

    private static func render(
        _ request: Request, _ tenant: Tenant, segmentID: UUID?, name: String, items: [URLQueryItem], refusal: Refusal?
    ) async throws -> Response {
        let t = request.localizer
        var nameError: String?, error: String?
        let status: HTTPResponseStatus
        switch refusal {
        case nil: status = .ok
        case .name:
            nameError = t(.segmentFormErrorName)
            status = .unprocessableEntity
        case .nameTaken:
            nameError = t(.segmentFormErrorNameTaken)
            status = .conflict
        case .filter(let reason):
            error = t(.contactsFilterInvalid, ["reason": reason])
            status = .unprocessableEntity
        }
        let model = try await SegmentFormPage.query(
            tenant, counts: request.application.contactCounts, segmentID: segmentID, name: name, filter: items, nameError: nameError, error: error)
        let html = SegmentFormPage.html(model, try await Chrome.make(for: request, section: .contacts))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }

    // MARK: - Delete

    /// `GET /contacts/segments/:id/delete`: which segment, and the button.
    static func deletePage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        let model = SegmentDeletePage.Model(id: try segment.requireID(), name: segment.name)
        return try await HTMLResponse(html: SegmentDeletePage.html(model, try await Chrome.make(for: request, section: .contacts))).encodeResponse(
            for: request)
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        try await segment.delete(on: tenant.scope.database)
        return request.redirect(to: SiteURL.segments.path + "?notice=deleted", redirectType: .normal)
    }
}
