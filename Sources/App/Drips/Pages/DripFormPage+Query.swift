import ADSappCore
import Fluent
import Foundation
import Vapor

extension DripFormPage {
    static func query(_ tenant: Tenant, _ values: Values, editing: UUID?, error: String?) async throws -> Model {
        let scope = tenant.scope
        let option = { (id: UUID?, label: String) in CampaignFormPage.Option(value: id?.uuidString ?? "", label: label) }
        return Model(
            editing: editing, values: values,
            numbers: try await scope.query(WhatsAppConnection.self).sort(\.$createdAt).all().map { option($0.id, CampaignPage.numberName($0)) },
            segments: try await scope.query(Segment.self).sort(\.$name).all().map { option($0.id, $0.name) },
            tags: try await scope.query(Tag.self).sort(\.$name).all().map { option($0.id, $0.name) }, error: error)
    }

    /// The form as posted.
    static func values(_ content: any ContentContainer) -> Values {
        func chosen(_ name: String) -> String? { content[String.self, at: name].flatMap { $0.isEmpty ? nil : $0 } }
        return Values(
            name: content[String.self, at: "name"] ?? "", connectionID: chosen("connection_id"), segmentID: chosen("segment_id"),
            tagID: chosen("tag_id"), onTagAdded: content[String.self, at: "on_tag_added"] != nil,
            exitOnReply: content[String.self, at: "exit_on_reply"] != nil, exitTagID: chosen("exit_tag_id"),
            days: Set(content[[String].self, at: "day"] ?? []), start: content[String.self, at: "start"] ?? "",
            end: content[String.self, at: "end"] ?? "")
    }

    /// A sequence's settings as the form shows them.
    static func values(of sequence: DripSequence) -> Values {
        let window = sequence.window
        return Values(
            name: sequence.name, connectionID: sequence.connectionID.uuidString, segmentID: sequence.enrolSegmentID?.uuidString,
            tagID: sequence.enrolTagID?.uuidString, onTagAdded: sequence.enrolOnTagAdded, exitOnReply: sequence.exitOnReply,
            exitTagID: sequence.exitTagID?.uuidString,
            days: Set(window.dayNames),
            start: window.startMinute.map(TimeOfDay.text) ?? "", end: window.endMinute.map(TimeOfDay.text) ?? "")
    }

    /// The settings the form describes, with `steps` kept as they are.
    static func input(_ values: Values, steps: [DripActions.Input.Step]) -> DripActions.Input {
        DripActions.Input(
            name: values.name, connectionID: values.connectionID.flatMap(UUID.init(uuidString:)),
            enrolment: .init(
                segmentID: values.segmentID.flatMap(UUID.init(uuidString:)), tagID: values.tagID.flatMap(UUID.init(uuidString:)), onTagAdded: values.onTagAdded),
            exit: .init(onReply: values.exitOnReply, tagID: values.exitTagID.flatMap(UUID.init(uuidString:))),
            window: .init(
                days: DripActions.dayNames.filter(values.days.contains), start: values.start.isEmpty ? nil : values.start,
                end: values.end.isEmpty ? nil : values.end),
            steps: steps)
    }
}
