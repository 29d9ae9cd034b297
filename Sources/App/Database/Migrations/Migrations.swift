import Fluent
import Jobs

/// Every migration, in the order they run. Append new ones at the end; never reorder.
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
    ]
}
