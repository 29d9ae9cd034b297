@testable import App
import Testing
import Vapor

@Suite struct SecurityHeadersTests {
    @Test("pages get the default policy and the other headers")
    func defaults() async throws {
        try await TestApp.run { app in
            let page = try await app.browser().get("/signin")
            #expect(page.headers.first(name: "Content-Security-Policy") == SecurityHeaders.contentSecurityPolicy)
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(page.headers.first(name: "Referrer-Policy") == "same-origin")
        }
    }

    @Test("a Content-Security-Policy set by the handler is never overwritten (an uploaded file keeps its sandbox)")
    func handlerPolicyWins() async throws {
        try await TestApp.run { app in
            app.app.get("test-own-policy") { _ -> Response in
                let response = Response(status: .ok, body: .init(string: "<p>uploaded</p>"))
                response.headers.replaceOrAdd(name: .contentType, value: "text/html")
                response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
                return response
            }
            let file = try await app.browser().get("/test-own-policy")
            #expect(file.headers[canonicalForm: "Content-Security-Policy"] == ["sandbox; default-src 'none'"])
            #expect(file.headers.first(name: "X-Content-Type-Options") == "nosniff")
        }
    }
}
