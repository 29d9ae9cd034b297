import ADSappCore
import Fluent
import Vapor

/// `adsapp platform-admin grant|revoke EMAIL`: marks a person as operator of the whole platform.
/// `adsapp platform-admin assign-number ORGANIZATION`: connects the platform's own number
/// (`WHATSAPP_PHONE_NUMBER_ID`) to an organization, named by its id or its exact name.
struct PlatformAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "grant, revoke or assign-number")
        var action: String
        @Argument(name: "target", help: "the account's email address (grant, revoke) or the organization's id or exact name (assign-number)")
        var target: String
    }

    var help: String { "Grants or revokes platform operator rights (the /admin pages), or assigns the platform's WhatsApp number to an organization." }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch signature.action {
        case "grant", "revoke":
            try await operatorRights(signature, context: context)
        case "assign-number":
            try await assignNumber(signature.target, context: context)
        default:
            throw Abort(.badRequest, reason: "action must be grant, revoke or assign-number")
        }
    }

    private func operatorRights(_ signature: Signature, context: CommandContext) async throws {
        let email = try EmailAddress(signature.target)
        let database = context.application.db
        guard let user = try await User.query(on: database).filter(\.$email == email.value).first() else {
            throw Abort(.notFound, reason: "no account with email \(email.value)")
        }
        user.isPlatformAdmin = signature.action == "grant"
        try await user.update(on: database)
        context.console.info("\(email.value) is \(user.isPlatformAdmin ? "now" : "no longer") a platform admin.")
    }

    private func assignNumber(_ target: String, context: CommandContext) async throws {
        let app = context.application
        let organization = try await Self.organization(target, on: app.db)
        let assignment = PlatformNumberAssignment(
            services: app.whatsApp, database: app.db, jobs: app.backgroundJobs.store(app.db, app.context), now: app.context.dependencies.now()
        )
        do {
            let connection = try await assignment.assign(to: try organization.requireID())
            context.console.info(
                "The platform number \(connection.phoneNumberID) is connected to \(organization.name) (\(organization.id!.uuidString.lowercased())).")
        } catch let problem as PlatformNumberAssignment.Problem {
            throw Abort(.unprocessableEntity, reason: "not assigned: \(problem)")
        }
    }

    /// By id, else by exact name; a name several organizations share must be given as an id.
    static func organization(_ target: String, on database: any Database) async throws -> Organization {
        if let id = UUID(uuidString: target), let found = try await Organization.find(id, on: database) { return found }
        let named = try await Organization.query(on: database).filter(\.$name == target).limit(2).all()
        guard let first = named.first else { throw Abort(.notFound, reason: "no organization with id or name \(target)") }
        guard named.count == 1 else { throw Abort(.conflict, reason: "several organizations are named \(target); give its id instead") }
        return first
    }
}
