import Testing
@testable import KeyVault
