import SafeHTML

/// Small building blocks for forms, usable inside any body-like context.
enum Forms {
    static func csrf(_ token: String) -> Node {
        .input(.type(.hidden), .name(CSRFProtection.formField), .value(token))
    }

    static func select(id: String, name: String, options: [(value: String, label: String)], selected: String?, labelledBy: String? = nil) -> Node {
        .select(
            .id(id), .name(name),
            .unwrap(labelledBy) { .attribute(named: "aria-labelledby", value: $0) },
            .forEach(options) { option in
                // An empty value is written as a bare `value`: an option without the attribute
                // would send its text ("Any", "No team") instead.
                .option(
                    option.value.isEmpty ? .attribute(named: "value") : .value(option.value), .selected(option.value == selected),
                    .text(option.label))
            }
        )
    }

    /// A labelled input with its hint and error, linked for screen readers.
    static func field(
        label: String, name: String, id: String? = nil, type: InputType, value: String? = nil,
        autocomplete: String, error: String? = nil, hint: String? = nil, required: Bool = true
    ) -> Node {
        // The id defaults to the name; pages with several forms that share a field name pass their own.
        let id = id ?? name
        let describedBy = [hint.map { _ in "\(id)-hint" }, error.map { _ in "\(id)-error" }].compactMap { $0 }
        return .div(
            .class(error == nil ? "field" : "field field-invalid"),
            .label(.for(id), .text(label)),
            .unwrap(hint) { .p(.id("\(id)-hint"), .class("field-hint"), .text($0)) },
            .unwrap(error) { .p(.id("\(id)-error"), .class("field-error"), .text($0)) },
            .input(
                .type(type), .id(id), .name(name),
                .value(value ?? ""),
                .attribute(named: "autocomplete", value: autocomplete),
                .required(required),
                .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                .attribute(named: "aria-describedby", value: describedBy.isEmpty ? nil : describedBy.joined(separator: " "))
            )
        )
    }

    static func alert(_ message: String?, kind: String = "error") -> Node {
        .unwrap(message) { message in
            .div(.class("alert alert-\(kind)"), .attribute(named: "role", value: kind == "error" ? "alert" : "status"), .text(message))
        }
    }
}
