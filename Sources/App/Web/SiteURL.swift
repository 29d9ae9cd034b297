import Foundation
import Vapor

/// Every page and form target of the web app. Registers routes (`pathComponents`) and builds links (`path`),
/// so a link can never point at a route that does not exist.
enum SiteURL: Equatable {
    case home
    case signIn
    case signUp
    case signOut
    case language
    case dashboard
    case inbox
    case contacts
    case campaigns
    case templates
    case automation
    case analytics
    case settings
    case members
    case memberRole(Parameter)
    case memberRemove(Parameter)
    case account
    case accountPassword
    case accountLanguage
    case signOutEverywhere
    case switchOrganization
    case newOrganization
    case noOrganization
    case admin
    case adminJobs
    case adminJobRetry(Parameter)
    case adminJobDiscard(Parameter)
    case job(Parameter)
    case stylesheet
    case progressScript
    case whatsAppSettings
    case adminAssignNumber(Parameter)
    case whatsAppConnectionCheck(Parameter)
    case whatsAppWebhook
    case whatsAppConnectionWebhook(Parameter)
    case conversation(Parameter)
    case conversationMessages(Parameter)
    case conversationTemplate(Parameter)
    case media(Parameter)
    case templatesSync
    case templateDelete(Parameter)
    case inboxLive
    case inboxRows
    case inboxScript
    case inboxBulk
    case inboxAvailability
    case inboxSettings
    case conversationWork(Parameter)
    case conversationNotes(Parameter)
    case conversationReaction(Parameter)
    case notificationSettings
    case unsubscribe
    case adminOutbox
    case adminOutboxEmail(Parameter)
    case adminOutboxEmailHTML(Parameter)
    case invitations
    case invitationResend(Parameter)
    case invitationRevoke(Parameter)
    case invitation
    case invitationJoin
    case invitationSignUp
    case emailVerify
    case verificationResend
    case passwordForgot
    case passwordReset
    case twoFactor
    case twoFactorConfirm
    case twoFactorRecoveryCodes
    case twoFactorDisable
    case signInTwoFactor
    case securitySettings
    // Contacts (issue 15)
    case newContact
    case contact(Parameter)
    case contactEdit(Parameter)
    case contactNotes(Parameter)
    case contactTags(Parameter)
    case contactConsent(Parameter)
    case contactMerge(Parameter)
    case contactDelete(Parameter)
    case contactPrivacyExport(Parameter)
    case contactErase(Parameter)
    case contactSettings
    case contactFields
    case contactFieldDelete(Parameter)
    case contactImport
    case contactImportExample
    case contactImportReview(Parameter)
    case contactImportFailures(Parameter)
    case contactExport
    case segments
    case segmentNew
    case segmentCount
    case segmentScript
    case segment(Parameter)
    case segmentDelete(Parameter)
    case campaignNew
    case campaign(Parameter)
    case campaignStart(Parameter)
    case campaignPause(Parameter)
    case campaignResume(Parameter)
    case campaignCancel(Parameter)
    case campaignResend(Parameter)
    case campaignExport(Parameter)
    case campaignScript
    case drips
    case dripNew
    case drip(Parameter)
    case dripEdit(Parameter)
    case dripActivate(Parameter)
    case dripPause(Parameter)
    case dripDelete(Parameter)
    case dripSteps(Parameter)
    case dripStepDelete(Parameter)
    case stripeWebhook
    case billing
    case billingCheckout
    case billingPortal
    case billingChangePlan
    case billingCancel
    case billingResume
    case conversationDraft(Parameter)
    case conversationSummary(Parameter)
    case aiSettings

    /// A path parameter: `.key` when registering a route, `.value` when building a link.
    enum Parameter: Equatable {
        case key
        case value(UUID)
    }

    static let membershipID = "membershipID"
    static let jobID = "jobID"
    static let connectionID = "connectionID"
    static let organizationID = "organizationID"
    static let conversationID = "conversationID"
    static let messageID = "messageID"
    static let templateID = "templateID"
    static let teamID = "teamID"
    static let tagID = "tagID"
    static let cannedResponseID = "cannedResponseID"
    static let invitationID = "invitationID"
    /// The secret of a mailed link (invitation, verification, reset, unsubscribe); its path is built with `path(token:)`.
    static let token = "token"
    static let outboxEmailID = "outboxEmailID"
    static let contactID = "contactID"
    static let fieldID = "fieldID"
    static let importID = "importID"
    static let segmentID = "segmentID"
    static let campaignID = "campaignID"
    static let dripID = "dripID"

    var path: String {
        "/"
            + pathComponents.map { component in
                switch component {
                case .parameter: parameterValue.map(\.uuidString) ?? ":\(component)"
                default: component.description
                }
            }.joined(separator: "/")
    }

