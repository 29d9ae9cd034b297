/// The attributes the pages use. Values are escaped when rendered (see `Node.render`).
public extension Node {
    static func id(_ id: String) -> Node { .attribute(named: "id", value: id) }
    static func `class`(_ names: String) -> Node { .attribute(named: "class", value: names) }
    static func lang(_ code: String) -> Node { .attribute(named: "lang", value: code) }
    static func role(_ role: String) -> Node { .attribute(named: "role", value: role) }
    static func href(_ url: String) -> Node { .attribute(named: "href", value: url) }
    static func src(_ url: String) -> Node { .attribute(named: "src", value: url) }
    static func alt(_ text: String) -> Node { .attribute(named: "alt", value: text) }
    static func name(_ name: String) -> Node { .attribute(named: "name", value: name) }
    static func value(_ value: String) -> Node { .attribute(named: "value", value: value) }
    static func content(_ content: String) -> Node { .attribute(named: "content", value: content) }
    static func `for`(_ id: String) -> Node { .attribute(named: "for", value: id) }
    static func placeholder(_ text: String) -> Node { .attribute(named: "placeholder", value: text) }
    static func dateTime(_ value: String) -> Node { .attribute(named: "datetime", value: value) }

    /// `data-NAME`. Unlike other attributes it is written when empty too: scripts look for its presence.
    static func data(named name: String, value: String) -> Node { Node(.attribute(name: "data-" + name, value: value)) }

    static func ariaLabel(_ label: String) -> Node { .attribute(named: "aria-label", value: label) }
    static func ariaHidden(_ isHidden: Bool) -> Node { .attribute(named: "aria-hidden", value: isHidden ? "true" : "false") }

    static func required(_ isOn: Bool) -> Node { isOn ? .attribute(named: "required") : .empty }
    static func disabled(_ isOn: Bool) -> Node { isOn ? .attribute(named: "disabled") : .empty }
    static func checked(_ isOn: Bool) -> Node { isOn ? .attribute(named: "checked") : .empty }
    static func selected(_ isOn: Bool) -> Node { isOn ? .attribute(named: "selected") : .empty }
    static func hidden(_ isOn: Bool) -> Node { isOn ? .attribute(named: "hidden") : .empty }
    static func multiple(_ isOn: Bool) -> Node { isOn ? .attribute(named: "multiple") : .empty }

    static func charset(_ encoding: CharacterEncoding) -> Node { .attribute(named: "charset", value: encoding.rawValue) }
    static func type(_ type: InputType) -> Node { .attribute(named: "type", value: type.rawValue) }
    static func method(_ method: FormMethod) -> Node { .attribute(named: "method", value: method.rawValue) }
    static func action(_ url: String) -> Node { .attribute(named: "action", value: url) }
    static func enctype(_ type: FormContentType) -> Node { .attribute(named: "enctype", value: type.rawValue) }
}

public enum CharacterEncoding: String, Sendable { case utf8 = "UTF-8" }

/// The `type` of an input or a button.
public enum InputType: String, Sendable {
    case text, hidden, password, email, search, number, tel, url, file, checkbox, radio, submit, button, reset, date, time
    case dateTimeLocal = "datetime-local"
}

public enum FormMethod: String, Sendable { case get, post }

public enum FormContentType: String, Sendable {
    case urlEncoded = "application/x-www-form-urlencoded"
    case multipartData = "multipart/form-data"
}
