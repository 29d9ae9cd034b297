import Fluent
import Foundation
import SQLKit

/// One tab's "I am looking at this conversation", for the colleagues' "Also viewing" line.
struct Presence: Codable, Sendable, Equatable {
    var organizationID: UUID
    var conversationID: UUID
    /// The conversation's team and assignee when it was announced: who may hear of it, as for its events.
    var teamID: UUID?
    var assigneeID: UUID?
    /// The member looking; their own other tabs are not told.
    var membershipID: UUID
    /// The name colleagues see.
    var by: String
}

/// Carries presence to the tabs of every app process, outside the durable event log.
///
/// Presence is fleeting and frequent (each open conversation, every few seconds): it is worth
/// nothing a minute later and nothing to a tab that reconnects, so it gets no row, no cursor and
/// no replay. This process's tabs hear it at once through `LiveInbox`; on PostgreSQL a `NOTIFY`
/// on its own channel carries it to the other processes, whose listeners hand it to theirs
/// (`LiveInboxService`). A process ignores its own notifications: its tabs already heard.
struct LivePresence: Sendable {
    static let channel = "adsapp_presence"
    /// Tells this process's notifications from the others'.
    let process = UUID()
    let live: LiveInbox

    func announce(_ presence: Presence, on database: any Database) async throws {
        await live.presence(presence)
        let sql = database.sql
        try await sql.engine.notify(Self.channel, payload: try notification(presence), on: sql)
    }

    /// The payload other processes receive.
    func notification(_ presence: Presence) throws -> String {
        String(decoding: try JSONEncoder().encode(Note(process: process, presence: presence)), as: UTF8.self)
    }

    /// A notification on the channel, from any process.
    func received(_ payload: String) async {
        guard let note = try? JSONDecoder().decode(Note.self, from: Data(payload.utf8)), note.process != process else { return }
        await live.presence(note.presence)
    }

    private struct Note: Codable {
        var process: UUID
        var presence: Presence
    }
}
