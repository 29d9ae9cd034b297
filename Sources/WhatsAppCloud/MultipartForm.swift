import Foundation

/// A multipart/form-data body (RFC 7578) with text fields and one file.
struct MultipartForm {
    var fields: [(name: String, value: String)]
    var file: (name: String, filename: String, mimeType: String, data: Data)
    var boundary = "adsapp-" + UUID().uuidString

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func body() -> Data {
        var body = Data()
        func append(_ text: String) { body.append(contentsOf: Array(text.utf8)) }
        for field in fields {
            append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(field.name))\"\r\n\r\n\(field.value)\r\n")
        }
        append("--\(boundary)\r\n")
        append("Content-Disposition: form-data; name=\"\(Self.quoted(file.name))\"; filename=\"\(Self.quoted(file.filename))\"\r\n")
        append("Content-Type: \(file.mimeType)\r\n\r\n")
        body.append(file.data)
        append("\r\n--\(boundary)--\r\n")
        return body
    }

    /// Quotes and line breaks cannot appear inside a quoted header parameter.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }
}