    var pathComponents: [PathComponent] {
        switch self {
        case .home: []
        case .signIn: ["signin"]
        case .signUp: ["signup"]
        case .signOut: ["signout"]
        case .language: ["language"]
        case .dashboard: ["dashboard"]
        case .inbox: ["inbox"]
        case .contacts: ["contacts"]
        case .campaigns: ["campaigns"]
        case .templates: ["templates"]
        case .automation: ["automation"]
        case .analytics: ["analytics"]
        case .settings: ["settings"]
        case .members: ["settings", "members"]
        case .memberRole: ["settings", "members", .parameter(Self.membershipID), "role"]
        case .memberRemove: ["settings", "members", .parameter(Self.membershipID), "remove"]
        case .account: ["account"]
        case .accountPassword: ["account", "password"]
        case .accountLanguage: ["account", "language"]
        case .signOutEverywhere: ["account", "signout-everywhere"]
        case .switchOrganization: ["organizations", "switch"]
        case .newOrganization: ["organizations", "new"]
        case .noOrganization: ["organizations", "none"]
        case .admin: ["admin"]
        case .adminJobs: ["admin", "jobs"]
        case .adminJobRetry: ["admin", "jobs", .parameter(Self.jobID), "retry"]
        case .adminJobDiscard: ["admin", "jobs", .parameter(Self.jobID), "discard"]
        case .job: ["jobs", .parameter(Self.jobID)]
        case .stylesheet: ["assets", "app.css"]
        case .progressScript: ["assets", "progress.js"]
        case .whatsAppSettings: ["settings", "whatsapp"]
        case .adminAssignNumber: ["admin", "organizations", .parameter(Self.organizationID), "whatsapp-number"]
        case .whatsAppConnectionCheck: ["settings", "whatsapp", .parameter(Self.connectionID), "check"]
        case .whatsAppWebhook: ["api", "webhooks", "whatsapp"]
        case .whatsAppConnectionWebhook: ["api", "webhooks", "whatsapp", .parameter(Self.connectionID)]
        case .conversation: ["inbox", .parameter(Self.conversationID)]
        case .conversationMessages: ["inbox", .parameter(Self.conversationID), "messages"]
        case .conversationTemplate: ["inbox", .parameter(Self.conversationID), "template"]
        case .media: ["media", .parameter(Self.messageID)]
        case .templatesSync: ["templates", "sync"]
        case .templateDelete: ["templates", .parameter(Self.templateID), "delete"]
        case .inboxLive: ["inbox", "live"]
        case .inboxRows: ["inbox", "rows"]
        case .inboxScript: ["assets", "inbox.js"]
        case .inboxBulk: ["inbox", "bulk"]
        case .inboxAvailability: ["inbox", "availability"]
        case .inboxSettings: ["settings", "inbox"]
        case .conversationWork: ["inbox", .parameter(Self.conversationID), "work"]
        case .conversationNotes: ["inbox", .parameter(Self.conversationID), "notes"]
        case .conversationReaction: ["inbox", .parameter(Self.conversationID), "reaction"]
        case .notificationSettings: ["settings", "notifications"]
        case .unsubscribe: ["unsubscribe", .parameter(Self.token)]
        case .adminOutbox: ["admin", "outbox"]
        case .adminOutboxEmail: ["admin", "outbox", .parameter(Self.outboxEmailID)]
        case .adminOutboxEmailHTML: ["admin", "outbox", .parameter(Self.outboxEmailID), "html"]
        case .invitations: ["settings", "members", "invitations"]
        case .invitationResend: ["settings", "members", "invitations", .parameter(Self.invitationID), "resend"]
        case .invitationRevoke: ["settings", "members", "invitations", .parameter(Self.invitationID), "revoke"]
        case .invitation: ["invitations", .parameter(Self.token)]
        case .invitationJoin: ["invitations", .parameter(Self.token), "join"]
        case .invitationSignUp: ["invitations", .parameter(Self.token), "signup"]
        case .emailVerify: ["email", "verify", .parameter(Self.token)]
        case .verificationResend: ["account", "verification"]
        case .passwordForgot: ["password", "forgot"]
        case .passwordReset: ["password", "reset", .parameter(Self.token)]
        case .twoFactor: ["account", "two-factor"]
        case .twoFactorConfirm: ["account", "two-factor", "confirm"]
        case .twoFactorRecoveryCodes: ["account", "two-factor", "recovery-codes"]
        case .twoFactorDisable: ["account", "two-factor", "disable"]
        case .signInTwoFactor: ["signin", "two-factor"]
        case .securitySettings: ["settings", "security"]
        case .newContact: ["contacts", "new"]
        case .contact: ["contacts", .parameter(Self.contactID)]
        case .contactEdit: ["contacts", .parameter(Self.contactID), "edit"]
        case .contactNotes: ["contacts", .parameter(Self.contactID), "notes"]
        case .contactTags: ["contacts", .parameter(Self.contactID), "tags"]
        case .contactConsent: ["contacts", .parameter(Self.contactID), "consent"]
        case .contactMerge: ["contacts", .parameter(Self.contactID), "merge"]
        case .contactDelete: ["contacts", .parameter(Self.contactID), "delete"]
        case .contactPrivacyExport: ["contacts", .parameter(Self.contactID), "privacy-export"]
        case .contactErase: ["contacts", .parameter(Self.contactID), "erase"]
        case .contactSettings: ["settings", "contacts"]
        case .contactFields: ["settings", "contacts", "fields"]
        case .contactFieldDelete: ["settings", "contacts", "fields", .parameter(Self.fieldID), "delete"]
        case .contactImport: ["contacts", "import"]
        case .contactImportExample: ["contacts", "import", "example.csv"]
        case .contactImportReview: ["contacts", "import", .parameter(Self.importID)]
        case .contactImportFailures: ["contacts", "import", .parameter(Self.importID), "failures.csv"]
        case .contactExport: ["contacts", "export.csv"]
        case .segments: ["contacts", "segments"]
        case .segmentNew: ["contacts", "segments", "new"]
        case .segmentCount: ["contacts", "segments", "count"]
        case .segmentScript: ["assets", "segments.js"]
        case .segment: ["contacts", "segments", .parameter(Self.segmentID)]
        case .segmentDelete: ["contacts", "segments", .parameter(Self.segmentID), "delete"]
        case .campaignNew: ["campaigns", "new"]
        case .campaign: ["campaigns", .parameter(Self.campaignID)]
        case .campaignStart: ["campaigns", .parameter(Self.campaignID), "start"]
        case .campaignPause: ["campaigns", .parameter(Self.campaignID), "pause"]
        case .campaignResume: ["campaigns", .parameter(Self.campaignID), "resume"]
        case .campaignCancel: ["campaigns", .parameter(Self.campaignID), "cancel"]
        case .campaignResend: ["campaigns", .parameter(Self.campaignID), "resend-unconfirmed"]
        case .campaignExport: ["campaigns", .parameter(Self.campaignID), "recipients.csv"]
        case .campaignScript: ["assets", "campaign.js"]
        case .drips: ["drips"]
        case .dripNew: ["drips", "new"]
        case .drip: ["drips", .parameter(Self.dripID)]
        case .dripEdit: ["drips", .parameter(Self.dripID), "edit"]
        case .dripActivate: ["drips", .parameter(Self.dripID), "activate"]
        case .dripPause: ["drips", .parameter(Self.dripID), "pause"]
        case .dripDelete: ["drips", .parameter(Self.dripID), "delete"]
        case .dripSteps: ["drips", .parameter(Self.dripID), "steps"]
        case .dripStepDelete: ["drips", .parameter(Self.dripID), "steps", "delete"]
        case .stripeWebhook: ["api", "webhooks", "stripe"]
        case .billing: ["settings", "billing"]
        case .billingCheckout: ["settings", "billing", "checkout"]
        case .billingPortal: ["settings", "billing", "portal"]
        case .billingChangePlan: ["settings", "billing", "plan"]
        case .billingCancel: ["settings", "billing", "cancel"]
        case .billingResume: ["settings", "billing", "resume"]
        case .conversationDraft: ["inbox", .parameter(Self.conversationID), "draft"]
        case .conversationSummary: ["inbox", .parameter(Self.conversationID), "summary"]
        case .aiSettings: ["settings", "ai"]
        }
    }

