@testable import App
import Fluent
import SQLKit
import Testing
import Vapor

/// Throttling as an attacker meets it: many attempts at once, on real sockets.
@Suite struct ThrottleTests {
    static let password = "correct-horse-battery-staple-42"

    /// bcrypt at a cost where a check takes a few milliseconds, so parallel attempts overlap the way they do in production.
    static let slowerHashes = ["BCRYPT_COST": "7"]

    @Test("40 parallel wrong passwords for one account: at most the limit are checked, then even the right one is refused")
    func parallelGuessesPerAccount() async throws {
        try await TestApp.run(variables: Self.slowerHashes.merging(["LOGIN_MAX_FAILURES_PER_ACCOUNT": "5", "LOGIN_MAX_FAILURES_PER_IP": "1000"]) { $1 }) {
            app in
            try await app.signUp(email: "anna@example.com", password: Self.password)
            try await LiveClient.run(app) { live in
                let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                    for index in 0..<40 { group.addTask { try await live.signIn("anna@example.com", "wrong-guess-\(index)") } }
                    return try await group.reduce(into: [UInt]()) { $0.append($1) }
                }
                let checked = statuses.filter { $0 == 401 }.count
                #expect(checked <= 5, "\(checked) passwords were checked")
                #expect(checked >= 1)
                #expect(statuses.filter { $0 == 429 }.count == 40 - checked)
                #expect(try await live.signIn("anna@example.com", Self.password) == 429)
            }
            app.clock.advance(by: 15 * 60 + 1)
            let owner = app.browser()
            _ = try await owner.get("/signin")
            #expect(try await owner.post("/signin", ["email": "anna@example.com", "password": Self.password]).status == .seeOther)
        }
    }

    @Test("40 parallel wrong passwords for 40 accounts from one address: at most the address limit are checked")
    func parallelGuessesPerAddress() async throws {
        try await TestApp.run(variables: Self.slowerHashes.merging(["LOGIN_MAX_FAILURES_PER_IP": "6"]) { $1 }) { app in
            try await LiveClient.run(app) { live in
                let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                    for index in 0..<40 { group.addTask { try await live.signIn("user\(index)@example.com", "wrong-guess") } }
                    return try await group.reduce(into: [UInt]()) { $0.append($1) }
                }
                let checked = statuses.filter { $0 == 401 }.count
                #expect(checked <= 6, "\(checked) passwords were checked")
                #expect(statuses.filter { $0 == 429 }.count == 40 - checked)
            }
        }
    }

    @Test("a right password gives the account its budget back")
    func successResetsAccount() async throws {
        try await TestApp.run(variables: ["LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { app in
            try await app.signUp(email: "anna@example.com", password: Self.password)
            let browser = app.browser()
            _ = try await browser.get("/signin")
            for _ in 0..<2 { #expect(try await browser.post("/signin", ["email": "anna@example.com", "password": "nope-nope-nope"]).status == .unauthorized) }
            #expect(try await browser.post("/signin", ["email": "anna@example.com", "password": Self.password]).status == .seeOther)
            let other = app.browser()
            _ = try await other.get("/signin")
            for _ in 0..<3 { #expect(try await other.post("/signin", ["email": "anna@example.com", "password": "nope-nope-nope"]).status == .unauthorized) }
            #expect(try await other.post("/signin", ["email": "anna@example.com", "password": "nope-nope-nope"]).status == .tooManyRequests)
        }
    }

    @Test("guessing the current password on the account page uses the account's sign-in budget")
    func passwordChangeThrottled() async throws {
        try await TestApp.run(variables: ["LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { app in
            let session = try await app.signUp(email: "anna@example.com", password: Self.password)
            for _ in 0..<3 {
                let wrong = try await session.post("/account/password", ["current_password": "nope-nope-nope", "new_password": "a-brand-new-passphrase"])
                #expect(wrong.status == .unprocessableEntity)
            }
            let blocked = try await session.post("/account/password", ["current_password": Self.password, "new_password": "a-brand-new-passphrase"])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Too many failed attempts"))
            #expect(blocked.headers.first(name: .retryAfter) != nil)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first())
            #expect(try Bcrypt.verify(Self.password, created: user.passwordHash), "the password did not change")

            let signIn = app.browser()
            _ = try await signIn.get("/signin")
            #expect(try await signIn.post("/signin", ["email": "anna@example.com", "password": Self.password]).status == .tooManyRequests)

            app.clock.advance(by: 15 * 60 + 1)
            let ok = try await session.post("/account/password", ["current_password": Self.password, "new_password": "a-brand-new-passphrase"])
            #expect(ok.headers.first(name: .location) == "/account?notice=password_changed")
        }
    }

    @Test("sign-ups from one address are limited; refused input is not counted")
    func signUpThrottled() async throws {
        try await TestApp.run(variables: ["SIGNUP_MAX_PER_IP": "2"]) { app in
            let browser = app.browser(acceptLanguage: "nl-NL,nl;q=0.9")
            _ = try await browser.get("/signup")
            let invalid = try await browser.post("/signup", ["name": "", "organization": "", "email": "nope", "password": "short"])
            #expect(invalid.status == .unprocessableEntity)
            for index in 0..<2 {
                let fresh = app.browser()
                _ = try await fresh.get("/signup")
                let ok = try await fresh.post(
                    "/signup", ["name": "Anna", "organization": "Bakkerij \(index)", "email": "anna\(index)@example.com", "password": Self.password])
                #expect(ok.status == .seeOther)
            }
            let blocked = try await browser.post(
                "/signup", ["name": "Piet", "organization": "Piet BV", "email": "piet@example.com", "password": Self.password])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Te veel nieuwe accounts"))
            #expect(try await User.query(on: app.db).count() == 2)
        }
    }

    @Test("parallel sign-ups from one address: at most the limit get through")
    func parallelSignUps() async throws {
        try await TestApp.run(variables: Self.slowerHashes.merging(["SIGNUP_MAX_PER_IP": "3"]) { $1 }) { app in
            try await LiveClient.run(app) { live in
                let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            try await live.post(
                                "/signup", ["name": "Spam", "organization": "Spam \(index)", "email": "spam\(index)@example.com", "password": Self.password]
                            ).status
                        }
                    }
                    return try await group.reduce(into: [UInt]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 303 }.count == 3)
                #expect(statuses.filter { $0 == 429 }.count == 17)
            }
            #expect(try await User.query(on: app.db).count() == 3)
        }
    }
}

