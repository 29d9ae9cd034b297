import ADSappCore
import Vapor

/// Every route of the app, grouped by who may reach it.
enum Routes {
    static func register(_ app: Application) throws {
        // Public
        app.get(SiteURL.home.pathComponents, use: DashboardController.home)
        app.get("health", use: HealthController.health)
        app.get("ready", use: HealthController.ready)
        app.get(SiteURL.stylesheet.pathComponents, use: AssetsController.stylesheet)
        app.get(SiteURL.progressScript.pathComponents, use: AssetsController.progressScript)
        app.get(SiteURL.signIn.pathComponents, use: AccountsController.signInPage)
        app.post(SiteURL.signIn.pathComponents, use: AccountsController.signIn)
        app.get(SiteURL.signUp.pathComponents, use: AccountsController.signUpPage)
        app.post(SiteURL.signUp.pathComponents, use: AccountsController.signUp)
        app.post(SiteURL.language.pathComponents, use: AccountsController.switchLanguage)

        // Webhooks: signed by the vendor, never by a session
        let webhookBody = ByteCount(value: app.context.configuration.whatsApp.webhookMaxBytes)
        app.get(SiteURL.whatsAppWebhook.pathComponents, use: WhatsAppWebhookController.verify)
        app.on(.POST, SiteURL.whatsAppWebhook.pathComponents, body: .collect(maxSize: webhookBody), use: WhatsAppWebhookController.receive)
        app.get(SiteURL.whatsAppConnectionWebhook(.key).pathComponents, use: WhatsAppWebhookController.verifyForConnection)
        app.on(.POST, SiteURL.whatsAppConnectionWebhook(.key).pathComponents, body: .collect(maxSize: webhookBody), use: WhatsAppWebhookController.receiveForConnection)

        // Signed in, in any organization or none
        let signedIn = app.grouped(RequireSignedIn())
        signedIn.post(SiteURL.signOut.pathComponents, use: AccountsController.signOut)
        signedIn.get(SiteURL.account.pathComponents, use: AccountsController.accountPage)
        signedIn.post(SiteURL.accountPassword.pathComponents, use: AccountsController.changePassword)
        signedIn.post(SiteURL.accountLanguage.pathComponents, use: AccountsController.saveLanguagePreference)
        signedIn.post(SiteURL.signOutEverywhere.pathComponents, use: AccountsController.signOutEverywhere)
        signedIn.post(SiteURL.switchOrganization.pathComponents, use: OrganizationsController.switchOrganization)
        signedIn.get(SiteURL.newOrganization.pathComponents, use: OrganizationsController.newPage)
        signedIn.post(SiteURL.newOrganization.pathComponents, use: OrganizationsController.create)
        signedIn.get(SiteURL.noOrganization.pathComponents, use: OrganizationsController.noOrganizationPage)

        // Signed in, working inside an organization
        let tenant = signedIn.grouped(RequireTenant())
        tenant.get(SiteURL.dashboard.pathComponents, use: DashboardController.dashboard)
        let sections: [(SiteURL, TextKey, TextKey)] = [
            (.contacts, .navContacts, .sectionContactsAbout),
            (.campaigns, .navCampaigns, .sectionCampaignsAbout),
            (.automation, .navAutomation, .sectionAutomationAbout),
            (.analytics, .navAnalytics, .sectionAnalyticsAbout),
        ]
        for (url, title, about) in sections {
            tenant.get(url.pathComponents, use: DashboardController.section(url, title: title, about: about))
        }
        tenant.get(SiteURL.settings.pathComponents, use: DashboardController.settings)
        tenant.get(SiteURL.inbox.pathComponents, use: InboxController.list)
        tenant.get(SiteURL.inboxLive.pathComponents, use: LiveController.upgrade)
        tenant.get(SiteURL.inboxScript.pathComponents, use: AssetsController.inboxScript)
        tenant.post(SiteURL.inboxBulk.pathComponents, use: InboxController.bulk)
        tenant.post(SiteURL.inboxAvailability.pathComponents, use: InboxController.setAvailability)
        tenant.post(SiteURL.conversationWork(.key).pathComponents, use: InboxController.work)
        tenant.post(SiteURL.conversationNotes(.key).pathComponents, use: InboxController.addNote)
        tenant.post(SiteURL.conversationReaction(.key).pathComponents, use: InboxController.react)
        tenant.get(SiteURL.inboxSettings.pathComponents, use: InboxSettingsController.page)
        tenant.post(SiteURL.inboxSettings.pathComponents, use: InboxSettingsController.save)
        tenant.get(SiteURL.conversation(.key).pathComponents, use: InboxController.show)
        tenant.on(.POST, SiteURL.conversationMessages(.key).pathComponents, body: .collect(maxSize: ByteCount(value: CSRFProtection.maxMultipartBytes)), use: InboxController.send)
        tenant.post(SiteURL.conversationTemplate(.key).pathComponents, use: InboxController.sendTemplate)
        tenant.get(SiteURL.media(.key).pathComponents, use: MediaController.show)
        tenant.get(SiteURL.templates.pathComponents, use: TemplatesController.page)
        tenant.post(SiteURL.templates.pathComponents, use: TemplatesController.create)
        tenant.post(SiteURL.templatesSync.pathComponents, use: TemplatesController.sync)
        tenant.post(SiteURL.templateDelete(.key).pathComponents, use: TemplatesController.delete)
        tenant.get(SiteURL.whatsAppSettings.pathComponents, use: WhatsAppSettingsController.page)
        tenant.post(SiteURL.whatsAppSettings.pathComponents, use: WhatsAppSettingsController.connect)
        tenant.post(SiteURL.whatsAppConnectionCheck(.key).pathComponents, use: WhatsAppSettingsController.check)
        tenant.get(SiteURL.members.pathComponents, use: MembersController.list)
        tenant.post(SiteURL.memberRole(.key).pathComponents, use: MembersController.changeRole)
        tenant.post(SiteURL.memberRemove(.key).pathComponents, use: MembersController.remove)
        tenant.get(SiteURL.job(.key).pathComponents, use: JobsController.page)

        // JSON API
        let api = tenant.grouped("api", "v1")
        api.get("me", use: APIv1Controller.me)
        api.get("members", use: APIv1Controller.members)
        api.patch("members", .parameter(SiteURL.membershipID), use: APIv1Controller.changeRole)
        api.delete("members", .parameter(SiteURL.membershipID), use: APIv1Controller.removeMember)
        api.get("jobs", .parameter(SiteURL.jobID), use: JobsController.show)
        api.get("whatsapp", "connections", use: WhatsAppAPIController.connections)
        api.post("whatsapp", "connections", use: WhatsAppAPIController.connect)
        api.post("whatsapp", "connections", .parameter(SiteURL.connectionID), "check", use: WhatsAppAPIController.check)
        api.get("whatsapp", "templates", use: WhatsAppAPIController.templates)
        api.post("whatsapp", "templates", use: WhatsAppAPIController.createTemplate)
        api.post("whatsapp", "templates", "sync", use: WhatsAppAPIController.syncTemplates)
        api.delete("whatsapp", "templates", .parameter(SiteURL.templateID), use: WhatsAppAPIController.deleteTemplate)
        api.get("conversations", use: InboxAPIController.conversations)
        api.post("conversations", "bulk", use: InboxAPIController.work)
        api.post("conversations", .parameter(SiteURL.conversationID), "work", use: InboxAPIController.work)
        api.get("conversations", .parameter(SiteURL.conversationID), "notes", use: InboxAPIController.notes)
        api.post("conversations", .parameter(SiteURL.conversationID), "notes", use: InboxAPIController.addNote)
        api.get("mentions", use: InboxAPIController.mentions)
        api.put("me", "availability", use: InboxAPIController.setAvailability)
        api.get("inbox", "events", use: InboxAPIController.events)
        api.get("teams", use: InboxAPIController.teams)
        api.post("teams", use: InboxAPIController.createTeam)
        api.patch("teams", .parameter(SiteURL.teamID), use: InboxAPIController.updateTeam)
        api.delete("teams", .parameter(SiteURL.teamID), use: InboxAPIController.deleteTeam)
        api.get("tags", use: InboxAPIController.tags)
        api.post("tags", use: InboxAPIController.createTag)
        api.delete("tags", .parameter(SiteURL.tagID), use: InboxAPIController.deleteTag)
        api.get("canned-responses", use: InboxAPIController.cannedResponses)
        api.post("canned-responses", use: InboxAPIController.createCannedResponse)
        api.delete("canned-responses", .parameter(SiteURL.cannedResponseID), use: InboxAPIController.deleteCannedResponse)
        api.put("members", .parameter(SiteURL.membershipID), "capacity", use: InboxAPIController.setCapacity)
        api.put("organization", "inbox", use: InboxAPIController.setVisibility)
        api.get("search", use: SearchController.api)
        api.get("conversations", .parameter(SiteURL.conversationID), "messages", use: WhatsAppAPIController.messages)
        api.post("conversations", .parameter(SiteURL.conversationID), "messages", use: WhatsAppAPIController.send)

        // Platform operators
        let operators = signedIn.grouped(RequirePlatformAdmin())
        operators.get(SiteURL.admin.pathComponents, use: PlatformAdminController.organizations)
        operators.post(SiteURL.adminAssignNumber(.key).pathComponents, use: PlatformAdminController.assignNumber)
        operators.get(SiteURL.adminJobs.pathComponents, use: AdminJobsController.page)
        operators.post(SiteURL.adminJobRetry(.key).pathComponents, use: AdminJobsController.retry)
        operators.post(SiteURL.adminJobDiscard(.key).pathComponents, use: AdminJobsController.discard)
        let operatorAPI = operators.grouped("api", "v1", "admin")
        operatorAPI.get("jobs", use: AdminJobsController.overview)
        operatorAPI.post("jobs", .parameter(SiteURL.jobID), "retry", use: AdminJobsController.retryAPI)
        operatorAPI.delete("jobs", .parameter(SiteURL.jobID), use: AdminJobsController.discardAPI)
    }
}