    private var parameterValue: UUID? {
        switch self {
        case .memberRole(.value(let id)), .memberRemove(.value(let id)),
            .adminJobRetry(.value(let id)), .adminJobDiscard(.value(let id)), .job(.value(let id)),
            .whatsAppConnectionCheck(.value(let id)), .whatsAppConnectionWebhook(.value(let id)), .adminAssignNumber(.value(let id)),
            .conversation(.value(let id)), .conversationMessages(.value(let id)), .conversationTemplate(.value(let id)),
            .media(.value(let id)), .templateDelete(.value(let id)),
            .conversationWork(.value(let id)), .conversationNotes(.value(let id)), .conversationReaction(.value(let id)),
            .conversationDraft(.value(let id)), .conversationSummary(.value(let id)),
            .adminOutboxEmail(.value(let id)), .adminOutboxEmailHTML(.value(let id)):
            id
        case .invitationResend(.value(let id)), .invitationRevoke(.value(let id)): id
        case .contact(.value(let id)), .contactEdit(.value(let id)), .contactNotes(.value(let id)), .contactTags(.value(let id)),
            .contactConsent(.value(let id)), .contactMerge(.value(let id)), .contactDelete(.value(let id)),
            .contactPrivacyExport(.value(let id)), .contactErase(.value(let id)), .contactFieldDelete(.value(let id)),
            .contactImportReview(.value(let id)), .contactImportFailures(.value(let id)), .segment(.value(let id)),
            .segmentDelete(.value(let id)):
            id
        case .campaign(.value(let id)), .campaignStart(.value(let id)), .campaignPause(.value(let id)), .campaignResume(.value(let id)),
            .campaignCancel(.value(let id)), .campaignResend(.value(let id)), .campaignExport(.value(let id)):
            id
        case .drip(.value(let id)), .dripEdit(.value(let id)), .dripActivate(.value(let id)), .dripPause(.value(let id)),
            .dripDelete(.value(let id)), .dripSteps(.value(let id)), .dripStepDelete(.value(let id)):
            id
        default: nil
        }
    }
}
