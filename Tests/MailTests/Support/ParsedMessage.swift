import Foundation
import PythonPeers

/// What `smtp_peer.py --parse` (Python's email package, policy.default) reads in a message.
struct ParsedMessage: Decodable, Sendable {
    struct Address: Decodable, Sendable, Equatable {
        var name: String
        var email: String
    }
    struct Part: Decodable, Sendable {
        var content_type: String
        var charset: String?
        var transfer_encoding: String?
        var content: String
    }
    var subject: String?
    var from: [Address]
    var to: [Address]
    var reply_to: [Address]
    var date: String?
    var message_id: String?
    var content_type: String
    var headers: [[String]]
    var parts: [Part]
    var defects: [String]
    /// Lines longer than 78 characters (RFC 5322's SHOULD; 998 is the MUST).
    var long_lines: [String]
    var bare_newlines: Int

    func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }

    /// A part's text with CRLF line ends read back as LF.
    func content(_ type: String) -> String? {
        parts.first { $0.content_type == type }?.content.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func parse(_ raw: String) throws -> ParsedMessage {
        let output = try PythonPeer.run("smtp_peer.py", ["--parse"], input: Data(raw.utf8))
        return try JSONDecoder().decode(ParsedMessage.self, from: output)
    }
}
