import Fluent
import Foundation
import SQLKit

extension ContactPage {
    static func query(
        _ tenant: Tenant, contact: Contact, mergeSearch: String, notice: String?, error: String?
    ) async throws -> Model {
        let scope = tenant.scope
        let contactID = try contact.requireID()
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        let values = try await ContactDirectory.fieldValues(of: [contactID], in: scope)[contactID] ?? [:]
        let allTags = try await scope.query(App.Tag.self).sort(\.$name).all()
        let tagged = Set(try await scope.query(ContactTag.self).filter(\.$contactID == contactID).all().map(\.tagID))
        let access = try await tenant.inboxAccess()
        let conversations = try await access.limit(scope.query(App.Conversation.self).filter(\.$contact.$id == contactID))
            .with(\.$connection).sort(\.$lastMessageAt, .descending).all()
        let notes = try await scope.query(ContactNote.self).filter(\.$contactID == contactID).sort(\.$createdAt, .descending).all()
        let history = try await ContactHistory.lines(of: contactID, in: scope)
        var candidates: [Candidate] = []
        let search = mergeSearch.trimmingCharacters(in: .whitespacesAndNewlines)
        if !search.isEmpty, search.count <= 200 {
            let condition = try ContactFilter(search: search).sqlCondition(organization: scope.organizationID, fields: [])
            let rows = try await scope.sql(
                "SELECT id, name, profile_name, wa_id, user_id FROM contacts WHERE \(condition) AND contacts.id <> \(bind: contactID) ORDER BY created_at DESC LIMIT 20"
            ).all()
            for row in rows {
                let waID = try row.decode(column: "wa_id", as: String?.self)
                candidates.append(
                    Candidate(
                        id: try row.decode(column: "id", as: UUID.self),
                        name: try row.decode(column: "name", as: String?.self)
                            ?? Contact.displayName(
                                profileName: try row.decode(column: "profile_name", as: String?.self), waID: waID,
                                userID: try row.decode(column: "user_id", as: String?.self)),
                        phone: waID.map { "+" + $0 }))
            }
        }
        return Model(
            id: contactID, name: contact.displayName, profileName: contact.profileName, phone: contact.phoneNumber, email: contact.email,
            createdAt: contact.createdAt, lastInboundAt: contact.lastInboundAt,
            fields: definitions.compactMap { definition in values[definition.id!].map { (definition.label, $0.text) } },
            tags: allTags.filter { tagged.contains($0.id!) }.map { Tag(id: $0.id!, name: $0.name) },
            otherTags: allTags.filter { !tagged.contains($0.id!) }.map { Tag(id: $0.id!, name: $0.name) },
            marketing: contact.marketingStatus, marketingSource: contact.marketingSource, marketingChangedAt: contact.marketingChangedAt,
            conversations: conversations.map {
                Conversation(id: $0.id!, number: $0.connection.displayPhoneNumber, lastMessageAt: $0.lastMessageAt, preview: $0.lastMessagePreview)
            },
            notes: notes.map { Note(author: $0.authorName, body: $0.body, createdAt: $0.createdAt) },
            history: history.map { HistoryLine(kind: $0.kind, detail: $0.detail, actor: $0.actor, createdAt: $0.createdAt) },
            canManage: tenant.role.can(.manageContacts), canErase: tenant.role.can(.manageOrganizationSettings),
            mergeSearch: mergeSearch, candidates: candidates, notice: notice, error: error)
    }
}
