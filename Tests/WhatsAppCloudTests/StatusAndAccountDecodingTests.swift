import Foundation
import Testing
import WhatsAppCloud

@Suite struct StatusAndAccountDecodingTests {
    let wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE4MTE1QjdGMUM5RkNBQUUA"

    @Test func sentWithConversationAndPricing() throws {
        let status = try Fixture.status("status_sent")
        #expect(status.id == wamid)
        #expect(status.status == .sent)
        #expect(status.recipientID == "16505551234")
        #expect(status.timestamp == Date(timeIntervalSince1970: 1_749_416_400))
        #expect(status.conversation?.id == "6ceb9d929c1a3fd6f1d04a1ec4a2d6f9")
        #expect(status.conversation?.originType == "marketing")
        #expect(status.conversation?.expiration == Date(timeIntervalSince1970: 1_749_502_800))
        #expect(status.pricing?.billable == true)
        #expect(status.pricing?.pricingModel == "PMP")
        #expect(status.pricing?.category == "marketing")
        #expect(status.pricing?.type == "regular")
        #expect(status.bizOpaqueCallbackData == "campaign-42/recipient-7")
        #expect(status.errors.isEmpty)
    }

    @Test(arguments: [("status_delivered", DeliveryStatus.delivered), ("status_read", .read), ("status_played", .played)])
    func laterStatuses(_ fixture: String, _ expected: DeliveryStatus) throws {
        let status = try Fixture.status(fixture)
        #expect(status.status == expected)
        #expect(status.statusText == expected.rawValue)
        #expect(status.id == wamid)
    }

    @Test func readCarriesBusinessScopedUserID() throws {
        #expect(try Fixture.status("status_read").recipientUserID == "US.13491208655302741918")
    }

    @Test func failedWithErrors() throws {
        let status = try Fixture.status("status_failed")
        #expect(status.status == .failed)
        let error = try #require(status.errors.first)
        #expect(error.code == 131047)
        #expect(error.title == "Re-engagement message")
        #expect(error.details?.contains("24 hours") == true)
        #expect(error.disposition == .windowClosed)
    }

    @Test func unknownStatusIsKept() throws {
        let body = #"""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
             "metadata":{"display_phone_number":"1","phone_number_id":"2"},
             "statuses":[{"id":"wamid.Z","status":"held_for_review","timestamp":"1749416400","recipient_id":"3"}]}}]}]}
            """#
        guard case .messages(let value) = try WebhookNotification.decode(Data(body.utf8)).entries[0].changes[0].value else {
            Issue.record("not messages"); return
        }
        #expect(value.statuses.first?.status == .unknown)
        #expect(value.statuses.first?.statusText == "held_for_review")
    }

    @Test func malformedStatusDoesNotSinkItsNeighbour() throws {
        let value = try Fixture.messagesValue("malformed_status")
        #expect(value.statuses.count == 2)
        #expect(value.statuses[0].id == "wamid.BADSTATUS")
        #expect(value.statuses[0].status == .unknown)
        #expect(value.statuses[0].statusText == "delivered")
        #expect(value.statuses[0].decodingError != nil)
        #expect(value.statuses[1].status == .read)
        #expect(value.statuses[1].decodingError == nil)
    }

    @Test func severalEntriesAndChanges() throws {
        let notification = try Fixture.notification("multiple_entries")
        #expect(notification.entries.map(\.id) == ["102290129340398", "102290129340399"])
        #expect(notification.entries.map(\.changes.count) == [2, 2])
        var texts: [String] = []
        var statuses: [DeliveryStatus] = []
        var templateEvents: [String] = []
        for entry in notification.entries {
            for change in entry.changes {
                switch change.value {
                case .messages(let value):
                    for message in value.messages { if case .text(let body) = message.content { texts.append(body) } }
                    statuses += value.statuses.map(\.status)
                case .templateStatus(let update): templateEvents.append(update.event)
                default: Issue.record("unexpected change \(change.field)")
                }
            }
        }
        #expect(texts == ["first", "second"])
        #expect(statuses == [.delivered, .read])
        #expect(templateEvents == ["APPROVED"])
    }

    @Test func templateStatusUpdate() throws {
        guard case .templateStatus(let update) = try change("template_status_update").value else { Issue.record("wrong case"); return }
        #expect(update.event == "REJECTED")
        #expect(update.templateID == "1689556908129832")
        #expect(update.templateName == "summer_sale")
        #expect(update.language == "en_US")
        #expect(update.reason == "INCORRECT_CATEGORY")
        #expect(update.category == "UTILITY")
    }

    @Test func templateQualityUpdate() throws {
        guard case .templateQuality(let update) = try change("template_quality_update").value else { Issue.record("wrong case"); return }
        #expect(update.previousQualityScore == "GREEN")
        #expect(update.newQualityScore == "YELLOW")
        #expect(update.templateID == "1689556908129832")
    }

    @Test func templateCategoryUpdate() throws {
        guard case .templateCategory(let update) = try change("template_category_update").value else { Issue.record("wrong case"); return }
        #expect(update.templateName == "welcome_offer")
        #expect(update.previousCategory == "UTILITY")
        #expect(update.newCategory == "MARKETING")
    }

    @Test func phoneNumberQualityUpdate() throws {
        guard case .phoneNumberQuality(let update) = try change("phone_number_quality_update").value else { Issue.record("wrong case"); return }
        #expect(update.displayPhoneNumber == "15550783881")
        #expect(update.event == "UPGRADE")
        #expect(update.oldLimit == "TIER_2K")
        #expect(update.currentLimit == "TIER_10K")
        #expect(update.maxDailyConversationsPerBusiness == "TIER_10K")
    }

    @Test func userPreferences() throws {
        guard case .userPreferences(let preferences) = try change("user_preferences").value else { Issue.record("wrong case"); return }
        let preference = try #require(preferences.first)
        #expect(preference.waID == "16505551234")
        #expect(preference.category == "marketing_messages")
        #expect(preference.value == "stop")
        #expect(preference.isOptOut)
        #expect(preference.timestamp == Date(timeIntervalSince1970: 1_749_416_600))
    }

    @Test func accountUpdateIsKeptAsOther() throws {
        guard case .other(let field, let value) = try change("account_update").value else { Issue.record("wrong case"); return }
        #expect(field == "account_update")
        #expect(value["event"] == .string("VERIFIED_ACCOUNT"))
    }

    @Test func knownFieldWithBadValueIsKeptAsOther() throws {
        let body =
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_quality_update","value":{"nonsense":true}},{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"},"messages":[{"from":"3","id":"wamid.ok","timestamp":"1","type":"text","text":{"body":"still here"}}]}}]}]}"#
        let changes = try WebhookNotification.decode(Data(body.utf8)).entries[0].changes
        #expect(changes.count == 2)
        guard case .other(let field, let value) = changes[0].value else { Issue.record("wrong case"); return }
        #expect(field == "message_template_quality_update")
        #expect(value["nonsense"] == .bool(true))
        guard case .messages(let messages) = changes[1].value else { Issue.record("wrong case"); return }
        #expect(messages.messages.first?.content == .text(body: "still here"))
    }

    private func change(_ fixture: String) throws -> WebhookNotification.Change {
        try #require(try Fixture.notification(fixture).entries.first?.changes.first)
    }
}
