import Foundation

/// The checks Meta makes synchronously on a send, where they are cheap to repeat.
enum OutboundValidation {
    static let types: Set<String> = [
        "text", "image", "video", "audio", "document", "sticker", "location", "contacts", "interactive", "template", "reaction",
    ]
    static let mediaTypes: Set<String> = ["image", "video", "audio", "document", "sticker"]

    /// Throws a Graph error for an invalid request; returns the template when the send is a template.
    static func validate(
        _ json: JSONValue, type: String,
        mediaExists: (String) -> Bool,
        template lookup: (_ name: String, _ language: String) -> SimulatedTemplate?
    ) throws -> SimulatedTemplate? {
        guard types.contains(type) else {
            throw GraphAPIError.invalidParameter(
                "Param type must be one of {\(types.sorted().map { $0.uppercased() }.joined(separator: ", "))} - got \"\(type)\".")
        }
        guard let content = json[type]?.object else {
            throw GraphAPIError.invalidParameter("The parameter \(type) is required.")
        }
        if let context = json["context"] {
            guard let id = context["message_id"]?.string, !id.isEmpty else {
                throw GraphAPIError.invalidParameter("Param context['message_id'] is required.")
            }
        }
        switch type {
        case "text":
            guard let body = content["body"]?.string, !body.isEmpty else {
                throw GraphAPIError.invalidParameter("The parameter text['body'] is required.")
            }
            guard body.count <= 4096 else {
                throw GraphAPIError.invalidParameter("Param text['body'] must be at most 4096 characters long.")
            }
            if let preview = content["preview_url"], preview.bool == nil {
                throw GraphAPIError.invalidParameter("Param text['preview_url'] must be a boolean.")
            }
        case _ where mediaTypes.contains(type):
            try validateMedia(content, type: type, mediaExists: mediaExists)
        case "location":
            guard content["latitude"].flatMap(number) != nil, content["longitude"].flatMap(number) != nil else {
                throw GraphAPIError.invalidParameter("Params location['latitude'] and location['longitude'] are required numbers.")
            }
        case "contacts":
            break
        case "interactive":
            try validateInteractive(content)
        case "reaction":
            guard let id = content["message_id"]?.string, !id.isEmpty else {
                throw GraphAPIError.invalidParameter("The parameter reaction['message_id'] is required.")
            }
            guard content["emoji"]?.string != nil else {
                throw GraphAPIError.invalidParameter("The parameter reaction['emoji'] is required.")
            }
        case "template":
            return try validateTemplate(content, lookup: lookup)
        default:
            break
        }
        return nil
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let string): Double(string)
        default: nil
        }
    }

    private static func validateMedia(_ content: [String: JSONValue], type: String, mediaExists: (String) -> Bool) throws {
        let id = content["id"]?.string
        let link = content["link"]?.string
        guard (id == nil) != (link == nil) else {
            throw GraphAPIError.invalidParameter("Param \(type) must have exactly one of id or link.")
        }
        if let id, !mediaExists(id) {
            throw GraphAPIError.mediaNotFound(id)
        }
        if let link, !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
            throw GraphAPIError.invalidParameter("Param \(type)['link'] must be an http(s) URL.")
        }
        if content["caption"] != nil, !["image", "video", "document"].contains(type) {
            throw GraphAPIError.invalidParameter("Param \(type)['caption'] is not allowed for \(type) messages.")
        }
        if let caption = content["caption"]?.string, caption.count > 1024 {
            throw GraphAPIError.invalidParameter("Param \(type)['caption'] must be at most 1024 characters long.")
        }
    }

    private static func validateInteractive(_ content: [String: JSONValue]) throws {
        let kind = content["type"]?.string ?? ""
        guard ["button", "list", "cta_url", "product", "product_list", "flow", "location_request_message"].contains(kind) else {
            throw GraphAPIError.invalidParameter("Param interactive['type'] is invalid: \"\(kind)\".")
        }
        guard kind == "button" || kind == "list" else { return }
        guard let body = content["body"]?["text"]?.string, !body.isEmpty, body.count <= 1024 else {
            throw GraphAPIError.invalidParameter("Param interactive['body']['text'] is required and at most 1024 characters long.")
        }
        let action = content["action"]
        if kind == "button" {
            guard let buttons = action?["buttons"]?.array, (1...3).contains(buttons.count) else {
                throw GraphAPIError.invalidParameter("Param interactive['action']['buttons'] must have 1 to 3 buttons.")
            }
            for button in buttons {
                guard let id = button["reply"]?["id"]?.string, !id.isEmpty,
                    let title = button["reply"]?["title"]?.string, !title.isEmpty, title.count <= 20
                else {
                    throw GraphAPIError.invalidParameter("Each button needs reply['id'] and a reply['title'] of 1 to 20 characters.")
                }
            }
        } else {
            guard let label = action?["button"]?.string, !label.isEmpty, label.count <= 20 else {
                throw GraphAPIError.invalidParameter("Param interactive['action']['button'] is required and at most 20 characters long.")
            }
            guard let sections = action?["sections"]?.array, (1...10).contains(sections.count) else {
                throw GraphAPIError.invalidParameter("Param interactive['action']['sections'] must have 1 to 10 sections.")
            }
            let rows = sections.flatMap { $0["rows"]?.array ?? [] }
            guard (1...10).contains(rows.count),
                rows.allSatisfy({ ($0["id"]?.string?.isEmpty == false) && ($0["title"]?.string.map { (1...24).contains($0.count) } ?? false) })
            else {
                throw GraphAPIError.invalidParameter("A list needs 1 to 10 rows in all, each with an id and a title of 1 to 24 characters.")
            }
        }
    }

    private static func validateTemplate(
        _ content: [String: JSONValue], lookup: (String, String) -> SimulatedTemplate?
    ) throws -> SimulatedTemplate {
        guard let name = content["name"]?.string, !name.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter template['name'] is required.")
        }
        guard let language = content["language"]?["code"]?.string, !language.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter template['language']['code'] is required.")
        }
        guard let template = lookup(name, language), template.status == "APPROVED" else {
            throw GraphAPIError.templateMissing(name: name, language: language)
        }
        // The number of body parameters must match the body's {{n}} placeholders.
        let bodyText = template.components.first { $0["type"]?.string == "BODY" }?["text"]?.string ?? ""
        let expected = Set(bodyText.matches(of: /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/).map { String($0.output.1) }).count
        let given =
            (content["components"]?.array ?? [])
            .first { $0["type"]?.string?.lowercased() == "body" }?["parameters"]?.array?.count ?? 0
        guard expected == given else {
            throw GraphAPIError(
                httpStatus: .badRequest, code: 132000, message: "(#132000) Number of parameters does not match the expected number of params",
                details: "body: number of localizable_params (\(given)) does not match the expected number of params (\(expected))")
        }
        return template
    }
}
