import Foundation

/// A message or template definition that breaks one of Meta's documented limits.
public struct WhatsAppValidationError: Error, Equatable, CustomStringConvertible {
    /// The offending field, e.g. `text.body` or `interactive.action.buttons[1].reply.title`.
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

/// Meta's documented limits for outbound messages.
public enum MessageLimits {
    public static let textBody = 4096
    public static let mediaCaption = 1024
    public static let interactiveBody = 1024
    public static let interactiveHeaderText = 60
    public static let interactiveFooter = 60
    public static let replyButtons = 1...3
    public static let replyButtonID = 256
    public static let replyButtonTitle = 20
    public static let listButtonLabel = 20
    public static let listSections = 1...10
    public static let listRowsTotal = 10
    public static let listSectionTitle = 24
    public static let listRowID = 200
    public static let listRowTitle = 24
    public static let listRowDescription = 72
    public static let bizOpaqueCallbackData = 512
}

struct Checker {
    func nonEmpty(_ value: String, _ field: String) throws(WhatsAppValidationError) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw WhatsAppValidationError(field: field, problem: "must not be empty")
        }
    }

    func length(_ value: String, max: Int, _ field: String) throws(WhatsAppValidationError) {
        if value.count > max {
            throw WhatsAppValidationError(field: field, problem: "is \(value.count) characters; at most \(max) allowed")
        }
    }

    func text(_ value: String, max: Int, _ field: String) throws(WhatsAppValidationError) {
        try nonEmpty(value, field)
        try length(value, max: max, field)
    }
}

extension OutboundMessage {
    /// Checks Meta's documented limits; throws a `WhatsAppValidationError` naming the first bad field.
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        let digits = to.hasPrefix("+") ? to.dropFirst() : Substring(to)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), (5...20).contains(digits.count) else {
            throw WhatsAppValidationError(field: "to", problem: "must be a WhatsApp id or phone number in international format (digits only)")
        }
        if let replyTo { try check.nonEmpty(replyTo, "context.message_id") }
        if let bizOpaqueCallbackData { try check.length(bizOpaqueCallbackData, max: MessageLimits.bizOpaqueCallbackData, "biz_opaque_callback_data") }
        try content.validate()
    }
}

extension OutboundContent {
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        switch self {
        case .text(let body, _):
            try check.text(body, max: MessageLimits.textBody, "text.body")
        case .image(let media, let caption), .video(let media, let caption):
            try media.validate(typeName)
            if let caption { try check.length(caption, max: MessageLimits.mediaCaption, "\(typeName).caption") }
        case .document(let media, let caption, let filename):
            try media.validate(typeName)
            if let caption { try check.length(caption, max: MessageLimits.mediaCaption, "document.caption") }
            if let filename { try check.text(filename, max: 240, "document.filename") }
        case .audio(let media), .sticker(let media):
            try media.validate(typeName)
        case .location(let latitude, let longitude, _, _):
            guard (-90...90).contains(latitude) else { throw WhatsAppValidationError(field: "location.latitude", problem: "must be between -90 and 90") }
            guard (-180...180).contains(longitude) else { throw WhatsAppValidationError(field: "location.longitude", problem: "must be between -180 and 180") }
        case .template(let template):
            try template.validate()
        case .interactiveButtons(let message):
            try message.validate()
        case .interactiveList(let list):
            try list.validate()
        case .reaction(let messageID, let emoji):
            try check.nonEmpty(messageID, "reaction.message_id")
            if emoji.count > 1 {
                throw WhatsAppValidationError(field: "reaction.emoji", problem: "must be a single emoji, or empty to remove the reaction")
            }
        }
    }
}

extension MediaReference {
    func validate(_ prefix: String) throws(WhatsAppValidationError) {
        switch self {
        case .id(let id):
            try Checker().nonEmpty(id, "\(prefix).id")
        case .link(let url):
            guard url.scheme?.lowercased() == "https" || url.scheme?.lowercased() == "http", url.host != nil else {
                throw WhatsAppValidationError(field: "\(prefix).link", problem: "must be an http(s) URL")
            }
        }
    }
}

extension TemplateMessage {
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        try check.text(name, max: 512, "template.name")
        try check.nonEmpty(languageCode, "template.language.code")
        if case .text(let parameter) = header { try parameter.validate("template.components.header") }
        for (position, parameter) in body.enumerated() { try parameter.validate("template.components.body.parameters[\(position)]") }
        let named = body.filter { $0.name != nil }.count
        if named != 0, named != body.count {
            throw WhatsAppValidationError(field: "template.components.body.parameters", problem: "mix named and positional parameters; use one kind")
        }
        var seenIndexes: Set<Int> = []
        for button in buttons {
            let field = "template.components.button[\(button.index)]"
            guard (0...9).contains(button.index) else { throw WhatsAppValidationError(field: field, problem: "index must be 0-9") }
            guard seenIndexes.insert(button.index).inserted else { throw WhatsAppValidationError(field: field, problem: "index used twice") }
            switch button.kind {
            case .quickReply(let payload): try check.length(payload, max: 128, "\(field).payload")
            case .url(let suffix): try check.nonEmpty(suffix, "\(field).text")
            case .copyCode(let code): try check.text(code, max: 15, "\(field).coupon_code")
            case .flow(let token, _): try check.nonEmpty(token, "\(field).action.flow_token")
            }
        }
    }
}

