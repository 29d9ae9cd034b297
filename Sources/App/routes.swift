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
            (.inbox, .navInbox, .sectionInboxAbout),
            (.contacts, .navContacts, .sectionContactsAbout),
            (.campaigns, .navCampaigns, .sectionCampaignsAbout),
            (.templates, .navTemplates, .sectionTemplatesAbout),
            (.automation, .navAutomation, .sectionAutomationAbout),
            (.analytics, .navAnalytics, .sectionAnalyticsAbout),
        ]
        for (url, title, about) in sections {
            tenant.get(url.pathComponents, use: DashboardController.section(url, title: title, about: about))
        }
        tenant.get(SiteURL.settings.pathComponents, use: DashboardController.settings)
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

        // Platform operators
        let operators = signedIn.grouped(RequirePlatformAdmin())
        operators.get(SiteURL.admin.pathComponents, use: PlatformAdminController.organizations)
        operators.get(SiteURL.adminJobs.pathComponents, use: AdminJobsController.page)
        operators.post(SiteURL.adminJobRetry(.key).pathComponents, use: AdminJobsController.retry)
        operators.post(SiteURL.adminJobDiscard(.key).pathComponents, use: AdminJobsController.discard)
        let operatorAPI = operators.grouped("api", "v1", "admin")
        operatorAPI.get("jobs", use: AdminJobsController.overview)
        operatorAPI.post("jobs", .parameter(SiteURL.jobID), "retry", use: AdminJobsController.retryAPI)
        operatorAPI.delete("jobs", .parameter(SiteURL.jobID), use: AdminJobsController.discardAPI)
    }
}
