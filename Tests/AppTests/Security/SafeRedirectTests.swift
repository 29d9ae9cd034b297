@testable import App
import Testing
import Vapor

@Suite struct SafeRedirectTests {
    /// The usual open-redirect bypasses: each would leave the site in some browser or behind some proxy.
    @Test(
        "a target that could leave the site becomes the default",
        arguments: [
            "/\t/evil.example",  // the reported bypass: browsers drop the tab and see //evil.example
            "/\t/evil.example/path",
            "\t//evil.example",
            "/\r\n/evil.example",
            "/\n/evil.example",
            " //evil.example",
            "/ /evil.example",
            "//evil.example",
            "///evil.example",
            "////evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%09/evil.example",
            "/%0d%0a/evil.example",
            "https://evil.example",
            "http:evil.example",
            "HTTPS://evil.example",
            "//user@evil.example",
            "//user:pass@evil.example/",
            "javascript:alert(1)",
            " javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "evil.example",
            "inbox",
            "",
            "/\u{00A0}/evil.example",  // no-break space
            "/\u{3000}/evil.example",  // ideographic space
            "/\u{2028}/evil.example",  // line separator
            "/\u{200B}/evil.example",  // zero-width space
            "/\u{FEFF}/evil.example",  // byte order mark
            "\u{0000}//evil.example",
            "/\u{007F}/evil.example",
            "/\u{0085}/evil.example",  // next line (C1)
            "/%",  // not decodable
        ])
    func hostile(_ candidate: String) {
        #expect(SafeRedirect.localPath(candidate) == nil, "\(candidate.debugDescription) must not survive")
        #expect(SafeRedirect.target(candidate, default: "/dashboard") == "/dashboard")
    }

    @Test(
        "paths on this site survive, query and encoding intact",
        arguments: [
            ("/dashboard", "/dashboard"),
            ("/", "/"),
            ("/settings/members", "/settings/members"),
            ("/inbox?status=open&q=bakker", "/inbox?status=open&q=bakker"),
            ("/inbox?q=a%26b%20c&tab=mine", "/inbox?q=a%26b%20c&tab=mine"),
            ("/inbox/3F2504E0-4F89-11D3-9A0C-0305E82C3301#latest", "/inbox/3F2504E0-4F89-11D3-9A0C-0305E82C3301#latest"),
            ("/@evil.example", "/@evil.example"),  // a path segment on this site, not a host
            ("/inbox?next=//evil.example", "/inbox?next=//evil.example"),  // a query value is not a destination
            ("/inbox?q=caf\u{E9}", "/inbox?q=caf%C3%A9"),  // only printable ASCII reaches the Location header
        ])
    func local(_ candidate: String, _ expected: String) {
        #expect(SafeRedirect.localPath(candidate) == expected)
    }

    @Test("whitespace and control characters are removed, not trusted")
    func cleaned() {
        #expect(SafeRedirect.localPath(" /dashboard\n") == "/dashboard")
        #expect(SafeRedirect.localPath("/set\ttings") == "/settings")
    }

    @Test("very long targets are refused")
    func long() {
        #expect(SafeRedirect.localPath("/" + String(repeating: "a", count: SafeRedirect.maxLength)) == nil)
    }

    @Test(
        "signing in with a hostile next= ends on a page of this site",
        arguments: [
            "/\t/evil.example", "/%2F/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)",
        ])
    func signInWithHostileNext(_ next: String) async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            let page = try await browser.get("/signin?next=" + Browser.formEncode(next))
            #expect(!page.body.string.contains("evil.example"), "the sign-in form does not carry the target along")
            let response = try await browser.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42", "next": next])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/dashboard")
        }
    }

    @Test("a page that needs sign-in comes back after it, query included")
    func backAfterSignIn() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            let bounced = try await browser.get("/account?notice=language_saved")
            let location = try #require(bounced.headers.first(name: .location))
            #expect(location.hasPrefix("/signin?next="))
            _ = try await browser.get(location)
            let next = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "next" }?.value)
            let response = try await browser.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42", "next": next])
            #expect(response.headers.first(name: .location) == "/account?notice=language_saved")
        }
    }

    @Test("the language switch goes back only to a page of this site")
    func languageReturn() async throws {
        try await TestApp.run { app in
            let visitor = app.browser()
            _ = try await visitor.get("/signin")
            let hostile = try await visitor.post("/language", ["language": "nl", "return_to": "/\t/evil.example"])
            #expect(hostile.headers.first(name: .location) == "/")
            let local = try await visitor.post("/language", ["language": "en", "return_to": "/signup"])
            #expect(local.headers.first(name: .location) == "/signup")
        }
    }
}
