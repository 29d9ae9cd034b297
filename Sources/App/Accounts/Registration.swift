import ADSappCore
import Fluent
import Foundation

/// Sign-up: one person, their first organization, and their Owner membership, created together or not at all.
struct Registration: Sendable {
    struct Input: Sendable {
        var name: String
        var organization: String
        var email: String
        var password: String
    }

    enum Failure: Error {
        case invalid(ValidationFailure)
        case emailTaken
    }

    let database: any Database
    let passwords: Passwords
    let now: Date

    func register(_ input: Input) async throws -> (user: User, organization: Organization) {
        var errors: [FieldError] = []
        var name: DisplayName?, organizationName: DisplayName?, email: EmailAddress?
        do { name = try DisplayName(input.name, field: "name") } catch { errors.append(error) }
        do { organizationName = try DisplayName(input.organization, field: "organization") } catch { errors.append(error) }
        do { email = try EmailAddress(input.email) } catch { errors.append(error) }
        do { try PasswordPolicy.check(input.password, email: email) } catch { errors.append(error) }
        guard errors.isEmpty, let name, let organizationName, let email else { throw Failure.invalid(ValidationFailure(errors)) }

        if try await User.query(on: database).filter(\.$email == email.value).first() != nil { throw Failure.emailTaken }
        let hash = try await passwords.hash(input.password)
        let now = self.now
        let user = User(email: email.value, name: name.value, passwordHash: hash, language: nil, createdAt: now)
        let organization = Organization(name: organizationName.value, createdAt: now)
        do {
            try await database.transaction { database in
                try await user.create(on: database)
                try await organization.create(on: database)
                try await Membership(organizationID: organization.id!, userID: user.id!, role: .owner, createdAt: now).create(on: database)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two sign-ups with one email at the same moment: the unique index decides.
            throw Failure.emailTaken
        }
        return (user, organization)
    }
}
