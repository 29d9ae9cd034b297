/// A QR code (ISO/IEC 18004) of some text in byte mode, built here so the enrolment page can show
/// the otpauth URI without a service or a script: an SVG rendered on the server.
///
/// The smallest version (1–40) that holds the text at the asked error correction level is chosen,
/// and of the eight masks the one with the lowest penalty score (the standard's four rules).
public struct QRCode: Sendable {
    /// How much of the symbol may be damaged and still read: about 7 %, 15 %, 25 % or 30 %.
    public enum Correction: Sendable, CaseIterable {
        case low, medium, quartile, high
    }

    public enum Error: Swift.Error, Equatable {
        /// The data does not fit in a version-40 symbol (or the forced version) at this level.
        case tooLong(bytes: Int, maximum: Int)
        case invalidVersion(Int)
        case invalidMask(Int)
    }

    /// Modules per side, without the quiet zone: 21 for version 1 up to 177 for version 40.
    public let size: Int
    /// 1 to 40.
    public let version: Int
    /// The data mask pattern, 0 to 7.
    public let mask: Int
    public let correction: Correction
    /// Row by row, `true` for dark.
    private let modules: [Bool]

    /// The text as UTF-8 in byte mode, in the smallest version that holds it, with the best mask.
    public init(text: String, correction: Correction = .medium) throws {
        try self.init(bytes: Array(text.utf8), correction: correction)
    }

    /// The bytes in byte mode. `version` and `mask` force a version (the data must fit) and a mask
    /// instead of choosing them: for comparing with other encoders module for module.
    public init(bytes: [UInt8], correction: Correction = .medium, version: Int? = nil, mask: Int? = nil) throws {
        if let version, !(1...40).contains(version) { throw Error.invalidVersion(version) }
        if let mask, !(0...7).contains(mask) { throw Error.invalidMask(mask) }
        let chosen = try version ?? Self.smallestVersion(for: bytes.count, correction: correction)
        let capacity = Self.byteCapacity(version: chosen, correction: correction)
        guard bytes.count <= capacity else {
            throw Error.tooLong(bytes: bytes.count, maximum: version == nil ? Self.byteCapacity(version: 40, correction: correction) : capacity)
        }
        let codewords = Self.codewords(for: bytes, version: chosen, correction: correction)
        var builder = QRMatrix(version: chosen)
        builder.placeData(codewords)
        let chosenMask = mask ?? builder.bestMask(correction: correction)
        builder.apply(mask: chosenMask)
        builder.drawFormat(correction: correction, mask: chosenMask)
        self.size = builder.size
        self.version = chosen
        self.mask = chosenMask
        self.correction = correction
        self.modules = builder.dark
    }

    /// Whether the module in column `x`, row `y` (from the top left, 0 ..< size) is dark.
    public func isDark(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "(\(x), \(y)) is outside the \(size)×\(size) symbol")
        return modules[y * size + x]
    }

    /// The most bytes a symbol of this version holds in byte mode at this level.
    public static func byteCapacity(version: Int, correction: Correction) -> Int {
        let bits = QRTables.dataCodewords(version: version, correction: correction) * 8 - 4 - countBits(version: version)
        return min(bits / 8, (1 << countBits(version: version)) - 1)
    }

    /// The byte-mode character count field: 8 bits up to version 9, 16 from version 10.
    private static func countBits(version: Int) -> Int {
        version <= 9 ? 8 : 16
    }

    private static func smallestVersion(for byteCount: Int, correction: Correction) throws -> Int {
        guard let version = (1...40).first(where: { byteCapacity(version: $0, correction: correction) >= byteCount }) else {
            throw Error.tooLong(bytes: byteCount, maximum: byteCapacity(version: 40, correction: correction))
        }
        return version
    }

    /// The data codewords (mode, count, bytes, terminator, padding) split into blocks, each with its
    /// Reed–Solomon codewords, interleaved in the order they are placed.
    private static func codewords(for bytes: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let dataCount = QRTables.dataCodewords(version: version, correction: correction)
        var bits = BitWriter()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: countBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, dataCount * 8 - bits.count))  // terminator, as much as fits
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        var padding: UInt8 = 0xEC
        while data.count < dataCount {
            data.append(padding)
            padding = padding == 0xEC ? 0x11 : 0xEC
        }

        let blockCount = QRTables.blockCount(version: version, correction: correction)
        let eccPerBlock = QRTables.eccCodewordsPerBlock(version: version, correction: correction)
        let total = QRTables.totalCodewords(version: version)
        let shortBlocks = blockCount - total % blockCount
        let shortDataLength = total / blockCount - eccPerBlock
        let generator = ReedSolomon.generator(degree: eccPerBlock)
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<blockCount {
            let length = shortDataLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[start..<(start + length)])
            start += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(of: block, generator: generator))
        }
        var result: [UInt8] = []
        result.reserveCapacity(total)
        for column in 0..<(shortDataLength + 1) {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<eccPerBlock {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }
}

/// Bits written most significant first.
private struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count bitCount: Int) {
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}
