import ADSappCore
import Fluent
import Foundation
import Jobs
import Logging

/// Gives one enrolled contact their due step: first the reasons to leave (erased, opted out, replied,
/// the exit tag), then the send window, then the step's message, queued in the same transaction as
/// its delivery record and the enrolment's move to the next step. The delivery record's unique
/// (enrolment, step) makes a step reach a contact at most once, also when two workers or a retry
/// get here together.
struct DripStepper: Sendable {
    let scope: TenantScope
    let jobs: JobStore
    let inboxWakeUp: Signal
    let now: Date
    let logger: Logger

    /// How long a contact waits when the sequence's number cannot send now.
    static let retryAfterBrokenNumber: TimeInterval = 15 * 60
    /// How long a contact waits for Meta's messaging limit: the window moves on.
    static let retryAfterMessagingLimit: TimeInterval = 15 * 60

    /// The business reached as many different customers in 24 hours as Meta allows, this one not among them.
    struct MessagingLimitReached: Error {}

    func advance(_ enrolmentID: UUID) async throws {
        try await scope.transaction { scope in
            try await scope.lockRow(of: DripEnrolment.schema, id: enrolmentID)
            guard let enrolment = try await scope.find(DripEnrolment.self, enrolmentID), enrolment.status == .active, enrolment.nextAt <= now,
                let sequence = try await scope.find(DripSequence.self, enrolment.sequenceID), sequence.status == .active
            else { return }
            try await advance(enrolment, of: sequence, in: scope)
        }
    }

    private func advance(_ enrolment: DripEnrolment, of sequence: DripSequence, in scope: TenantScope) async throws {
        guard let contact = try await scope.find(Contact.self, enrolment.contactID), contact.erasedAt == nil else {
            return try await leave(enrolment, .erased, in: scope)
        }
        if let reason = try await exitReason(for: contact, enrolment: enrolment, sequence: sequence, in: scope) {
            return try await leave(enrolment, reason, in: scope)
        }
        let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID())
            .filter(\.$position >= enrolment.nextPosition).sort(\.$position).limit(2).all()
        guard let step = steps.first else { return try await finish(enrolment, in: scope) }

