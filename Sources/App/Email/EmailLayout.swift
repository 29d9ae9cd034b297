import ADSappCore
import Foundation
import Mail
import SafeHTML

/// The one layout every email is written in: an `EmailBody` becomes an HTML part (every text
/// escaped, inline styles that mail clients keep) and a plain-text part (links written out), in the
/// recipient's language, with the organization's name and a footer that says why it came.
struct EmailLayout: Sendable {
    let settings: EmailSettings
    let catalog: Catalog

    struct Rendered: Sendable, Equatable {
        var subject: String
        var text: String
        var html: String
    }

    /// A notification's footer links to its one-click unsubscribe and the settings page.
    struct Unsubscribe: Sendable, Equatable {
        var url: String
        var settingsURL: String
    }

    func render(_ template: some EmailTemplate, language: Language, organizationName: String?, unsubscribe: Unsubscribe?) -> Rendered {
        let t = Localizer(language: language, catalog: catalog)
        let subject = Self.singleLine(template.subject(t))
        let body = template.body(t)
        let product = settings.productName
        let organization = organizationName.map(Self.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        let reason: String =
            if unsubscribe != nil {
                t(.emailFooterNotification, ["organization": organization ?? product])
            } else if let organization {
                t(.emailFooterOrganization, ["organization": organization, "product": product])
            } else {
                t(.emailFooterAccount, ["product": product])
            }
        return Rendered(
            subject: subject,
            text: text(body, t, heading: organization ?? product, reason: reason, unsubscribe: unsubscribe),
            html: html(body, t, subject: subject, language: language, heading: organization ?? product, reason: reason, unsubscribe: unsubscribe)
        )
    }

    // MARK: - Plain text

    private func text(_ body: EmailBody, _ t: Localizer, heading: String, reason: String, unsubscribe: Unsubscribe?) -> String {
        var blocks: [String] = [heading]
        if let greeting = body.greeting { blocks.append(greeting) }
        blocks += body.paragraphs
        if let action = body.action { blocks.append(action.label + ":\n" + action.url) }
        if let footnote = body.footnote { blocks.append(footnote) }
        var footer = "-- \n" + reason
        if let unsubscribe {
            footer += "\n" + t(.emailFooterUnsubscribe) + ": " + unsubscribe.url
            footer += "\n" + t(.emailFooterSettings) + ": " + unsubscribe.settingsURL
        }
        blocks.append(footer)
        return blocks.joined(separator: "\n\n") + "\n"
    }

    // MARK: - HTML

    private static let font = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
    private static let paragraph = font + "margin:0 0 16px 0;font-size:16px;line-height:24px;color:#1f2933;"
    private static let small = font + "margin:0 0 8px 0;font-size:13px;line-height:20px;color:#52606d;"

    private func html(
        _ body: EmailBody, _ t: Localizer, subject: String, language: Language, heading: String, reason: String, unsubscribe: Unsubscribe?
    ) -> String {
        let page = HTML(
            .lang(language.rawValue),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title(subject)
            ),
            .body(
                .inlineStyle("margin:0;padding:0;background-color:#f4f5f7;"),
                .table(
                    .role("presentation"), .attribute(named: "width", value: "100%"), .attribute(named: "cellpadding", value: "0"),
                    .attribute(named: "cellspacing", value: "0"), .inlineStyle("background-color:#f4f5f7;"),
                    .tr(
                        .td(
                            .attribute(named: "align", value: "center"), .inlineStyle("padding:24px 12px;"),
                            .table(
                                .role("presentation"), .attribute(named: "width", value: "100%"), .attribute(named: "cellpadding", value: "0"),
                                .attribute(named: "cellspacing", value: "0"),
                                .inlineStyle("max-width:560px;background-color:#ffffff;border-radius:8px;"),
                                .tr(
                                    .td(
                                        .inlineStyle("padding:24px 32px 8px 32px;border-bottom:1px solid #e4e7eb;"),
                                        .p(.inlineStyle(Self.font + "margin:0 0 16px 0;font-size:18px;font-weight:bold;color:#0b6e4f;"), .text(heading))
                                    )),
                                .tr(.td(.inlineStyle("padding:24px 32px;"), content(body, t))),
                                .tr(
                                    .td(
                                        .inlineStyle("padding:16px 32px 24px 32px;border-top:1px solid #e4e7eb;"),
                                        .p(.inlineStyle(Self.small), .text(reason)),
                                        .unwrap(unsubscribe) { unsubscribe in
                                            .p(
                                                .inlineStyle(Self.small),
                                                .a(
                                                    .href(unsubscribe.url), .inlineStyle("color:#52606d;text-decoration:underline;"),
                                                    .text(t(.emailFooterUnsubscribe))),
                                                .text(" · "),
                                                .a(
                                                    .href(unsubscribe.settingsURL), .inlineStyle("color:#52606d;text-decoration:underline;"),
                                                    .text(t(.emailFooterSettings)))
                                            )
                                        }
                                    ))
                            )
                        ))
                )
            )
        )
        return page.render()
    }

    private func content(_ body: EmailBody, _ t: Localizer) -> Node {
        .group(
            .unwrap(body.greeting) { .p(.inlineStyle(Self.paragraph), .text($0)) },
            .forEach(body.paragraphs) { .p(.inlineStyle(Self.paragraph), .text($0)) },
            .unwrap(body.action) { action in
                .group(
                    .table(
                        .role("presentation"), .attribute(named: "cellpadding", value: "0"), .attribute(named: "cellspacing", value: "0"),
                        .inlineStyle("margin:8px 0 24px 0;"),
                        .tr(
                            .td(
                                .inlineStyle("border-radius:6px;background-color:#0b6e4f;"),
                                .a(
                                    .href(action.url),
                                    .inlineStyle(
                                        Self.font
                                            + "display:inline-block;padding:12px 24px;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;"
                                    ),
                                    .text(action.label)
                                )
                            ))
                    ),
                    .p(.inlineStyle(Self.small), .text(t(.emailActionFallback))),
                    .p(.inlineStyle(Self.small + "word-break:break-all;"), .a(.href(action.url), .inlineStyle("color:#0b6e4f;"), .text(action.url)))
                )
            },
            .unwrap(body.footnote) { .p(.inlineStyle(Self.small), .text($0)) }
        )
    }

    /// Text for a header or a one-line place: line breaks and other control characters become spaces.
    static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }
}

extension Node {
    /// Inline CSS: mail clients drop `<style>` blocks and external sheets, but keep `style` attributes.
    static func inlineStyle(_ css: String) -> Node { .attribute(named: "style", value: css) }
}
