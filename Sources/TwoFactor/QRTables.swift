/// The block structure of each version and level, from ISO/IEC 18004's table 9.
enum QRTables {
    /// Error correction codewords in each block, by level, for versions 1–40.
    private static let eccPerBlock: [QRCode.Correction: [Int]] = [
        .low: [
            7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        .medium: [
            10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        .quartile: [
            13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        .high: [
            17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    /// Blocks the codewords are split into, by level, for versions 1–40.
    private static let blocks: [QRCode.Correction: [Int]] = [
        .low: [
            1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        .medium: [
            1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        .quartile: [
            1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        .high: [
            1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]

    /// Codewords per version: the modules the function patterns leave, in whole bytes. Three finders
    /// with separators (64 each), two timing lines between them, 31 format modules (with the dark
    /// one), 5×5 alignment patterns (less the timing modules under them) and, from version 7, two
    /// 6×3 version blocks. `QRCodeTests` checks this against the modules `QRMatrix` draws.
    static func totalCodewords(version: Int) -> Int {
        let size = 17 + 4 * version
        let centers = version == 1 ? 0 : version / 7 + 2
        let alignment = version == 1 ? 0 : 25 * (centers * centers - 3) - 10 * (centers - 2)
        let function = 3 * 64 + 2 * (size - 16) + 31 + alignment + (version >= 7 ? 36 : 0)
        return (size * size - function) / 8
    }

    static func eccCodewordsPerBlock(version: Int, correction: QRCode.Correction) -> Int { eccPerBlock[correction]![version - 1] }
    static func blockCount(version: Int, correction: QRCode.Correction) -> Int { blocks[correction]![version - 1] }

    static func dataCodewords(version: Int, correction: QRCode.Correction) -> Int {
        totalCodewords(version: version) - eccCodewordsPerBlock(version: version, correction: correction) * blockCount(version: version, correction: correction)
    }

    /// The two bits of the level in the format information (not in the levels' order).
    static func formatBits(_ correction: QRCode.Correction) -> Int {
        switch correction {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

/// Reed–Solomon codes over GF(256) with the QR code's field polynomial x⁸+x⁴+x³+x²+1.
enum ReedSolomon {
    private static let tables: (exp: [UInt8], log: [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for power in 0..<255 {
            exp[power] = UInt8(value)
            log[value] = power
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 { exp[power] = exp[power - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return tables.exp[tables.log[Int(a)] + tables.log[Int(b)]]
    }

    /// (x − α⁰)(x − α¹)…(x − α^(degree−1)): coefficients from the highest power, leading 1 left out.
    static func generator(degree: Int) -> [UInt8] {
        var coefficients: [UInt8] = [1]
        for power in 0..<degree {
            let root = tables.exp[power]
            var next = [UInt8](repeating: 0, count: coefficients.count + 1)
            for (index, coefficient) in coefficients.enumerated() {
                next[index] ^= coefficient
                next[index + 1] ^= multiply(coefficient, root)
            }
            coefficients = next
        }
        return Array(coefficients.dropFirst())
    }

    /// The remainder of data·x^degree divided by the generator: the error correction codewords.
    static func remainder(of data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in generator.indices { remainder[index] ^= multiply(generator[index], factor) }
        }
        return remainder
    }
}
