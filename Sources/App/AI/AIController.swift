import Foundation
import LLM
import NIOCore
import Vapor

/// The AI help a member asks for on a conversation: `POST /inbox/{id}/draft` and `/summary`.
/// Both act only on a conversation the member may see (`visibleConversation`), and neither sends
/// anything to the customer.
enum AIController {
    /// A reply draft. With `Accept: text/event-stream` (the composer's script) the draft streams as
    /// server-sent events: `piece` (`{"text": …}`) as it is written, then `done`, or `problem`
    /// (`{"message": …}`) when it fails after starting; a refusal before the first piece is a JSON
    /// error with its status. Without the script the page comes back with the draft in the composer.
    static func draft(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let conversationID = try conversation.requireID()
        let assistance = request.conversationAssistance(tenant)
        let t = request.localizer
        guard request.headers.accept.mediaTypes.contains(.eventStream) else {
            do {
                let draft = try await assistance.draft(for: conversationID)
                return try await InboxController.render(request, tenant, conversation, notice: nil, error: nil, composerText: draft, status: .ok)
            } catch {
                let (status, message) = try problem(error, t)
                return try await InboxController.render(request, tenant, conversation, notice: nil, error: message, status: status)
            }
        }
        let pieces: AsyncThrowingStream<String, any Error>
        do {
            pieces = try await assistance.streamDraft(for: conversationID)
        } catch {
            let (status, message) = try problem(error, t)
            // The API's error shape, for the script to show (this is not an `/api/` path).
            let refusal = Response(status: status)
            try refusal.content.encode(APIErrorBody(error: .init(code: "ai_unavailable", message: message)), as: .json)
            return refusal
        }
        let response = Response(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store"])
        response.body = .init(asyncStream: { writer in
            do {
                for try await piece in pieces { try await writer.write(.buffer(event("piece", ["text": piece]))) }
                try await writer.write(.buffer(event("done", [:])))
            } catch {
                let message = (try? problem(error, t).message) ?? t(.aiErrorFailed)
                try await writer.write(.buffer(event("problem", ["message": message])))
            }
            try await writer.write(.end)
        })
        return response
    }

    /// A summary of the conversation in the member's language, kept as a private note.
    static func summary(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let conversation = try await tenant.visibleConversation(request, access: try await tenant.inboxAccess())
        let conversationID = try conversation.requireID()
        let t = request.localizer
        do {
            let summary = try await request.conversationAssistance(tenant).summary(of: conversationID, language: t.language.rawValue)
            try await Notes(scope: tenant.scope, wakeUp: request.application.backgroundJobs.inboxWakeUp, now: request.now)
                .add(t(.aiSummaryNote, ["summary": summary]), to: conversationID, by: tenant.user, mentioning: false)
        } catch {
            let (status, message) = try problem(error, t)
            return try await InboxController.render(request, tenant, conversation, notice: nil, error: message, status: status)
        }
        return request.redirect(to: SiteURL.conversation(.value(conversationID)).path + "?notice=noted", redirectType: .normal)
    }

    /// What a member reads when AI help failed, and the status it goes with; other errors are rethrown.
    static func problem(_ error: any Error, _ t: Localizer) throws -> (status: HTTPResponseStatus, message: String) {
        switch error {
        case let refusal as AIRefusal:
            let status: HTTPResponseStatus =
                switch refusal {
                case .notConfigured: .serviceUnavailable
                case .featureOff: .forbidden
                case .budgetSpent, .plan: .paymentRequired
                }
            return (status, refusal.text(t))
        case let failure as LLMError:
            return (.badGateway, t(.aiErrorProvider, ["reason": failure.message]))
        case let output as AIOutput.Problem:
            let reason =
                switch output {
                case .empty: t(.aiErrorEmpty)
                case .tooLong(let limit): t(.aiErrorTooLong, ["max": String(limit)])
                case .notTheSchema: t(.aiErrorShape)
                }
            return (.badGateway, reason)
        default:
            throw error
        }
    }

    /// One server-sent event with a JSON object as its data (JSON keeps line breaks out of the frame).
    static func event(_ name: String, _ data: [String: String]) -> ByteBuffer {
        let json = (try? JSONEncoder().encode(data)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ByteBuffer(string: "event: \(name)\ndata: \(json)\n\n")
    }
}

extension HTTPMediaType {
    static let eventStream = HTTPMediaType(type: "text", subType: "event-stream")
}

extension Request {
    /// Drafts and summaries for the signed-in member's organization.
    func conversationAssistance(_ tenant: Tenant) -> ConversationAssistance {
        ConversationAssistance(assistant: aiAssistant(tenant), businessName: tenant.organization.name)
    }
}
