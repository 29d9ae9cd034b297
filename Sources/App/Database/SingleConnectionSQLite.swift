import FluentKit
import NIOCore

/// Runs every SQLite query through one connection on one event loop.
///
/// SQLite allows one writer at a time. Fluent's driver opens one connection per event loop, and two
/// connections fighting for the write lock halved the insert rate on this machine (1.7k/s against
/// 4k/s with one). Serializing through one connection also makes every transaction exclusive
/// without `SQLITE_BUSY` retries.
struct SingleConnectionSQLiteConfiguration: DatabaseConfiguration {
    var base: any DatabaseConfiguration
    let eventLoop: any EventLoop

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        // A `Databases` seen by the SQLite driver as having a single event loop: it makes one pool of one connection.
        let singleLoop = Databases(threadPool: databases.threadPool, on: eventLoop)
        return SingleEventLoopDriver(base: base.makeDriver(for: singleLoop), eventLoop: eventLoop)
    }
}

private struct SingleEventLoopDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let eventLoop: any EventLoop

    func makeDatabase(with context: DatabaseContext) -> any Database {
        base.makeDatabase(
            with: DatabaseContext(
                configuration: context.configuration,
                logger: context.logger,
                eventLoop: eventLoop,
                history: context.history,
                pageSizeLimit: context.pageSizeLimit,
                shouldTrace: context.shouldTrace
            ))
    }

    func shutdown() { base.shutdown() }
    func shutdownAsync() async { await base.shutdownAsync() }
}
