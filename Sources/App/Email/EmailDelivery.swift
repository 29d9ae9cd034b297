import AsyncHTTPClient
import Fluent
import Foundation
import Mail

/// Makes the `Mailer` the configuration asks for.
enum EmailDelivery {
    static func mailer(
        _ settings: EmailSettings, httpClient: HTTPClient, database: any Database, now: @escaping @Sendable () -> Date
    ) -> any Mailer {
        OutboxMailer(database: database, now: now)
    }
}
