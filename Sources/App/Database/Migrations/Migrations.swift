import Fluent
import Jobs

/// Every migration, in the order they run. Append new ones at the end; never reorder.
///
/// A released migration is never edited: a database that ran it never runs it again, so a schema
/// change is a new migration appended here. `scripts/check-migrations` (run by `scripts/test`)
/// compares each migration file with `released.sha256`; record a new one with `--record` once it is final.
enum Migrations {
    static let all: [any Migration] = [
        CreateUsers(),
        CreateOrganizations(),
        CreateMemberships(),
        CreateUserSessions(),
        CreateLoginFailures(),
        CreateJobs(),  // from Jobs: the queue owns its tables
        CreateJobDiagnostics(),
        CreateOrganizationKeys(),
        CreateWhatsAppConnections(),
        CreateWebhookEvents(),
        CreateContacts(),
        CreateConversations(),
        CreateMessages(),
        CreateMessageTemplates(),
        CreateSendRateBuckets(),
        CreateSearchIndexes(),
        CreateInboxWork(),
        CreateSearchVectors(),
        IndexShownPhoneNumbers(),
        CreateThrottleCounters(),
        AddWebhookEventVerifier(),
        CreateOutboxEmails(),
        AddUserEmailVerifiedAt(),
        CreateAccountTokens(),
        CreateInvitations(),
        CreateNotificationPreferences(),
        CreateTwoFactorCredentials(),
        CreateTwoFactorSignIns(),
        CreatePlatformKeys(),
        AddOrganizationTwoFactorRequirement(),
        CreateContactProfiles(),
        CreateContactImports(),
        CreateSegments(),
        IndexSegmentNamesInAnyCase(),
        IndexContactSearchAndCounts(),
        IndexLivePhoneNumbers(),
        CreateCampaigns(),
        CreateDrips(),
        AddConnectionBusinessPortfolio(),
        CreateBilling(),
        CreateAIUsage(),
        LimitContactSearchPendingLists(),
        CreateAIOrganizationSettings(),
        AddSentiment(),
        AddAICategories(),
        AddAIOrganizationKey(),
        AddAIAutoAnswersAndTranslation(),
    ]
}
