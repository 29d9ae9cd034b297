import Foundation
import Vapor

/// `GET|POST|DELETE /{waba-id}/message_templates`.
extension GraphRoutes {
    func listTemplates(_ req: Request) async throws -> Response {
        let wabaID = try businessAccount(req)
        let limit = (try? req.query.get(Int.self, at: "limit")) ?? 25
        guard (1...1000).contains(limit) else { throw GraphAPIError.invalidParameter("Param limit must be between 1 and 1000.") }
        let start: Int
        if let after = try? req.query.get(String.self, at: "after") {
            guard let index = TemplateCursor.decode(after) else { throw GraphAPIError.invalidParameter("Param after is not a valid cursor.") }
            start = index + 1
        } else {
            start = 0
        }
        let name = try? req.query.get(String.self, at: "name")
        let status = try? req.query.get(String.self, at: "status")
        let all = simulator.state.withLock { state in
            state.templates.filter { $0.wabaID == wabaID && (name == nil || $0.name.contains(name!)) && (status == nil || $0.status == status) }
        }
        let page = all.dropFirst(start).prefix(limit)
        var body: [String: JSONValue] = ["data": .array(page.map(\.json))]
        if !page.isEmpty {
            let last = start + page.count - 1
            var paging: [String: JSONValue] = [
                "cursors": ["before": .string(TemplateCursor.encode(start)), "after": .string(TemplateCursor.encode(last))]
            ]
            if last < all.count - 1 {
                var next = URLComponents(string: (simulator.baseURL?.absoluteString ?? "") + req.url.path)!
                next.queryItems = [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "after", value: TemplateCursor.encode(last))]
                paging["next"] = .string(next.string ?? "")
            }
            body["paging"] = .object(paging)
        }
        return jsonResponse(.object(body))
    }

    func createTemplate(_ req: Request) async throws -> Response {
        let wabaID = try businessAccount(req)
        guard let body = req.body.data, let json = try? JSONValue.decode(Data(body.readableBytesView)) else {
            throw GraphAPIError.invalidParameter("The request body must be a JSON object.")
        }
        let template = try TemplateValidation.template(from: json, wabaID: wabaID)
        try simulator.state.withLock { state in
            guard !state.templates.contains(where: { $0.wabaID == wabaID && $0.name == template.name && $0.language == template.language }) else {
                throw GraphAPIError(
                    httpStatus: .badRequest, code: 100, subcode: 2388024, message: "(#100) Invalid parameter",
                    details: "Content in this language already exists for template \(template.name).")
            }
            state.templates.append(template)
        }
        if let delay = simulator.configuration.templateApprovalDelay {
            let simulator = self.simulator
            simulator.track {
                try? await Task.sleep(for: .seconds(delay))
                if Task.isCancelled { return }
                await simulator.setTemplateStatus(id: template.id, to: "APPROVED")
            }
        }
        return jsonResponse(["id": .string(template.id), "status": .string(template.status), "category": .string(template.category)])
    }

    func deleteTemplate(_ req: Request) async throws -> Response {
        let wabaID = try businessAccount(req)
        guard let name = try? req.query.get(String.self, at: "name"), !name.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter name is required.")
        }
        let hsmID = try? req.query.get(String.self, at: "hsm_id")
        let removed = simulator.state.withLock { state -> [SimulatedTemplate] in
            let matches = state.templates.filter { $0.wabaID == wabaID && $0.name == name && (hsmID == nil || $0.id == hsmID) }
            state.templates.removeAll { template in matches.contains { $0.id == template.id } }
            return matches
        }
        guard !removed.isEmpty else {
            throw GraphAPIError(
                httpStatus: .badRequest, code: 100, subcode: 2593002, message: "(#100) Invalid parameter",
                details: "Message template \(name) was not found.")
        }
        return jsonResponse(["success": true])
    }
}

/// Opaque paging cursors, base64 like Meta's.
enum TemplateCursor {
    static func encode(_ index: Int) -> String { Data("template:\(index)".utf8).base64EncodedString() }

    static func decode(_ cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("template:")
        else { return nil }
        return Int(text.dropFirst("template:".count))
    }
}

/// What `POST /{waba-id}/message_templates` checks before a template goes into review.
enum TemplateValidation {
    static let categories: Set<String> = ["MARKETING", "UTILITY", "AUTHENTICATION"]
    static let componentTypes: Set<String> = ["HEADER", "BODY", "FOOTER", "BUTTONS"]

    static func template(from json: JSONValue, wabaID: String) throws -> SimulatedTemplate {
        guard let name = json["name"]?.string, name.wholeMatch(of: /[a-z0-9_]{1,512}/) != nil else {
            throw GraphAPIError.invalidParameter("Param name must be 1 to 512 lowercase letters, digits or underscores.")
        }
        guard let category = json["category"]?.string?.uppercased(), categories.contains(category) else {
            throw GraphAPIError.invalidParameter("Param category must be one of {MARKETING, UTILITY, AUTHENTICATION}.")
        }
        guard let language = json["language"]?.string, !language.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter language is required.")
        }
        guard let components = json["components"]?.array, !components.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter components is required.")
        }
        for component in components {
            guard let type = component["type"]?.string?.uppercased(), componentTypes.contains(type) else {
                throw GraphAPIError.invalidParameter("Each component needs a type of HEADER, BODY, FOOTER or BUTTONS.")
            }
        }
        let bodies = components.filter { $0["type"]?.string?.uppercased() == "BODY" }
        guard bodies.count == 1 else {
            throw GraphAPIError.invalidParameter("A template needs exactly one BODY component.")
        }
        if category != "AUTHENTICATION" {
            guard let text = bodies[0]["text"]?.string, !text.isEmpty, text.count <= 1024 else {
                throw GraphAPIError.invalidParameter("The BODY component needs a text of 1 to 1024 characters.")
            }
        }
        return SimulatedTemplate(
            id: Identifiers.numericID(), wabaID: wabaID, name: name, language: language, category: category,
            status: "PENDING", components: components)
    }
}