        let timeZone = try await Organization.find(scope.organizationID, on: scope.database).flatMap { TimeZone(identifier: $0.timeZone) } ?? .gmt
        let opening = sequence.window.nextOpening(atOrAfter: now, in: timeZone)
        if opening > now {
            enrolment.nextAt = opening
            return try await enrolment.save(on: scope.database)
        }
        guard let connection = try await scope.find(WhatsAppConnection.self, sequence.connectionID), connection.state == .active else {
            enrolment.nextAt = now.addingTimeInterval(Self.retryAfterBrokenNumber)
            return try await enrolment.save(on: scope.database)
        }
        let alreadyDelivered =
            try await scope.query(DripDelivery.self)
            .filter(\.$enrolmentID == enrolment.requireID()).filter(\.$stepID == step.requireID()).count() > 0
        if !alreadyDelivered {
            do {
                try await deliver(step, to: contact, enrolment: enrolment, connection: connection, in: scope)
            } catch SendRefusal.connectionBroken {
                enrolment.nextAt = now.addingTimeInterval(Self.retryAfterBrokenNumber)
                return try await enrolment.save(on: scope.database)
            } catch is MessagingLimitReached {
                enrolment.nextAt = now.addingTimeInterval(Self.retryAfterMessagingLimit)
                return try await enrolment.save(on: scope.database)
            }
        }
        if steps.count > 1 {
            enrolment.nextPosition = steps[1].position
            enrolment.nextAt = now.addingTimeInterval(TimeInterval(steps[1].delayMinutes * 60))
            try await enrolment.save(on: scope.database)
        } else {
            try await finish(enrolment, in: scope)
        }
    }

    private func exitReason(for contact: Contact, enrolment: DripEnrolment, sequence: DripSequence, in scope: TenantScope) async throws -> DripEnrolment
        .ExitReason?
    {
        if contact.marketingStatus == .optedOut { return .optedOut }
        if sequence.exitOnReply, let inbound = contact.lastInboundAt, inbound > enrolment.enrolledAt { return .replied }
        if let tagID = sequence.exitTagID {
            let tagged = try await scope.query(ContactTag.self).filter(\.$contactID == contact.requireID()).filter(\.$tagID == tagID).count()
            if tagged > 0 { return .exitTag }
        }
        return nil
    }

    /// Queues the step's message, or records why it was skipped.
    private func deliver(
        _ step: DripStep, to contact: Contact, enrolment: DripEnrolment, connection: WhatsAppConnection, in scope: TenantScope
    ) async throws {
        let delivery = DripDelivery()
        delivery.id = UUID()
        delivery.organizationID = scope.organizationID
        delivery.enrolmentID = try enrolment.requireID()
        delivery.sequenceID = enrolment.sequenceID
        delivery.stepID = try step.requireID()
        delivery.createdAt = now
        switch try await draft(of: step, for: contact, in: scope) {
        case .failure(let reason):
            delivery.skipReason = reason
        case .success(let draft):
            if draft.isTemplate, let waID = contact.waID,
                try await !MessagingAllowance(connection: connection, scope: scope, now: now).allows(waID: waID)
            {
                throw MessagingLimitReached()
            }
            let conversation = try await Conversation.opened(contactID: contact.requireID(), connection: connection, in: scope, now: now)
            do {
                let sending = MessageSending(scope: scope, jobs: jobs, inboxWakeUp: inboxWakeUp, now: now)
                delivery.messageID = try await sending.queue(draft, in: conversation, sender: nil, origin: .drip).requireID()
            } catch let refusal as SendRefusal {
                switch refusal {
                case .connectionBroken: throw refusal
                case .windowClosed: delivery.skipReason = .windowClosed
                case .contactHasNoWhatsAppID: delivery.skipReason = .noNumber
                case .templateNotApproved, .invalid:
                    logger.info("drip step not sent", metadata: ["step": .string(delivery.stepID.uuidString), "reason": .string(refusal.description)])
                    delivery.skipReason = .templateUnavailable
                }
            }
        }
        try await delivery.create(on: scope.database)
    }

    private func draft(of step: DripStep, for contact: Contact, in scope: TenantScope) async throws -> Result<OutboundDraft, DripDelivery.SkipReason> {
        guard CampaignLaunch.isUsable(contact.waID) else { return .failure(.noNumber) }
        switch step.kind {
        case .text:
            return .success(.text(step.text ?? ""))
        case .template:
            guard let name = step.templateName, let language = step.templateLanguage else { return .failure(.templateUnavailable) }
            if step.templateCategory?.uppercased() == "MARKETING" && contact.marketingStatus != .optedIn { return .failure(.noConsent) }
            let contactID = try contact.requireID()
            let keys = Dictionary(
                uniqueKeysWithValues: try await ContactDirectory.fieldDefinitions(in: scope).compactMap { definition in
                    definition.id.map { ($0, definition.key) }
                })
            var fields: [String: String] = [:]
            for (fieldID, value) in try await ContactDirectory.fieldValues(of: [contactID], in: scope)[contactID] ?? [:] {
                if let key = keys[fieldID] { fields[key] = value.text }
            }
            let values = CampaignMessage.ContactValues(name: contact.name ?? contact.profileName, phone: contact.waID, email: contact.email, fields: fields)
            guard let template = step.message.draft(template: name, language: language, for: values) else { return .failure(.missingValue) }
            var draft = OutboundDraft(type: .template)
            draft.template = template
            return .success(draft)
        }
    }

    private func leave(_ enrolment: DripEnrolment, _ reason: DripEnrolment.ExitReason, in scope: TenantScope) async throws {
        enrolment.status = .exited
        enrolment.exitReason = reason
        enrolment.finishedAt = now
        try await enrolment.save(on: scope.database)
    }

    private func finish(_ enrolment: DripEnrolment, in scope: TenantScope) async throws {
        enrolment.status = .completed
        enrolment.finishedAt = now
        try await enrolment.save(on: scope.database)
    }
}
