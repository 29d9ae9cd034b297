@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// CSV export: the filtered list with custom fields, UTF-8 with a byte order mark, formulas
/// neutralized, and a round trip (export, import into another organization) gives the same contacts.
@Suite struct ExportTests {
    @Test func exportImportsBackToTheSameContactsAndNeutralizesFormulas() async throws {
        try await ImportTests.Harness.run { harness in
            try await harness.field("customer_number", .number)
            let csv = """
                name,phone,email,tags,opt_in,customer_number
                Anna,0612345678,anna@example.com,"newsletter, vip",yes,42
                "=HYPERLINK(""http://evil"")",0612345679,,,no,
                Ben,+32470123456,,,,7

                """
            _ = try await harness.importFile(Data(csv.utf8))
            let response = try await harness.owner.get("/contacts/export.csv")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.subType == "csv")
            #expect(response.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            let bytes = Data(buffer: response.body)
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
            let text = response.body.string
            #expect(text.contains("name,phone,email,tags,opt_in,customer_number"))
            #expect(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""))
            #expect(text.contains("Anna,+31612345678,anna@example.com,\"newsletter, vip\",yes,42"))

            // A filter narrows the export (ContactFilter's names).
            let filtered = try await harness.owner.get("/contacts/export.csv?marketing=opted_in")
            #expect(filtered.body.string.contains("Anna") && !filtered.body.string.contains("Ben"))
            let api = try await harness.owner.get("/api/v1/contacts/export?q=Ben")
            #expect(api.status == .ok && api.body.string.contains("Ben") && !api.body.string.contains("Anna"))

            // Round trip into a second organization: the same contacts, fields, tags and consent.
            let other = try await harness.app.signUp(name: "Otto", organization: "Otto BV", email: "otto@example.com")
            let otto = try await harness.app.organization(named: "Otto BV")
            try await ContactFieldDefinition(
                organizationID: otto.id!, key: "customer_number", label: "Customer number", type: .number, position: 0, createdAt: harness.app.clock.now
            ).create(on: harness.app.db)
            let copy = ImportTests.Harness(app: harness.app, owner: other, organizationID: otto.id!)
            let record = try await copy.importFile(bytes)
            #expect(record.createdCount == 3 && record.failedCount == 0)
            let back = try await copy.owner.get("/contacts/export.csv")
            // Rows come in id order, which differs between the organizations: compare them as sets.
            #expect(Set(back.body.string.split(separator: "\r\n")) == Set(text.split(separator: "\r\n")))
            #expect(back.body.string.split(separator: "\r\n").count == 4)
        }
    }
}
