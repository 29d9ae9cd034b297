@testable import App
import ADSappCore
import Foundation
import Jobs
import SafeHTML

/// Every page of the app, rendered from a model in which each string is made by `s`: the hostile
/// page test renders them once with attacks in every string and once with plain words, and compares.
/// A page added to the app belongs in this list; a string field added to a model is caught by
/// `HostilePageTests.everyStringOfEveryModelIsFilled`.
enum PageFixtures {
    struct Page {
        var name: String
        /// The model as a value, so the test can check that every string in it came from `s`.
        var model: Any
        var render: (Chrome) -> HTML
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A fixed id for a name, the same in every run: the page snapshots must not change between runs.
    static func id(_ name: String) -> UUID {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var low = hash
        for byte in name.utf8.reversed() { low = (low ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let bytes = withUnsafeBytes(of: hash.bigEndian, Array.init) + withUnsafeBytes(of: low.bigEndian, Array.init)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// Strings that choose a branch in a view (a message's kind) and so are real values in both renders.
    static let messageKinds = [
        "text", "image", "sticker", "video", "audio", "document", "location", "contacts", "interactive", "reaction", "order", "unsupported",
    ]

    static func chrome(_ s: (String) -> String, _ t: Localizer) -> Chrome {
        Chrome(
            t: t, csrfToken: s("csrf"), currentPath: s("path"),
            account: .init(name: s("account name"), email: s("account email"), isPlatformAdmin: true),
            organizations: [.init(id: id("fixture 1"), name: s("organization a")), .init(id: id("fixture 2"), name: s("organization b"))],
            currentOrganizationID: nil, activeSection: .inbox,
            warnings: [.init(text: s("warning"), link: .whatsAppSettings, linkLabel: s("link"))]
        )
    }

    static func pages(_ s: (String) -> String) -> [Page] {
        var pages: [Page] = []
        func add(_ name: String, _ model: Any, _ render: @escaping (Chrome) -> HTML) {
            pages.append(Page(name: name, model: model, render: render))
        }

        let signIn = SignInPage.Model(email: s("email"), next: s("next"), error: s("error"), notice: s("notice"))
        add("sign-in", signIn) { SignInPage.html(signIn, $0) }
        let signUp = SignUpPage.Model(
            name: s("name"), organization: s("organization"), email: s("email"),
            errors: ["name": s("name error"), "email": s("email error"), "password": s("password error"), "organization": s("org error")],
            formError: s("form error"))
        add("sign-up", signUp) { SignUpPage.html(signUp, $0) }
        let account = AccountPage.Model(
            name: s("name"), email: s("email"), languagePreference: .nl, sessionCount: 3, notice: s("notice"),
            passwordErrors: ["current_password": s("current error"), "new_password": s("new error")])
        add("account", account) { AccountPage.html(account, $0) }
        let qr = QRImage(size: 21, dark: (0..<441).map { $0 % 3 == 0 })
        let twoFactorSetup = TwoFactorPage.Model(
            setup: .init(qr: qr, qrTitle: s("qr title"), secret: s("secret"), account: s("account"), issuer: s("issuer")),
            notice: s("notice"), requirement: s("requirement"), errors: ["confirm": s("confirm error")])
        add("two-factor setup", twoFactorSetup) { TwoFactorPage.html(twoFactorSetup, $0) }
        let twoFactorOn = TwoFactorPage.Model(
            setup: nil, remainingRecoveryCodes: 7, notice: s("notice"), requirement: nil,
            errors: ["regenerate": s("regenerate error"), "disable": s("disable error")])
        add("two-factor on", twoFactorOn) { TwoFactorPage.html(twoFactorOn, $0) }
        let recoveryCodes = RecoveryCodesPage.Model(codes: [s("code 1"), s("code 2")], notice: s("notice"))
        add("recovery codes", recoveryCodes) { RecoveryCodesPage.html(recoveryCodes, $0) }
        let twoFactorSignIn = TwoFactorSignInPage.Model(remember: true, error: s("error"))
        add("two-factor sign-in", twoFactorSignIn) { TwoFactorSignInPage.html(twoFactorSignIn, $0) }
        let security = SecuritySettingsPage.Model(
            organizationName: s("organization"), required: true, canManage: true, membersWithout: 2, notice: s("notice"), error: s("error"))
        add("security settings", security) { SecuritySettingsPage.html(security, $0) }
        for status in [400, 403, 404, 429, 500] {
            let reference = s("reference")
            add("error \(status)", reference) { ErrorPage.html(status: .init(statusCode: status), reference: reference, $0) }
        }
        add("section", ()) { SectionPage.html(title: .navContacts, about: .sectionContactsAbout, $0) }
        add("settings", ()) { SettingsPage.html($0) }
        add("settings, owner", ()) { SettingsPage.html($0, showsBilling: true) }
        let day = Date(timeIntervalSince1970: 1_780_000_000)
        let usage = [
            BillingPage.Usage(limit: .seats, used: 3, allowed: 3), BillingPage.Usage(limit: .numbers, used: 1, allowed: 3),
            BillingPage.Usage(limit: .contacts, used: 12, allowed: nil),
        ]
        let invoice = BillingPage.Invoice(number: s("invoice"), date: day, amount: s("amount"), status: s("status"), url: s("url"))
        let audit = [BillingPage.AuditLine(at: day, action: s("action"), detail: s("detail"))]
        let billingSelfHosted = BillingPage.Model(
            standing: .selfHosted, plan: nil, periodEnd: nil, usage: usage, nextInvoice: nil, invoices: [], plans: [], trialDays: nil,
            hasCustomer: false, audit: [], notice: nil, error: nil)
        add("billing, self-hosted", billingSelfHosted) { BillingPage.html(billingSelfHosted, $0) }
        let billingNoPlan = BillingPage.Model(
            standing: .noPlan, plan: nil, periodEnd: nil, usage: usage, nextInvoice: nil, invoices: [], plans: Plan.allCases, trialDays: 14,
            hasCustomer: false, audit: audit, notice: s("notice"), error: s("error"))
        add("billing, no plan", billingNoPlan) { BillingPage.html(billingNoPlan, $0) }
        let billingActive = BillingPage.Model(
            standing: .pastDue(graceUntil: day), plan: .professional, periodEnd: day, usage: usage, nextInvoice: invoice, invoices: [invoice],
            plans: Plan.allCases, trialDays: nil, hasCustomer: true, audit: audit, notice: nil, error: nil)
        add("billing, past due", billingActive) { BillingPage.html(billingActive, $0) }
        let billingCancelling = BillingPage.Model(
            standing: .cancelling(at: day), plan: .enterprise, periodEnd: day, usage: usage, nextInvoice: nil, invoices: [invoice],
            plans: Plan.allCases, trialDays: nil, hasCustomer: true, audit: [], notice: nil, error: nil)
        add("billing, cancelling", billingCancelling) { BillingPage.html(billingCancelling, $0) }
        add("no organization", ()) { NoOrganizationPage.html($0) }
        let newOrganization = NewOrganizationPage.Model(name: s("name"), error: s("error"))
        add("new organization", newOrganization) { NewOrganizationPage.html(newOrganization, $0) }
        let dashboard = DashboardPage.Model(userName: s("user"), organizationName: s("organization"), role: .owner, memberCount: 2)
        add("dashboard", dashboard) { DashboardPage.html(dashboard, $0) }
        let members = membersModel(s)
        add("members", members) { MembersPage.html(members, $0) }
        for (name, viewer) in [("anonymous", InvitationPage.Viewer.anonymous), ("invitee", .invitee), ("other account", .otherAccount)] {
            let invitation = InvitationPage.Model(
                token: s("token"), organizationName: s("organization"), inviterName: s("inviter"), email: s("email"), role: .agent, expiresAt: start,
                viewer: viewer, signedInEmail: s("signed in email"), name: s("name"), errors: ["name": s("name error"), "password": s("password error")],
                error: s("error"))
            add("invitation \(name)", invitation) { InvitationPage.html(invitation, $0) }
        }
        for (name, kind) in [("invitation", LinkInvalidPage.Kind.invitation), ("verification", .verification), ("reset", .passwordReset)] {
            let model = LinkInvalidPage.Model(kind: kind)
            add("link invalid \(name)", model) { LinkInvalidPage.html(model, $0) }
        }
        let forgot = ForgotPasswordPage.Model(email: s("email"), error: s("error"), formError: s("form error"), notice: s("notice"))
        add("forgot password", forgot) { ForgotPasswordPage.html(forgot, $0) }
        let reset = ResetPasswordPage.Model(token: s("token"), error: s("error"))
        add("reset password", reset) { ResetPasswordPage.html(reset, $0) }
        let holder = id("fixture 3")
        let admin = [
            AdminPage.Row(name: s("organization"), created: start, memberCount: 1, id: holder),
            AdminPage.Row(name: s("other organization"), created: start, memberCount: 2, id: id("fixture 4")),
        ]
        let unassigned = AdminPage.PlatformNumber(phoneNumberID: s("platform number"), organizationID: nil, organizationName: nil)
        let assigned = AdminPage.PlatformNumber(phoneNumberID: s("platform number"), organizationID: holder, organizationName: s("holder"))
        let (adminNotice, adminError) = (s("notice"), s("error"))
        let adminModel = AdminPage.Model(rows: admin, number: unassigned, notice: adminNotice, error: adminError)
        add("admin", adminModel) { AdminPage.html(adminModel, $0) }
        let assignedModel = AdminPage.Model(rows: admin, number: assigned)
        add("admin, number assigned", assignedModel) { AdminPage.html(assignedModel, $0) }
        let job = JobPage.Model(id: id("fixture 5"), kind: s("kind"), state: .running, progress: 0.5, message: s("message"))
        add("job", job) { JobPage.html(job, $0) }
        let erase = ContactErasePage.Model(
            id: id("fixture contact erase"), displayName: s("contact"), phoneNumber: s("phone"), conversations: 2, messages: 14, notes: 1)
        add("contact erase", erase) { ContactErasePage.html(erase, $0) }
        let contactImport = ContactImportPage.Model(error: s("error"), maxMegabytes: 20)
        add("contact import", contactImport) { ContactImportPage.html(contactImport, $0) }
        let contactImportReview = ContactImportReviewPage.Model(
            id: id("fixture import 1"), filename: s("file name"), encoding: s("encoding"), delimiter: s("delimiter"),
            header: [s("header"), s("header")], rows: [[s("cell"), s("cell")], [s("cell")]], guesses: [s("guess"), s("guess")],
            fields: [(key: s("field key"), label: s("field label"))], error: s("error"))
        add("contact import review", contactImportReview) { ContactImportReviewPage.html(contactImportReview, $0) }
        let contactSettings = ContactSettingsPage.Model(
            canManage: true, defaultCountry: s("country code"),
            countries: [Choice(value: s("country code"), label: s("country")), Choice(value: s("other country code"), label: s("country"))],
            optOutWords: s("words"), optInWords: s("words"), defaultOptOut: s("default words"), defaultOptIn: s("default words"),
            fields: [
                .init(id: id("fixture field 1"), key: s("key"), label: s("label"), type: .choice, choices: [s("choice"), s("choice")]),
                .init(id: id("fixture field 2"), key: s("key"), label: s("label"), type: .date, choices: []),
            ],
            notice: s("notice"), error: s("error"))
        add("contact settings", contactSettings) { ContactSettingsPage.html(contactSettings, $0) }
        var contactSettingsViewer = contactSettings
        contactSettingsViewer.canManage = false
        contactSettingsViewer.notice = nil
        contactSettingsViewer.error = nil
        add("contact settings, viewer", contactSettingsViewer) { ContactSettingsPage.html(contactSettingsViewer, $0) }
        let contactList = ContactListPage.Model(
            rows: [
                .init(
                    id: id("fixture contact 1"), name: s("contact name"), phone: s("contact phone"), email: s("contact email"), tags: [s("contact tag")],
                    marketing: .optedIn, lastInboundAt: start, createdAt: start)
            ],
            filter: ContactFilter(
                search: s("search"), tagIDs: [id("fixture tag 1")], marketing: .optedIn, lastInboundAfter: start, phonePrefix: s("prefix"),
                fields: [.init(fieldID: id("fixture field 1"), op: .contains, value: s("field value"))]),
            tags: [.init(value: s("tag value"), label: s("tag label"))], numbers: [.init(value: s("number value"), label: s("number label"))],
            fields: [.init(value: s("field option value"), label: s("field option label"))], canManage: true, nextURL: s("next url"),
            exportURL: s("export url"), error: s("error"))
        add("contact list", contactList) { ContactListPage.html(contactList, $0) }
        let contactForm = ContactFormPage.Model(
            contactID: id("fixture contact 2"), name: s("name"), phone: s("phone"), email: s("email"),
            fields: [
                .init(id: id("fixture field 2"), label: s("field label"), type: .choice, choices: [s("choice")], value: s("field value")),
                .init(id: id("fixture field 3"), label: s("date label"), type: .date, choices: [], value: s("date value")),
            ],
            defaultCountry: s("country"), error: s("error"), duplicateID: id("fixture contact 3"))
        add("contact form", contactForm) { ContactFormPage.html(contactForm, $0) }
        let contactPage = ContactPage.Model(
            id: id("fixture contact 4"), name: s("name"), profileName: s("profile name"), phone: s("phone"), email: s("email"), createdAt: start,
            lastInboundAt: start, fields: [(label: s("field label"), value: s("field value"))],
            tags: [.init(id: id("fixture tag 2"), name: s("tag"))], otherTags: [.init(id: id("fixture tag 3"), name: s("other tag"))],
            marketing: .optedIn, marketingSource: .agent, marketingChangedAt: start,
            conversations: [.init(id: id("fixture conversation 1"), number: s("number"), lastMessageAt: start, preview: s("preview"))],
            notes: [.init(author: s("author"), body: s("note"), createdAt: start)],
            history: [.init(kind: .merged, detail: s("detail"), actor: s("actor"), createdAt: start)], canManage: true, canErase: true,
            mergeSearch: s("merge search"), candidates: [.init(id: id("fixture contact 5"), name: s("candidate"), phone: s("candidate phone"))],
            notice: s("notice"), error: s("error"))
        add("contact", contactPage) { ContactPage.html(contactPage, $0) }
        let segmentList = SegmentListPage.Model(
            rows: [
                .init(id: id("fixture segment 1"), name: s("segment name"), count: 12, updatedAt: start, contactsURL: s("contacts url")),
                .init(id: id("fixture segment 2"), name: s("segment name"), count: nil, updatedAt: start, contactsURL: s("contacts url")),
            ],
            notice: s("notice"))
        add("segment list", segmentList) { SegmentListPage.html(segmentList, $0) }
        let segmentListEmpty = SegmentListPage.Model(rows: [], notice: nil)
        add("segment list, empty", segmentListEmpty) { SegmentListPage.html(segmentListEmpty, $0) }
        let segmentFilter = ContactFilterControls.Values(
            search: s("search"), tags: [s("tag value")], marketing: s("marketing"), inboundAfter: s("after"), inboundBefore: s("before"),
            number: s("number value"), prefix: s("prefix"), conditions: [.init(field: s("field option value"), op: s("op"), value: s("field value"))])
        let segmentOptions = ContactFilterControls.Options(
            tags: [.init(value: s("tag value"), label: s("tag label"))], numbers: [.init(value: s("number value"), label: s("number label"))],
            fields: [.init(value: s("field option value"), label: s("field option label"))])
        let segmentNew = SegmentFormPage.Model(
            segmentID: nil, name: s("name"), filter: segmentFilter, options: segmentOptions, count: nil, contactsURL: s("contacts url"),
            nameError: s("name error"), error: s("error"))
        add("segment new, refused", segmentNew) { SegmentFormPage.html(segmentNew, $0) }
        let segmentEdit = SegmentFormPage.Model(
            segmentID: id("fixture segment 1"), name: s("name"), filter: segmentFilter, options: segmentOptions, count: 1,
            contactsURL: s("contacts url"), nameError: nil, error: nil)
        add("segment edit", segmentEdit) { SegmentFormPage.html(segmentEdit, $0) }
        let segmentDelete = SegmentDeletePage.Model(id: id("fixture segment 1"), name: s("segment name"))
        add("segment delete", segmentDelete) { SegmentDeletePage.html(segmentDelete, $0) }
        let adminJobs = adminJobsModel(s)
        add("admin jobs", adminJobs) { AdminJobsPage.html(adminJobs, $0) }
        let whatsApp = whatsAppSettingsModel(s)
        add("whatsapp settings", whatsApp) { WhatsAppSettingsPage.html(whatsApp, $0) }
        let templates = templatesModel(s)
        add("templates", templates) { TemplatesPage.html(templates, $0) }
        let inbox = inboxModel(s)
        add("inbox", inbox) { ConversationListPage.html(inbox, $0) }
        var inboxBySentiment = inbox
        inboxBySentiment.filtersBySentiment = true
        inboxBySentiment.filter.sentiment = .negative
        inboxBySentiment.search = nil
        add("inbox by sentiment", inboxBySentiment) { ConversationListPage.html(inboxBySentiment, $0) }
        let conversation = conversationModel(s)
        add("conversation", conversation) { ConversationPage.html(conversation, $0) }
        var conversationWithAI = conversation
        conversationWithAI.assistance = .init(draft: true, summary: true, translateInto: (s("de"), s("German")))
        conversationWithAI.composerText = s("AI draft")
        conversationWithAI.items = conversation.items.map { item in
            guard case .message(var bubble) = item else { return item }
            if bubble.isInbound {
                bubble.sentiment = .negative
                if bubble.content.text != nil { bubble.translation = .init(text: s("translated"), from: s("German")) }
            } else {
                bubble.autoAnswer = true
            }
            return .message(bubble)
        }
        add("conversation with AI", conversationWithAI) { ConversationPage.html(conversationWithAI, $0) }
        let aiSettings = AISettingsPage.Model(
            configured: false, features: [.init(feature: .draft, enabled: true), .init(feature: .summary, enabled: false)], model: s("model"),
            defaultModel: s("default model"), budget: 2.5, platformBudget: 10, knowledge: s("knowledge"), categories: [s("category")],
            autoAnswer: .init(
                when: .outsideHours,
                hours: BusinessHours.Day.allCases.map { .init(day: $0, opens: s("opens"), closes: s("closes")) },
                timeZone: s("time zone"), handoffKeywords: [s("hand-off word")], confidence: s("confidence"), limit: s("limit")),
            hasOwnKey: true,
            usage: [.init(feature: .draft, requests: 1_200, tokens: 340_000, cost: 1.234), .init(feature: .summary, requests: 3, tokens: 900, cost: 0.004)],
            spent: 1.238, requests: 1_203, notice: s("notice"), error: s("error"))
        add("ai settings", aiSettings) { AISettingsPage.html(aiSettings, $0) }
        let inboxSettings = inboxSettingsModel(s)
        add("inbox settings", inboxSettings) { InboxSettingsPage.html(inboxSettings, $0) }
        let outbox = EmailPageFixtures.outbox(s)
        add("outbox", outbox) { OutboxPage.html(outbox, $0) }
        let outboxEmail = EmailPageFixtures.outboxEmail(s)
        add("outbox email", outboxEmail) { OutboxEmailPage.html(outboxEmail, $0) }
        let notifications = EmailPageFixtures.notificationSettings(s)
        add("notification settings", notifications) { NotificationSettingsPage.html(notifications, $0) }
        for (name, unsubscribe) in EmailPageFixtures.unsubscribe(s) {
            add("unsubscribe \(name)", unsubscribe) { UnsubscribePage.html(unsubscribe, $0) }
        }
        for page in campaignPages(s) { pages.append(page) }
        for page in dripPages(s) { pages.append(page) }
        return pages
    }

    static func membersModel(_ s: (String) -> String) -> MembersPage.Model {
        MembersPage.Model(
            organizationName: s("organization"),
            rows: [
                .init(
                    membershipID: id("fixture 6"), name: s("member"), email: s("member email"), role: .agent, joined: start, isSelf: false,
                    assignableRoles: [.admin, .agent, .viewer], canRemove: true),
                .init(
                    membershipID: id("fixture 7"), name: s("me"), email: s("my email"), role: .owner, joined: start, isSelf: true,
                    assignableRoles: [], canRemove: false),
            ], notice: s("notice"), error: s("error"),
            invite: .init(
                email: s("invite email"), role: .agent, teamIDs: [id("fixture 8")], language: .nl, roles: [.admin, .agent, .viewer],
                teams: [.init(id: id("fixture 8"), name: s("team")), .init(id: id("fixture 9"), name: s("other team"))],
                emailError: s("email error"), error: s("invite error")),
            invitations: [
                .init(id: id("fixture 10"), email: s("invited email"), role: .viewer, inviterName: s("inviter"), expiresAt: start, isExpired: false),
                .init(id: id("fixture 11"), email: s("expired email"), role: .admin, inviterName: s("inviter"), expiresAt: start, isExpired: true),
            ])
    }

    static func adminJobsModel(_ s: (String) -> String) -> AdminJobsPage.Model {
        // The queue's types have no public memberwise initializers: made the way the API reads them.
        let summary = decode(
            JobSummary.self,
            [
                "id": id("fixture 8").uuidString, "kind": s("kind"), "queue": s("queue"), "state": "dead", "priority": 2, "attempts": 3,
                "maxAttempts": 3, "progress": 0.2, "progressMessage": s("progress"), "lastError": s("last error"),
                "organizationID": id("fixture 9").uuidString, "createdAt": 0, "runAt": 0, "startedAt": 0, "finishedAt": 0,
            ])
        let counts = decode(QueueCounts.self, ["queue": s("queue"), "queued": 1, "running": 1, "succeeded": 1, "dead": 1, "retrying": 1])
        return AdminJobsPage.Model(
            counts: [counts], dead: [summary], retrying: [summary],
            failedWebhooks: [.init(id: id("fixture 10"), source: s("source"), receivedAt: start, error: s("webhook error"))],
            notice: s("notice"))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) -> T {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! JSONDecoder().decode(T.self, from: data)
    }

    static func whatsAppSettingsModel(_ s: (String) -> String) -> WhatsAppSettingsPage.Model {
        let row = WhatsAppSettingsPage.Row(
            id: id("fixture 11"), displayPhoneNumber: s("display"), verifiedName: s("verified"), quality: s("quality"),
            isBroken: true, stateDetail: s("state"), webhookURL: s("webhook"), phoneNumberID: s("phone id"),
            businessAccountID: s("waba"), ownVerifyToken: s("own verify token"))
        var healthy = row
        healthy.isBroken = false
        return WhatsAppSettingsPage.Model(
            rows: [row, healthy], callbackURL: s("callback"), hasPlatformSecret: true,
            canManage: true, notice: s("notice"), error: s("error"),
            form: ConnectionInput(
                phoneNumberID: s("form phone"), businessAccountID: s("form waba"), accessToken: s("form token"),
                appSecret: s("form secret"), verifyToken: s("form verify"), sendsPerSecond: 80))
    }

    static func templatesModel(_ s: (String) -> String) -> TemplatesPage.Model {
        TemplatesPage.Model(
            rows: [
                .init(
                    id: id("fixture 12"), name: s("template"), language: s("language"), category: s("category"), status: s("status"), quality: s("quality"),
                    rejectedReason: s("reason"), body: s("body"))
            ], canManage: true, notice: s("notice"), error: s("error"))
    }

    static func choices(_ s: (String) -> String, _ name: String) -> [Choice] {
        // Values are ids in every select and form that lists choices.
        [Choice(value: id("\(name) 1").uuidString, label: s("\(name) 1")), Choice(value: id("\(name) 2").uuidString, label: s("\(name) 2"))]
    }

    static func inboxModel(_ s: (String) -> String) -> ConversationListPage.Model {
        let row = ConversationListPage.Row(
            id: id("fixture 13"), name: s("contact"), preview: s("preview"), at: start, unread: 2, status: .open, assignee: s("assignee"),
            team: s("team"), tags: [s("tag a"), s("tag b")], windowIsOpen: true, waitingSince: start)
        let hit = InboxSearch.Hit(
            kind: .message, conversationID: id("fixture 14"), messageID: id("fixture 15"), contactName: s("hit contact"), phone: s("hit phone"),
            at: start, snippet: [.init(text: s("before"), match: false), .init(text: s("match"), match: true)])
        return ConversationListPage.Model(
            rows: [row], mentions: [.init(conversationID: id("fixture 16"), contactName: s("mention contact"), by: s("mention by"), at: start)],
            filter: .init(), counts: .init(), nextCursor: s("cursor"),
            teams: choices(s, "team"), tags: choices(s, "tag"), numbers: choices(s, "number"), members: choices(s, "member"),
            search: .init(query: s("query"), hits: [hit], problem: s("problem")),
            isAvailable: false, canWork: true, liveCursor: 7, notice: s("notice"), error: s("error"), now: start.addingTimeInterval(600)
        )
    }

    static func content(_ s: (String) -> String) -> MessageContent {
        var content = MessageContent()
        content.text = s("text")
        content.location = .init(latitude: 52.1, longitude: 4.3, name: s("place"), address: s("address"), url: s("place url"))
        content.contacts = [.init(name: s("card"), phones: [s("card phone")], emails: [s("card email")], organization: s("card org"))]
        content.choice = .init(id: s("choice id"), title: s("choice"), description: s("choice description"))
        content.choices = [.init(id: s("option id"), title: s("option"), description: s("option description"))]
        content.payload = s("payload")
        content.reaction = .init(messageID: s("reacted to"), emoji: s("emoji"))
        content.order = .init(catalogID: s("catalog"), itemCount: 2, total: 9.5, currency: s("currency"), text: s("order text"))
        content.referral = .init(headline: s("ad headline"), body: s("ad body"), sourceURL: s("ad url"), sourceType: s("ad type"))
        content.template = .init(name: s("template"), language: s("template language"), parameters: [s("parameter")])
        content.unsupportedType = s("unsupported")
        content.problems = [.init(code: 131_051, title: s("problem"))]
        return content
    }

    static func conversationModel(_ s: (String) -> String) -> ConversationPage.Model {
        var items: [ConversationPage.Item] = messageKinds.enumerated().map { index, kind in
            .message(
                .init(
                    id: id("message \(index)"), isInbound: index.isMultiple(of: 2), kind: kind, content: content(s),
                    status: index.isMultiple(of: 2) ? .received : .failed,
                    errorTitle: s("error title"), errorCode: 131_026, forwarded: true, isReply: true,
                    media: .init(state: .stored, url: s("media url"), mimeType: s("mime"), filename: s("file name")),
                    at: start.addingTimeInterval(Double(index))
                ))
        }
        items.append(.note(.init(id: id("fixture 18"), author: s("note author"), body: s("note body"), at: start.addingTimeInterval(100))))
        return ConversationPage.Model(
            conversationID: id("fixture 19"), title: s("title"), subtitle: s("subtitle"), items: items, windowClosesAt: start.addingTimeInterval(3600),
            windowIsOpen: true, canReply: true,
            templates: [.init(value: s("template value"), label: s("template label"))],
            work: .init(
                status: .snoozed, snoozedUntil: start, assigneeID: nil, teamID: nil, tags: choices(s, "tag"), members: choices(s, "member"),
                teams: choices(s, "team"), allTags: choices(s, "all tag")),
            contact: .init(name: s("contact"), phone: s("phone"), since: start, conversations: 3),
            cannedResponses: choices(s, "canned"), replyTo: (id: id("fixture 20"), preview: s("reply preview")),
            liveCursor: 9, notice: s("notice"), error: s("error")
        )
    }

    static func inboxSettingsModel(_ s: (String) -> String) -> InboxSettingsPage.Model {
        let member = id("fixture 21")
        return InboxSettingsPage.Model(
            canManage: true, agentsSeeAll: false,
            teams: [.init(id: id("fixture 22"), name: s("team"), autoAssign: true, members: [member])],
            members: [.init(id: member, name: s("member"), capacity: 10, available: true)],
            tags: choices(s, "tag"), cannedResponses: [.init(id: id("fixture 23"), shortcut: s("shortcut"), body: s("canned body"))],
            notice: s("notice"), error: s("error")
        )
    }

    static func campaignPages(_ s: (String) -> String) -> [Page] {
        var pages: [Page] = []
        func add(_ name: String, _ model: Any, _ render: @escaping (Chrome) -> HTML) {
            pages.append(Page(name: name, model: model, render: render))
        }
        let statistics = CampaignStatistics(
            audience: 120, queued: 40, sent: 60, delivered: 50, read: 30, failed: 8, unknown: 2, skipped: 10, replied: 4, optedOut: 1,
            failures: [.init(code: 131026, reason: s("failure reason"), count: 8)], skips: [.init(code: nil, reason: s("skip reason"), count: 10)])
        let list = CampaignListPage.Model(
            rows: [
                .init(id: id("fixture campaign 1"), name: s("campaign name"), status: .sending, statistics: statistics, createdAt: start),
                .init(id: id("fixture campaign 2"), name: s("campaign name"), status: .draft, statistics: CampaignStatistics(), createdAt: start),
            ],
            canManage: true, notice: s("notice"))
        add("campaign list", list) { CampaignListPage.html(list, $0) }
        let empty = CampaignListPage.Model(rows: [], canManage: false, notice: nil)
        add("campaign list, empty", empty) { CampaignListPage.html(empty, $0) }

        let text = TemplateText(
            headerFormat: nil, header: s("template header"), body: s("template body"), footer: s("template footer"),
            buttons: [.init(type: s("button type"), text: s("button text"), url: s("button url"))])
        let chart = CampaignChart(
            points: (0...4).map { CampaignChart.Point(at: start.addingTimeInterval(Double($0) * 60), sent: $0 * 15, delivered: $0 * 12, read: $0 * 7) })
        let sending = CampaignPage.Model(
            id: id("fixture campaign 1"), name: s("campaign name"), status: .sending, stopReason: s("stop reason"), waitingReason: s("waiting reason"),
            numberName: s("number name"), templateName: s("template name"), sendAt: start, startedAt: start, finishedAt: nil, statistics: statistics,
            chart: chart, preview: .init(contactName: s("contact name"), text: text, skipped: .optedOut), canManage: true, timeZone: s("time zone"),
            notice: s("notice"), error: s("error"))
        add("campaign, sending", sending) { CampaignPage.html(sending, $0) }
        let draft = CampaignPage.Model(
            id: id("fixture campaign 2"), name: s("campaign name"), status: .draft, stopReason: nil, waitingReason: nil, numberName: s("number name"),
            templateName: s("template name"), sendAt: nil, startedAt: nil, finishedAt: nil, statistics: CampaignStatistics(),
            chart: CampaignChart(points: []), preview: nil, canManage: true, timeZone: s("time zone"), notice: nil, error: nil)
        add("campaign, draft", draft) { CampaignPage.html(draft, $0) }

        let option = CampaignFormPage.Option(value: s("option value"), label: s("option label"))
        let stepOne = CampaignFormPage.Model(
            numbers: [option], templates: [], connectionID: s("option value"), template: nil, templateText: nil, variables: [],
            needsHeaderMedia: nil, headerMedia: s("header media"), sources: [option], segments: [option], tags: [option], name: s("name"),
            segmentID: nil, tagIDs: [], error: nil)
        add("campaign new, choose a template", stepOne) { CampaignFormPage.html(stepOne, $0) }
        let stepTwo = CampaignFormPage.Model(
            numbers: [option], templates: [option], connectionID: s("option value"), template: s("option value"), templateText: text,
            variables: [
                .init(key: s("variable key"), label: s("variable label"), source: s("option value"), text: s("variable text"), fallback: s("fallback"))
            ],
            needsHeaderMedia: s("media kind"), headerMedia: s("header media"), sources: [option], segments: [option], tags: [option], name: s("name"),
            segmentID: s("option value"), tagIDs: [s("option value")], error: s("error"))
        add("campaign new, refused", stepTwo) { CampaignFormPage.html(stepTwo, $0) }
        return pages
    }

    static func dripPages(_ s: (String) -> String) -> [Page] {
        var pages: [Page] = []
        func add(_ name: String, _ model: Any, _ render: @escaping (Chrome) -> HTML) {
            pages.append(Page(name: name, model: model, render: render))
        }
        let step = DripStatistics.Step(
            position: 1, waiting: 3, queued: 2, sent: 40, delivered: 35, read: 20, failed: 1, skipped: 4, skips: [s("skip reason"): 4])
        let statistics = DripStatistics(
            enrolled: 50, active: 30, completed: 10, exited: 10, exits: [s("exit reason"): 10],
            steps: [step, .init(position: 2, waiting: 27, sent: 12, delivered: 10, read: 4)])
        let list = DripListPage.Model(
            rows: [
                .init(id: id("fixture drip 1"), name: s("drip name"), status: .active, steps: 2, statistics: statistics),
                .init(id: id("fixture drip 2"), name: s("drip name"), status: .draft, steps: 0, statistics: DripStatistics()),
            ],
            canManage: true, notice: s("notice"))
        add("drip list", list) { DripListPage.html(list, $0) }
        let empty = DripListPage.Model(rows: [], canManage: false, notice: nil)
        add("drip list, empty", empty) { DripListPage.html(empty, $0) }

        let option = CampaignFormPage.Option(value: s("option value"), label: s("option label"))
        let values = DripFormPage.Values(
            name: s("name"), connectionID: s("option value"), segmentID: s("option value"), tagID: s("option value"), onTagAdded: true,
            exitOnReply: true, exitTagID: s("option value"), days: [s("mon")], start: s("start"), end: s("end"))
        let form = DripFormPage.Model(editing: nil, values: values, numbers: [option], segments: [option], tags: [option], error: s("error"))
        add("drip new, refused", form) { DripFormPage.html(form, $0) }
        let editing = DripFormPage.Model(editing: id("fixture drip 2"), values: values, numbers: [option], segments: [option], tags: [option], error: nil)
        add("drip edit", editing) { DripFormPage.html(editing, $0) }

        let rows = [
            DripPage.StepRow(id: id("fixture step 1"), position: 1, delayMinutes: 0, kind: .template, summary: s("template name"), statistics: step),
            DripPage.StepRow(
                id: id("fixture step 2"), position: 2, delayMinutes: 2880, kind: .text, summary: s("step text"), statistics: statistics.steps[1]),
        ]
        let active = DripPage.Model(
            id: id("fixture drip 1"), name: s("drip name"), status: .active, numberName: s("number name"), enrolment: s("enrolment"),
            exit: s("exit"), window: s("window"), steps: rows, statistics: statistics, addStep: nil, canManage: true, notice: s("notice"),
            error: s("error"))
        add("drip, active", active) { DripPage.html(active, $0) }
        let text = TemplateText(
            headerFormat: nil, header: s("template header"), body: s("template body"), footer: s("template footer"),
            buttons: [.init(type: s("button type"), text: s("button text"), url: s("button url"))])
        let addStep = DripPage.AddStep(
            choices: [option], chosen: s("option value"), templateText: text,
            variables: [
                .init(key: s("variable key"), label: s("variable label"), source: s("option value"), text: s("variable text"), fallback: s("fallback"))
            ],
            sources: [option], headerMedia: s("media kind"), headerMediaLink: s("header media"), delayAmount: s("delay"), delayUnit: s("unit"),
            text: s("step text"))
        let draft = DripPage.Model(
            id: id("fixture drip 2"), name: s("drip name"), status: .draft, numberName: s("number name"), enrolment: s("enrolment"),
            exit: s("exit"), window: s("window"), steps: [rows[0]], statistics: DripStatistics(), addStep: addStep, canManage: true, notice: nil,
            error: nil)
        add("drip, draft adding a step", draft) { DripPage.html(draft, $0) }
        return pages
    }
}
