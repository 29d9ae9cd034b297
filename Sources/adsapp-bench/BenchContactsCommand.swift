@_spi(Seeding) import App
import Foundation
import Vapor

/// `adsapp-bench contacts --seed --out DIR`: the owner and organization the contacts benchmark
/// imports into, the owner's session cookie (`cookie.txt`) and the organization's id
/// (`organization.txt`). The rest (the CSV, the `COPY` limit, the import over HTTP, RSS and the
/// list and segment count latencies) runs in `scripts/bench contacts`.
struct BenchContactsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "seed", help: "make the owner and organization and write cookie.txt and organization.txt into --out")
        var seed: Bool
        @Option(name: "out", help: "directory for the cookie and the organization id")
        var out: String?
    }

    var help: String { "Prepares the contacts benchmark (CSV import, list and segment count)." }

    static let ownerEmail = "bench-contacts@example.com"

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.seed, let out = signature.out else { throw BenchError(description: "usage: adsapp-bench contacts --seed --out DIR") }
        let seeder = Seeder(context.application)
        let (ownerID, registered) = try await seeder.owner(
            name: "Bench Owner", email: Self.ownerEmail, password: "sourdough-loaves-at-dawn-2026", organization: "Contacts Bench")
        guard let organizationID = registered else { throw BenchError(description: "\(Self.ownerEmail) has no organization") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let cookie = try await seeder.sessionCookie(userID: ownerID, organizationID: organizationID, userAgent: "bench-contacts")
        try cookie.write(toFile: out + "/cookie.txt", atomically: true, encoding: .utf8)
        try organizationID.uuidString.lowercased().write(toFile: out + "/organization.txt", atomically: true, encoding: .utf8)
        context.console.print("{\"organization\":\"\(organizationID.uuidString.lowercased())\"}")
    }
}
