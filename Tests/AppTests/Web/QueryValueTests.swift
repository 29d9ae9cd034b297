@testable import App
import Testing
import Vapor

/// `Request.queryValue(_:)` reads a parameter exactly as Vapor's `query[String.self, at:]` does.
@Suite struct QueryValueTests {
    @Test(
        "the same value as Vapor's query decoding",
        arguments: [
            "status=open&assignee=mine", "q=jan+de+vries", "q=jan%20de%20vries", "q=%2B31%20612", "q=a%26b%3Dc", "q=caf%C3%A9",
            "q=first&q=last", "q=", "q", "other=1", "q=%zz", "q[]=1", "q[a]=1", "%71=encoded-name", "q=a=b", "&&q=x&&", "",
        ]
    )
    func sameAsVapor(query: String) async throws {
        try await TestApp.run { app in
            let request = Request(application: app.app, url: URI(string: "/inbox?" + query), on: app.app.eventLoopGroup.next())
            for name in ["q", "status", "assignee", "other", "missing"] {
                #expect(request.queryValue(name) == request.query[String.self, at: name], "\(name) in \(query)")
            }
        }
    }
}
