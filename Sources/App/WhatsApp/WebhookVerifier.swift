import Foundation

/// The secret that proved a webhook body, stored beside it, and what processing may therefore
/// touch (DESIGN rule 9). A signature proves who sent the body, not what the body says about
/// itself: the phone number id and account id inside it are only believed where this verifier
/// covers them.
enum WebhookVerifier: Sendable, Equatable, CustomStringConvertible {
    /// `WHATSAPP_APP_SECRET`, the platform's Meta app: covers connections without an app of their own.
    case platform
    /// One connection's own app secret: covers that connection and nothing else.
    case connection(UUID)

    /// Read back from the stored columns; a body stored before they existed counts as the platform's.
    init(storedConnectionID: UUID?) {
        self = storedConnectionID.map(Self.connection) ?? .platform
    }

    var kind: String {
        switch self {
        case .platform: "platform"
        case .connection: "connection"
        }
    }

    var connectionID: UUID? {
        if case .connection(let id) = self { return id }
        return nil
    }

    /// Whether an event proved by this verifier may act on `connection`.
    func covers(_ connection: WhatsAppConnection) -> Bool {
        switch self {
        case .platform: connection.appSecretSealed == nil
        case .connection(let id): connection.id == id
        }
    }

    /// For logs and the operator's note: names the verifier, never a secret.
    var description: String {
        switch self {
        case .platform: "the platform app secret"
        case .connection(let id): "the app secret of connection \(id.uuidString.lowercased())"
        }
    }
}
