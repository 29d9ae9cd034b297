import Testing
@testable import WhatsAppSimulator