@Suite struct ClientAddressTests {
    @Test("X-Forwarded-For from a peer that is not a trusted proxy is ignored")
    func untrustedPeer() async throws {
        try await TestApp.run(variables: ["LOGIN_MAX_FAILURES_PER_IP": "2"]) { app in
            try await LiveClient.run(app) { live in
                for index in 0..<2 {
                    let status = try await live.signIn("user\(index)@example.com", "wrong-guess", headers: [("X-Forwarded-For", "203.0.113.\(index)")])
                    #expect(status == 401)
                }
                // A new made-up address per request would otherwise be a fresh budget per request.
                let blocked = try await live.signIn("user9@example.com", "wrong-guess", headers: [("X-Forwarded-For", "203.0.113.99")])
                #expect(blocked == 429)
            }
        }
    }

    @Test("behind a trusted proxy the forwarded client address is the one counted")
    func trustedProxy() async throws {
        try await TestApp.run(variables: ["LOGIN_MAX_FAILURES_PER_IP": "2", "TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"]) { app in
            try await LiveClient.run(app) { live in
                for index in 0..<2 {
                    let status = try await live.signIn("a\(index)@example.com", "wrong-guess", headers: [("X-Forwarded-For", "198.51.100.7")])
                    #expect(status == 401)
                }
                let blocked = try await live.signIn("a9@example.com", "wrong-guess", headers: [("X-Forwarded-For", "198.51.100.7")])
                #expect(blocked == 429)
                // Another client behind the same proxy has a budget of its own, whatever it claims to the left.
                let other = try await live.signIn("b@example.com", "wrong-guess", headers: [("X-Forwarded-For", "198.51.100.7, 198.51.100.8")])
                #expect(other == 401)
                let third = try await live.signIn("c@example.com", "wrong-guess", headers: [("X-Forwarded-For", "198.51.100.7, 198.51.100.9, 10.1.2.3")])
                #expect(third == 401)
            }
        }
    }

