// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ADSapp",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "adsapp", targets: ["adsapp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Domain: no Vapor, no Fluent.
        .target(name: "ADSappCore"),
        .target(
            name: "App",
            dependencies: [
                "ADSappCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "adsapp",
            dependencies: ["App", .product(name: "Vapor", package: "vapor")]
        ),
        .testTarget(name: "ADSappCoreTests", dependencies: ["ADSappCore"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
