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
        #expect(configuration.liveInboxReplayLimit == 1000)
        #expect(configuration.logFormat == .text)
        #expect(configuration.autoMigrate)
    }

    @Test func postgres() throws {
        let configuration = try AppConfiguration.load(
            from: ["DATABASE_URL": "postgres://app:secret@db.internal:5432/adsapp", "DATA_DIR": "/srv/data"], environment: .development)
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

    @Test(
        "a malformed setting stops start-up with its name",
        arguments: [
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
            if variable != "APP_URL" { #expect(error.variable == "APP_URL") }  // production checks APP_URL first
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

@Suite struct WhatsAppConfigurationTests {
    @Test("a complete WhatsApp and S3 configuration is read as given")
    func complete() throws {
        let configuration = try AppConfiguration.load(
            from: [
                "WHATSAPP_API_VERSION": "v24.0",
                "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
                "WHATSAPP_ACCESS_TOKEN": "EAAG-token",
                "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
                "WHATSAPP_SENDS_PER_SECOND": "1000",
                "OBJECT_STORE": "s3",
                "S3_ENDPOINT": "http://127.0.0.1:9000",
                "S3_BUCKET": "media",
                "S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
                "S3_SECRET_ACCESS_KEY": "secret",
                "MEDIA_MAX_MEGABYTES": "16",
            ], environment: .development)
        #expect(configuration.whatsApp.apiVersion == "v24.0")
        #expect(
            configuration.whatsApp.defaultConnection == .init(phoneNumberID: "106540352242922", businessAccountID: "102290129340398", accessToken: "EAAG-token")
        )
        #expect(configuration.whatsApp.sendsPerSecond == 1000)
        #expect(
            configuration.objectStore
                == .s3(
                    endpoint: URL(string: "http://127.0.0.1:9000")!, bucket: "media", region: "us-east-1", accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"
                ))
        #expect(configuration.mediaMaxBytes == 16_000_000)
    }

    @Test("without WhatsApp settings: v23.0, no default number, 80 sends per second, media on local disk")
    func defaults() throws {
        let configuration = try AppConfiguration.load(from: [:], environment: .development)
        #expect(configuration.whatsApp.apiVersion == "v23.0")
        #expect(configuration.whatsApp.defaultConnection == nil)
        #expect(configuration.whatsApp.sendsPerSecond == 80)
        #expect(configuration.objectStore == .localDisk)
    }

    static let s3: [String: String] = [
        "OBJECT_STORE": "s3", "S3_BUCKET": "media", "S3_ACCESS_KEY_ID": "AKIDEXAMPLE", "S3_SECRET_ACCESS_KEY": "secret",
    ]

    static func without(_ name: String, _ variables: [String: String]) -> [String: String] {
        variables.filter { $0.key != name }
    }

    @Test(
        "a bad WhatsApp or object store setting stops start-up and names the variable",
        arguments: [
            (["WHATSAPP_API_VERSION": "23.0"], "WHATSAPP_API_VERSION"),
            (["WHATSAPP_API_VERSION": "v23"], "WHATSAPP_API_VERSION"),
            (["WHATSAPP_API_VERSION": "v23.0/../v1"], "WHATSAPP_API_VERSION"),
            (["WHATSAPP_API_VERSION": "latest"], "WHATSAPP_API_VERSION"),
            (["WHATSAPP_PHONE_NUMBER_ID": "106540352242922"], "WHATSAPP_ACCESS_TOKEN"),
            (["WHATSAPP_ACCESS_TOKEN": "EAAG-token"], "WHATSAPP_PHONE_NUMBER_ID"),
            (["WHATSAPP_ACCESS_TOKEN": "EAAG-token", "WHATSAPP_PHONE_NUMBER_ID": "+31 20 123 4567"], "WHATSAPP_PHONE_NUMBER_ID"),
            (["WHATSAPP_ACCESS_TOKEN": "EAAG-token", "WHATSAPP_PHONE_NUMBER_ID": "number-one"], "WHATSAPP_PHONE_NUMBER_ID"),
            (["WHATSAPP_SENDS_PER_SECOND": "0"], "WHATSAPP_SENDS_PER_SECOND"),
            (["WHATSAPP_SENDS_PER_SECOND": "1001"], "WHATSAPP_SENDS_PER_SECOND"),
            (["WHATSAPP_SENDS_PER_SECOND": "fast"], "WHATSAPP_SENDS_PER_SECOND"),
            (["WHATSAPP_GRAPH_URL": "graph.facebook.com"], "WHATSAPP_GRAPH_URL"),
            (["OBJECT_STORE": "gcs"], "OBJECT_STORE"),
            (without("S3_BUCKET", s3), "S3_BUCKET"),
            (without("S3_ACCESS_KEY_ID", s3), "S3_ACCESS_KEY_ID"),
            (without("S3_SECRET_ACCESS_KEY", s3), "S3_SECRET_ACCESS_KEY"),
            (s3.merging(["S3_ENDPOINT": "minio:9000"]) { $1 }, "S3_ENDPOINT"),
            (["MEDIA_MAX_MEGABYTES": "0"], "MEDIA_MAX_MEGABYTES"),
        ])
    func malformed(_ variables: [String: String], _ named: String) {
        do {
            let configuration = try AppConfiguration.load(from: variables, environment: .development)
            Issue.record("\(variables) was accepted: \(configuration.whatsApp)")
        } catch {
            #expect(error.variable == named)
            #expect(error.description.contains(named))
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

    @Test("placeholders are filled in one pass: a value is never read for placeholders, unknown ones stay")
    func filling() {
        #expect(Localizer.fill("{number} is down: {reason}.", ["number": "+31 6", "reason": "token {number}"]) == "+31 6 is down: token {number}.")
        #expect(Localizer.fill("{a}{a} {b} {", ["a": "x"]) == "xx {b} {")
        #expect(Localizer.fill("{{a}}", ["a": "}"]) == "{}}")
        #expect(Localizer.fill("geen", ["a": "x"]) == "geen")
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

    @Test("base64url: the URL-safe alphabet, no padding (RFC 4648, section 5)")
    func base64URL() {
        #expect(Data([0xfb, 0xff]).base64URLEncoded() == "-_8")
        #expect(Data([0xfb, 0xef, 0xbe]).base64URLEncoded() == "----")
        #expect(Data("Bakkerij".utf8).base64URLEncoded() == "QmFra2VyaWo")
        #expect(Data().base64URLEncoded() == "")
    }
}
