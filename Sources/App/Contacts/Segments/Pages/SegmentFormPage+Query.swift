import Fluent
import Foundation
import Vapor

extension SegmentFormPage {
    /// The form for a name and filter (a saved segment's, or the one just posted). The filter is
    /// counted only when it is valid and names nothing outside the organization.
    static func query(
        _ tenant: Tenant, counts: ContactCounts, segmentID: UUID?, name: String, filter items: [URLQueryItem], nameError: String?, error: String?
    ) async throws -> Model {
        let scope = tenant.scope
        var count: Int?
        let valid = try? ContactFilter(items: items)
        if let filter = valid {
            do {
                try await Segment.check(filter, in: scope)
                count = try await counts.count(filter, in: scope)
            } catch let abort as Abort where abort.status == .badRequest {
                count = nil
            }
        }
        let options = try await ContactFilterControls.Options.load(in: scope)
        return Model(
            segmentID: segmentID, name: name, filter: ContactFilterControls.Values(items: items),
            options: options, count: count,
            contactsURL: contactsURL(valid?.queryItems ?? items), nameError: nameError, error: error)
    }

    /// The contact list filtered by these query items.
    static func contactsURL(_ items: [URLQueryItem]) -> String {
        var components = URLComponents()
        components.queryItems = items
        return items.isEmpty ? SiteURL.contacts.path : SiteURL.contacts.path + "?" + (components.percentEncodedQuery ?? "")
    }
}
