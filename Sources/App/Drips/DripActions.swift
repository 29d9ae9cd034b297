import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor

/// A change a sequence in its status does not allow ("an active sequence cannot be changed").
struct DripStatusConflict: Error, Equatable, CustomStringConvertible {
    var status: DripSequence.Status
    var action: String
    var description: String { "A sequence that is \(status.rawValue) cannot \(action)." }
}

/// What members do with drip sequences, the same for pages and the API: save a draft with its steps,
/// activate it (which enrols the segment's or tag's contacts), pause it, and delete it. Every change of
/// status is conditional on the one read, under the sequence's row lock.
struct DripActions: Sendable {
    let scope: TenantScope
    let jobs: JobStore
    let now: Date
    var billing: BillingAccess? = nil

    /// A sequence as a member describes it.
    struct Input: Codable, Sendable {
        var name: String?
        var connectionID: UUID?
        var enrolment: Enrolment?
        var exit: Exit?
        var window: Window?
        var steps: [Step]?

        struct Enrolment: Codable, Sendable {
            var segmentID: UUID?
            var tagID: UUID?
            /// Also enrol whoever gets the tag later.
            var onTagAdded: Bool?
            enum CodingKeys: String, CodingKey { case segmentID = "segment_id", tagID = "tag_id", onTagAdded = "on_tag_added" }
        }

        struct Exit: Codable, Sendable {
            var onReply: Bool?
            var tagID: UUID?
            enum CodingKeys: String, CodingKey { case onReply = "on_reply", tagID = "tag_id" }
        }

        /// `days` as "mon" … "sun"; `start` and `end` as "09:00" and "17:00", both or neither.
        struct Window: Codable, Sendable {
            var days: [String]?
            var start: String?
            var end: String?
        }

        struct Step: Codable, Sendable {
            var delayMinutes: Int?
            var templateName: String?
            var templateLanguage: String?
            var message: CampaignMessage?
            var text: String?
            enum CodingKeys: String, CodingKey {
                case delayMinutes = "delay_minutes", templateName = "template_name", templateLanguage = "template_language", message, text
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, connectionID = "connection_id", enrolment, exit, window, steps
        }
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// A step waits at most a year.
    static let maxDelayMinutes = 525_600
    static let maxSteps = 20

    func create(_ input: Input) async throws -> DripSequence {
        let sequence = DripSequence()
        sequence.id = UUID()
        sequence.organizationID = scope.organizationID
        sequence.status = .draft
        sequence.createdAt = now
        let steps = try await fill(sequence, from: input)
        sequence.updatedAt = now
        try await scope.transaction { scope in
            try await sequence.create(on: scope.database)
            try await steps.create(on: scope.database)
        }
        return sequence
    }

    /// Changes a draft and replaces its steps; an activated sequence keeps the steps its contacts are on.
    func update(_ sequence: DripSequence, _ input: Input) async throws {
        guard sequence.status == .draft else { throw DripStatusConflict(status: sequence.status, action: "be changed") }
        let steps = try await fill(sequence, from: input)
        sequence.updatedAt = now
        let sequenceID = try sequence.requireID()
        try await whileDraft(sequence, action: "be changed") { scope in
            try await sequence.save(on: scope.database)
            try await scope.query(DripStep.self).filter(\.$sequenceID == sequenceID).delete()
            try await steps.create(on: scope.database)
        }
    }

    /// Adds a step at the end of a draft.
    func addStep(_ input: Input.Step, to sequence: DripSequence) async throws {
        let sequenceID = try sequence.requireID()
        guard let connection = try await scope.find(WhatsAppConnection.self, sequence.connectionID) else {
            throw CampaignProblem.invalid(field: "connection_id", problem: "choose one of your WhatsApp numbers")
        }
        let keys = Set(try await ContactDirectory.fieldDefinitions(in: scope).map(\.key))
        let step = try await step(input, index: 0, sequenceID: sequenceID, connection: connection, fieldKeys: keys, field: "step")
        try await whileDraft(sequence, action: "be changed") { scope in
            let count = try await scope.query(DripStep.self).filter(\.$sequenceID == sequenceID).count()
            guard count < Self.maxSteps else { throw CampaignProblem.invalid(field: "steps", problem: "a sequence has at most \(Self.maxSteps) steps") }
            step.position = count + 1
            try await step.create(on: scope.database)
        }
    }

    /// Removes a step of a draft; the steps after it move up.
    func removeStep(_ stepID: UUID, of sequence: DripSequence) async throws {
        let sequenceID = try sequence.requireID()
        try await whileDraft(sequence, action: "be changed") { scope in
            let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequenceID).sort(\.$position).all()
            guard let removed = steps.first(where: { $0.id == stepID }) else { throw Abort(.notFound) }
            try await removed.delete(on: scope.database)
            // In order, each into the place the one before it left: no two rows ever share a position.
            for step in steps where step.position > removed.position {
                step.position -= 1
                try await step.save(on: scope.database)
            }
        }
    }

