import Fluent
import Foundation
import Jobs
import Vapor

/// The privacy export and erasure of one contact, from the contact page and the API.
enum ContactPrivacyController {
    /// The contact a path names, if it is this organization's and not erased; anything else is 404.
    private static func contact(_ request: Request, _ tenant: Tenant) async throws -> Contact {
        let id = request.parameters.get(SiteURL.contactID, as: UUID.self)
        guard let contact = try await tenant.scope.find(Contact.self, id), contact.erasedAt == nil else {
            throw request.isAPIRequest ? APIError(.notFound, code: "not_found", message: "No such contact.") : Abort(.notFound)
        }
        return contact
    }

    // MARK: export

    /// `POST /contacts/:id/privacy-export` and `GET /api/v1/contacts/:id/privacy-export`: the ZIP,
    /// written to a temporary file, streamed, and deleted once sent (or failed).
    static func export(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let contactID = try contact.requireID()
        let url = try await ContactPrivacyExport.write(
            contact, readme: request.localizer(.contactPrivacyReadme), in: tenant.scope, media: request.whatsApp.media)
        let path = url.path
        do {
            try await ContactHistory.record(.exported, contactID: contactID, actor: tenant.user.name, at: request.now, in: tenant.scope)
            let response = try await request.fileio.asyncStreamFile(
                at: path, mediaType: .zip, onCompleted: { _ in try? FileManager.default.removeItem(atPath: path) })
            response.headers.replaceOrAdd(
                name: .contentDisposition, value: "attachment; filename=\"\(ContactPrivacyExport.filename(for: contactID, at: request.now))\"")
            response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            // The stream reads the file it opened; ETag and ranges would only re-read it.
            response.headers.remove(name: .eTag)
            return response
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    // MARK: erasure

    /// `GET /contacts/:id/erase`: what the erasure removes, and the button.
    static func erasePage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let model = try await ContactErasePage.Model.load(try await contact(request, tenant), in: tenant.scope)
        let html = ContactErasePage.html(model, try await Chrome.make(for: request, section: .contacts))
        return try await HTMLResponse(html: html).encodeResponse(for: request)
    }

    /// `POST /contacts/:id/erase`: queues the erasure and shows its progress.
    static func erase(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let jobID = try await EraseContact.enqueue(contactID: try contact.requireID(), actor: tenant.user.name, in: tenant.scope, jobs: request.jobs)
        return request.redirect(to: SiteURL.job(.value(jobID)).path, redirectType: .normal)
    }

    struct ErasureBody: Content {
        var job_id: UUID
        var contact_id: UUID
    }

    /// `POST /api/v1/contacts/:id/erasure`: 202 with the job to follow (`GET /api/v1/jobs/:id`).
    static func apiErase(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let contact = try await contact(request, tenant)
        let contactID = try contact.requireID()
        let jobID = try await EraseContact.enqueue(contactID: contactID, actor: tenant.user.name, in: tenant.scope, jobs: request.jobs)
        let response = try await ErasureBody(job_id: jobID, contact_id: contactID).encodeResponse(status: .accepted, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/jobs/\(jobID.uuidString.lowercased())")
        return response
    }
}
