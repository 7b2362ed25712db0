import Foundation
import TensorCore

// The IDX format of the MNIST files (LeCun et al., http://yann.lecun.com/exdb/mnist/):
//   0x00 0x00 | type code | dimension count D | D sizes as UInt32 big-endian | data, big-endian, row-major
// Type codes: 0x08 UInt8, 0x09 Int8, 0x0B Int16, 0x0C Int32, 0x0D Float32, 0x0E Float64.
// MNIST images are `[N, 28, 28]` UInt8 (0–255), labels `[N]` UInt8.

/// The element types of an IDX file.
public enum IDXElementType: UInt8, Sendable, CaseIterable {
    case unsignedByte = 0x08, signedByte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .unsignedByte, .signedByte: return 1
        case .short: return 2
        case .int, .float: return 4
        case .double: return 8
        }
    }
}

extension Tensor {
    /// Reads an IDX file (MNIST's format), converting its elements to Float (bytes stay 0–255:
    /// scale them yourself, e.g. `/ 255`).
    public init(contentsOfIDX url: URL) throws(DataLoadingError) {
        let file: InputFile
        do { file = try InputFile(url) } catch { throw .cannotRead(path: url.path, reason: error.reason) }
        do {
            // The header (at most 4 + 4·255 bytes) first: a foreign or oversized file is refused
            // before anything else is read.
            let layout = try IDXLayout(reading: file.prefix(4 + 4 * 255), fileSize: file.size)
            self = try layout.decode(try file.contents())
        } catch let error as FileReadError {
            throw .cannotRead(path: url.path, reason: error.reason)
        } catch let error as DataLoadingError {
            throw error
        } catch {
            throw .cannotRead(path: url.path, reason: "\(error)")
        }
    }

    /// Decodes IDX bytes (big-endian, as the MNIST files).
    public init(idxData data: Data) throws(DataLoadingError) {
        self = try IDXLayout(reading: data, fileSize: data.count).decode(data)
    }

    /// The tensor as IDX bytes of the given element type (values are rounded and clamped to the
    /// type's range for the integer types).
    public func idxData(elementType: IDXElementType = .float) -> Data {
        checkPrecondition(rank <= 255, "idxData: rank \(rank) exceeds the format's 255 dimensions")
        var bytes: [UInt8] = [0, 0, elementType.rawValue, UInt8(rank)]
        for size in shape { bytes += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
        for value in scalars {
            switch elementType {
            case .unsignedByte: bytes.append(UInt8(Swift.min(255, Swift.max(0, value.rounded()))))
            case .signedByte: bytes.append(UInt8(bitPattern: Int8(Swift.min(127, Swift.max(-128, value.rounded())))))
            case .short:
                bytes += withUnsafeBytes(of: Int16(Swift.min(32767, Swift.max(-32768, value.rounded()))).bigEndian,
                                         Array.init)
            case .int:
                bytes += withUnsafeBytes(of: Int32(Swift.min(2.1e9, Swift.max(-2.1e9, value.rounded()))).bigEndian,
                                         Array.init)
            case .float: bytes += withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init)
            case .double: bytes += withUnsafeBytes(of: Double(value).bitPattern.bigEndian, Array.init)
            }
        }
        return Data(bytes)
    }

    /// Writes the tensor as an IDX file, atomically.
    public func writeIDX(to url: URL, elementType: IDXElementType = .float) throws {
        try writeAtomically(idxData(elementType: elementType), to: url)
    }
}

/// What an IDX file declares in its header, checked against the file's size.
struct IDXLayout {
    var type: IDXElementType
    var shape: [Int]
    var headerSize: Int
    var count: Int

