import Fluent
import Foundation
import Jobs
import Vapor
import WhatsAppCloud

/// Meta's webhook for the WhatsApp channel: verify, persist, acknowledge, then process in a job.
///
/// `/api/webhooks/whatsapp` is the platform Meta app's endpoint (signed with `WHATSAPP_APP_SECRET`).
/// `/api/webhooks/whatsapp/{connectionID}` serves a connection that brings its own Meta app
/// (signed with that connection's app secret, verified with its own verify token).
enum WhatsAppWebhookController {
    /// Meta's subscription check: echo the challenge when the verify token matches.
    static func verify(_ request: Request) async throws -> Response {
        try challenge(request, expected: request.whatsApp.settings.verifyToken)
    }

    static func verifyForConnection(_ request: Request) async throws -> Response {
        guard let connection = try await connection(of: request) else { throw Abort(.notFound) }
        var expected = request.whatsApp.settings.verifyToken
        if let sealed = connection.verifyTokenSealed {
            expected = try await request.whatsApp.vault.open(sealed, for: connection.organizationID, purpose: .whatsAppVerifyToken, on: request.db)
        }
        return try challenge(request, expected: expected)
    }

    static func receive(_ request: Request) async throws -> Response {
        guard let secret = request.whatsApp.settings.appSecret else {
            request.logger.error("WhatsApp webhook refused: WHATSAPP_APP_SECRET is not set, so no signature can be checked")
            throw Abort(.forbidden)
        }
        return try await store(request, appSecret: secret, verifier: .platform)
    }

    /// The verifier recorded is the secret actually used: the connection's own, or the platform's
    /// for a connection without its own app.
    static func receiveForConnection(_ request: Request) async throws -> Response {
        guard let connection = try await connection(of: request) else { throw Abort(.notFound) }
        var secret = request.whatsApp.settings.appSecret
        var verifier = WebhookVerifier.platform
        if let sealed = connection.appSecretSealed {
            secret = try await request.whatsApp.vault.open(sealed, for: connection.organizationID, purpose: .whatsAppAppSecret, on: request.db)
            verifier = .connection(try connection.requireID())
        }
        guard let secret else {
            request.logger.error("WhatsApp webhook refused: the connection has no app secret and WHATSAPP_APP_SECRET is not set")
            throw Abort(.forbidden)
        }
        return try await store(request, appSecret: secret, verifier: verifier)
    }

    // MARK: -

    private static func challenge(_ request: Request, expected: String?) throws -> Response {
        let mode = request.query[String.self, at: "hub.mode"]
        let token = request.query[String.self, at: "hub.verify_token"]
        let challenge = request.query[String.self, at: "hub.challenge"] ?? ""
        guard mode == "subscribe", let expected, let token, constantTimeEquals(expected, token),
            challenge.count <= 256, challenge.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw Abort(.forbidden) }
        return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .init(string: challenge))
    }

    /// Checks the signature over the raw bytes before anything else, then stores the body and its
    /// processing job (`WebhookIntake`). Only once they are committed does Meta get its 200.
    private static func store(_ request: Request, appSecret: String, verifier: WebhookVerifier) async throws -> Response {
        let body = request.body.data.map { Array($0.readableBytesView) } ?? []
        guard body.count <= request.whatsApp.settings.webhookMaxBytes else { throw Abort(.payloadTooLarge) }
        let header = request.headers.first(name: WebhookSignature.headerName)
        guard WebhookSignature.isValid(body: body, header: header, appSecret: appSecret) else {
            request.logger.warning("WhatsApp webhook refused: bad or missing signature", metadata: ["bytes": .stringConvertible(body.count)])
            throw Abort(.unauthorized)
        }
        try await request.application.webhookIntake.store(Data(body), receivedAt: request.now, verifier: verifier)
        return Response(status: .ok)
    }

    private static func connection(of request: Request) async throws -> WhatsAppConnection? {
        guard let id = request.parameters.get(SiteURL.connectionID, as: UUID.self) else { return nil }
        return try await ConnectionDirectory(database: request.db).connection(id: id)
    }
}

extension WebhookEvent {
    static let whatsApp = "whatsapp"
}

/// The callback URLs to paste into Meta.
enum WhatsAppWebhookURLs {
    /// The platform Meta app's endpoint.
    static func platform(appURL: URL) -> String {
        absolute(SiteURL.whatsAppWebhook.path, appURL)
    }

    /// A connection's: the platform's, or its own when it brings its own Meta app (app secret).
    static func url(for connection: WhatsAppConnection, appURL: URL) -> String {
        guard connection.appSecretSealed != nil, let id = connection.id else { return platform(appURL: appURL) }
        return absolute(SiteURL.whatsAppConnectionWebhook(.value(id)).path, appURL)
    }

    private static func absolute(_ path: String, _ appURL: URL) -> String {
        appURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path
    }
}
