import Foundation
import Vapor

/// `POST /{phone-number-id}/messages`: validation, the service window, rate limits, then status callbacks.
extension GraphRoutes {
    func messages(_ req: Request) async throws -> Response {
        let number = try phoneNumber(req)
        guard let body = req.body.data, let json = try? JSONValue.decode(Data(body.readableBytesView)), json.object != nil else {
            throw GraphAPIError.invalidParameter("The request body must be a JSON object.")
        }
        guard json["messaging_product"]?.string == "whatsapp" else {
            throw GraphAPIError.invalidParameter("The parameter messaging_product is required.")
        }
        if json["status"] != nil { return try markRead(json, number: number) }

        guard let to = json["to"]?.string, !to.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter to is required.")
        }
        let waID = to.filter(\.isNumber)
        guard !waID.isEmpty else { throw GraphAPIError.invalidParameter("Param to must be a valid phone number.") }
        let type = json["type"]?.string ?? "text"
        let template = try OutboundValidation.validate(
            json, type: type,
            mediaExists: { id in
                simulator.state.withLock { $0.media[id]?.phoneNumberID == number.phoneNumberID }
            },
            template: { name, language in
                simulator.state.withLock { state in
                    state.templates.first { $0.wabaID == number.wabaID && $0.name == name && $0.language == language }
                }
            })

        let now = simulator.now()
        let pairKey = SimulatorState.pairKey(number.phoneNumberID, waID)
        let wamid = Identifiers.wamid(customer: waID)
        let sent = SentMessage(phoneNumberID: number.phoneNumberID, to: waID, type: type, json: json, wamid: wamid, time: now)
        try simulator.state.withLock { state in
            do {
                try admit(sent, pairKey: pairKey, template: template, state: &state)
            } catch let error as GraphAPIError {
                state.refusedSends.append(error.code)
                throw error
            }
        }
        simulator.logSent(sent)
        scheduleStatuses(for: sent, number: number, template: template)

        var message: [String: JSONValue] = ["id": .string(wamid)]
        if template != nil { message["message_status"] = "accepted" }
        return jsonResponse([
            "messaging_product": "whatsapp",
            "contacts": [["input": .string(to), "wa_id": .string(waID)]],
            "messages": [.object(message)],
        ])
    }

    /// Meta's checks on a send, in order: throughput, the service window, pair rate, refused customers.
    private func admit(_ sent: SentMessage, pairKey: String, template: SimulatedTemplate?, state: inout SimulatorState) throws {
        let (now, configuration) = (sent.time, simulator.configuration)
        var throughput =
            state.throughput[sent.phoneNumberID]
            ?? TokenBucket(capacity: Double(configuration.throughputPerSecond), perSecond: Double(configuration.throughputPerSecond), now: now)
        defer { state.throughput[sent.phoneNumberID] = throughput }
        guard throughput.take(at: now) else { throw GraphAPIError.throughputExceeded }

        if template == nil {
            guard let last = state.lastInbound[pairKey], now.timeIntervalSince(last) <= configuration.serviceWindow else {
                throw GraphAPIError.reengagementRequired
            }
        }

        var pair =
            state.pairRates[pairKey]
            ?? TokenBucket(capacity: Double(configuration.pairRate.burst), perSecond: 1 / configuration.pairRate.perSeconds, now: now)
        defer { state.pairRates[pairKey] = pair }
        guard pair.take(at: now) else { throw GraphAPIError.pairRateExceeded }
        if let code = state.refusedRecipients[sent.to] { throw GraphAPIError.recipientRefused(code) }

        state.sentMessages.append(sent)
    }

    /// `{"messaging_product":"whatsapp","status":"read","message_id":…}` marks a customer's message read.
    func markRead(_ json: JSONValue, number: SimulatedNumber) throws -> Response {
        guard json["status"]?.string == "read" else {
            throw GraphAPIError.invalidParameter("Param status must be read.")
        }
        guard let messageID = json["message_id"]?.string, !messageID.isEmpty else {
            throw GraphAPIError.invalidParameter("The parameter message_id is required.")
        }
        try simulator.state.withLock { state in
            guard state.inbound[messageID]?.phoneNumberID == number.phoneNumberID else {
                throw GraphAPIError.invalidParameter("Invalid message_id: \(messageID) was not received by this phone number.")
            }
            state.readReceipts.append(messageID)
        }
        return jsonResponse(["success": true])
    }

    /// sent → delivered → read callbacks with conversation and pricing objects, as configured.
    func scheduleStatuses(for sent: SentMessage, number: SimulatedNumber, template: SimulatedTemplate?) {
        let settings = simulator.configuration.statusCallbacks
        guard settings.enabled else { return }
        var names = ["sent", "delivered"] + (settings.customerReads ? ["read"] : [])
        let delays = [settings.sentAfter, settings.deliveredAfter, settings.readAfter].prefix(names.count)
        if settings.shuffled { names.shuffle() }
        let ordered = Array(zip(names, delays))
        let steps = settings.duplicates ? ordered.flatMap { [$0, $0] } : ordered

        let category = template.map { $0.category.lowercased() } ?? "service"
        let pricing = WebhookPayloads.StatusPricing(
            category: category,
            billable: template != nil && category != "service",
            type: template == nil ? "free_customer_service" : "regular",
            conversationID: Identifiers.randomHex(32),
            conversationExpires: sent.time.addingTimeInterval(24 * 60 * 60))
        let simulator = self.simulator
        simulator.track {
            var elapsed = 0.0
            for (status, delay) in steps {
                if delay > elapsed {
                    try? await Task.sleep(for: .seconds(delay - elapsed))
                    elapsed = delay
                }
                if Task.isCancelled { return }
                let body = WebhookPayloads.status(
                    number: number, wamid: sent.wamid, status: status, recipient: sent.to, at: simulator.now(), pricing: pricing,
                    callbackData: sent.json["biz_opaque_callback_data"]?.string)
                await simulator.deliver(body)
            }
        }
    }
}
