import Foundation

// The NumPy `.npy` format (numpy.lib.format, versions 1.0–3.0):
//   "\x93NUMPY" | major | minor | header length (UInt16 LE for 1.x, UInt32 LE for 2.x/3.x)
//   | header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//     padded with spaces and a final newline so that the data starts at a multiple of 64 bytes
//   | data, row-major (or column-major when fortran_order is True).
// We write version 1.0, little-endian Float32 ('<f4'). We read float16/32/64, signed and unsigned
// integers of 1–8 bytes and booleans in either byte order, converting to Float32.

/// Why a `.npy` file could not be read.
public enum NPYError: Error, CustomStringConvertible, Equatable {
    case cannotRead(path: String, reason: String)
    case notNPY
    case unsupportedVersion(major: UInt8, minor: UInt8)
    case truncated(expectedBytes: Int, foundBytes: Int, part: String)
    case malformedHeader(String)
    case unsupportedType(String)

    /// The reason in plain words, with the path where there is one (e.g. "cannot read x.npy: is a directory").
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .notNPY: return "not a .npy file (the magic string \\x93NUMPY is missing)"
        case .unsupportedVersion(let major, let minor):
            return ".npy format version \(major).\(minor) is not supported (1.0, 2.0, 3.0 are)"
        case .truncated(let expected, let found, let part):
            return ".npy file truncated in its \(part): expected \(expected) bytes, found \(found)"
        case .malformedHeader(let reason): return "malformed .npy header: \(reason)"
        case .unsupportedType(let descr):
            return ".npy data type '\(descr)' is not supported (floats, integers and booleans are)"
        }
    }
}

extension Tensor {
    /// The tensor encoded as a `.npy` file (version 1.0, little-endian float32).
    public func npyData() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        scalars.withUnsafeBufferPointer { buffer in
            for value in buffer {
                let bits = value.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes the tensor as a `.npy` file, atomically.
    public func writeNPY(to url: URL) throws {
        try writeAtomically(npyData(), to: url)
    }

    /// Reads a `.npy` file: the preamble and header are read and checked first, the declared data
    /// size is compared with the file's size, and only then is the data read (once) and decoded (see
    /// `InputFile`), so a huge or foreign file is refused without being read.
    public init(contentsOfNPY url: URL) throws {
        let file: InputFile
        do { file = try InputFile(url) } catch { throw NPYError.cannotRead(path: url.path, reason: error.reason) }
        do {
            let layout = try NPYLayout(reading: file.prefix(NPYLayout.longestPrefix))
            let needed = layout.dataStart + layout.elementCount * layout.header.itemSize
            guard file.size >= needed else {
                throw NPYError.truncated(expectedBytes: needed - layout.dataStart,
                                         foundBytes: file.size - layout.dataStart,
                                         part: "data")
            }
            // Only the declared bytes are read: trailing bytes (a file padded or grown) cost nothing.
            let data = try file.prefix(needed)
            guard data.count == needed else {
                throw NPYError.truncated(expectedBytes: needed - layout.dataStart,
                                         foundBytes: data.count - layout.dataStart, part: "data")
            }
            self = try layout.decode(data)
        } catch let error as FileReadError {
            throw NPYError.cannotRead(path: url.path, reason: error.reason)
        }
    }

    /// Decodes the bytes of a `.npy` file (any version 1.0–3.0, the types listed at the top of this
    /// file, either byte order and either memory order).
    public init(npyData data: Data) throws {
        let layout = try NPYLayout(reading: data)
        let needed = layout.elementCount * layout.header.itemSize
        guard data.count - layout.dataStart >= needed else {
            throw NPYError.truncated(expectedBytes: needed, foundBytes: data.count - layout.dataStart, part: "data")
        }
        self = try layout.decode(data)
    }
}

/// Where a `.npy` file's data starts and what it declares, from its preamble and header alone.
struct NPYLayout {
    /// Headers longer than this are refused (NumPy writes a few hundred bytes at most).
    static let maximumHeaderLength = 1 << 20
    /// The most bytes `init(reading:)` needs: the preamble and the longest header.
    static let longestPrefix = 12 + maximumHeaderLength
    var header: NPYHeader
    var dataStart: Int
    var elementCount: Int

    /// Parses the preamble and header at the start of `bytes` (which may be only a prefix of the file).
    init(reading data: Data) throws {
        let bytes = [UInt8](data.prefix(NPYLayout.longestPrefix))
        guard bytes.count >= 8 else {
            throw NPYError.truncated(expectedBytes: 10, foundBytes: bytes.count, part: "preamble")
        }
        guard bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { throw NPYError.notNPY }
        let (major, minor) = (bytes[6], bytes[7])
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw NPYError.unsupportedVersion(major: major, minor: minor)
        }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else {
            throw NPYError.truncated(expectedBytes: 8 + lengthSize, foundBytes: bytes.count, part: "preamble")
        }
        var headerLength = 0
        for k in 0..<lengthSize { headerLength |= Int(bytes[8 + k]) << (8 * k) }
        guard headerLength <= NPYLayout.maximumHeaderLength else {
            throw NPYError.malformedHeader("a header of \(headerLength) bytes (at most "
                                           + "\(NPYLayout.maximumHeaderLength) are read)")
        }
        let headerStart = 8 + lengthSize
        guard bytes.count >= headerStart + headerLength else {
            throw NPYError.truncated(expectedBytes: headerStart + headerLength, foundBytes: bytes.count, part: "header")
        }
        guard let text = String(bytes: bytes[headerStart..<(headerStart + headerLength)],
                                encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw NPYError.malformedHeader("not text")
        }
        header = try NPYHeader(parsing: text)
        dataStart = headerStart + headerLength
        // The count must fit, and so must every stride of the shape (see `Tensor.elementCount(of:)`).
        guard let count = Tensor.elementCount(of: header.shape), count <= Int(Int32.max) else {
            throw NPYError.malformedHeader("shape \(header.shape) is too large")
        }
        elementCount = count
    }

    /// The tensor whose data starts at `dataStart` in `data` (which holds at least all of it).
    func decode(_ data: Data) throws -> Tensor {
        let needed = dataStart + elementCount * header.itemSize
        guard data.count >= needed else {
            throw NPYError.truncated(expectedBytes: needed - dataStart, foundBytes: data.count - dataStart,
                                     part: "data")
        }
        let shape = header.shape
        var values = [Float](repeating: 0, count: elementCount)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for i in 0..<elementCount { values[i] = header.decode(bytes, at: dataStart + i * header.itemSize) }
        }
        guard header.fortranOrder && shape.count > 1 else { return Tensor(shape: shape, scalars: values) }
        // Column-major: read with the axes reversed, then put them back in order.
        let reversed = Tensor(shape: shape.reversed(), scalars: values)
        return reversed.permuted(Array((0..<shape.count).reversed()))
    }
}

