import ADSappCore
import Fluent
import Foundation

/// Sign-up: one person, their first organization, and their Owner membership, created together or not at all.
///
/// An address that already has an account is not an error the caller shows: sign-up answers the
/// same either way (`AccountsController.signUp`), so the outcome only says which email to send.
/// Both outcomes cost one bcrypt hash, the work that dominates the answer's time.
struct Registration: Sendable {
    struct Input: Sendable {
        var name: String
        var organization: String
        var email: String
        var password: String
        /// The language the person signed up in: their preference from then on.
        var language: String? = nil
    }

    enum Failure: Error {
        case invalid(ValidationFailure)
    }

    enum Outcome: Sendable {
        /// A new person with their organization; their address is not verified yet.
        case created(user: User, organization: Organization)
        /// The address belongs to this existing account; nothing was created.
        case addressTaken(existing: User)

        /// The account with the address, new or not (for the seeder, which signs people up only when absent).
        var user: User {
            switch self {
            case .created(let user, _): user
            case .addressTaken(let existing): existing
            }
        }
    }

    let database: any Database
    let passwords: Passwords
    let now: Date

    func register(_ input: Input) async throws -> Outcome {
        var errors: [FieldError] = []
        var name: DisplayName?, organizationName: DisplayName?, email: EmailAddress?
        do { name = try DisplayName(input.name, field: "name") } catch { errors.append(error) }
        do { organizationName = try DisplayName(input.organization, field: "organization") } catch { errors.append(error) }
        do { email = try EmailAddress(input.email) } catch { errors.append(error) }
        do { try PasswordPolicy.check(input.password, email: email) } catch { errors.append(error) }
        guard errors.isEmpty, let name, let organizationName, let email else { throw Failure.invalid(ValidationFailure(errors)) }

        if let existing = try await User.query(on: database).filter(\.$email == email.value).first() {
            // The same hashing work as a new account, so the answer's timing does not tell either.
            try await passwords.verifyAgainstNothing(input.password)
            return .addressTaken(existing: existing)
        }
        let hash = try await passwords.hash(input.password)
        let now = self.now
        let user = User(email: email.value, name: name.value, passwordHash: hash, language: input.language, createdAt: now)
        let organization = Organization(name: organizationName.value, createdAt: now)
        do {
            try await database.transaction { database in
                try await user.create(on: database)
                try await organization.create(on: database)
                let scope = TenantScope(organizationID: organization.id!, database: database)
                _ = try await MemberManagement.addMember(userID: user.id!, role: .owner, in: scope, now: now)
            }
        } catch let error where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Two sign-ups with one email at the same moment: the unique index decides.
            guard let existing = try await User.query(on: database).filter(\.$email == email.value).first() else { throw error }
            return .addressTaken(existing: existing)
        }
        return .created(user: user, organization: organization)
    }

    /// A person who joins through an invitation: no organization of their own, and their address
    /// counts as verified (the invitation reached it). The caller runs it in the transaction that
    /// accepts the invitation and has hashed the password before it (`Invitations.accept`).
    static func createInvitedUser(name: String, email: String, passwordHash: String, language: String?, now: Date, on database: any Database) async throws
        -> User
    {
        let user = User(email: email, name: name, passwordHash: passwordHash, language: language, createdAt: now)
        user.emailVerifiedAt = now
        try await user.create(on: database)
        return user
    }
}
