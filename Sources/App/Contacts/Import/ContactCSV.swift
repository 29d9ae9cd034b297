import CSV
import Foundation

/// How an uploaded file's bytes are text.
enum CSVEncoding: String, Codable, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    /// What Excel writes on Windows when "CSV" is chosen without "UTF-8".
    case windows1252 = "windows-1252"
}

/// Reading and writing contact CSV files: encoding and delimiter detection, and the readers
/// (CSV.swift's `CSVReader`, never a hand-written parser).
enum ContactCSV {
    static let delimiters: [Character] = [",", ";", "\t", "|"]

    /// UTF-8 with a byte order mark, plain UTF-8 when the bytes are valid UTF-8, else Windows-1252.
    static func detectEncoding(_ data: Data) -> CSVEncoding {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
        return String(validating: data, as: UTF8.self) == nil ? .windows1252 : .utf8
    }

    /// The candidate that occurs most often outside quotes in the first line (`,` on a tie or none).
    static func detectDelimiter(_ text: Substring) -> Character {
        var counts: [Character: Int] = [:]
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle(); continue }
            if !quoted, character == "\n" || character == "\r\n" || character == "\r" { break }
            if !quoted, delimiters.contains(character) { counts[character, default: 0] += 1 }
        }
        return delimiters.max { counts[$0, default: 0] < counts[$1, default: 0] }.flatMap { counts[$0, default: 0] > 0 ? $0 : nil } ?? ","
    }

    /// The file's bytes as UTF-8 without a byte order mark.
    static func utf8(_ data: Data, encoding: CSVEncoding) -> Data {
        switch encoding {
        case .utf8: data
        case .utf8BOM: data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        case .windows1252: windows1252ToUTF8(data)
        }
    }

    /// Windows-1252 is one byte per character: 0x80...0x9F hold the table below (five are unused and
    /// read as U+FFFD), every other byte is the Unicode scalar of the same number.
    static func windows1252ToUTF8(_ data: Data) -> Data {
        var out = Data()
        out.reserveCapacity(data.count + data.count / 8)
        for byte in data {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar: UInt32 = (0x80...0x9F).contains(byte) ? cp1252High[Int(byte) - 0x80] : UInt32(byte)
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
        }
        return out
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// A streaming reader over UTF-8 bytes; rows come one at a time with `next()`.
    static func reader(_ utf8: Data, delimiter: String) throws -> CSVReader {
        let scalar = delimiter.unicodeScalars.first ?? ","
        return try CSVReader(stream: InputStream(data: utf8), hasHeaderRow: false, trimFields: false, delimiter: scalar)
    }

    /// A cell as it may go into a spreadsheet: one starting with `=`, `+`, `-`, `@` (or a tab or
    /// carriage return) is prefixed with `'` so Excel shows it instead of running it as a formula.
    static func neutralized(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        return "'" + cell
    }

    /// A cell read back from a file we wrote: the `'` that `neutralized` added goes again.
    static func unneutralized(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let second = cell.unicodeScalars.dropFirst().first, "=+-@\t\r".unicodeScalars.contains(second) else { return cell }
        return String(cell.dropFirst())
    }

    /// The UTF-8 byte order mark Excel needs to read a CSV as UTF-8.
    static let byteOrderMark = Data([0xEF, 0xBB, 0xBF])

    /// One CSV line with the writer of CSV.swift (fields quoted where needed, cells neutralized).
    static func line(_ cells: [String], trusted: Set<Int> = []) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, delimiter: ",", newline: .crlf)
        try writer.write(row: cells.enumerated().map { trusted.contains($0.offset) ? $0.element : neutralized($0.element) })
        var data = (stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data) ?? Data()
        data.append(contentsOf: [13, 10])
        return data
    }
}
