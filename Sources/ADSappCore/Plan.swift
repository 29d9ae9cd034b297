/// The plans an organization can pay for, and what each allows.
public enum Plan: String, Sendable, CaseIterable, Codable {
    case starter
    case professional
    case enterprise

    /// What the plan allows; `nil` in a limit means no limit.
    public var allowance: PlanAllowance {
        switch self {
        case .starter:
            PlanAllowance(seats: 3, numbers: 1, contacts: 1_000, monthlyMessages: 1_000, monthlyAICredits: 100, singleSignOn: false)
        case .professional:
            PlanAllowance(seats: 10, numbers: 3, contacts: 10_000, monthlyMessages: 10_000, monthlyAICredits: 1_000, singleSignOn: false)
        case .enterprise:
            PlanAllowance(seats: 50, numbers: 10, contacts: 100_000, monthlyMessages: 100_000, monthlyAICredits: 10_000, singleSignOn: true)
        }
    }
}

/// The limits of a plan. Business-initiated messages are those a business starts (campaigns and
/// drip steps); AI credits are spent one per AI request.
public struct PlanAllowance: Sendable, Equatable {
    public var seats: Int?
    public var numbers: Int?
    public var contacts: Int?
    public var monthlyMessages: Int?
    public var monthlyAICredits: Int?
    public var singleSignOn: Bool

    public init(seats: Int?, numbers: Int?, contacts: Int?, monthlyMessages: Int?, monthlyAICredits: Int?, singleSignOn: Bool) {
        self.seats = seats
        self.numbers = numbers
        self.contacts = contacts
        self.monthlyMessages = monthlyMessages
        self.monthlyAICredits = monthlyAICredits
        self.singleSignOn = singleSignOn
    }

    /// Without Stripe (the embedded default) every organization may use everything.
    public static let unlimited = PlanAllowance(
        seats: nil, numbers: nil, contacts: nil, monthlyMessages: nil, monthlyAICredits: nil, singleSignOn: true)

    /// An organization without a paid plan while billing is on: nothing beyond what it has.
    public static let none = PlanAllowance(seats: 0, numbers: 0, contacts: 0, monthlyMessages: 0, monthlyAICredits: 0, singleSignOn: false)
}
