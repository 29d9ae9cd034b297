@testable import App
@testable import Demo
import Fluent
import Foundation
import Testing
import Vapor
import WhatsAppSimulator

@Suite struct DemoTests {
    @Test("the demo follows the port actually served: the simulator's webhooks and the sign-in URL name it, and a customer's message reaches the inbox")
    func followsServedPort() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-demo-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            // As `adsapp serve --demo --port 0` would: port 0 lets the system pick a free one, never 8080.
            var variables = ["DATA_DIR": dataDirectory]
            let demo = try await Demo.start(app, variables: &variables, arguments: ["adsapp", "serve", "--hostname", "127.0.0.1", "--port", "0"])
            let configuration = try AppConfiguration.load(from: variables, environment: .testing)
            try await configure(app, configuration: configuration, migrate: true, runWorkers: true)
            try await app.asyncBoot()
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))

            let port = try #require(app.http.server.shared.localAddress?.port)
            #expect(port != 8080)
            #expect(demo.simulator.webhookURL?.absoluteString == "http://127.0.0.1:\(port)/api/webhooks/whatsapp")
            #expect(demo.signInURL?.absoluteString == "http://127.0.0.1:\(port)/signin")
            #expect(demo.announcement?.contains("http://127.0.0.1:\(port)/signin") == true)

            let customer = demo.simulator.customer(waID: "31687654321", name: "Port Tester", to: DemoMode.number.phoneNumberID)
            let wamid = try await customer.sendText("Is the sourdough ready on this port too?")
            var arrived = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !arrived, ContinuousClock.now < deadline {
                arrived = try await Message.query(on: app.db).filter(\.$wamid == wamid).first() != nil
                if !arrived { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(arrived, "the customer's message did not reach the inbox")
            #expect(demo.simulator.webhookFailures.isEmpty, "\(demo.simulator.webhookFailures)")
            await app.server.shutdown()
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test(
        "before serving, APP_URL defaults to the address the arguments will serve",
        arguments: [
            (["adsapp", "serve", "--port", "9090"], [String: String](), "http://127.0.0.1:9090"),
            (["adsapp", "serve", "-p", "9091", "-H", "0.0.0.0"], [:], "http://127.0.0.1:9091"),
            (["adsapp", "serve", "--hostname", "demo.local"], ["PORT": "9092"], "http://demo.local:9092"),
            (["adsapp", "serve", "--bind", "127.0.0.1:9093"], [:], "http://127.0.0.1:9093"),
            (["adsapp", "serve"], [:], "http://127.0.0.1:8080"),
        ])
    func intendedURL(arguments: [String], variables: [String: String], expected: String) {
        #expect(DemoMode.intendedURL(arguments: arguments, variables: variables).absoluteString == expected)
    }
}
