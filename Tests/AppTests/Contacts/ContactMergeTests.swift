@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Merging a duplicate into the kept contact: what moves, what wins, the history line, and what is refused.
@Suite struct ContactMergeTests {
    @Test func conversationsFieldsTagsNotesAndHistoryMoveAndTheKeptValueWins() async throws {
        try await WhatsAppHarness.run { harness in
            let scope = harness.scope
            let now = harness.clock.now
            let conversation = try await harness.conversation(of: "31600000701", name: "Duplicate")
            let duplicateID = conversation.$contact.id
            let (kept, _) = try await ContactDirectory.findOrCreate(phone: "+31600000702", name: "Kept", actor: "Anna", at: now, in: scope)
            let keptID = kept.id!
            let plan = ContactFieldDefinition(organizationID: harness.organizationID, key: "plan", label: "Plan", type: .text, position: 1, createdAt: now)
            let city = ContactFieldDefinition(organizationID: harness.organizationID, key: "city", label: "City", type: .text, position: 2, createdAt: now)
            try await plan.create(on: harness.db)
            try await city.create(on: harness.db)
            for (contactID, field, value) in [(keptID, plan, "Gold"), (duplicateID, plan, "Silver"), (duplicateID, city, "Delft")] {
                try await ContactFieldValue(organizationID: harness.organizationID, contactID: contactID, fieldID: field.id!, value: .text(value)).create(
                    on: harness.db)
            }
            let tag = Tag()
            tag.id = UUID()
            tag.organizationID = harness.organizationID
            tag.name = "VIP"
            tag.createdAt = now
            try await tag.create(on: harness.db)
            for contactID in [keptID, duplicateID] {
                _ = try await ContactEditor.setTag(tag.id!, on: contactID, present: true, actor: nil, at: now, in: scope)
            }
            let owner = try #require(try await User.query(on: harness.db).first())
            _ = try await ContactEditor.addNote("Called once", to: duplicateID, author: owner, at: now, in: scope)

            let merged = try await harness.owner.post("/contacts/\(keptID)/merge", ["duplicate": duplicateID.uuidString])
            #expect(merged.status == .seeOther)
            #expect(try await scope.find(Contact.self, duplicateID) == nil)
            #expect(try await scope.find(Conversation.self, conversation.id)?.$contact.id == keptID)
            let values = try await ContactDirectory.fieldValues(of: [keptID], in: scope)[keptID] ?? [:]
            #expect(values[plan.id!] == .text("Gold") && values[city.id!] == .text("Delft"))
            #expect(try await scope.query(ContactTag.self).filter(\.$contactID == keptID).count() == 1)
            #expect(try await scope.query(ContactNote.self).filter(\.$contactID == keptID).count() == 1)
            let lines = try await ContactHistory.lines(of: keptID, in: scope)
            #expect(lines.first?.kind == .merged && lines.first?.detail == "+31600000701")
            #expect(lines.contains { $0.kind == .tagged } && lines.filter { $0.kind == .created }.count >= 1)
            let page = try await harness.owner.get("/contacts/\(keptID)")
            #expect(page.body.string.contains("/inbox/\(conversation.id!)"))
        }
    }

