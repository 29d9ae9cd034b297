import Foundation

/// "Anna mentioned you": a note about a conversation names the recipient.
struct MentionEmail: EmailTemplate {
    var recipientName: String
    var authorName: String
    var organizationName: String
    var contactName: String
    /// The note, shortened.
    var excerpt: String
    var conversationURL: String

    var kind: String { "mention" }

    func subject(_ t: Localizer) -> String {
        t(.emailMentionSubject, ["author": authorName, "organization": organizationName])
    }

    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": recipientName]),
            paragraphs: [t(.emailMentionBody, ["author": authorName, "contact": contactName]), "“" + excerpt + "”"],
            action: EmailAction(label: t(.emailActionConversation), url: conversationURL))
    }

    static func excerpt(_ note: String, limit: Int = 300) -> String {
        let flat = note.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }
}

/// "A conversation was assigned to you", by a colleague or by automatic assignment.
struct AssignmentEmail: EmailTemplate {
    var recipientName: String
    /// `nil`: automatic assignment.
    var assignedBy: String?
    /// The first conversation's contact.
    var contactName: String
    var count: Int
    /// The conversation (one) or the inbox (several).
    var url: String

    var kind: String { "assignment" }

    func subject(_ t: Localizer) -> String {
        count == 1 ? t(.emailAssignmentSubjectOne) : t(.emailAssignmentSubjectMany, ["count": String(count)])
    }

    func body(_ t: Localizer) -> EmailBody {
        let values = ["author": assignedBy ?? "", "contact": contactName, "count": String(count)]
        let text: String =
            switch (count == 1, assignedBy != nil) {
            case (true, true): t(.emailAssignmentBodyBy, values)
            case (true, false): t(.emailAssignmentBodyAuto, values)
            case (false, true): t(.emailAssignmentBodyManyBy, values)
            case (false, false): t(.emailAssignmentBodyManyAuto, values)
            }
        return EmailBody(
            greeting: t(.emailGreetingName, ["name": recipientName]), paragraphs: [text],
            action: EmailAction(label: count == 1 ? t(.emailActionConversation) : t(.emailActionInbox), url: url))
    }
}

/// The daily list of conversations waiting for an answer that the recipient can see.
struct DigestEmail: EmailTemplate {
    struct Row: Sendable, Equatable {
        var contactName: String
        var waitingSince: Date
    }

    var recipientName: String
    var organizationName: String
    var rows: [Row]
    /// All waiting conversations; `rows` holds the first few.
    var total: Int
    var inboxURL: String

    var kind: String { "digest" }

    func subject(_ t: Localizer) -> String {
        t(.emailDigestSubject, ["count": String(total), "organization": organizationName])
    }

    func body(_ t: Localizer) -> EmailBody {
        var paragraphs = [t(.emailDigestIntro)]
        paragraphs += rows.map { t(.emailDigestRow, ["contact": $0.contactName, "time": t.dateTime($0.waitingSince)]) }
        if total > rows.count { paragraphs.append(t(.emailDigestMore, ["count": String(total - rows.count)])) }
        return EmailBody(
            greeting: t(.emailGreetingName, ["name": recipientName]), paragraphs: paragraphs,
            action: EmailAction(label: t(.emailActionInbox), url: inboxURL))
    }
}
