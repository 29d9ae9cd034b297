import ADSappCore
import Vapor

extension AccountPage {
    /// The signed-in person's name, email, language preference and number of open sessions.
    static func query(_ request: Request, _ signedIn: SignedIn, notice: String?, passwordErrors: [String: String]) async throws -> Model {
        Model(
            name: signedIn.user.name, email: signedIn.user.email,
            languagePreference: signedIn.user.language.flatMap(Language.init(rawValue:)),
            sessionCount: try await SessionStore(database: request.db, context: request.context).count(userID: signedIn.userID),
            notice: notice, passwordErrors: passwordErrors, emailVerified: signedIn.user.emailVerifiedAt != nil
        )
    }
}
