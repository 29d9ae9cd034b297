import Testing
@testable import WhatsAppCloud