    /// Parses the header at the start of `bytes` (a prefix of the file, or all of it) and checks that
    /// a file of `fileSize` bytes holds exactly the data it declares.
    init(reading data: Data, fileSize: Int) throws(DataLoadingError) {
        let bytes = [UInt8](data.prefix(4 + 4 * 255))
        guard bytes.count >= 4 else {
            throw .malformed(format: "IDX", reason: "\(bytes.count) bytes, shorter than the 4-byte magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw .malformed(format: "IDX",
                             reason: "the magic number must start with two zero bytes, found \(bytes[0]), \(bytes[1])")
        }
        guard let type = IDXElementType(rawValue: bytes[2]) else {
            throw .malformed(format: "IDX", reason: "unknown element type code 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .malformed(format: "IDX",
                             reason: "the header declares \(rank) dimensions but the file ends after "
                             + "\(bytes.count) bytes")
        }
        shape = (0..<rank).map { axis in
            let offset = 4 + 4 * axis
            return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
        }
        // Every stride must fit too (a zero dimension beside huge ones holds no data but cannot be indexed).
        guard let count = Tensor.elementCount(of: shape), count <= Int(Int32.max) else {
            throw .malformed(format: "IDX", reason: "shape \(shape) is too large")
        }
        let expected = headerSize + count * type.byteCount
        guard fileSize == expected else {
            throw .malformed(format: "IDX",
                             reason: "shape \(shape) of \(type) needs \(expected) bytes, the file has \(fileSize)")
        }
        self.type = type
        self.count = count
    }

    /// The tensor in `data` (the whole file, of the size checked in `init`).
    func decode(_ data: Data) throws(DataLoadingError) -> Tensor {
        guard data.count >= headerSize + count * type.byteCount else {
            throw .malformed(format: "IDX",
                             reason: "the file has \(data.count) bytes, its header needs "
                             + "\(headerSize + count * type.byteCount)")
        }
        var scalars = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for i in 0..<count {
                let offset = headerSize + i * type.byteCount
                func bigEndian(_ byteCount: Int) -> UInt64 {
                    (0..<byteCount).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
                }
                switch type {
                case .unsignedByte: scalars[i] = Float(bytes[offset])
                case .signedByte: scalars[i] = Float(Int8(bitPattern: bytes[offset]))
                case .short: scalars[i] = Float(Int16(bitPattern: UInt16(bigEndian(2))))
                case .int: scalars[i] = Float(Int32(bitPattern: UInt32(bigEndian(4))))
                case .float: scalars[i] = Float(bitPattern: UInt32(bigEndian(4)))
                case .double: scalars[i] = Float(Double(bitPattern: bigEndian(8)))
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}

extension MultiDigit {
    /// MultiMNIST from real digit images (e.g. MNIST read with `Tensor(contentsOfIDX:)`), as Sener &
    /// Koltun build it: each sample overlays two randomly chosen images on an `(S + 8)²` canvas, one
    /// at the top-left corner and one shifted 8 pixels right and down, combined by maximum.
    ///
    /// Shapes: `images` `[M, S, S]` (any scale; MNIST's 0–255 is kept), `labels` `[M]` → inputs
    /// `[N, 1, S + 8, S + 8]` and the `left`/`right` labels `[N]`.
    public static func overlaying(images: Tensor, labels: Tensor, sampleCount: Int,
                                  seed: UInt64) throws(DataLoadingError) -> MultiTaskDataset {
        guard images.rank == 3, images.shape[1] == images.shape[2], images.shape[0] > 0 else {
            throw .malformed(format: "MultiMNIST", reason: "images must be [M, S, S] with M > 0, got \(images.shape)")
        }
        guard labels.shape == [images.shape[0]] else {
            throw .malformed(format: "MultiMNIST", reason: "labels \(labels.shape) do not match images \(images.shape)")
        }
        for (row, label) in labels.scalars.enumerated() where label.rounded() != label || label < 0 || label > 9 {
            throw .invalidLabel(task: "digit", row: row + 1, value: label, expected: "a digit 0–9")
        }
        let side = images.shape[1], canvas = side + 8
        var generator = SeededGenerator(seed: seed)
        let pairs = (0..<sampleCount).map { _ in
            (generator.nextInt(below: images.shape[0]), generator.nextInt(below: images.shape[0]))
        }
        let inputs = Tensor(count: sampleCount, itemShape: [1, canvas, canvas]) { index, pixels in
            for i in pixels.indices { pixels[i] = 0 }
            for (image, shift) in [(pairs[index].0, 0), (pairs[index].1, 8)] {
                for y in 0..<side {
                    for x in 0..<side {
                        let value = images.scalars[(image * side + y) * side + x]
                        let target = (y + shift) * canvas + x + shift
                        pixels[target] = Swift.max(pixels[target], value)
                    }
                }
            }
        }
        return MultiTaskDataset(tasks: tasks, inputs: inputs,
                                targets: [Tensor(pairs.map { labels.scalars[$0.0] }),
                                          Tensor(pairs.map { labels.scalars[$0.1] })])
    }
}
