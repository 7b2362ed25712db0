import Foundation
import TensorCore
import Autodiff

// Over 300 lines: the format's writer and its validating reader stay side by side, so that a change
// to the layout is made to both at once.

/// Named tensors and a metadata dictionary in a versioned binary file.
///
/// Layout (little-endian):
/// ```
/// "MTLCKPT\n"                       8-byte magic
/// UInt32 version                     (`formatVersion`)
/// UInt32 n, then n × (key, value)     metadata; a string is UInt32 length + UTF-8 bytes
/// UInt32 m, then m × tensor:         name (string), UInt32 rank, rank × UInt64 dimensions,
///                                    UInt32 CRC-32 of the data, count × Float32 data
/// UInt32 CRC-32 of everything above
/// ```
/// Names: `parameters.<dotted name>`, `buffers.<dotted name>`, `optimizer.<parameter name>.<state key>`,
/// `optimizer.stepCount`. Reading verifies everything before anything is applied to a model.
public struct Checkpoint: Equatable {
    /// The 8 bytes that open every checkpoint file, "MTLCKPT\n".
    public static let magic = Array("MTLCKPT\n".utf8)
    /// The layout version this code writes and the only one it reads (1).
    public static let formatVersion: UInt32 = 1

    /// The stored tensors by name (`parameters.…`, `buffers.…`, `optimizer.…`).
    public var tensors: [String: Tensor]
    /// Free-form string pairs stored beside the tensors (e.g. what `mtl eval` needs to rebuild the run).
    public var metadata: [String: String]

    /// A checkpoint holding `tensors` and `metadata` (write it to a file to save it).
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: Encoding

    /// The checkpoint's bytes (tensors and metadata in sorted key order, so equal checkpoints give
    /// equal files).
    public func serialized() -> Data {
        var bytes = Checkpoint.magic
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func append(_ text: String) { append(UInt32(text.utf8.count)); bytes.append(contentsOf: Array(text.utf8)) }
        append(Checkpoint.formatVersion)
        append(UInt32(metadata.count))
        for key in metadata.keys.sorted() { append(key); append(metadata[key]!) }
        append(UInt32(tensors.count))
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            append(name)
            append(UInt32(tensor.rank))
            for dimension in tensor.shape { append(UInt64(dimension)) }
            var data: [UInt8] = []
            data.reserveCapacity(tensor.count * 4)
            for value in tensor.scalars {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
            append(CRC32.checksum(data))
            bytes += data
        }
        append(CRC32.checksum(bytes))
        return Data(bytes)
    }

    /// Writes the checkpoint atomically (temporary file + rename).
    public func write(to url: URL) throws {
        try writeAtomically(serialized(), to: url)
    }

    // MARK: Decoding

    /// Reads and verifies a checkpoint file. The magic number and version are read first (12 bytes),
    /// so a file that is not a checkpoint is refused without reading the rest; then the lengths the
    /// layout declares are walked with small reads (`checkDeclaredLength`), so a file that holds more
    /// or less than it declares is refused before it is read whole; a checkpoint is then read once
    /// (see `InputFile`) and decoded in place.
    public init(contentsOf url: URL) throws {
        let file: InputFile
        do { file = try InputFile(url) } catch { throw CheckpointError.cannotRead(path: url.path,
            reason: error.reason) }
        do {
            let head = [UInt8](try file.prefix(Checkpoint.magic.count + 4))
            try Checkpoint.checkPreamble(head)
            try Checkpoint.checkDeclaredLength(of: file)
            try self.init(data: file.contents())
        } catch let error as FileReadError {
            throw CheckpointError.cannotRead(path: url.path, reason: error.reason)
        }
    }

