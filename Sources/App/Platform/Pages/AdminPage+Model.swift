import ADSappCore
import Foundation

/// The platform operator's list of every organization, with the platform's WhatsApp number and a
/// form per organization to assign it (`PlatformAdminController.assignNumber`).
enum AdminPage {
    struct Row {
        var name: String
        var created: Date
        var memberCount: Int
        var id: UUID? = nil
    }

    /// `WHATSAPP_PHONE_NUMBER_ID`, and the organization it is connected to, if any.
    struct PlatformNumber {
        var phoneNumberID: String
        var organizationID: UUID?
        var organizationName: String?
    }

    struct Model {
        var rows: [Row]
        var number: PlatformNumber?
        var notice: String?
        var error: String?
    }
}
