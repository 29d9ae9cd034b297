import Crypto
import Foundation
import KeyVault
import Testing

@Suite struct EnvelopeTests {
    let organizationA = Data("organization/6f1c2a4e-0b7d-4a39-9c55-3d2f8e1b7a10".utf8)
    let organizationB = Data("organization/0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f".utf8)
    let token = Data("EAAGm0PX4ZCpsBA-whatsapp-access-token".utf8)

    @Test func roundTrip() throws {
        let key = Envelope.newDataKey()
        let sealed = try Envelope.seal(token, with: key, context: organizationA)
        #expect(sealed.first == 1)
        #expect(sealed.count == 1 + 12 + token.count + 16)
        #expect(sealed.range(of: token) == nil)
        #expect(try Envelope.open(sealed, with: key, context: organizationA) == token)
    }

    @Test func sealingTwiceGivesDifferentBytes() throws {
        let key = Envelope.newDataKey()
        let first = try Envelope.seal(token, with: key, context: organizationA)
        let second = try Envelope.seal(token, with: key, context: organizationA)
        #expect(first != second)
    }

    @Test func emptyValueRoundTrips() throws {
        let key = Envelope.newDataKey()
        let sealed = try Envelope.seal(Data(), with: key, context: organizationA)
        #expect(try Envelope.open(sealed, with: key, context: organizationA) == Data())
    }

    @Test func wrongKeyFails() throws {
        let sealed = try Envelope.seal(token, with: Envelope.newDataKey(), context: organizationA)
        #expect(throws: KeyVaultError.authenticationFailed) {
            try Envelope.open(sealed, with: Envelope.newDataKey(), context: organizationA)
        }
    }

    @Test func wrongContextFails() throws {
        let key = Envelope.newDataKey()
        let sealed = try Envelope.seal(token, with: key, context: organizationA)
        #expect(throws: KeyVaultError.authenticationFailed) {
            try Envelope.open(sealed, with: key, context: organizationB)
        }
    }

    @Test func everyTamperedByteFails() throws {
        let key = Envelope.newDataKey()
        let sealed = try Envelope.seal(token, with: key, context: organizationA)
        // Byte 0 is the version (its own error, below); every other byte is authenticated.
        for index in 1..<sealed.count {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: KeyVaultError.authenticationFailed) {
                try Envelope.open(tampered, with: key, context: organizationA)
            }
        }
    }

    @Test func truncatedInputFails() throws {
        let key = Envelope.newDataKey()
        let sealed = try Envelope.seal(token, with: key, context: organizationA)
        #expect(throws: KeyVaultError.truncated(length: 0)) {
            try Envelope.open(Data(), with: key, context: organizationA)
        }
        #expect(throws: KeyVaultError.truncated(length: 28)) {
            try Envelope.open(sealed.prefix(28), with: key, context: organizationA)
        }
        // Long enough to parse, but the tag no longer matches.
        #expect(throws: KeyVaultError.authenticationFailed) {
            try Envelope.open(sealed.dropLast(), with: key, context: organizationA)
        }
    }

    @Test func unknownVersionFails() throws {
        let key = Envelope.newDataKey()
        var sealed = try Envelope.seal(token, with: key, context: organizationA)
        sealed[0] = 2
        #expect(throws: KeyVaultError.unknownVersion(2)) {
            try Envelope.open(sealed, with: key, context: organizationA)
        }
    }

    @Test func onlyAES256KeysAreAccepted() {
        let short = SymmetricKey(size: .bits128)
        #expect(throws: KeyVaultError.invalidKeySize(bits: 128)) {
            try Envelope.seal(token, with: short, context: organizationA)
        }
    }

    @Test func organizationsCannotOpenEachOthersValues() async throws {
        let provider = try LocalKeyProvider(masterKeyFile: TemporaryDirectory().url.appendingPathComponent("master.key"))
        let keyA = Envelope.newDataKey()
        let keyB = Envelope.newDataKey()
        let wrappedA = try await provider.wrap(keyA, context: organizationA)
        let wrappedB = try await provider.wrap(keyB, context: organizationB)
        let sealedA = try Envelope.seal(token, with: try await provider.unwrap(wrappedA, context: organizationA), context: organizationA)
        let sealedB = try Envelope.seal(token, with: try await provider.unwrap(wrappedB, context: organizationB), context: organizationB)

        // B's key on A's value, and A's key on B's value, each with either context.
        for (sealed, key) in [(sealedA, keyB), (sealedB, keyA)] {
            for context in [organizationA, organizationB] {
                #expect(throws: KeyVaultError.authenticationFailed) { try Envelope.open(sealed, with: key, context: context) }
            }
        }
        // A wrapped key copied to the other organization's row does not unwrap.
        await #expect(throws: KeyVaultError.authenticationFailed) { try await provider.unwrap(wrappedA, context: organizationB) }
    }

    @Test func errorMessagesAreClear() {
        #expect(KeyVaultError.unknownVersion(7).description == "sealed value has unknown format version 7")
        #expect(KeyVaultError.authenticationFailed.description.contains("wrong key, wrong context"))
    }
}
