import ADSappCore
import Foundation

enum NewOrganizationPage {
    struct Model {
        var name = ""
        var error: String?
    }
}
