import Foundation

/// How the campaign sender settles what a stopped process left behind.
public struct CampaignSettings: Sendable, Equatable {
    /// `CAMPAIGN_CLAIM_TIMEOUT_SECONDS` (default 120, longer than a call to Meta may take): a recipient
    /// claimed this long ago and not recorded belonged to a process that stopped during the call,
    /// so its outcome is unknown.
    public var claimTimeout: TimeInterval
    /// `CAMPAIGN_UNKNOWN_GRACE_SECONDS` (default 3600): how long an unknown outcome waits for Meta's
    /// status callbacks (which Meta retries when they fail) before a member may choose to send it again.
    public var unknownGrace: TimeInterval
    /// `CAMPAIGN_SLICE_SECONDS` (default 50): how long one run of the sender job sends before it
    /// hands over to the next, so a worker's stop or a deploy never waits long for it.
    public var slice: TimeInterval

    public static let standard = CampaignSettings(claimTimeout: 120, unknownGrace: 3600, slice: 50)

    static func load(_ value: (String) -> String?) throws(ConfigurationError) -> CampaignSettings {
        func seconds(_ name: String, default fallback: TimeInterval) throws(ConfigurationError) -> TimeInterval {
            TimeInterval(try AppConfiguration.integer(name, value, default: Int(fallback), range: 1...(7 * 24 * 3600)))
        }
        return CampaignSettings(
            claimTimeout: try seconds("CAMPAIGN_CLAIM_TIMEOUT_SECONDS", default: standard.claimTimeout),
            unknownGrace: try seconds("CAMPAIGN_UNKNOWN_GRACE_SECONDS", default: standard.unknownGrace),
            slice: try seconds("CAMPAIGN_SLICE_SECONDS", default: standard.slice)
        )
    }
}
