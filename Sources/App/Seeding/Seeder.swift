import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor

/// Fixtures for the demo (`Demo`) and the benchmarks (`adsapp-bench`): people, organizations, WhatsApp
/// numbers and conversations, made the way the product makes them. Not the app's API: the two import
/// it with `@_spi(Seeding) import App`, and nothing else should.
@_spi(Seeding) public struct Seeder: Sendable {
    let app: Application

    /// Call after `configure`: it uses the app's database, vault and job store.
    public init(_ app: Application) { self.app = app }

    /// The pragmas and planner statistics `serve` sets (WAL, synchronous=NORMAL, busy timeout), for
    /// commands that run on the database without serving.
    public func prepareDatabase() async throws {
        try await DatabaseSetup.prepare(app.db)
        try await SQLitePlannerStatistics.write(on: app.db)
    }

    /// The platform Meta app's secret (`WHATSAPP_APP_SECRET`), which signs webhooks.
    public var whatsAppAppSecret: String? { app.whatsApp.settings.appSecret }

    /// The path of the platform's WhatsApp webhook, e.g. `/api/webhooks/whatsapp`.
    public static var whatsAppWebhookPath: String { SiteURL.whatsAppWebhook.path }

    // MARK: People and organizations

    /// The person with this address and their first organization; signs them up (with an organization
    /// of their own, as the sign-up page does) when they do not exist yet.
    public func owner(name: String, email: String, password: String, organization: String) async throws -> (userID: UUID, organizationID: UUID?) {
        let context = app.context
        let user: User
        if let existing = try await User.query(on: app.db).filter(\.$email == email).first() {
            user = existing
        } else {
            let passwords = Passwords(cost: context.configuration.bcryptCost, threadPool: app.threadPool)
            user = try await Registration(database: app.db, passwords: passwords, now: context.dependencies.now())
                .register(.init(name: name, organization: organization, email: email, password: password)).user
        }
        return (try user.requireID(), try await Memberships(database: app.db).first(userID: try user.requireID())?.organizationID)
    }

    public func userExists(email: String) async throws -> Bool {
        try await User.query(on: app.db).filter(\.$email == email).first() != nil
    }

    /// A session for the person in the organization, as signing in starts one: the `Cookie` header value.
    public func sessionCookie(userID: UUID, organizationID: UUID, userAgent: String) async throws -> String {
        let (token, _) = try await SessionStore(database: app.db, context: app.context).start(
            userID: userID, organizationID: organizationID, userAgent: userAgent)
        return "\(Cookies.session)=\(token)"
    }

    /// An organization with nobody in it.
    public func addOrganization(name: String, now: Date) async throws -> UUID {
        let organization = Organization(name: name, createdAt: now)
        try await organization.create(on: app.db)
        return try organization.requireID()
    }

    // MARK: WhatsApp numbers

    public func hasConnection(organizationID: UUID) async throws -> Bool {
        try await TenantScope(organizationID: organizationID, database: app.db).query(WhatsAppConnection.self).first() != nil
    }

    /// Connects a number as the settings page does: checked against the Graph API, subscribed, templates synced.
    public func connectNumber(organizationID: UUID, phoneNumberID: String, businessAccountID: String, accessToken: String) async throws {
        let scope = TenantScope(organizationID: organizationID, database: app.db)
        let jobs = app.backgroundJobs.store(app.db, app.context)
        _ = try await ConnectionSetup(scope: scope, services: app.whatsApp, jobs: jobs, now: app.context.dependencies.now())
            .connect(ConnectionInput(phoneNumberID: phoneNumberID, businessAccountID: businessAccountID, accessToken: accessToken))
    }

    /// An active number written straight to the database, no Graph API involved, its token sealed as a
    /// connected one's is.
    public func addConnection(
        organizationID: UUID, phoneNumberID: String, businessAccountID: String, displayPhoneNumber: String,
        verifiedName: String, accessToken: String, now: Date
    ) async throws -> UUID {
        let connection = WhatsAppConnection()
        connection.id = UUID()
        connection.organizationID = organizationID
        connection.phoneNumberID = phoneNumberID
        connection.businessAccountID = businessAccountID
        connection.displayPhoneNumber = displayPhoneNumber
        connection.verifiedName = verifiedName
        connection.accessTokenSealed = try await app.whatsApp.vault.seal(accessToken, for: organizationID, purpose: .whatsAppAccessToken, on: app.db)
        connection.sendsPerSecond = 80
        connection.state = .active
        connection.createdAt = now
        try await connection.create(on: app.db)
        return try connection.requireID()
    }

    // MARK: The shared inbox's parts