    /// Runs `work` under the sequence's row lock when it is still a draft.
    private func whileDraft(_ sequence: DripSequence, action: String, _ work: @escaping @Sendable (TenantScope) async throws -> Void) async throws {
        let sequenceID = try sequence.requireID()
        try await scope.transaction { scope in
            try await scope.lockRow(of: DripSequence.schema, id: sequenceID)
            guard let current = try await scope.find(DripSequence.self, sequenceID) else { throw Abort(.notFound) }
            guard current.status == .draft else { throw DripStatusConflict(status: current.status, action: action) }
            try await work(scope)
        }
    }

    /// Starts sending: the segment's or tag's contacts are enrolled now (on the first activation), each
    /// to get step 1 after its delay; a paused sequence goes on where each contact was.
    func activate(_ sequence: DripSequence) async throws {
        let connection = try await scope.find(WhatsAppConnection.self, sequence.connectionID)
        guard connection?.state == .active else { throw CampaignProblem.invalid(field: "connection_id", problem: SendRefusal.connectionBroken.description) }
        let firstTime = sequence.activatedAt == nil
        let contactIDs = firstTime ? try await audience(of: sequence) : []
        // The plan's limits, told now: each enrolled contact gets at least one message.
        try await CampaignLaunch(scope: scope, now: now, billing: billing).checkPlan(audienceSize: contactIDs.count)
        let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID()).count()
        guard steps > 0 else { throw CampaignProblem.invalid(field: "steps", problem: "add at least one step") }
        try await change(sequence, from: [.draft, .paused], action: "be activated") { current in
            current.status = .active
            if current.activatedAt == nil {
                current.activatedAt = now
                current.tagsSeenUntil = now
            }
        } then: { current, scope in
            if firstTime { try await DripEnrolling(scope: scope, now: now).enrol(contactIDs, in: current) }
            try await jobs.enqueue(AdvanceDrips.job(), on: scope.database)
        }
    }

    func pause(_ sequence: DripSequence) async throws {
        try await change(sequence, from: [.active], action: "be paused") { $0.status = .paused }
    }

    /// Deletes a sequence that is not sending: its enrolments and delivery records go with it; the
    /// messages already sent stay in their conversations.
    func delete(_ sequence: DripSequence) async throws {
        try await change(sequence, from: [.draft, .paused], action: "be deleted") { _ in
        } then: { current, scope in
            try await current.delete(on: scope.database)
        }
    }

    /// The contacts of the enrolment segment and tag, each once.
    private func audience(of sequence: DripSequence) async throws -> [UUID] {
        let audience = CampaignAudience(segmentID: sequence.enrolSegmentID, tagIDs: sequence.enrolTagID.map { [$0] } ?? [])
        return audience.isEmpty ? [] : try await audience.contactIDs(in: scope)
    }

    private func change(
        _ sequence: DripSequence, from allowed: Set<DripSequence.Status>, action: String,
        _ change: @escaping @Sendable (DripSequence) -> Void,
        then: @escaping @Sendable (DripSequence, TenantScope) async throws -> Void = { _, _ in }
    ) async throws {
        let now = now
        let sequenceID = try sequence.requireID()
        let updated = try await scope.transaction { scope in
            try await scope.lockRow(of: DripSequence.schema, id: sequenceID)
            guard let current = try await scope.find(DripSequence.self, sequenceID) else { throw DripStatusConflict(status: sequence.status, action: action) }
            guard allowed.contains(current.status) else { throw DripStatusConflict(status: current.status, action: action) }
            change(current)
            current.updatedAt = now
            try await current.save(on: scope.database)
            try await then(current, scope)
            return current.status
        }
        sequence.status = updated
    }

    // MARK: - Checking the input

    private func fill(_ sequence: DripSequence, from input: Input) async throws -> [DripStep] {
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw CampaignProblem.invalid(field: "name", problem: "needs 1 to 100 characters") }
        guard let connection = try await scope.find(WhatsAppConnection.self, input.connectionID) else {
            throw CampaignProblem.invalid(field: "connection_id", problem: "choose one of your WhatsApp numbers")
        }
        let enrolment = input.enrolment ?? .init()
        if let segmentID = enrolment.segmentID, try await scope.find(Segment.self, segmentID) == nil {
            throw CampaignProblem.invalid(field: "enrolment.segment_id", problem: "there is no such segment")
        }
        try await checkTag(enrolment.tagID, field: "enrolment.tag_id")
        if enrolment.onTagAdded == true && enrolment.tagID == nil {
            throw CampaignProblem.invalid(field: "enrolment.on_tag_added", problem: "choose the tag that enrols")
        }
        let exit = input.exit ?? .init()
        try await checkTag(exit.tagID, field: "exit.tag_id")
        let window = try Self.window(input.window)