    /// Walks the layout's counts and lengths with small reads, skipping strings and tensor data, and
    /// checks that they end where the file's checksum begins. A file with a valid preamble followed by
    /// 2 GB of zeros declares no metadata and no tensors, so it is refused after 20 bytes instead of
    /// being read whole for its checksum. (Only lengths are trusted here, and only to skip; `decode`
    /// checks everything again on the bytes it reads.)
    static func checkDeclaredLength(of file: InputFile) throws {
        let end = file.size - 4
        var offset = Checkpoint.magic.count + 4
        // Length fields are read through a 64 KiB window, so many small entries cost few reads.
        var window = Data(), windowStart = 0
        func integer(_ width: Int, _ what: String) throws -> UInt64 {
            guard end - offset >= width else { throw CheckpointError.truncated(offset: offset, reading: what) }
            if offset < windowStart || offset + width > windowStart + window.count {
                window = try file.bytes(at: offset, count: 1 << 16)
                windowStart = offset
                guard window.count >= width else { throw CheckpointError.truncated(offset: offset, reading: what) }
            }
            let start = window.startIndex + (offset - windowStart)
            offset += width
            return window[start..<(start + width)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        func skip(_ count: UInt64, _ what: String) throws {
            guard count <= UInt64(Swift.max(0, end - offset)) else {
                throw CheckpointError.truncated(offset: offset, reading: what)
            }
            offset += Int(count)
        }
        for _ in 0..<(try integer(4, "the metadata count")) {
            try skip(try integer(4, "a metadata key's length"), "a metadata key")
            try skip(try integer(4, "a metadata value's length"), "a metadata value")
        }
        for _ in 0..<(try integer(4, "the tensor count")) {
            try skip(try integer(4, "a tensor name's length"), "a tensor name")
            let rank = try integer(4, "a tensor's rank")
            guard rank <= 16 else {
                throw CheckpointError.malformed(offset: offset - 4, reason: "a tensor's rank \(rank) is over 16")
            }
            var bytes: UInt64 = 4
            for _ in 0..<rank {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: try integer(8, "a dimension"))
                guard !overflow else { throw CheckpointError.truncated(offset: offset, reading: "a tensor's data") }
                bytes = product
            }
            try skip(4, "a tensor's checksum")
            try skip(bytes, "a tensor's data")
        }
        guard offset == end else {
            throw CheckpointError.malformed(offset: offset, reason: "the layout ends at byte \(offset), but the file "
                                            + "holds \(file.size) bytes (\(end) before its checksum)")
        }
    }

    /// Checks the magic number and the format version at the start of a file.
    static func checkPreamble(_ head: [UInt8]) throws {
        guard head.count >= Checkpoint.magic.count,
              Array(head.prefix(Checkpoint.magic.count)) == Checkpoint.magic else {
            throw CheckpointError.notACheckpoint
        }
        guard head.count >= Checkpoint.magic.count + 4 else {
            throw CheckpointError.truncated(offset: head.count, reading: "the format version")
        }
        let version = head[Checkpoint.magic.count...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard version == Checkpoint.formatVersion else {
            throw CheckpointError.unsupportedVersion(found: version, supported: Checkpoint.formatVersion)
        }
    }

    /// Decodes and verifies checkpoint bytes.
    public init(data: Data) throws {
        let (tensors, metadata) = try data.withUnsafeBytes { raw in
            try Checkpoint.decode(raw.bindMemory(to: UInt8.self))
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> ([String: Tensor], [String: String]) {
        try checkPreamble(Array(bytes.prefix(Checkpoint.magic.count + 4)))
        var reader = ByteReader(bytes: bytes, offset: Checkpoint.magic.count + 4)
        // The whole-file checksum first: any flipped bit or cut is caught before parsing further.
        guard reader.bytes.count >= reader.offset + 4 else {
            throw CheckpointError.truncated(offset: reader.bytes.count, reading: "the checksum")
        }
        let body = reader.bytes.count - 4
        var trailer = ByteReader(bytes: reader.bytes, offset: body)
        guard try trailer.uint32("the checksum") == CRC32.checksum(reader.bytes[0..<body]) else {
            throw CheckpointError.checksumMismatch(part: "the file")
        }
        reader.limit = body
        var metadata: [String: String] = [:]
        let metadataCount = try reader.count("the metadata count", atMost: body)
        for _ in 0..<metadataCount {
            let key = try reader.string("a metadata key")
            guard metadata[key] == nil else {
                throw CheckpointError.malformed(offset: reader.offset,
                                                reason: "metadata key '\(excerpt(key))' appears twice")
            }
            metadata[key] = try reader.string("the metadata value of '\(excerpt(key))'")
        }
        var tensors: [String: Tensor] = [:]
        let tensorCount = try reader.count("the tensor count", atMost: body)
        for _ in 0..<tensorCount {
            let name = try reader.string("a tensor name")
            let rank = try reader.count("the rank of '\(excerpt(name))'", atMost: 16)
            var shape: [Int] = []
            for _ in 0..<rank {
                let dimension = try reader.uint64("a dimension of '\(excerpt(name))'")
                guard dimension <= UInt64(Int32.max) else {
                    throw CheckpointError.malformed(offset: reader.offset,
                                                    reason: "tensor '\(excerpt(name))' has a dimension of \(dimension)")
                }
                shape.append(Int(dimension))
            }
            // The count must fit in the bytes left, and every stride of the shape in an Int.
            guard let elements = Tensor.elementCount(of: shape), elements <= (body - reader.offset) / 4 else {
                throw CheckpointError.malformed(offset: reader.offset,
                                                reason: "tensor '\(excerpt(name))' of shape \(shape) claims more data "
                                                + "than the file holds")
            }
            let checksum = try reader.uint32("the checksum of '\(excerpt(name))'")
            let data = try reader.take(elements * 4, "the data of '\(excerpt(name))'")
            guard CRC32.checksum(data) == checksum else {
                throw CheckpointError.checksumMismatch(part: "tensor '\(excerpt(name))'")
            }
            var scalars = [Float](repeating: 0, count: elements)
            for i in 0..<elements {
                let base = data.startIndex + 4 * i
                let bits = UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16
                    | UInt32(data[base + 3]) << 24
                scalars[i] = Float(bitPattern: bits)
            }
            guard tensors[name] == nil else {
                throw CheckpointError.malformed(offset: reader.offset,
                                                reason: "tensor '\(excerpt(name))' appears twice")
            }
            tensors[name] = Tensor(shape: shape, scalars: scalars)
        }
        guard reader.offset == body else {
            throw CheckpointError.malformed(offset: reader.offset, reason: "\(body - reader.offset) unexpected bytes")
        }
        return (tensors, metadata)
    }
}

/// Reads little-endian values with bounds checks; every failure is a `CheckpointError`.
struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    var limit: Int

    init(bytes: UnsafeBufferPointer<UInt8>, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.limit = bytes.count
    }

    mutating func take(_ count: Int, _ what: String) throws -> Slice<UnsafeBufferPointer<UInt8>> {
        guard count >= 0, count <= limit - offset else {
            throw CheckpointError.truncated(offset: offset, reading: what)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint32(_ what: String) throws -> UInt32 {
        let slice = try take(4, what)
        return slice.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(_ what: String) throws -> UInt64 {
        let slice = try take(8, what)
        return slice.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func count(_ what: String, atMost maximum: Int) throws -> Int {
        let start = offset
        let value = Int(try uint32(what))
        guard value <= maximum else {
            throw CheckpointError.malformed(offset: start, reason: "\(what) \(value) is implausible")
        }
        return value
    }

    mutating func string(_ what: String) throws -> String {
        let start = offset
        let length = try count("the length of \(what)", atMost: limit - offset)
        guard let text = String(bytes: try take(length, what), encoding: .utf8) else {
            throw CheckpointError.malformed(offset: start, reason: "\(what) is not UTF-8")
        }
        return text
    }
}

// MARK: - Models and optimizers

extension Module {
    /// Saves parameters, buffers, optionally the optimizer's state, and `metadata`, atomically.
    public func saveCheckpoint(to url: URL, optimizer: Optimizer? = nil, metadata: [String: String] = [:]) throws {
        try checkpoint(optimizer: optimizer, metadata: metadata).write(to: url)
    }

    /// The model's (and optimizer's) state as a `Checkpoint`.
    public func checkpoint(optimizer: Optimizer? = nil, metadata: [String: String] = [:]) -> Checkpoint {
        var tensors: [String: Tensor] = [:]
        for (name, parameter) in namedParameters() { tensors["parameters.\(name)"] = parameter.value }
        for (name, buffer) in namedBuffers() { tensors["buffers.\(name)"] = buffer.value }
        if let optimizer {
            tensors["optimizer.stepCount"] = Tensor(Float(optimizer.stepCount))
            for (name, parameter) in namedParameters() {
                for (key, value) in optimizer.checkpointState(of: parameter) {
                    tensors["optimizer.\(name).\(key)"] = value
                }
            }
        }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    /// Loads a checkpoint file into this model (and optimizer); returns its metadata. Names and
    /// shapes are all checked first: on any error nothing is changed. Without an optimizer, the
    /// checkpoint's optimizer state is ignored (loading weights for evaluation).
    @discardableResult
    public func loadCheckpoint(from url: URL, optimizer: Optimizer? = nil) throws -> [String: String] {
        let checkpoint = try Checkpoint(contentsOf: url)
        try load(checkpoint, optimizer: optimizer)
        return checkpoint.metadata
    }

    /// Applies a checkpoint (see `loadCheckpoint(from:optimizer:)`). Everything is validated before
    /// anything is changed: names and shapes; buffer values against their module's rule (finite by
    /// default); with an optimizer, every state tensor against what that optimizer keeps for its
    /// parameter (`Optimizer.validateState`) and the step count. Parameters may hold any values
    /// (`nonFiniteParameters` tells a caller that wants to refuse NaN weights).
    public func load(_ checkpoint: Checkpoint, optimizer: Optimizer? = nil) throws {
        let parameters = namedParameters(), buffers = namedBuffers()
        var expected: [String: [Int]] = [:]
        for (name, parameter) in parameters { expected["parameters.\(name)"] = parameter.shape }
        for (name, buffer) in buffers { expected["buffers.\(name)"] = buffer.value.shape }
        // Validate everything before touching the model.
        for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
            guard let tensor = checkpoint.tensors[name] else { throw CheckpointError.missingTensor(name: name) }
            guard tensor.shape == shape else {
                throw CheckpointError.shapeMismatch(name: name, expected: shape, found: tensor.shape)
            }
        }
        for (name, buffer) in buffers {
            if let reason = buffer.validation(checkpoint.tensors["buffers.\(name)"]!) {
                throw CheckpointError.invalidValue(name: "buffers.\(name)", reason: reason)
            }
        }
        // Optimizer entries are ignored when no optimizer is given (loading weights for evaluation).
        for name in checkpoint.tensors.keys.sorted() where expected[name] == nil && !name.hasPrefix("optimizer.") {
            throw CheckpointError.unexpectedTensor(name: excerpt(name, limit: 120))
        }
        var optimizerStates: [(Parameter, name: String, [String: Tensor])] = []
        var stepCount = 0
        if let optimizer {
            let byPrefix = Dictionary(uniqueKeysWithValues: parameters.map { ("optimizer.\($0.name).", $0) })
            var states: [String: [String: Tensor]] = [:]
            for (name, tensor) in checkpoint.tensors
            where name.hasPrefix("optimizer.") && name != "optimizer.stepCount" {
                // The parameter's name is the longest known prefix (names contain dots).
                guard let prefix = byPrefix.keys.filter({ name.hasPrefix($0) }).max(by: { $0.count < $1.count }) else {
                    throw CheckpointError.unexpectedTensor(name: excerpt(name, limit: 120))
                }
                states[prefix, default: [:]][String(name.dropFirst(prefix.count))] = tensor
            }
            for (prefix, named) in byPrefix.sorted(by: { $0.key < $1.key }) {
                let state = states[prefix] ?? [:]
                try optimizer.validateState(state, of: named.parameter, name: String(prefix.dropLast()))
                optimizerStates.append((named.parameter, String(prefix.dropLast()), state))
            }
            if let stored = checkpoint.tensors["optimizer.stepCount"] {
                stepCount = try validatedCounter(stored, name: "optimizer.stepCount")
            }
        }
        // Apply.
        for (name, parameter) in parameters { parameter.assign(checkpoint.tensors["parameters.\(name)"]!) }
        for (name, buffer) in buffers { buffer.value = checkpoint.tensors["buffers.\(name)"]! }
        if let optimizer {
            // Validated above, so this cannot throw.
            for (parameter, name, state) in optimizerStates {
                try optimizer.restoreState(state, of: parameter, name: name)
            }
            optimizer.restoreStepCount(stepCount)
        }
    }

    /// The names of the parameters holding NaN or infinite values (empty for a healthy model).
    public func nonFiniteParameters() -> [String] {
        namedParameters().filter { !$0.parameter.value.scalars.allSatisfy(\.isFinite) }.map(\.name)
    }
}
