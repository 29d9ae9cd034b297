/// The module grid while a symbol is built: function patterns first, then the data, a mask and
/// the format information.
struct QRMatrix {
    let version: Int
    let size: Int
    private(set) var dark: [Bool]
    /// Modules of the finder, timing and alignment patterns and the format and version areas,
    /// which neither data nor masks touch.
    private(set) var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    var dataModuleCount: Int { isFunction.lazy.filter { !$0 }.count }

    subscript(x: Int, y: Int) -> Bool {
        dark[y * size + x]
    }

    private mutating func setFunction(_ x: Int, _ y: Int, _ isDark: Bool) {
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns

    private mutating func drawFunctionPatterns() {
        for index in 0..<size {
            setFunction(6, index, index % 2 == 0)
            setFunction(index, 6, index % 2 == 0)
        }
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)

        let centers = Self.alignmentCenters(version: version)
        let last = centers.count - 1
        for (i, x) in centers.enumerated() {
            for (j, y) in centers.enumerated() {
                // The three corners with finder patterns get none.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }

        // Reserve the format areas (drawn for real once the mask is known) and the dark module.
        drawFormat(bits: 0)
        drawVersion()
    }

    /// A 7×7 finder pattern with its light separator, clipped to the symbol.
    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx
                let y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x, y, ring != 2 && ring != 4)
            }
        }
    }

    /// Row and column centers of the alignment patterns: 6, then evenly spaced (by an even step)
    /// back from size − 7. Version 32's step is the exception the standard's table has.
    static func alignmentCenters(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let size = 17 + 4 * version
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var centers = [6]
        for index in stride(from: count - 2, through: 0, by: -1) { centers.append(size - 7 - index * step) }
        return centers
    }

    /// The version information (versions 7 and up): six bits and a BCH(18, 6) code, twice.
    private mutating func drawVersion() {
        guard version >= 7 else { return }
        let bits = version << 12 | Self.bchRemainder(version, generator: 0x1F25, degree: 12)
        for index in 0..<18 {
            let isDark = (bits >> index) & 1 == 1
            let a = size - 11 + index % 3
            let b = index / 3
            setFunction(a, b, isDark)
            setFunction(b, a, isDark)
        }
    }

    /// The 15 format bits: level and mask, a BCH(15, 5) code, XOR 101010000010010.
    static func formatBits(correction: QRCode.Correction, mask: Int) -> Int {
        let data = QRTables.formatBits(correction) << 3 | mask
        return (data << 10 | bchRemainder(data, generator: 0x537, degree: 10)) ^ 0x5412
    }

    mutating func drawFormat(correction: QRCode.Correction, mask: Int) {
        drawFormat(bits: Self.formatBits(correction: correction, mask: mask))
    }

    /// Bit 0 is the least significant. One copy around the top-left finder, the other split
    /// between the top-right and bottom-left ones, beside the always-dark module.
    private mutating func drawFormat(bits: Int) {
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { setFunction(8, index, bit(index)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for index in 9..<15 { setFunction(14 - index, 8, bit(index)) }

        for index in 0..<8 { setFunction(size - 1 - index, 8, bit(index)) }
        for index in 8..<15 { setFunction(8, size - 15 + index, bit(index)) }
        setFunction(8, size - 8, true)
    }

    private static func bchRemainder(_ value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value << degree
        for shift in stride(from: 30, through: degree, by: -1) where (remainder >> shift) & 1 == 1 {
            remainder ^= generator << (shift - degree)
        }
        return remainder
    }

    // MARK: Data and masks

    /// Codeword bits, most significant first, in the zigzag of two-module columns from the bottom
    /// right, up and down in turn, stepping over the vertical timing pattern. Remainder bits stay light.
    mutating func placeData(_ codewords: [UInt8]) {
        var bitIndex = 0
        let bitCount = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = ((right + 1) & 2) == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bitIndex < bitCount {
                        dark[y * size + x] = (codewords[bitIndex / 8] >> UInt8(7 - bitIndex % 8)) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    static func maskCondition(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (x * y) % 2 + (x * y) % 3 == 0
        case 6: ((x * y) % 2 + (x * y) % 3) % 2 == 0
        default: ((x + y) % 2 + (x * y) % 3) % 2 == 0
        }
    }

    /// XORs the mask into the data modules (applying it twice undoes it).
    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Self.maskCondition(mask, x: x, y: y) {
                dark[y * size + x].toggle()
            }
        }
    }

    /// The mask with the lowest penalty, with the format information drawn as it would be; ties go
    /// to the lower mask number.
    mutating func bestMask(correction: QRCode.Correction) -> Int {
        var best = 0
        var bestScore = Int.max
        for mask in 0..<8 {
            apply(mask: mask)
            drawFormat(correction: correction, mask: mask)
            let score = penalty()
            if score < bestScore {
                best = mask
                bestScore = score
            }
            apply(mask: mask)
        }
        return best
    }

    func penalty() -> Int { Self.penalty(dark, size: size) }

    /// The four penalty rules of ISO/IEC 18004 section 7.8.3, for a grid stored row by row.
    static func penalty(_ dark: [Bool], size: Int) -> Int {
        var score = 0
        var line = [Bool](repeating: false, count: size)
        for horizontal in [true, false] {
            for a in 0..<size {
                for b in 0..<size { line[b] = horizontal ? dark[a * size + b] : dark[b * size + a] }
                score += runPenalty(line) + finderLikePenalty(line)
            }
        }
        // Rule 2: 3 for every 2×2 block of one colour (overlapping blocks each count).
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = dark[y * size + x]
                if color == dark[y * size + x + 1] && color == dark[(y + 1) * size + x] && color == dark[(y + 1) * size + x + 1] {
                    score += 3
                }
            }
        }
        // Rule 4: 10 for every full 5 % the share of dark modules is away from 50 %.
        let darkCount = dark.lazy.filter { $0 }.count
        let total = size * size
        score += abs(darkCount * 20 - total * 10) / total * 10
        return score
    }

    /// Rule 1: a run of five or more modules of one colour scores 3, plus 1 per module past five.
    private static func runPenalty(_ line: [Bool]) -> Int {
        var score = 0
        var run = 1
        for index in 1...line.count {
            if index < line.count && line[index] == line[index - 1] {
                run += 1
            } else {
                if run >= 5 { score += run - 2 }
                run = 1
            }
        }
        return score
    }

    /// Rule 3: 40 for each dark-light-dark×3-light-dark (1:1:3:1:1) run preceded or followed by
    /// four light modules, the quiet zone outside the symbol counting as light.
    private static func finderLikePenalty(_ line: [Bool]) -> Int {
        let pattern: [Bool] = [true, false, true, true, true, false, true]
        var score = 0
        func isLight(_ index: Int) -> Bool { index < 0 || index >= line.count || !line[index] }
        for start in 0...(line.count - 7) where (0..<7).allSatisfy({ line[start + $0] == pattern[$0] }) {
            if (1...4).allSatisfy({ isLight(start - $0) }) || (1...4).allSatisfy({ isLight(start + 6 + $0) }) { score += 40 }
        }
        return score
    }
}
