import Foundation

/// The confirm step of deleting a segment: which one, and the one button that deletes it.
enum SegmentDeletePage {
    struct Model {
        var id: UUID
        var name: String
    }
}