    @Test("the client is the right-most forwarded address that is not a trusted proxy")
    func resolution() throws {
        let proxies = try IPNetwork.list("10.0.0.0/8, 2001:db8::/32, 192.0.2.1").get()
        func resolve(_ peer: String?, _ forwarded: [String]) -> String? {
            ClientAddress.resolve(peer: peer.flatMap(IPAddress.init), forwardedFor: forwarded, trustedProxies: proxies)?.description
        }
        #expect(resolve("198.51.100.1", ["203.0.113.5"]) == "198.51.100.1", "an untrusted peer is the client")
        #expect(resolve("10.0.0.2", ["203.0.113.5"]) == "203.0.113.5")
        #expect(resolve("10.0.0.2", ["6.6.6.6, 203.0.113.5"]) == "203.0.113.5", "what the client wrote to the left is ignored")
        #expect(resolve("10.0.0.2", ["6.6.6.6", "203.0.113.5, 10.9.9.9"]) == "203.0.113.5", "several headers read as one list; trusted hops skipped")
        #expect(resolve("10.0.0.2", ["203.0.113.5, not-an-address"]) == "10.0.0.2", "a broken chain stops at the last proxy")
        #expect(resolve("10.0.0.2", []) == "10.0.0.2")
        #expect(resolve("10.0.0.2", ["10.0.0.3"]) == "10.0.0.3", "only proxies: the furthest one")
        #expect(resolve("::ffff:10.0.0.2", ["203.0.113.5:4711"]) == "203.0.113.5", "mapped IPv4 peers and ports")
        #expect(resolve("2001:db8::1", ["[2001:db8:ffff::1]:443", "2a00:1450::5"]) == "2a00:1450::5")
        #expect(resolve(nil, ["203.0.113.5"]) == nil, "no IP peer: nothing to believe")
    }

    @Test("networks match by prefix, in either family")
    func networks() throws {
        let network = try #require(IPNetwork("192.168.0.0/16"))
        #expect(network.contains(try #require(IPAddress("192.168.44.1"))))
        #expect(!network.contains(try #require(IPAddress("192.169.0.1"))))
        #expect(!network.contains(try #require(IPAddress("::1"))))
        #expect(try #require(IPNetwork("2001:db8::/33")).contains(try #require(IPAddress("2001:db8:7fff::1"))))
        #expect(try !#require(IPNetwork("2001:db8::/33")).contains(try #require(IPAddress("2001:db8:8000::1"))))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(try #require(IPAddress("8.8.8.8"))))
        #expect(IPAddress("2001:DB8:0::1")?.description == "2001:db8::1")
        for bad in ["10.0.0.0/33", "300.1.1.1", "example.com", "10.0.0.0/-1", "::/129"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test("TRUSTED_PROXIES is empty by default and a bad entry stops start-up")
    func setting() throws {
        let base = ["APP_URL": "http://127.0.0.1:8080"]
        #expect(try AppConfiguration.load(from: base, environment: .testing).trustedProxies.isEmpty)
        let two = try AppConfiguration.load(from: base.merging(["TRUSTED_PROXIES": "10.0.0.0/8,::1"]) { $1 }, environment: .testing)
        #expect(two.trustedProxies.count == 2)
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(from: base.merging(["TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"]) { $1 }, environment: .testing)
        }
    }
}