extension TemplateMessage.TextParameter {
    func validate(_ field: String) throws(WhatsAppValidationError) {
        if let name {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw WhatsAppValidationError(field: "\(field).parameter_name", problem: "must be lowercase letters, digits and underscores")
            }
        }
        switch value {
        case .text(let text):
            try Checker().nonEmpty(text, "\(field).text")
            if text.contains("\n") || text.contains("\t") || text.contains("     ") {
                throw WhatsAppValidationError(field: "\(field).text", problem: "must not contain new lines, tabs or more than 4 consecutive spaces")
            }
        case .currency(let fallback, let code, _):
            try Checker().nonEmpty(fallback, "\(field).currency.fallback_value")
            guard code.count == 3 else { throw WhatsAppValidationError(field: "\(field).currency.code", problem: "must be an ISO 4217 code") }
        case .dateTime(let fallback):
            try Checker().nonEmpty(fallback, "\(field).date_time.fallback_value")
        }
    }
}

extension InteractiveHeader {
    func validate() throws(WhatsAppValidationError) {
        switch self {
        case .text(let text): try Checker().text(text, max: MessageLimits.interactiveHeaderText, "interactive.header.text")
        case .image(let media): try media.validate("interactive.header.image")
        case .video(let media): try media.validate("interactive.header.video")
        case .document(let media, _): try media.validate("interactive.header.document")
        }
    }
}

extension InteractiveButtons {
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        try header?.validate()
        try check.text(body, max: MessageLimits.interactiveBody, "interactive.body.text")
        if let footer { try check.text(footer, max: MessageLimits.interactiveFooter, "interactive.footer.text") }
        guard MessageLimits.replyButtons.contains(buttons.count) else {
            throw WhatsAppValidationError(field: "interactive.action.buttons", problem: "has \(buttons.count) buttons; 1 to 3 allowed")
        }
        var ids: Set<String> = []
        var titles: Set<String> = []
        for (position, button) in buttons.enumerated() {
            let field = "interactive.action.buttons[\(position)].reply"
            try check.text(button.id, max: MessageLimits.replyButtonID, "\(field).id")
            try check.text(button.title, max: MessageLimits.replyButtonTitle, "\(field).title")
            guard ids.insert(button.id).inserted else { throw WhatsAppValidationError(field: "\(field).id", problem: "must be unique") }
            guard titles.insert(button.title).inserted else { throw WhatsAppValidationError(field: "\(field).title", problem: "must be unique") }
        }
    }
}

extension InteractiveList {
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        if let header { try check.text(header, max: MessageLimits.interactiveHeaderText, "interactive.header.text") }
        try check.text(body, max: MessageLimits.interactiveBody, "interactive.body.text")
        if let footer { try check.text(footer, max: MessageLimits.interactiveFooter, "interactive.footer.text") }
        try check.text(buttonLabel, max: MessageLimits.listButtonLabel, "interactive.action.button")
        guard MessageLimits.listSections.contains(sections.count) else {
            throw WhatsAppValidationError(field: "interactive.action.sections", problem: "has \(sections.count) sections; 1 to 10 allowed")
        }
        let rowCount = sections.reduce(0) { $0 + $1.rows.count }
        guard (1...MessageLimits.listRowsTotal).contains(rowCount) else {
            throw WhatsAppValidationError(field: "interactive.action.sections", problem: "has \(rowCount) rows in all; 1 to 10 allowed")
        }
        var ids: Set<String> = []
        for (sectionPosition, section) in sections.enumerated() {
            let field = "interactive.action.sections[\(sectionPosition)]"
            if let title = section.title {
                try check.text(title, max: MessageLimits.listSectionTitle, "\(field).title")
            } else if sections.count > 1 {
                throw WhatsAppValidationError(field: "\(field).title", problem: "is required when there is more than one section")
            }
            guard !section.rows.isEmpty else { throw WhatsAppValidationError(field: "\(field).rows", problem: "must not be empty") }
            for (rowPosition, row) in section.rows.enumerated() {
                let rowField = "\(field).rows[\(rowPosition)]"
                try check.text(row.id, max: MessageLimits.listRowID, "\(rowField).id")
                try check.text(row.title, max: MessageLimits.listRowTitle, "\(rowField).title")
                if let description = row.description { try check.length(description, max: MessageLimits.listRowDescription, "\(rowField).description") }
                guard ids.insert(row.id).inserted else { throw WhatsAppValidationError(field: "\(rowField).id", problem: "must be unique") }
            }
        }
    }
}
