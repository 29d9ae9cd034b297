@testable import App
import Foundation
import Testing
import Vapor

@Suite struct ConfigurationTests {
    @Test("no configuration at all is the embedded default")
    func embeddedDefault() throws {
        let configuration = try AppConfiguration.load(from: [:], environment: .development)
        #expect(configuration.database == .sqliteFile(path: "./data/adsapp.sqlite"))
        #expect(configuration.appURL.absoluteString == "http://127.0.0.1:8080")
        #expect(!configuration.usesSecureCookies)
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.logFormat == .text)
        #expect(configuration.autoMigrate)
    }

    @Test func postgres() throws {
        let configuration = try AppConfiguration.load(from: ["DATABASE_URL": "postgres://app:secret@db.internal:5432/adsapp", "DATA_DIR": "/srv/data"], environment: .development)
        #expect(configuration.database == .postgres(url: "postgres://app:secret@db.internal:5432/adsapp"))
        #expect(configuration.dataDirectory == "/srv/data")
    }

    @Test("production needs APP_URL and logs JSON")
    func production() throws {
        #expect(throws: ConfigurationError(variable: "APP_URL", problem: "is required in production (the public https URL of the app)")) {
            try AppConfiguration.load(from: [:], environment: .production)
        }
        let configuration = try AppConfiguration.load(from: ["APP_URL": "https://inbox.example.com"], environment: .production)
        #expect(configuration.usesSecureCookies)
        #expect(configuration.isHTTPS)
        #expect(configuration.logFormat == .json)
    }

    @Test("a malformed setting stops start-up with its name", arguments: [
        ("APP_URL", "localhost:8080"),
        ("APP_URL", "ftp://files.example.com"),
        ("DATABASE_URL", "mysql://root@localhost/adsapp"),
        ("DATABASE_URL", "postgres://"),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "abc"),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "0"),
        ("SESSION_ABSOLUTE_TIMEOUT_HOURS", "-5"),
        ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "many"),
        ("BCRYPT_COST", "40"),
        ("LOG_FORMAT", "xml"),
        ("AUTO_MIGRATE", "perhaps"),
        ("DATABASE_POOL_SIZE", "0"),
    ])
    func malformed(_ variable: String, _ value: String) {
        do {
            _ = try AppConfiguration.load(from: [variable: value], environment: .production)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            if variable != "APP_URL" { #expect(error.variable == "APP_URL") } // production checks APP_URL first
        }
        do {
            let variables = ["APP_URL": "https://inbox.example.com"].merging([variable: value]) { $1 }
            _ = try AppConfiguration.load(from: variables, environment: .production)
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        }
    }
}

@Suite struct CatalogTests {
    @Test("every text key exists, non-empty, in every language, and no catalog has keys the code does not know")
    func complete() throws {
        let catalog = try Catalog.loadBundled()
        for (language, strings) in catalog.strings {
            let missing = TextKey.allCases.filter { strings[$0.rawValue]?.isEmpty ?? true }
            #expect(missing.isEmpty, "\(language) lacks \(missing.map(\.rawValue))")
            let unknown = Set(strings.keys).subtracting(TextKey.allCases.map(\.rawValue))
            #expect(unknown.isEmpty, "\(language) has unknown keys \(unknown)")
        }
    }

    @Test("each translation has the same {placeholders} as the English text")
    func placeholders() throws {
        let catalog = try Catalog.loadBundled()
        func names(_ text: String) -> Set<String> { Set(text.matches(of: /\{(\w+)\}/).map { String($0.1) }) }
        for key in TextKey.allCases {
            let english = names(catalog.strings[.en]?[key.rawValue] ?? "")
            #expect(names(catalog.strings[.nl]?[key.rawValue] ?? "") == english, "\(key.rawValue)")
        }
    }

    @Test("Dutch is really translated: most texts differ from English")
    func translated() throws {
        let catalog = try Catalog.loadBundled()
        let same = TextKey.allCases.filter { catalog.strings[.en]?[$0.rawValue] == catalog.strings[.nl]?[$0.rawValue] }
        #expect(same.count * 10 < TextKey.allCases.count, "identical in both: \(same.map(\.rawValue))")
    }
}

@Suite struct DependenciesTests {
    @Test("random tokens have the asked entropy, are URL-safe and do not repeat")
    func randomTokens() {
        let bytes = Dependencies.live.randomBytes(13)
        #expect(bytes.count == 13)
        let tokens = (0..<200).map { _ in Dependencies.live.randomToken(bytes: 32) }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
    }
}
