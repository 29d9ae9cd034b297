import ADSappCore
import Foundation
import Vapor

/// What the frame around every page shows: language, the signed-in person and their organizations.
/// A view-model: pages never see Fluent models.
struct Chrome: Sendable {
    struct Account: Sendable {
        var name: String
        var email: String
        var isPlatformAdmin: Bool
    }

    struct OrganizationChoice: Sendable {
        var id: UUID
        var name: String
    }

    let t: Localizer
    let csrfToken: String
    let currentPath: String
    var account: Account?
    var organizations: [OrganizationChoice] = []
    var currentOrganizationID: UUID?
    var activeSection: SiteURL?
    /// A problem shown on every page, with the page that fixes it.
    struct Warning: Sendable {
        var text: String
        var link: SiteURL
        var linkLabel: String
    }

    /// Problems someone must fix, shown on every page (a disconnected WhatsApp number, an unpaid invoice).
    var warnings: [Warning] = []

    var language: Language { t.language }

    /// The chrome for this request, with the organization switcher filled when someone is signed in.
    static func make(for request: Request, section: SiteURL? = nil) async throws -> Chrome {
        var chrome = Chrome(t: request.localizer, csrfToken: request.csrfToken, currentPath: request.url.path, activeSection: section)
        if let signedIn = request.signedIn {
            chrome.account = Account(name: signedIn.user.name, email: signedIn.user.email, isPlatformAdmin: signedIn.user.isPlatformAdmin)
            chrome.organizations = signedIn.memberships
                .map { OrganizationChoice(id: $0.organization.id!, name: $0.organization.name) }
            chrome.currentOrganizationID = request.tenantIfLoaded?.organizationID ?? signedIn.session.organizationID
            if let tenant = request.tenantIfLoaded, tenant.role.can(.manageChannels), tenant.brokenConnections > 0 {
                chrome.warnings = try await ConnectionHealth.broken(in: tenant.scope).map {
                    Warning(
                        text: request.localizer(.whatsappBrokenBanner, ["number": $0.number, "reason": $0.detail ?? "?"]), link: .whatsAppSettings,
                        linkLabel: request.localizer(.settingsWhatsapp))
                }
            }
            if let tenant = request.tenantIfLoaded, let banner = try await BillingBanner.text(for: tenant, request) {
                // Owners get the way to the billing page; the others learn why nothing is sent.
                chrome.warnings.append(
                    Warning(
                        text: banner, link: tenant.role.can(.manageBilling) ? .billing : .settings,
                        linkLabel: request.localizer(
                            tenant.role.can(.manageBilling) ? .billingTitle : .settingsTitle)))
            }
        }
        return chrome
    }
}
