import ADSappCore
import Fluent
import Vapor

/// `adsapp platform-admin grant|revoke EMAIL`: marks a person as operator of the whole platform.
struct PlatformAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "grant or revoke")
        var action: String
        @Argument(name: "email", help: "the account's email address")
        var email: String
    }

    var help: String { "Grants or revokes platform operator rights (the /admin pages)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard ["grant", "revoke"].contains(signature.action) else {
            throw Abort(.badRequest, reason: "action must be grant or revoke")
        }
        let email = try EmailAddress(signature.email)
        let database = context.application.db
        guard let user = try await User.query(on: database).filter(\.$email == email.value).first() else {
            throw Abort(.notFound, reason: "no account with email \(email.value)")
        }
        user.isPlatformAdmin = signature.action == "grant"
        try await user.update(on: database)
        context.console.info("\(email.value) is \(user.isPlatformAdmin ? "now" : "no longer") a platform admin.")
    }
}