    /// A colleague and a team of everyone in the organization, which the organization's numbers route
    /// to; tags; canned responses. In one transaction.
    public func addTeam(
        organizationID: UUID, name: String, colleague: (name: String, email: String, password: String, role: Role),
        tags: [String], cannedResponses: [(shortcut: String, body: String)]
    ) async throws {
        let now = app.context.dependencies.now()
        let passwords = Passwords(cost: app.context.configuration.bcryptCost, threadPool: app.threadPool)
        let user = User(email: colleague.email, name: colleague.name, passwordHash: try await passwords.hash(colleague.password), language: nil, createdAt: now)
        try await TenantScope(organizationID: organizationID, database: app.db).transaction { scope in
            try await user.create(on: scope.database)
            try await Membership(organizationID: scope.organizationID, userID: user.id!, role: colleague.role, createdAt: now).create(on: scope.database)
            let team = Team(organizationID: scope.organizationID, name: name, autoAssign: false, createdAt: now)
            try await team.create(on: scope.database)
            try await scope.query(WhatsAppConnection.self).set(\.$team.$id, to: team.id).update()
            for membership in try await scope.query(Membership.self).all() {
                try await TeamMember(organizationID: scope.organizationID, teamID: team.id!, membershipID: membership.id!).create(on: scope.database)
            }
            for tag in tags {
                try await Tag(organizationID: scope.organizationID, name: tag, createdAt: now).create(on: scope.database)
            }
            for answer in cannedResponses {
                try await CannedResponse(organizationID: scope.organizationID, shortcut: answer.shortcut, body: answer.body, createdAt: now).create(
                    on: scope.database)
            }
        }
    }

    public func addTag(organizationID: UUID, name: String, now: Date) async throws -> UUID {
        let tag = Tag(organizationID: organizationID, name: name, createdAt: now)
        try await tag.create(on: app.db)
        return try tag.requireID()
    }

    /// Customers, each with an open conversation whose last message is `lastMessage`, read; returns the conversations' ids in order.
    public func addCustomers(
        organizationID: UUID, connectionID: UUID, customers: [(waID: String, name: String)], lastMessage: String, now: Date
    ) async throws -> [UUID] {
        let contacts = customers.map { customer in
            Contact(organizationID: organizationID, waID: customer.waID, profileName: customer.name, now: now)
        }
        try await contacts.create(on: app.db)
        let conversations = contacts.map { contact -> Conversation in
            let conversation = Conversation()
            conversation.id = UUID()
            conversation.organizationID = organizationID
            conversation.$connection.id = connectionID
            conversation.$contact.id = contact.id!
            conversation.status = .open
            conversation.lastMessageAt = now
            conversation.lastMessagePreview = lastMessage
            conversation.lastInboundAt = now
            conversation.unreadCount = 0
            conversation.createdAt = now
            return conversation
        }
        try await conversations.create(on: app.db)
        return conversations.map { $0.id! }
    }

    /// Text messages the team sent, as a send leaves them: `sent`, with Meta's id; one per `(conversation, wamid)`.
    public func addSentMessages(organizationID: UUID, connectionID: UUID, messages: [(conversationID: UUID, wamid: String)], text: String, now: Date)
        async throws
    {
        var content = MessageContent()
        content.text = text
        let contentJSON = content.json()
        let rows = messages.map { sent -> Message in
            let message = Message()
            message.id = UUID()
            message.organizationID = organizationID
            message.$conversation.id = sent.conversationID
            message.connectionID = connectionID
            message.direction = .outbound
            message.wamid = sent.wamid
            message.kind = "text"
            message.body = content.text
            message.content = contentJSON
            message.status = .sent
            message.statusAt = now
            message.forwarded = false
            message.sentAt = now
            message.createdAt = now
            return message
        }
        try await rows.create(on: app.db)
    }

    /// The cursor of the conversation list's next page after this conversation.
    public static func conversationCursor(lastMessageAt: Date, id: UUID) -> String {
        KeysetCursor(createdAt: lastMessageAt, id: id).encoded
    }

    // MARK: Webhooks

    /// A stored webhook event's times and outcome.
    public struct WebhookEventTimes: Sendable {
        public var receivedAt: Date
        public var processedAt: Date?
        public var processed: Bool
        public var failed: Bool
        /// Processed, but with a note for the operator (a change not acted on).
        public var noted: Bool
    }

    public func webhookEvents(receivedSince since: Date) async throws -> [WebhookEventTimes] {
        try await WebhookEvent.query(on: app.db)
            .filter(\.$receivedAt >= since)
            .field(\.$id).field(\.$receivedAt).field(\.$state).field(\.$processedAt).field(\.$error)
            .all()
            .map {
                WebhookEventTimes(
                    receivedAt: $0.receivedAt, processedAt: $0.processedAt, processed: $0.state == .processed,
                    failed: $0.state == .failed, noted: $0.state == .processed && $0.error != nil)
            }
    }

    /// The kind of the job that processes stored webhook events.
    public static var webhookJobKind: String { ProcessWhatsAppWebhook.kind }

    /// The job the webhook handler enqueues beside a stored event.
    public static func webhookJob(eventID: UUID) throws -> JobStore.NewJob {
        try JobStore.NewJob(ProcessWhatsAppWebhook.self, .init(eventIDs: [eventID]), priority: .high)
    }
}
