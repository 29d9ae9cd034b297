import ADSappCore
import Vapor

/// Every route of the app, each marked with who may reach it (`RouteAccess`): `RouteTableTests`
/// prints the table and fails on a route that does not say.
enum Routes {
    static func register(_ app: Application) throws {
        let anyone = MarkedRoutes(app, .anyone)
        anyone.get(.home, use: DashboardController.home)
        anyone.get("health", use: HealthController.health)
        anyone.get("ready", use: HealthController.ready)
        anyone.get(.stylesheet, use: AssetsController.stylesheet)
        anyone.get(.progressScript, use: AssetsController.progressScript)
        anyone.get(.signIn, use: AccountsController.signInPage)
        anyone.post(.signIn, use: AccountsController.signIn)
        // The second step of signing in: its pending cookie (no session yet) is the proof.
        anyone.get(.signInTwoFactor, use: TwoFactorController.signInPage)
        anyone.post(.signInTwoFactor, use: TwoFactorController.signIn)
        anyone.get(.signUp, use: AccountsController.signUpPage)
        anyone.post(.signUp, use: AccountsController.signUp)
        anyone.post(.language, use: AccountsController.switchLanguage)
        // Mailed links: their token is the proof (invitations, email verification, password reset).
        anyone.get(.invitation, use: InvitationsController.show)
        anyone.post(.invitationSignUp, use: InvitationsController.signUp)
        anyone.get(.emailVerify, use: EmailVerification.verify)
        anyone.get(.passwordForgot, use: PasswordReset.forgotPage)
        anyone.post(.passwordForgot, use: PasswordReset.requestLink)
        anyone.get(.passwordReset, use: PasswordReset.resetPage)
        anyone.post(.passwordReset, use: PasswordReset.reset)

        // A notification's unsubscribe link: the page asks; the one-click POST (RFC 8058) carries only the link's token.
        anyone.get(.unsubscribe, use: NotificationsController.confirmPage)
        MarkedRoutes(app, .oneClickLink).post(.unsubscribe, use: NotificationsController.unsubscribe)

        // Webhooks: signed by the vendor, never by a session
        let webhooks = MarkedRoutes(app, .vendorSigned)
        let webhookBody = ByteCount(value: app.context.configuration.whatsApp.webhookMaxBytes)
        webhooks.get(.whatsAppWebhook, use: WhatsAppWebhookController.verify)
        webhooks.on(.POST, .whatsAppWebhook, body: .collect(maxSize: webhookBody), use: WhatsAppWebhookController.receive)
        webhooks.get(.whatsAppConnectionWebhook(.key), use: WhatsAppWebhookController.verifyForConnection)
        webhooks.on(.POST, .whatsAppConnectionWebhook(.key), body: .collect(maxSize: webhookBody), use: WhatsAppWebhookController.receiveForConnection)

        // Signed in, in any organization or none
        let signedInBuilder = app.grouped(RequireSignedIn())
        let signedIn = MarkedRoutes(signedInBuilder, .signedIn)
        signedIn.post(.signOut, use: AccountsController.signOut)
        signedIn.get(.account, use: AccountsController.accountPage)
        signedIn.post(.accountPassword, use: AccountsController.changePassword)
        signedIn.post(.accountLanguage, use: AccountsController.saveLanguagePreference)
        signedIn.post(.signOutEverywhere, use: AccountsController.signOutEverywhere)
        signedIn.post(.switchOrganization, use: OrganizationsController.switchOrganization)
        signedIn.get(.newOrganization, use: OrganizationsController.newPage)
        signedIn.post(.newOrganization, use: OrganizationsController.create)
        signedIn.get(.noOrganization, use: OrganizationsController.noOrganizationPage)
        signedIn.get(.twoFactor, use: TwoFactorController.page)
        signedIn.post(.twoFactorConfirm, use: TwoFactorController.confirm)
        signedIn.post(.twoFactorRecoveryCodes, use: TwoFactorController.regenerate)
        signedIn.post(.twoFactorDisable, use: TwoFactorController.disable)
        signedIn.post(.invitationJoin, use: InvitationsController.join)
        signedIn.post(.verificationResend, use: EmailVerification.resend)

        // Signed in, working inside an organization: each route states what it requires.
        let tenant = TenantRoutes(signedInBuilder.grouped(RequireTenant()))
        tenant.get(.dashboard, requires: .viewDashboard, use: DashboardController.dashboard)
        let sections: [(SiteURL, Permission, TextKey, TextKey)] = [
            (.contacts, .viewDashboard, .navContacts, .sectionContactsAbout),
            (.campaigns, .viewDashboard, .navCampaigns, .sectionCampaignsAbout),
            (.automation, .viewDashboard, .navAutomation, .sectionAutomationAbout),
            (.analytics, .viewAnalytics, .navAnalytics, .sectionAnalyticsAbout),
        ]
        for (url, permission, title, about) in sections {
            tenant.get(url, requires: permission, use: DashboardController.section(url, title: title, about: about))
        }
        tenant.get(.settings, requires: .viewDashboard, use: DashboardController.settings)
        tenant.get(.securitySettings, requires: .viewDashboard, use: TwoFactorController.securityPage)
        tenant.post(.securitySettings, requires: .manageSecurity, use: TwoFactorController.saveSecurity)
        tenant.get(.inbox, requires: .viewConversations, use: InboxController.list)
        tenant.get(.inboxLive, requires: .viewConversations, use: LiveController.upgrade)
        tenant.get(.inboxScript, requires: .viewConversations, use: AssetsController.inboxScript)
        tenant.post(.inboxBulk, requires: .replyToConversations, use: InboxController.bulk)
        tenant.post(.inboxAvailability, requires: .replyToConversations, use: InboxController.setAvailability)
        tenant.post(.conversationWork(.key), requires: .replyToConversations, use: InboxController.work)
        tenant.post(.conversationNotes(.key), requires: .replyToConversations, use: InboxController.addNote)
        tenant.post(.conversationReaction(.key), requires: .replyToConversations, use: InboxController.react)
        tenant.get(.inboxSettings, requires: .viewConversations, use: InboxSettingsController.page)
        tenant.post(.inboxSettings, requires: .manageInbox, use: InboxSettingsController.save)
        tenant.get(.conversation(.key), requires: .viewConversations, use: InboxController.show)
        tenant.on(
            .POST, .conversationMessages(.key), requires: .replyToConversations,
            body: .collect(maxSize: ByteCount(value: CSRFProtection.maxMultipartBytes)), use: InboxController.send)
        tenant.post(.conversationTemplate(.key), requires: .replyToConversations, use: InboxController.sendTemplate)
        tenant.get(.media(.key), requires: .viewConversations, use: MediaController.show)
        tenant.get(.templates, requires: .viewConversations, use: TemplatesController.page)
        tenant.post(.templates, requires: .manageTemplates, use: TemplatesController.create)
        tenant.post(.templatesSync, requires: .manageTemplates, use: TemplatesController.sync)
        tenant.post(.templateDelete(.key), requires: .manageTemplates, use: TemplatesController.delete)
        tenant.get(.whatsAppSettings, requires: .viewConversations, use: WhatsAppSettingsController.page)
        tenant.post(.whatsAppSettings, requires: .manageChannels, use: WhatsAppSettingsController.connect)
        tenant.post(.whatsAppConnectionCheck(.key), requires: .manageChannels, use: WhatsAppSettingsController.check)
        tenant.get(.members, requires: .viewMembers, use: MembersController.list)
        // Who may change whose role, and leave, depends on both roles: `MembershipRules` decides.
        tenant.on(.POST, SiteURL.memberRole(.key).pathComponents, requires: .anyMember, use: MembersController.changeRole)
        tenant.on(.POST, SiteURL.memberRemove(.key).pathComponents, requires: .anyMember, use: MembersController.remove)
        tenant.post(.invitations, requires: .manageMembers, use: InvitationsController.create)
        tenant.on(.POST, SiteURL.invitationResend(.key), requires: .manageMembers, use: InvitationsController.resend)
        tenant.on(.POST, SiteURL.invitationRevoke(.key), requires: .manageMembers, use: InvitationsController.revoke)
        // Each member's own email notifications, in this organization.
        tenant.get(.notificationSettings, requires: .anyMember, use: NotificationsController.page)
        tenant.on(.POST, SiteURL.notificationSettings.pathComponents, requires: .anyMember, use: NotificationsController.save)
        // A job is shown to members of the organization it ran for.
        tenant.get(.job(.key), requires: .anyMember, use: JobsController.page)
        tenant.get(.contactImport, requires: .manageContacts, use: ContactImportController.page)
        tenant.on(
            .POST, .contactImport, requires: .manageContacts,
            body: .collect(maxSize: ByteCount(value: CSRFProtection.maxMultipartBytes)), use: ContactImportController.upload)
        tenant.get(.contactImportExample, requires: .manageContacts, use: ContactImportController.example)
        tenant.get(.contactImportReview(.key), requires: .manageContacts, use: ContactImportController.review)
        tenant.post(.contactImportReview(.key), requires: .manageContacts, use: ContactImportController.startFromForm)
        tenant.get(.contactImportFailures(.key), requires: .manageContacts, use: ContactImportController.failures)
        tenant.get(.contactExport, requires: .manageContacts, use: ContactExportController.export)
        tenant.post(.contactPrivacyExport(.key), requires: .manageContacts, use: ContactPrivacyController.export)
        tenant.get(.contactErase(.key), requires: .manageOrganizationSettings, use: ContactPrivacyController.erasePage)
        tenant.post(.contactErase(.key), requires: .manageOrganizationSettings, use: ContactPrivacyController.erase)
        tenant.get(.contactSettings, requires: .viewConversations, use: ContactSettingsController.page)
        tenant.post(.contactSettings, requires: .manageOrganizationSettings, use: ContactSettingsController.save)
        tenant.post(.contactFields, requires: .manageOrganizationSettings, use: ContactSettingsController.createField)
        tenant.post(.contactFieldDelete(.key), requires: .manageOrganizationSettings, use: ContactSettingsController.deleteField)

        // JSON API
        let api = tenant.grouped("api", "v1")
        api.get("me", requires: .anyMember, use: APIv1Controller.me)
        api.get("members", requires: .viewMembers, use: APIv1Controller.members)
        api.on(.PATCH, ["members", .parameter(SiteURL.membershipID)], requires: .anyMember, use: APIv1Controller.changeRole)
        api.on(.DELETE, ["members", .parameter(SiteURL.membershipID)], requires: .anyMember, use: APIv1Controller.removeMember)
        api.get("jobs", .parameter(SiteURL.jobID), requires: .anyMember, use: JobsController.show)
        api.get("invitations", requires: .manageMembers, use: InvitationsController.apiList)
        api.post("invitations", requires: .manageMembers, use: InvitationsController.apiCreate)
        api.post("invitations", .parameter(SiteURL.invitationID), "resend", requires: .manageMembers, use: InvitationsController.apiResend)
        api.delete("invitations", .parameter(SiteURL.invitationID), requires: .manageMembers, use: InvitationsController.apiRevoke)
        api.get("whatsapp", "connections", requires: .manageChannels, use: WhatsAppAPIController.connections)
        api.post("whatsapp", "connections", requires: .manageChannels, use: WhatsAppAPIController.connect)
        api.post("whatsapp", "connections", .parameter(SiteURL.connectionID), "check", requires: .manageChannels, use: WhatsAppAPIController.check)
        api.get("whatsapp", "templates", requires: .viewConversations, use: WhatsAppAPIController.templates)
        api.post("whatsapp", "templates", requires: .manageTemplates, use: WhatsAppAPIController.createTemplate)
        api.post("whatsapp", "templates", "sync", requires: .manageTemplates, use: WhatsAppAPIController.syncTemplates)
        api.delete("whatsapp", "templates", .parameter(SiteURL.templateID), requires: .manageTemplates, use: WhatsAppAPIController.deleteTemplate)
        api.get("conversations", requires: .viewConversations, use: InboxAPIController.conversations)
        api.post("conversations", "bulk", requires: .replyToConversations, use: InboxAPIController.work)
        api.post("conversations", .parameter(SiteURL.conversationID), "work", requires: .replyToConversations, use: InboxAPIController.work)
        api.get("conversations", .parameter(SiteURL.conversationID), "notes", requires: .viewConversations, use: InboxAPIController.notes)
        api.post("conversations", .parameter(SiteURL.conversationID), "notes", requires: .replyToConversations, use: InboxAPIController.addNote)
        api.get("mentions", requires: .viewConversations, use: InboxAPIController.mentions)
        api.put("me", "availability", requires: .replyToConversations, use: InboxAPIController.setAvailability)
        api.on(
            .POST, ["contacts", "imports"], requires: .permission(.manageContacts),
            body: .collect(maxSize: ByteCount(value: CSRFProtection.maxMultipartBytes)), use: ContactImportController.apiCreate)
        api.get("contacts", "imports", .parameter(SiteURL.importID), requires: .manageContacts, use: ContactImportController.apiShow)
        api.get("contacts", "export", requires: .manageContacts, use: ContactExportController.apiExport)
        api.get("contacts", .parameter(SiteURL.contactID), "privacy-export", requires: .manageContacts, use: ContactPrivacyController.export)
        api.post("contacts", .parameter(SiteURL.contactID), "erasure", requires: .manageOrganizationSettings, use: ContactPrivacyController.apiErase)
        api.get("contact-fields", requires: .viewConversations, use: ContactSettingsController.apiList)
        api.post("contact-fields", requires: .manageOrganizationSettings, use: ContactSettingsController.apiCreate)
        api.patch("contact-fields", .parameter(SiteURL.fieldID), requires: .manageOrganizationSettings, use: ContactSettingsController.apiUpdate)
        api.delete("contact-fields", .parameter(SiteURL.fieldID), requires: .manageOrganizationSettings, use: ContactSettingsController.apiDelete)
        api.get("segments", requires: .manageContacts, use: SegmentsAPIController.list)
        api.post("segments", requires: .manageContacts, use: SegmentsAPIController.create)
        api.get("segments", .parameter(SiteURL.segmentID), requires: .manageContacts, use: SegmentsAPIController.show)
        api.patch("segments", .parameter(SiteURL.segmentID), requires: .manageContacts, use: SegmentsAPIController.update)
        api.delete("segments", .parameter(SiteURL.segmentID), requires: .manageContacts, use: SegmentsAPIController.delete)
        api.get("segments", .parameter(SiteURL.segmentID), "contacts", requires: .manageContacts, use: SegmentsAPIController.contacts)
        api.get("inbox", "events", requires: .viewConversations, use: InboxAPIController.events)
        api.get("teams", requires: .viewConversations, use: InboxAPIController.teams)
        api.post("teams", requires: .manageInbox, use: InboxAPIController.createTeam)
        api.patch("teams", .parameter(SiteURL.teamID), requires: .manageInbox, use: InboxAPIController.updateTeam)
        api.delete("teams", .parameter(SiteURL.teamID), requires: .manageInbox, use: InboxAPIController.deleteTeam)
        api.get("tags", requires: .viewConversations, use: InboxAPIController.tags)
        api.post("tags", requires: .manageInbox, use: InboxAPIController.createTag)
        api.delete("tags", .parameter(SiteURL.tagID), requires: .manageInbox, use: InboxAPIController.deleteTag)
        api.get("canned-responses", requires: .viewConversations, use: InboxAPIController.cannedResponses)
        api.post("canned-responses", requires: .manageInbox, use: InboxAPIController.createCannedResponse)
        api.delete("canned-responses", .parameter(SiteURL.cannedResponseID), requires: .manageInbox, use: InboxAPIController.deleteCannedResponse)
        api.put("members", .parameter(SiteURL.membershipID), "capacity", requires: .manageInbox, use: InboxAPIController.setCapacity)
        api.put("organization", "inbox", requires: .manageInbox, use: InboxAPIController.setVisibility)
        api.get("search", requires: .viewConversations, use: SearchController.api)
        api.get("conversations", .parameter(SiteURL.conversationID), "messages", requires: .viewConversations, use: WhatsAppAPIController.messages)
        api.post("conversations", .parameter(SiteURL.conversationID), "messages", requires: .replyToConversations, use: WhatsAppAPIController.send)

        // Platform operators
        let operators = MarkedRoutes(signedInBuilder.grouped(RequirePlatformAdmin()), .platformOperator)
        operators.get(.admin, use: PlatformAdminController.organizations)
        operators.post(.adminAssignNumber(.key), use: PlatformAdminController.assignNumber)
        operators.get(.adminJobs, use: AdminJobsController.page)
        operators.post(.adminJobRetry(.key), use: AdminJobsController.retry)
        operators.post(.adminJobDiscard(.key), use: AdminJobsController.discard)
        operators.get(.adminOutbox, use: OutboxController.list)
        operators.get(.adminOutboxEmail(.key), use: OutboxController.show)
        operators.get(.adminOutboxEmailHTML(.key), use: OutboxController.html)
        let operatorAPI = operators.grouped("api", "v1", "admin")
        operatorAPI.get("jobs", use: AdminJobsController.overview)
        operatorAPI.post("jobs", .parameter(SiteURL.jobID), "retry", use: AdminJobsController.retryAPI)
        operatorAPI.delete("jobs", .parameter(SiteURL.jobID), use: AdminJobsController.discardAPI)
    }
}
