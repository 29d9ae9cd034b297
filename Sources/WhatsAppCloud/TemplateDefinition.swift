import Foundation

/// A new template to submit for review with `POST /{waba_id}/message_templates`.
public struct TemplateDefinition: Sendable, Equatable, Encodable {
    /// Lowercase letters, digits and underscores; at most 512 characters.
    public var name: String
    public var language: String
    public var category: Category
    /// Named (`{{first_name}}`) or positional (`{{1}}`) variables in header and body.
    public var parameterFormat: ParameterFormat
    public var header: Header?
    public var body: Body
    public var footer: String?
    public var buttons: [Button]

    public enum Category: String, Sendable, Equatable, Encodable, CaseIterable {
        case marketing = "MARKETING", utility = "UTILITY", authentication = "AUTHENTICATION"
    }

    public enum ParameterFormat: String, Sendable, Equatable, Encodable {
        case positional, named
    }

    /// An example value for a variable: `name` is set for named parameters.
    public struct Example: Sendable, Equatable {
        public var name: String?
        public var value: String

        public init(name: String? = nil, value: String) {
            self.name = name
            self.value = value
        }
    }

    public enum Header: Sendable, Equatable {
        /// Up to 60 characters with at most one variable, and its example.
        case text(String, example: Example?)
        /// `handle` is a resumable-upload handle of a sample file, required by Meta for media headers.
        case image(exampleHandle: String)
        case video(exampleHandle: String)
        case document(exampleHandle: String)
        case location
    }

    public struct Body: Sendable, Equatable {
        /// Up to 1024 characters.
        public var text: String
        /// One example per variable, in order of appearance.
        public var examples: [Example]

        public init(text: String, examples: [Example] = []) {
            self.text = text
            self.examples = examples
        }
    }

    public enum Button: Sendable, Equatable {
        case quickReply(text: String)
        /// A URL may end in one `{{1}}`; then `example` is a full sample URL.
        case url(text: String, url: String, example: String?)
        case phoneNumber(text: String, phoneNumber: String)
        case copyCode(example: String)
    }

    public init(
        name: String, language: String, category: Category, parameterFormat: ParameterFormat = .positional,
        header: Header? = nil, body: Body, footer: String? = nil, buttons: [Button] = []
    ) {
        self.name = name
        self.language = language
        self.category = category
        self.parameterFormat = parameterFormat
        self.header = header
        self.body = body
        self.footer = footer
        self.buttons = buttons
    }

    enum CodingKeys: String, CodingKey {
        case name, language, category, components
        case parameterFormat = "parameter_format"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(language, forKey: .language)
        try container.encode(category, forKey: .category)
        try container.encode(parameterFormat, forKey: .parameterFormat)
        try container.encode(componentsJSON(), forKey: .components)
    }

    func componentsJSON() -> JSONValue {
        var components: [JSONValue] = []
        if let header { components.append(headerJSON(header)) }
        var bodyObject: [String: JSONValue] = ["type": "BODY", "text": .string(body.text)]
        if !body.examples.isEmpty {
            switch parameterFormat {
            case .positional:
                bodyObject["example"] = ["body_text": [.array(body.examples.map { .string($0.value) })]]
            case .named:
                bodyObject["example"] = ["body_text_named_params": .array(body.examples.map { Self.namedExample($0) })]
            }
        }
        components.append(.object(bodyObject))
        if let footer { components.append(["type": "FOOTER", "text": .string(footer)]) }
        if !buttons.isEmpty { components.append(["type": "BUTTONS", "buttons": .array(buttons.map(buttonJSON))]) }
        return .array(components)
    }

    private static func namedExample(_ example: Example) -> JSONValue {
        ["param_name": .string(example.name ?? ""), "example": .string(example.value)]
    }

    private func headerJSON(_ header: Header) -> JSONValue {
        switch header {
        case .text(let text, let example):
            var object: [String: JSONValue] = ["type": "HEADER", "format": "TEXT", "text": .string(text)]
            if let example {
                switch parameterFormat {
                case .positional: object["example"] = ["header_text": [.string(example.value)]]
                case .named: object["example"] = ["header_text_named_params": [Self.namedExample(example)]]
                }
            }
            return .object(object)
        case .image(let handle): return ["type": "HEADER", "format": "IMAGE", "example": ["header_handle": [.string(handle)]]]
        case .video(let handle): return ["type": "HEADER", "format": "VIDEO", "example": ["header_handle": [.string(handle)]]]
        case .document(let handle): return ["type": "HEADER", "format": "DOCUMENT", "example": ["header_handle": [.string(handle)]]]
        case .location: return ["type": "HEADER", "format": "LOCATION"]
        }
    }

