// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ADSapp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "adsapp", targets: ["adsapp"]),
        .executable(name: "whatsapp-simulator", targets: ["whatsapp-simulator"]),
        .executable(name: "stripe-simulator", targets: ["stripe-simulator"]),
        .executable(name: "llm-simulator", targets: ["llm-simulator"]),
        .executable(name: "adsapp-bench", targets: ["adsapp-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // Domain: no Vapor, no Fluent.
        .target(name: "ADSappCore"),
        // HTML built from nodes, every text and attribute value escaped when rendered. No dependencies.
        .target(name: "SafeHTML"),
        // The database-backed job queue and scheduler. No Vapor.
        .target(
            name: "Jobs",
            dependencies: [
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Envelope encryption: per-organization data keys wrapped by a key provider.
        .target(name: "KeyVault", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Where media bytes live: local disk, or any S3-compatible store (SigV4).
        .target(
            name: "ObjectStore",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // WhatsApp Business Cloud API: webhook payloads, signatures, the Graph API client. Vendor-only code.
        .target(
            name: "WhatsAppCloud",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // Stripe's API and webhooks: the client, objects, form bodies, `Stripe-Signature`. Vendor-only code.
        .target(
            name: "Stripe",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // OpenAI-compatible chat completions (OpenRouter and others), whole and streamed, with a fallback model. Vendor-only code.
        .target(
            name: "LLM",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Email delivery: the message format (MIME), Resend's HTTP API, SMTP with STARTTLS. Vendor-only code.
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Two-factor sign-in: TOTP (RFC 6238), base32, recovery codes, and QR codes drawn as SVG. No dependencies but Crypto.
        .target(name: "TwoFactor", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // A loopback Resend API that follows Resend's documented requests and answers: for tests.
        .target(
            name: "ResendSimulator",
            dependencies: ["SimulatorSupport", .product(name: "Vapor", package: "vapor")],
            path: "Sources/Simulators/ResendSimulator"
        ),
        // A loopback Stripe API with the hosted pages and signed webhooks a subscription's life brings: for tests and local use.
        .target(
            name: "StripeSimulator",
            dependencies: [
                "Stripe",
                "SimulatorSupport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Simulators/StripeSimulator"
        ),
        // A loopback OpenAI-compatible chat completions API (OpenRouter's shapes, SSE streaming): for tests.
        .target(
            name: "LLMSimulator",
            dependencies: ["SimulatorSupport", .product(name: "Vapor", package: "vapor")],
            path: "Sources/Simulators/LLMSimulator"
        ),
        // A loopback Graph API with customers who send signed webhooks: for tests, demos and benchmarks.
        .target(
            name: "WhatsAppSimulator",
            dependencies: [
                "SimulatorSupport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Simulators/WhatsAppSimulator"
        ),
        // What the simulators share: their loopback server, and their executables' wait for the signal to stop.
        .target(name: "SimulatorSupport", dependencies: [.product(name: "Vapor", package: "vapor")], path: "Sources/Simulators/SimulatorSupport"),
        .executableTarget(
            name: "stripe-simulator",
            dependencies: ["StripeSimulator", "SimulatorSupport"],
            path: "Sources/Simulators/stripe-simulator"
        ),
        .executableTarget(
            name: "llm-simulator",
            dependencies: ["LLMSimulator", "SimulatorSupport"],
            path: "Sources/Simulators/llm-simulator"
        ),
        .executableTarget(
            name: "whatsapp-simulator",
            dependencies: ["WhatsAppSimulator", "SimulatorSupport", .product(name: "Vapor", package: "vapor")],
            path: "Sources/Simulators/whatsapp-simulator"
        ),
        .target(
            name: "App",
            dependencies: [
                "ADSappCore",
                "Jobs",
                "KeyVault",
                "LLM",
                "Mail",
                "ObjectStore",
                "SafeHTML",
                "Stripe",
                "TwoFactor",
                "WhatsAppCloud",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Database/Migrations/released.sha256"],
            resources: [.copy("Resources")]
        ),
        // `adsapp serve --demo`: a demo organization whose number lives in the Graph simulator.
        .target(
            name: "Demo",
            dependencies: ["ADSappCore", "App", "WhatsAppSimulator", .product(name: "Vapor", package: "vapor")]
        ),
        // The entry point: assembles the app (and the demo) and runs the command.
        .executableTarget(
            name: "adsapp",
            dependencies: [
                "App", "Demo", .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The benchmarks' commands, run by `scripts/bench`; never shipped.
        .executableTarget(
            name: "adsapp-bench",
            dependencies: [
                "App",
                "Jobs",
                "WhatsAppCloud",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "ADSappCoreTests", dependencies: ["ADSappCore"]),
        .testTarget(name: "SafeHTMLTests", dependencies: ["SafeHTML"]),
        .testTarget(
            name: "JobsTests",
            dependencies: [
                "Jobs",
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "KeyVaultTests", dependencies: ["KeyVault"]),
        // The one way tests start the Python peers of system-tests/peers (from .venv-peers).
        .target(name: "PythonPeers", path: "Tests/Support/PythonPeers"),
        .testTarget(
            name: "MailTests", dependencies: ["Mail", "ResendSimulator", "PythonPeers", .product(name: "VaporTesting", package: "vapor")]),
        .testTarget(
            name: "LLMTests", dependencies: ["LLM", "LLMSimulator", "PythonPeers", .product(name: "VaporTesting", package: "vapor")]),
        .testTarget(
            name: "StripeTests", dependencies: ["Stripe", "StripeSimulator", "PythonPeers", .product(name: "VaporTesting", package: "vapor")]),
        .testTarget(name: "TwoFactorTests", dependencies: ["TwoFactor", "PythonPeers"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "PythonPeers"]),
        .testTarget(name: "WhatsAppCloudTests", dependencies: ["WhatsAppCloud"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WhatsAppSimulatorTests", dependencies: ["WhatsAppSimulator", "WhatsAppCloud"]),
        .testTarget(name: "DemoTests", dependencies: ["Demo", "App", "WhatsAppSimulator", .product(name: "VaporTesting", package: "vapor")]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "LLM",
                "LLMSimulator",
                "Mail",
                "ResendSimulator",
                "Stripe",
                "StripeSimulator",
                "TwoFactor",
                "WhatsAppCloud",
                "WhatsAppSimulator",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            // Page snapshots are read from the source tree by SnapshotTesting, not bundled.
            exclude: ["Pages/__Snapshots__"]
        ),
    ]
)
