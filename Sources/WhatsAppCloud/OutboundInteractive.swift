import Foundation

/// The optional header of an interactive message.
public enum InteractiveHeader: Sendable, Equatable {
    case text(String)
    case image(MediaReference)
    case video(MediaReference)
    case document(MediaReference, filename: String?)

    func payload() -> JSONValue {
        switch self {
        case .text(let text): ["type": "text", "text": .string(text)]
        case .image(let media): ["type": "image", "image": media.payload()]
        case .video(let media): ["type": "video", "video": media.payload()]
        case .document(let media, let filename): ["type": "document", "document": media.payload(filename: filename)]
        }
    }
}

/// Up to three reply buttons under a message (`interactive.type == "button"`).
public struct InteractiveButtons: Sendable, Equatable {
    public var header: InteractiveHeader?
    public var body: String
    public var footer: String?
    public var buttons: [ReplyButton]

    public struct ReplyButton: Sendable, Equatable {
        /// Returned in the `button_reply` webhook; at most 256 characters.
        public var id: String
        /// At most 20 characters.
        public var title: String

        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }

    public init(header: InteractiveHeader? = nil, body: String, footer: String? = nil, buttons: [ReplyButton]) {
        self.header = header
        self.body = body
        self.footer = footer
        self.buttons = buttons
    }

    func payload() -> JSONValue {
        var object: [String: JSONValue] = [
            "type": "button",
            "body": ["text": .string(body)],
            "action": ["buttons": .array(buttons.map { ["type": "reply", "reply": ["id": .string($0.id), "title": .string($0.title)]] })],
        ]
        if let header { object["header"] = header.payload() }
        if let footer { object["footer"] = ["text": .string(footer)] }
        return .object(object)
    }
}

/// A menu of rows in sections, opened with a button (`interactive.type == "list"`).
public struct InteractiveList: Sendable, Equatable {
    /// Lists take a text header only.
    public var header: String?
    public var body: String
    public var footer: String?
    /// The label of the button that opens the list; at most 20 characters.
    public var buttonLabel: String
    public var sections: [Section]

    public struct Section: Sendable, Equatable {
        /// Required when there is more than one section; at most 24 characters.
        public var title: String?
        public var rows: [Row]

        public init(title: String? = nil, rows: [Row]) {
            self.title = title
            self.rows = rows
        }
    }

    public struct Row: Sendable, Equatable {
        /// At most 200 characters.
        public var id: String
        /// At most 24 characters.
        public var title: String
        /// At most 72 characters.
        public var description: String?

        public init(id: String, title: String, description: String? = nil) {
            self.id = id
            self.title = title
            self.description = description
        }
    }

    public init(header: String? = nil, body: String, footer: String? = nil, buttonLabel: String, sections: [Section]) {
        self.header = header
        self.body = body
        self.footer = footer
        self.buttonLabel = buttonLabel
        self.sections = sections
    }

    func payload() -> JSONValue {
        let sections: [JSONValue] = sections.map { section in
            var object: [String: JSONValue] = [
                "rows": .array(
                    section.rows.map { row in
                        var rowObject: [String: JSONValue] = ["id": .string(row.id), "title": .string(row.title)]
                        if let description = row.description { rowObject["description"] = .string(description) }
                        return .object(rowObject)
                    })
            ]
            if let title = section.title { object["title"] = .string(title) }
            return .object(object)
        }
        var object: [String: JSONValue] = [
            "type": "list",
            "body": ["text": .string(body)],
            "action": ["button": .string(buttonLabel), "sections": .array(sections)],
        ]
        if let header { object["header"] = ["type": "text", "text": .string(header)] }
        if let footer { object["footer"] = ["text": .string(footer)] }
        return .object(object)
    }
}
