import ADSappCore
import Foundation

/// One conversation: its messages, the 24-hour window, and the composer.
enum ConversationPage {
    struct Bubble {
        var id: UUID
        var isInbound: Bool
        var kind: String
        var content: MessageContent
        var status: Message.Status
        var errorTitle: String?
        var errorCode: Int?
        var forwarded: Bool
        var isReply: Bool
        var media: Media?
        var at: Date
        /// How the customer sounds here, when the AI classified it.
        var sentiment: Sentiment? = nil
        /// An automatic answer the AI sent.
        var autoAnswer = false
        /// The customer's text in the reader's language, when the AI translated it.
        var translation: Translation? = nil
    }

    /// An inbound text in the reader's language; the original stays one click away.
    struct Translation: Equatable {
        var text: String
        /// The customer's language, named in the reader's.
        var from: String
    }

    struct Media {
        var state: Message.MediaState
        var url: String
        var mimeType: String?
        var filename: String?
    }

    struct TemplateChoice {
        var value: String
        var label: String
    }

    /// A private note in the thread.
    struct NoteItem {
        var id: UUID
        var author: String
        var body: String
        var at: Date
    }

    /// The thread in time order: the customer's and the team's messages, and the team's notes.
    enum Item {
        case message(Bubble)
        case note(NoteItem)

        var at: Date {
            switch self {
            case .message(let bubble): bubble.at
            case .note(let note): note.at
            }
        }
    }

    struct Contact {
        var name: String
        var phone: String?
        var since: Date
        var conversations: Int
    }

    /// Who handles the conversation, and the choices to change it.
    struct Work {
        var status: Conversation.Status
        var snoozedUntil: Date?
        var assigneeID: UUID?
        var teamID: UUID?
        var tags: [Choice]
        var members: [Choice]
        var teams: [Choice]
        var allTags: [Choice]
    }

    struct Model {
        var conversationID: UUID
        var title: String
        var subtitle: String
        var items: [Item]
        var windowClosesAt: Date?
        var windowIsOpen: Bool
        var canReply: Bool
        var templates: [TemplateChoice]
        var work: Work
        var contact: Contact
        /// Canned responses, filled in for this contact: shortcut and text.
        var cannedResponses: [Choice]
        /// The message the reply quotes, with a preview.
        var replyTo: (id: UUID, preview: String)?
        var liveCursor: Int64
        var notice: String?
        var error: String?
        /// The AI help this member may ask for here.
        var assistance = Assistance()
        /// What the composer holds when the page is shown (an AI draft asked for without the script).
        var composerText: String?
    }

    /// Which AI buttons the page shows: each feature on for the organization, on a server with a provider.
    struct Assistance: Equatable {
        var draft = false
        var summary = false
        /// The customer's language (code and name in the reader's) when replies may be translated into it.
        var translateInto: (code: String, name: String)? = nil

        static func == (a: Assistance, b: Assistance) -> Bool {
            a.draft == b.draft && a.summary == b.summary && a.translateInto?.code == b.translateInto?.code
        }
    }
}
