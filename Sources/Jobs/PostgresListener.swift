import Foundation
import Logging
import PostgresKit
import PostgresNIO

/// Listens on a dedicated PostgreSQL connection for notifications on one channel and hands each
/// payload to `received`. A notification is only a hint: its users also poll, so a dropped
/// connection (a database restart) delays them by at most their poll interval, and the listener
/// reconnects with backoff, calling `reconnected` each time (notifications sent meanwhile are gone).
public struct PostgresListener: Sendable {
    let configuration: PostgresConnection.Configuration
    let channel: String
    let logger: Logger
    let received: @Sendable (String) -> Void
    let reconnected: @Sendable () -> Void

    public init(
        databaseURL: String, channel: String, logger: Logger,
        reconnected: @escaping @Sendable () -> Void, received: @escaping @Sendable (String) -> Void
    ) throws {
        self.configuration = try SQLPostgresConfiguration(url: databaseURL).coreConfiguration
        self.channel = channel
        self.logger = logger
        self.received = received
        self.reconnected = reconnected
    }

    public func run(until stopping: @escaping @Sendable () -> Bool) async {
        var delay = Duration.milliseconds(200)
        var connectionID = 0
        while !stopping(), !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: connectionID, logger: logger)
                delay = .milliseconds(200)
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: channel) { notifications in
                            reconnected()
                            for try await notification in notifications {
                                received(notification.payload)
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
                logger.warning("notifications on \(channel) lost; reconnecting", metadata: ["error": .string(ErrorText.of(error))])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}

extension PostgresListener {
    /// Wakes the local workers when another process enqueues a job.
    public static func jobs(databaseURL: String, wakeup: JobWakeup, logger: Logger) throws -> PostgresListener {
        try PostgresListener(
            databaseURL: databaseURL, channel: JobStore.notificationChannel, logger: logger,
            reconnected: { wakeup.wakeAll() },
            received: { wakeup.wake(QueueName($0)) }
        )
    }
}