/// The fields of a `.npy` header dict: the element type, byte order, memory order and shape.
struct NPYHeader {
    enum Kind { case float, signed, unsigned, boolean }
    var kind: Kind
    var itemSize: Int
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing header: String) throws {
        func value(of key: String) throws -> Substring {
            guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
                throw NPYError.malformedHeader("no '\(key)' entry in "
                                               + "\(header.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            var rest = header[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { throw NPYError.malformedHeader("no ':' after '\(key)'") }
            rest = rest.dropFirst().drop { $0 == " " }
            return rest
        }
        // descr: a quoted string such as '<f4'.
        let descrText = try value(of: "descr")
        guard let quote = descrText.first, quote == "'" || quote == "\"",
              let end = descrText.dropFirst().firstIndex(of: quote) else {
            throw NPYError.malformedHeader("descr is not a quoted string")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        let characters = Array(descr)
        guard characters.count >= 3, let size = Int(String(characters[2...])), [1, 2, 4, 8].contains(size) else {
            throw NPYError.unsupportedType(descr)
        }
        switch characters[0] {
        case "<", "|", "=": bigEndian = false
        case ">": bigEndian = true
        default: throw NPYError.unsupportedType(descr)
        }
        switch characters[1] {
        case "f" where size >= 2: kind = .float
        case "i": kind = .signed
        case "u": kind = .unsigned
        case "b" where size == 1: kind = .boolean
        default: throw NPYError.unsupportedType(descr)
        }
        itemSize = size
        // fortran_order: True or False.
        let order = try value(of: "fortran_order")
        if order.hasPrefix("True") {
            fortranOrder = true
        } else if order.hasPrefix("False") {
            fortranOrder = false
        } else {
            throw NPYError.malformedHeader("fortran_order is neither True nor False")
        }
        // shape: a tuple of non-negative integers.
        let shapeText = try value(of: "shape")
        guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw NPYError.malformedHeader("shape is not a tuple")
        }
        let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
        shape = try inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map {
                guard let dimension = Int($0), dimension >= 0 else {
                    throw NPYError.malformedHeader("shape entry '\($0)' is not a size")
                }
                return dimension
            }
        guard shape.count <= 32 else { throw NPYError.malformedHeader("\(shape.count) dimensions") }
    }

    /// The element at `offset`, converted to Float.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Float {
        var raw: UInt64 = 0
        for k in 0..<itemSize {
            let byte = UInt64(bytes[offset + (bigEndian ? itemSize - 1 - k : k)])
            raw |= byte << (8 * UInt64(k))
        }
        switch kind {
        case .boolean: return raw != 0 ? 1 : 0
        case .unsigned: return Float(raw)
        case .signed:
            let shift = UInt64(64 - 8 * itemSize)
            return Float(Int64(bitPattern: raw << shift) >> Int64(shift))
        case .float:
            switch itemSize {
            case 2: return Float(Float16(bitPattern: UInt16(raw)))
            case 4: return Float(bitPattern: UInt32(raw))
            default: return Float(Double(bitPattern: raw))
            }
        }
    }
}
