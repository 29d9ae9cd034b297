/// Sends with `primary`; when it refuses a message for good, sends it with `fallback` instead.
///
/// A transient failure of the primary is thrown as it is: the caller's job retries later, and the
/// primary (with its idempotency key) gets the message again. The receipt names the provider that
/// took the message.
public struct FailoverMailer: Mailer {
    public let primary: any Mailer
    public let fallback: any Mailer

    public init(primary: any Mailer, fallback: any Mailer) {
        self.primary = primary
        self.fallback = fallback
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        do {
            return try await primary.send(message)
        } catch MailError.permanent(let reason) {
            do {
                return try await fallback.send(message)
            } catch MailError.permanent(let fallbackReason) {
                throw MailError.permanent("\(reason); the fallback also refused: \(fallbackReason)")
            }
        }
    }
}
