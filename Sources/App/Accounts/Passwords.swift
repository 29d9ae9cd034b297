import Vapor

/// bcrypt hashing and checking, off the event loops: one hash at cost 12 takes a quarter second.
struct Passwords: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    /// Spends the time of a real check when there is no account, so timing does not reveal which emails exist.
    func verifyAgainstNothing(_ password: String) async throws {
        // Hashing at the same cost takes as long as checking against a stored hash.
        _ = try await hash(password)
    }
}

extension Request {
    var passwords: Passwords {
        Passwords(cost: context.configuration.bcryptCost, threadPool: application.threadPool)
    }
}
