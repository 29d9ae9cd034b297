import Foundation
import ObjectStore
import Testing

@Suite struct ObjectKeyTests {
    @Test(arguments: [
        "a", "media/2026/11/6f1c2a4e.jpg", "org-1/wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUZCRjk5/voice_note.ogg", "..a/b..", "x.y-z_1",
    ])
    func accepts(_ key: String) throws {
        #expect(try ObjectKey(key).value == key)
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("../x", "\".\" and \"..\" segments are not allowed"),
        ("a/../../b", "\".\" and \"..\" segments are not allowed"),
        ("a/./b", "\".\" and \"..\" segments are not allowed"),
        ("..", "\".\" and \"..\" segments are not allowed"),
        ("/etc/passwd", "it starts with \"/\"; keys are relative"),
        ("a//b", "it has an empty path segment"),
        ("a/", "it has an empty path segment"),
        ("photo 1.jpg", "only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed"),
        ("foto-\u{E9}.jpg", "only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed"),
        ("a\\b", "only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed"),
        ("a?b", "only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed"),
        ("a\u{0}b", "only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed"),
        (String(repeating: "k", count: 513), "it is longer than 512 bytes"),
    ])
    func refuses(_ key: String, _ reason: String) {
        #expect(throws: ObjectStoreError.invalidKey(key, reason: reason)) { try ObjectKey(key) }
    }

    @Test func longestKeyIsAccepted() throws {
        _ = try ObjectKey(String(repeating: "k", count: 512))
    }

    @Test func errorNamesTheKeyAndTheRule() {
        let error = ObjectStoreError.invalidKey("../x", reason: "\".\" and \"..\" segments are not allowed")
        #expect(error.description == "invalid object key \"../x\": \".\" and \"..\" segments are not allowed")
    }
}
