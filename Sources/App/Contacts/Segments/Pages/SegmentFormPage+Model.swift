import Foundation

/// `/contacts/segments/new` and `/contacts/segments/:id`: a segment's name and filter, with the
/// number of contacts it selects (rendered here, kept live by `segments.js` while editing).
enum SegmentFormPage {
    struct Model {
        /// Nil for a new segment.
        var segmentID: UUID?
        var name: String
        /// The filter as typed (or as saved), so a refused form shows back what was sent.
        var filter: ContactFilterControls.Values
        var options: ContactFilterControls.Options
        /// How many contacts the filter selects; nil when the filter is not valid.
        var count: Int?
        /// The contact list with this filter ("Show these contacts").
        var contactsURL: String
        var nameError: String?
        var error: String?
    }
}
