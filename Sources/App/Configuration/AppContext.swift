import Vapor

/// What every part of the app may read: configuration, time and randomness, and the text catalogs.
/// Built once in `configure` and stored on the `Application`.
struct AppContext: Sendable {
    let configuration: AppConfiguration
    let dependencies: Dependencies
    let catalog: Catalog
}

extension Application {
    private struct AppContextKey: StorageKey { typealias Value = AppContext }

    var context: AppContext {
        get {
            guard let context = storage[AppContextKey.self] else { fatalError("configure(_:) has not run") }
            return context
        }
        set { storage[AppContextKey.self] = newValue }
    }
}

extension Request {
    var context: AppContext { application.context }
    var now: Date { application.context.dependencies.now() }
}
