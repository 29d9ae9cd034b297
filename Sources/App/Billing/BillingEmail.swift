import Foundation

/// What billing tells an organization's owners by email, in each owner's language.
struct BillingEmail: EmailTemplate {
    enum Notice: String, Sendable {
        /// A payment failed: the app stays as it is until `date`, then becomes read-only.
        case paymentFailed = "billing-payment-failed"
        /// The grace period is over: read-only until paid.
        case readOnly = "billing-read-only"
        /// The trial ends on `date`.
        case trialEnding = "billing-trial-ending"
        /// A customer's bank disputes a payment.
        case dispute = "billing-dispute"
    }

    var notice: Notice
    var recipientName: String
    var organizationName: String
    /// The day it concerns, written for the reader (the grace end, the trial end).
    var date: String?
    var billingURL: String

    var kind: String { notice.rawValue }

    func subject(_ t: Localizer) -> String {
        switch notice {
        case .paymentFailed: t(.billingEmailPaymentFailedSubject, ["organization": organizationName])
        case .readOnly: t(.billingEmailReadOnlySubject, ["organization": organizationName])
        case .trialEnding: t(.billingEmailTrialEndingSubject, ["organization": organizationName])
        case .dispute: t(.billingEmailDisputeSubject, ["organization": organizationName])
        }
    }

    func body(_ t: Localizer) -> EmailBody {
        let date = date ?? ""
        let paragraph: String =
            switch notice {
            case .paymentFailed: t(.billingEmailPaymentFailedBody, ["organization": organizationName, "date": date])
            case .readOnly: t(.billingEmailReadOnlyBody, ["organization": organizationName])
            case .trialEnding: t(.billingEmailTrialEndingBody, ["organization": organizationName, "date": date])
            case .dispute: t(.billingEmailDisputeBody, ["organization": organizationName])
            }
        return EmailBody(
            greeting: t(.emailGreetingName, ["name": recipientName]), paragraphs: [paragraph],
            action: EmailAction(label: t(.billingEmailAction), url: billingURL))
    }
}
