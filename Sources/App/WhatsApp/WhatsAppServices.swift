import AsyncHTTPClient
import Foundation
import KeyVault
import ObjectStore
import Vapor
import WhatsAppCloud

/// The outside parts the WhatsApp channel needs, built once by `configure` from the configuration,
/// except those `Dependencies` replaces (tests pass their own Graph API, object store or key provider).
struct WhatsAppServices: Sendable {
    let graph: any GraphAPI
    let vault: CredentialVault
    let media: any ObjectStore
    let settings: WhatsAppSettings
    let mediaMaxBytes: Int

    static func make(_ configuration: AppConfiguration, httpClient: HTTPClient, dependencies: Dependencies) -> WhatsAppServices {
        let masterKeyFile = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("master.key")
        let media: any ObjectStore
        switch (dependencies.objectStore, configuration.objectStore) {
        case (let store?, _):
            media = store
        case (nil, .localDisk):
            media = LocalDiskObjectStore(root: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("media"))
        case (nil, .s3(let endpoint, let bucket, let region, let accessKeyID, let secretAccessKey)):
            media = S3ObjectStore(
                endpoint: endpoint, bucket: bucket, region: region,
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, httpClient: httpClient
            )
        }
        return WhatsAppServices(
            graph: dependencies.graphAPI
                ?? GraphAPIClient(
                    httpClient: httpClient, baseURL: configuration.whatsApp.graphURL, version: configuration.whatsApp.apiVersion,
                    mediaHosts: configuration.whatsApp.mediaHosts
                ),
            vault: CredentialVault(
                provider: { [keyProvider = dependencies.keyProvider] in try keyProvider ?? LocalKeyProvider(masterKeyFile: masterKeyFile) },
                now: dependencies.now
            ),
            media: media,
            settings: configuration.whatsApp,
            mediaMaxBytes: configuration.mediaMaxBytes
        )
    }
}

extension Application {
    private struct WhatsAppServicesKey: StorageKey { typealias Value = WhatsAppServices }

    var whatsApp: WhatsAppServices {
        get {
            guard let services = storage[WhatsAppServicesKey.self] else { fatalError("configure(_:) has not run") }
            return services
        }
        set { storage[WhatsAppServicesKey.self] = newValue }
    }
}

extension Request {
    var whatsApp: WhatsAppServices { application.whatsApp }
}

extension Application {
    private struct WebhookIntakeKey: StorageKey { typealias Value = WebhookIntake }

    /// The group-commit writer of webhook bodies (`configure` makes it).
    var webhookIntake: WebhookIntake {
        get {
            guard let intake = storage[WebhookIntakeKey.self] else { fatalError("configure(_:) has not run") }
            return intake
        }
        set { storage[WebhookIntakeKey.self] = newValue }
    }
}
