import Foundation
import Logging
import PostgresKit
import PostgresNIO

/// Listens on a dedicated PostgreSQL connection for enqueue notifications from other processes
/// and wakes the local workers. A notification is only a hint: workers also poll, so a dropped
/// connection (a database restart) delays jobs by at most the poll interval, and the listener
/// reconnects with backoff.
public struct PostgresJobListener: Sendable {
    let configuration: PostgresConnection.Configuration
    let wakeup: JobWakeup
    let logger: Logger

    public init(databaseURL: String, wakeup: JobWakeup, logger: Logger) throws {
        self.configuration = try SQLPostgresConfiguration(url: databaseURL).coreConfiguration
        self.wakeup = wakeup
        self.logger = logger
    }

    public func run(until stopping: @escaping @Sendable () -> Bool) async {
        var delay = Duration.milliseconds(200)
        var connectionID = 0
        while !stopping(), !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: connectionID, logger: logger)
                delay = .milliseconds(200)
                // After (re)connecting, look once: notifications sent while disconnected are gone.
                wakeup.wakeAll()
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: JobStore.notificationChannel) { notifications in
                            for try await notification in notifications {
                                wakeup.wake(QueueName(notification.payload))
                                if stopping() { break }
                            }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    // A connection must be closed before it is released, also when the server dropped it.
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if stopping() || Task.isCancelled { break }
                logger.warning("job notifications lost; reconnecting", metadata: ["error": .string(ErrorText.of(error))])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
