import Foundation

/// Builds webhook bodies in the shape Meta documents for the `messages` and
/// `message_template_status_update` fields. Timestamps are strings of unix seconds.
enum WebhookPayloads {
    static func timestamp(_ date: Date) -> JSONValue { .string(String(Int(date.timeIntervalSince1970))) }

    static func envelope(wabaID: String, field: String, value: JSONValue, time: Date? = nil) -> JSONValue {
        var entry: [String: JSONValue] = ["id": .string(wabaID), "changes": [["field": .string(field), "value": value]]]
        if let time { entry["time"] = .number(Double(Int(time.timeIntervalSince1970))) }
        return ["object": "whatsapp_business_account", "entry": [.object(entry)]]
    }

    static func metadata(_ number: SimulatedNumber) -> JSONValue {
        ["display_phone_number": .string(number.displayDigits), "phone_number_id": .string(number.phoneNumberID)]
    }

    /// One customer message: `message` is the element of `messages[]` (from, id, timestamp, type, …).
    static func inbound(number: SimulatedNumber, customerName: String, waID: String, userID: String, message: JSONValue) -> JSONValue {
        let value: JSONValue = [
            "messaging_product": "whatsapp",
            "metadata": metadata(number),
            "contacts": [["profile": ["name": .string(customerName)], "wa_id": .string(waID), "user_id": .string(userID)]],
            "messages": [message],
        ]
        return envelope(wabaID: number.wabaID, field: "messages", value: value)
    }

    struct StatusPricing: Sendable {
        var category: String  // service, marketing, utility, authentication
        var billable: Bool
        var type: String  // regular, free_customer_service
        var conversationID: String
        var conversationExpires: Date
    }

    static func status(
        number: SimulatedNumber, wamid: String, status: String, recipient: String, at time: Date, pricing: StatusPricing, callbackData: String? = nil
    ) -> JSONValue {
        var conversation: [String: JSONValue] = [
            "id": .string(pricing.conversationID), "origin": ["type": .string(pricing.category)],
        ]
        if status == "sent" { conversation["expiration_timestamp"] = timestamp(pricing.conversationExpires) }
        var statusObject: JSONValue = [
            "id": .string(wamid),
            "status": .string(status),
            "timestamp": timestamp(time),
            "recipient_id": .string(recipient),
            "conversation": .object(conversation),
            "pricing": [
                "billable": .bool(pricing.billable), "pricing_model": "PMP",
                "type": .string(pricing.type), "category": .string(pricing.category),
            ],
        ]
        // Meta echoes the send's biz_opaque_callback_data in every status of the message.
        if let callbackData, case .object(var object) = statusObject {
            object["biz_opaque_callback_data"] = .string(callbackData)
            statusObject = .object(object)
        }
        let value: JSONValue = ["messaging_product": "whatsapp", "metadata": metadata(number), "statuses": [statusObject]]
        return envelope(wabaID: number.wabaID, field: "messages", value: value)
    }

    static func templateStatus(_ template: SimulatedTemplate, event: String, reason: String = "NONE", at time: Date) -> JSONValue {
        let value: JSONValue = [
            "event": .string(event),
            "message_template_id": .number(Double(template.id) ?? 0),
            "message_template_name": .string(template.name),
            "message_template_language": .string(template.language),
            "message_template_category": .string(template.category),
            "reason": .string(reason),
        ]
        return envelope(wabaID: template.wabaID, field: "message_template_status_update", value: value, time: time)
    }
}
