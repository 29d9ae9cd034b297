/// How many members a plan allows in one organization: the seam billing fills in.
///
/// A seat is taken by every member and by every invitation still waiting for an answer, so an
/// organization cannot invite past its plan and then find the invitations refused one by one.
public struct SeatLimit: Equatable, Sendable {
    /// `nil`: no limit (the default until a plan says otherwise).
    public var maximumMembers: Int?

    public init(maximumMembers: Int?) {
        self.maximumMembers = maximumMembers
    }

    public static let unlimited = SeatLimit(maximumMembers: nil)

    /// Whether one more seat fits beside `taken` seats.
    public func allowsOneMore(taken: Int) -> Bool {
        guard let maximumMembers else { return true }
        return taken < maximumMembers
    }
}