    @Test func twoThreadsWithTheSameNumberBecomeOneWithEveryMessageNoteAndTag() async throws {
        try await WhatsAppHarness.run { harness in
            let scope = harness.scope
            let kept = try await harness.conversation(of: "31600000711", name: "Kept", saying: "First from the kept number")
            harness.clock.advance(by: 60)
            let duplicate = try await harness.conversation(of: "31600000712", name: "Duplicate", saying: "Later from the other number")
            harness.clock.advance(by: 60)  // webhook times are whole seconds: a tie would leave the order below open
            _ = try await harness.stored(try await harness.customer("31600000712", name: "Duplicate").sendText("And once more"))
            let keptThread = try await harness.reload(kept)
            keptThread.status = .resolved
            keptThread.unreadCount = 0
            try await keptThread.save(on: harness.db)
            var tags: [App.Tag] = []
            for name in ["VIP", "Late"] {
                let tag = App.Tag()
                tag.id = UUID()
                tag.organizationID = harness.organizationID
                tag.name = name
                tag.createdAt = harness.clock.now
                try await tag.create(on: harness.db)
                tags.append(tag)
            }
            for (conversation, tag) in [(kept, tags[0]), (duplicate, tags[0]), (duplicate, tags[1])] {
                let link = ConversationTag()
                link.organizationID = harness.organizationID
                link.$conversation.id = conversation.id!
                link.$tag.id = tag.id!
                try await link.create(on: harness.db)
            }
            let note = Note()
            note.organizationID = harness.organizationID
            note.$conversation.id = duplicate.id!
            note.authorName = "Anna"
            note.body = "Asked for the invoice"
            note.createdAt = harness.clock.now
            try await note.create(on: harness.db)
            let before = try await harness.reload(duplicate)
            let tab = try await harness.liveTab(harness.owner)

            let merged = try await harness.owner.post("/contacts/\(kept.$contact.id)/merge", ["duplicate": duplicate.$contact.id.uuidString])
            #expect(merged.status == .seeOther)
            // Open tabs hear of both threads; one showing the woven thread learns where it went.
            try await tab.waitFor("the merge's events") { received in
                received.contains { $0.kind == "conversation" && $0.conversation == duplicate.id && $0.data?["merged_into"] == kept.id!.uuidString }
                    && received.contains { $0.kind == "conversation" && $0.conversation == kept.id && $0.data?["change"] == "merged" }
            }
            try await tab.close()
            #expect(try await scope.find(Conversation.self, duplicate.id) == nil)
            let thread = try await harness.reload(kept)
            let texts = try await scope.query(Message.self).filter(\.$conversation.$id == kept.id!).sort(\.$sentAt).all().map(\.body)
            #expect(texts == ["First from the kept number", "Later from the other number", "And once more"])
            #expect(try await scope.query(Note.self).filter(\.$conversation.$id == kept.id!).count() == 1)
            #expect(try await scope.query(ConversationTag.self).filter(\.$conversation.$id == kept.id!).count() == 2)
            #expect(thread.status == .open && thread.unreadCount == before.unreadCount)
            #expect(thread.lastMessageAt == before.lastMessageAt && thread.lastMessagePreview == before.lastMessagePreview)
            #expect(try await scope.query(Conversation.self).filter(\.$contact.$id == kept.$contact.id).count() == 1)
            let page = try await harness.owner.get("/inbox/\(kept.id!)")
            #expect(page.body.string.contains("Later from the other number") && page.body.string.contains("Asked for the invoice"))
            #expect(try await harness.owner.get("/inbox/\(duplicate.id!)").status == .notFound)
        }
    }

    @Test func mergingWithItselfOrAnotherOrganizationsContactIsRefused() async throws {
        try await WhatsAppHarness.run { harness in
            let (ours, _) = try await ContactDirectory.findOrCreate(phone: "+31600000801", name: "Ours", actor: nil, at: harness.clock.now, in: harness.scope)
            let stranger = try await harness.test.signUp(name: "Eve", organization: "Theirs", email: "eve@theirs.example")
            let theirOrganization = try await harness.test.organization(named: "Theirs").requireID()
            let theirScope = TenantScope(organizationID: theirOrganization, database: harness.db)
            let (theirs, _) = try await ContactDirectory.findOrCreate(phone: "+31600000802", name: "Theirs", actor: nil, at: harness.clock.now, in: theirScope)

            let itself = try await harness.owner.post("/contacts/\(ours.id!)/merge", ["duplicate": ours.id!.uuidString])
            #expect(itself.status == .unprocessableEntity)
            #expect(try await harness.owner.post("/contacts/\(ours.id!)/merge", ["duplicate": theirs.id!.uuidString]).status == .notFound)
            #expect(try await stranger.post("/contacts/\(theirs.id!)/merge", ["duplicate": ours.id!.uuidString]).status == .notFound)
            let api = try await harness.owner.api(.POST, "/api/v1/contacts/\(ours.id!)/merge", json: #"{"duplicateID":"\#(theirs.id!)"}"#)
            #expect(api.status == .notFound)
            let apiSelf = try await harness.owner.api(.POST, "/api/v1/contacts/\(ours.id!)/merge", json: #"{"duplicateID":"\#(ours.id!)"}"#)
            #expect(apiSelf.status == .unprocessableEntity)
            #expect(try await theirScope.find(Contact.self, theirs.id) != nil)
            #expect(try await harness.scope.find(Contact.self, ours.id) != nil)
        }
    }

    @Test func findOrCreateMakesOneContactWithACreatedLine() async throws {
        try await WhatsAppHarness.run { harness in
            let first = try await ContactDirectory.findOrCreate(phone: "+31600000901", name: " Nina ", actor: "Anna", at: harness.clock.now, in: harness.scope)
            let again = try await ContactDirectory.findOrCreate(phone: "+31600000901", name: "Other", actor: "Anna", at: harness.clock.now, in: harness.scope)
            #expect(first.created && !again.created && first.contact.id == again.contact.id && again.contact.name == "Nina")
            #expect(try await ContactHistory.lines(of: first.contact.id!, in: harness.scope).map(\.kind) == [.created])
        }
    }
}