        let inputSteps = input.steps ?? []
        guard inputSteps.count <= Self.maxSteps else {
            throw CampaignProblem.invalid(field: "steps", problem: "a sequence has at most \(Self.maxSteps) steps")
        }
        let keys = Set(try await ContactDirectory.fieldDefinitions(in: scope).map(\.key))
        var steps: [DripStep] = []
        for (index, input) in inputSteps.enumerated() {
            steps.append(try await step(input, index: index, sequenceID: try sequence.requireID(), connection: connection, fieldKeys: keys))
        }

        sequence.name = name
        sequence.connectionID = try connection.requireID()
        sequence.enrolSegmentID = enrolment.segmentID
        sequence.enrolTagID = enrolment.tagID
        sequence.enrolOnTagAdded = enrolment.onTagAdded ?? false
        sequence.exitOnReply = exit.onReply ?? true
        sequence.exitTagID = exit.tagID
        sequence.window = window
        return steps
    }

    private func checkTag(_ tagID: UUID?, field: String) async throws {
        if let tagID, try await scope.find(Tag.self, tagID) == nil {
            throw CampaignProblem.invalid(field: field, problem: "there is no such tag")
        }
    }

    private func step(
        _ input: Input.Step, index: Int, sequenceID: UUID, connection: WhatsAppConnection, fieldKeys: Set<String>, field: String? = nil
    ) async throws -> DripStep {
        let field = field ?? "steps[\(index)]"
        let step = DripStep()
        step.id = UUID()
        step.organizationID = scope.organizationID
        step.sequenceID = sequenceID
        step.position = index + 1
        guard let delay = input.delayMinutes, (0...Self.maxDelayMinutes).contains(delay) else {
            throw CampaignProblem.invalid(field: "\(field).delay_minutes", problem: "give a delay of 0 minutes to a year")
        }
        step.delayMinutes = delay
        switch (input.templateName, input.text) {
        case (let name?, nil):
            guard let language = input.templateLanguage,
                let template = try await scope.query(MessageTemplate.self)
                    .filter(\.$businessAccountID == connection.businessAccountID).filter(\.$name == name).filter(\.$language == language).first()
            else {
                throw CampaignProblem.invalid(field: "\(field).template_name", problem: "choose a template of this number's WhatsApp Business Account")
            }
            guard template.status == "APPROVED" else {
                throw CampaignProblem.invalid(
                    field: "\(field).template_name", problem: "the template is \(template.status); only APPROVED templates can be sent")
            }
            let message = input.message ?? CampaignMessage()
            do {
                try message.check(fieldKeys: fieldKeys)
                try TemplateText(components: template.components).check(message)
            } catch let error as CampaignMessage.Invalid {
                throw CampaignProblem.invalid(field: "\(field).message.\(error.field)", problem: error.problem)
            } catch CampaignProblem.invalid(let inner, let problem) {
                throw CampaignProblem.invalid(field: "\(field).\(inner)", problem: problem)
            }
            step.kind = .template
            step.templateName = template.name
            step.templateLanguage = template.language
            step.templateCategory = template.category
            step.message = message
        case (nil, let text?):
            let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...4096).contains(text.count) else { throw CampaignProblem.invalid(field: "\(field).text", problem: "needs 1 to 4,096 characters") }
            step.kind = .text
            step.text = text
        default:
            throw CampaignProblem.invalid(field: field, problem: "give either a template or a text")
        }
        return step
    }

    /// The window as typed: day names and "HH:MM" times.
    static func window(_ input: Input.Window?) throws -> DripSendWindow {
        guard let input else { return .always }
        var days: DripSendWindow.Days = []
        for name in input.days ?? dayNames {
            guard let index = dayNames.firstIndex(of: name.lowercased()) else {
                throw CampaignProblem.invalid(field: "window.days", problem: "days are mon, tue, wed, thu, fri, sat and sun")
            }
            days.insert(DripSendWindow.Days.ordered[index])
        }
        let window = DripSendWindow(
            days: days, startMinute: try input.start.map { try minute($0, "window.start") }, endMinute: try input.end.map { try minute($0, "window.end") })
        try window.check()
        return window
    }

    private static func minute(_ text: String, _ field: String) throws -> Int {
        guard let minutes = TimeOfDay.minutes(text) else { throw CampaignProblem.invalid(field: field, problem: "give a time as 09:00") }
        return minutes
    }
}