    private func buttonJSON(_ button: Button) -> JSONValue {
        switch button {
        case .quickReply(let text): return ["type": "QUICK_REPLY", "text": .string(text)]
        case .url(let text, let url, let example):
            var object: [String: JSONValue] = ["type": "URL", "text": .string(text), "url": .string(url)]
            if let example { object["example"] = [.string(example)] }
            return .object(object)
        case .phoneNumber(let text, let phoneNumber): return ["type": "PHONE_NUMBER", "text": .string(text), "phone_number": .string(phoneNumber)]
        case .copyCode(let example): return ["type": "COPY_CODE", "example": .string(example)]
        }
    }

    /// The request body for Graph.
    public func jsonBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension TemplateDefinition {
    /// Variables in a text: `{{1}}` … or `{{first_name}}` …, in order of appearance.
    static func variables(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            names.append(String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Checks the rules Meta applies at submission; throws a `WhatsAppValidationError` naming the first bad field.
    public func validate() throws(WhatsAppValidationError) {
        let check = Checker()
        try check.text(name, max: 512, "name")
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw WhatsAppValidationError(field: "name", problem: "may contain only lowercase letters, digits and underscores")
        }
        try check.nonEmpty(language, "language")

        if case .text(let text, let example) = header {
            try check.text(text, max: 60, "components.HEADER.text")
            let variables = Self.variables(in: text)
            guard variables.count <= 1 else {
                throw WhatsAppValidationError(field: "components.HEADER.text", problem: "may contain at most one variable")
            }
            try checkVariables(variables, examples: example.map { [$0] } ?? [], field: "components.HEADER")
        }

        try check.text(body.text, max: 1024, "components.BODY.text")
        try checkVariables(Self.variables(in: body.text), examples: body.examples, field: "components.BODY")
        let trimmedBody = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedBody.hasPrefix("{{") || trimmedBody.hasSuffix("}}") {
            throw WhatsAppValidationError(field: "components.BODY.text", problem: "must not start or end with a variable")
        }

        if let footer {
            try check.text(footer, max: 60, "components.FOOTER.text")
            guard Self.variables(in: footer).isEmpty else {
                throw WhatsAppValidationError(field: "components.FOOTER.text", problem: "must not contain variables")
            }
        }

        guard buttons.count <= 10 else {
            throw WhatsAppValidationError(field: "components.BUTTONS", problem: "has \(buttons.count) buttons; at most 10 allowed")
        }
        for (position, button) in buttons.enumerated() {
            let field = "components.BUTTONS.buttons[\(position)]"
            switch button {
            case .quickReply(let text):
                try check.text(text, max: 25, "\(field).text")
            case .url(let text, let url, let example):
                try check.text(text, max: 25, "\(field).text")
                try check.text(url, max: 2000, "\(field).url")
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                    throw WhatsAppValidationError(field: "\(field).url", problem: "must be an http(s) URL")
                }
                let variables = Self.variables(in: url)
                if !variables.isEmpty {
                    guard variables == ["1"], url.hasSuffix("{{1}}") else {
                        throw WhatsAppValidationError(field: "\(field).url", problem: "may only end with one {{1}} variable")
                    }
                    guard let example, !example.isEmpty else {
                        throw WhatsAppValidationError(field: "\(field).example", problem: "is required when the URL has a variable")
                    }
                }
            case .phoneNumber(let text, let phoneNumber):
                try check.text(text, max: 25, "\(field).text")
                try check.text(phoneNumber, max: 20, "\(field).phone_number")
            case .copyCode(let example):
                try check.text(example, max: 15, "\(field).example")
            }
        }
    }

    private func checkVariables(_ variables: [String], examples: [Example], field: String) throws(WhatsAppValidationError) {
        guard !variables.isEmpty else {
            if !examples.isEmpty {
                throw WhatsAppValidationError(field: "\(field).example", problem: "given but the text has no variables")
            }
            return
        }
        switch parameterFormat {
        case .positional:
            let numbers = variables.map { Int($0) }
            guard numbers.allSatisfy({ $0 != nil }) else {
                throw WhatsAppValidationError(field: "\(field).text", problem: "positional variables must be {{1}}, {{2}}, …")
            }
            if field == "components.BODY" {
                guard numbers.compactMap({ $0 }).sorted() == Array(1...variables.count) else {
                    throw WhatsAppValidationError(
                        field: "\(field).text", problem: "variables must be numbered {{1}} to {{\(variables.count)}} without gaps or repeats")
                }
            }
        case .named:
            guard variables.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") } }) else {
                throw WhatsAppValidationError(field: "\(field).text", problem: "named variables must be lowercase letters, digits and underscores")
            }
            let names = Set(examples.compactMap(\.name))
            if let missing = variables.first(where: { !names.contains($0) }) {
                throw WhatsAppValidationError(field: "\(field).example", problem: "needs an example for {{\(missing)}}")
            }
        }
        guard examples.count == variables.count else {
            throw WhatsAppValidationError(
                field: "\(field).example", problem: "needs one example per variable: \(variables.count) variables, \(examples.count) examples")
        }
        if let empty = examples.firstIndex(where: { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw WhatsAppValidationError(field: "\(field).example[\(empty)]", problem: "must not be empty")
        }
    }
}
