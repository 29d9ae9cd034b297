import Foundation
import Jobs

/// The progress of one long job of the organization, kept live by `progress.js`.
enum JobPage {
    struct Model {
        var id: UUID
        var kind: String
        var state: JobState
        var progress: Double
        var message: String?
    }
}
