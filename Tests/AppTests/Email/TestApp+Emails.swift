@testable import App
import Fluent
import Foundation

extension TestApp {
    /// The emails in the local outbox (the default mailer), oldest first. Run `runJobsUntilIdle()` first:
    /// emails are sent by jobs.
    func sentEmails(to address: String? = nil) async throws -> [OutboxEmail] {
        var query = OutboxEmail.query(on: db).sort(\.$createdAt).sort(\.$id)
        if let address { query = query.filter(\.$toAddress == address) }
        return try await query.all()
    }
}
