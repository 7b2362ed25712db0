import Foundation
import TensorCore

/// Named Float32 tensors and string metadata in the safetensors format (Hugging Face's weights
/// format, read by PyTorch, JAX, MLX and numpy users alike).
///
/// Layout:
/// ```
/// UInt64 N                  little-endian: the length of the header in bytes (at most 100 MB)
/// N bytes of UTF-8 JSON     {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, …,
///                            "__metadata__": {"key": "value", …}}              (metadata optional)
/// the byte buffer           each tensor's row-major, little-endian values at [begin, end) of the
///                           buffer; together the tensors cover the buffer exactly
/// ```
/// We write F32 tensors in name order, the header padded with spaces to a multiple of 8 bytes (as
/// the reference writer does, so the data is aligned). We read F32 tensors only.
///
/// A file is untrusted: its header length is checked against the format's cap and the file's size
/// before the header is read, the header is parsed by `JSONSerialization` and every field
/// type-checked, and the tensors' sizes and places are checked (no overlaps, no gaps) before the
/// data is read. Every failure is a `SafetensorsError` naming the file and the problem.
///
/// - Note: `==` compares tensors by value, so two files holding a NaN are never equal; compare the
///   scalars' `bitPattern`s for a bit-exact check.
public struct Safetensors: Equatable {
    /// The longest header the format allows (the reference implementation's limit).
    public static let maximumHeaderLength = 100_000_000
    /// The most dimensions a tensor may have here (a guard against absurd headers; PyTorch's
    /// largest is 64, ours need 4).
    public static let maximumRank = 32
    /// The key of the metadata object in the header.
    public static let metadataKey = "__metadata__"

    /// The tensors by name.
    public var tensors: [String: Tensor]
    /// Free-form text (`__metadata__`): who wrote the file, the run's settings.
    public var metadata: [String: String]

    /// Tensors and metadata to write (or as read).
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: Writing

    /// The file's bytes. Throws for a name the format cannot hold (empty, or `__metadata__`).
    public func serialized() throws -> Data {
        let names = tensors.keys.sorted()
        if names.contains("") { throw SafetensorsError(.emptyName) }
        if names.contains(Self.metadataKey) { throw SafetensorsError(.reservedName) }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(HeaderJSON.quoted($0)):\(HeaderJSON.quoted(metadata[$0]!))" }
            entries.append("\(HeaderJSON.quoted(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(HeaderJSON.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                           + "\"data_offsets\":[\(offset),\(offset + 4 * tensor.count)]}")
            offset += 4 * tensor.count
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        guard header.count <= Self.maximumHeaderLength else {
            throw SafetensorsError(.headerTooLong(length: UInt64(header.count)))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += header
        for name in names {
            let bits = tensors[name]!.scalars.map(\.bitPattern.littleEndian)
            bits.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return Data(bytes)
    }

    /// Writes the file atomically (temporary file + rename, see `writeAtomically`).
    public func write(to url: URL) throws {
        let data: Data
        do { data = try serialized() } catch var error as SafetensorsError {
            error.path = url.path
            throw error
        }
        try writeAtomically(data, to: url)
    }

    // MARK: Reading

    /// Reads a safetensors file of F32 tensors. The 8-byte header length is read first and checked
    /// against the format's cap and the file's size; then the header alone is read and checked
    /// (`SafetensorsLayout`); only then is the file read, once (see `InputFile`).
    public init(contentsOf url: URL) throws {
        do {
            let file: InputFile
            do { file = try InputFile(url) } catch { throw SafetensorsError(.cannotRead(reason: error.reason)) }
            do {
                let headerLength = try SafetensorsLayout.headerLength(file.prefix(8), fileSize: file.size)
                let header = try file.prefix(8 + headerLength).dropFirst(8)
                guard header.count == headerLength else {
                    throw SafetensorsError(.cannotRead(reason: "the file shrank while being read"))
                }
                let layout = try SafetensorsLayout(header: header, bufferSize: file.size - 8 - headerLength)
                self = try layout.decode(file.contents())
            } catch let error as FileReadError {
                throw SafetensorsError(.cannotRead(reason: error.reason))
            }
        } catch var error as SafetensorsError {
            error.path = url.path
            throw error
        }
    }

    /// Decodes the bytes of a safetensors file (the same checks as `init(contentsOf:)`).
    public init(data: Data) throws {
        let headerLength = try SafetensorsLayout.headerLength(data.prefix(8), fileSize: data.count)
        let start = data.startIndex
        let layout = try SafetensorsLayout(header: data[(start + 8)..<(start + 8 + headerLength)],
                                           bufferSize: data.count - 8 - headerLength)
        self = try layout.decode(data)
    }
}

/// A safetensors header, parsed and checked: where each tensor's data lies in the buffer, and the
/// metadata. Built from the header alone, before the data is read.
struct SafetensorsLayout {
    struct Entry {
        var name: String
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// The entries in buffer order.
    var entries: [Entry]
    var metadata: [String: String]
    var headerLength: Int

    /// The header length stored in the first 8 bytes, checked against the format's cap and against
    /// the `fileSize − 8` bytes that can follow it.
    static func headerLength(_ prefix: Data, fileSize: Int) throws -> Int {
        guard prefix.count == 8 else { throw SafetensorsError(.tooShort(byteCount: prefix.count)) }
        let length = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(Safetensors.maximumHeaderLength) else {
            throw SafetensorsError(.headerTooLong(length: length))
        }
        guard length <= UInt64(fileSize - 8) else {
            throw SafetensorsError(.headerBeyondFile(length: length, available: fileSize - 8))
        }
        return Int(length)
    }

    /// Parses and checks `header` (the N bytes after the length) for a buffer of `bufferSize`
    /// bytes: entries in name order, then their places in buffer order.
    init(header: Data, bufferSize: Int) throws {
        headerLength = header.count
        let bytes = [UInt8](header)
        guard bytes.first == UInt8(ascii: "{") else {
            throw SafetensorsError(.headerNotJSON(reason: "it does not start with '{'"))
        }
        guard String(bytes: bytes, encoding: .utf8) != nil else {
            throw SafetensorsError(.headerNotJSON(reason: "it is not UTF-8 text"))
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw SafetensorsError(.headerNotJSON(reason: "it is not an object"))
            }
            object = parsed
        } catch let error as SafetensorsError {
            throw error
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw SafetensorsError(.headerNotJSON(reason: excerpt(detail ?? "invalid JSON", limit: 120)))
        }
        // JSONSerialization keeps the last of repeated keys silently: look for them in the text.
        var seen = Set<String>()
        for key in HeaderJSON.topLevelKeys(bytes) where !seen.insert(key).inserted {
            throw SafetensorsError(.duplicateName(key))
        }
        metadata = [:]
        entries = []
        for name in object.keys.sorted() {
            if name == Safetensors.metadataKey {
                metadata = try Self.metadata(object[name]!)
            } else {
                entries.append(try Self.entry(name, object[name]!, bufferSize: bufferSize))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        // The tensors must tile the buffer: each begins where the one before it ended.
        var covered = 0
        for (index, entry) in entries.enumerated() {
            if entry.begin < covered {   // the entry before it ends at `covered`
                throw SafetensorsError(.overlap(name: entry.name, other: entries[index - 1].name))
            }
            if entry.begin > covered {
                throw SafetensorsError(.gap(offset: covered, length: entry.begin - covered, before: entry.name))
            }
            covered = entry.end
        }
        guard covered == bufferSize else {
            throw SafetensorsError(.gap(offset: covered, length: bufferSize - covered, before: nil))
        }
    }

    /// One tensor's entry: exactly the fields dtype (F32), shape and data_offsets, each checked.
    static func entry(_ name: String, _ value: Any, bufferSize: Int) throws -> Entry {
        guard !name.isEmpty else { throw SafetensorsError(.emptyName) }
        func malformed(_ reason: String) -> SafetensorsError {
            SafetensorsError(.malformedEntry(name: name, reason: reason))
        }
        guard let fields = value as? [String: Any] else { throw malformed("its entry is not an object") }
        let known = ["dtype", "shape", "data_offsets"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw malformed("unknown field '\(excerpt(unknown))' (an entry has dtype, shape and data_offsets)")
        }
        if let absent = known.first(where: { fields[$0] == nil }) { throw malformed("no \(absent)") }
        guard let dataType = fields["dtype"] as? String else { throw malformed("dtype is not a string") }
        guard dataType == "F32" else { throw SafetensorsError(.unsupportedDataType(name: name, dataType: dataType)) }
        guard let shapeValues = fields["shape"] as? [Any] else { throw malformed("shape is not an array") }
        guard shapeValues.count <= Safetensors.maximumRank else {
            throw malformed("shape has \(shapeValues.count) dimensions (at most \(Safetensors.maximumRank) are read)")
        }
        let shape = try shapeValues.map { value in
            guard let dimension = HeaderJSON.integer(value), dimension >= 0, dimension <= Int(Int32.max) else {
                throw malformed("shape entry \(excerpt("\(value)")) is not a size (a whole number 0…\(Int32.max))")
            }
            return dimension
        }
        guard let count = Tensor.elementCount(of: shape) else {
            throw SafetensorsError(.shapeTooLarge(name: name, shape: shape))
        }
        guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
              let begin = HeaderJSON.integer(offsets[0]), let end = HeaderJSON.integer(offsets[1]),
              begin >= 0, end >= 0 else {
            throw malformed("data_offsets is not a pair of byte offsets [begin, end]")
        }
        guard begin <= end else { throw malformed("data_offsets [\(begin), \(end)] ends before it begins") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw SafetensorsError(.shapeTooLarge(name: name, shape: shape)) }
        guard end - begin == bytes else {
            throw SafetensorsError(.sizeMismatch(name: name, shape: shape, expectedBytes: bytes,
                                                 foundBytes: end - begin))
        }
        guard end <= bufferSize else {
            throw SafetensorsError(.outsideBuffer(name: name, begin: begin, end: end, bufferSize: bufferSize))
        }
        return Entry(name: name, shape: shape, begin: begin, end: end)
    }

    /// The `__metadata__` object: text keys to text values.
    static func metadata(_ value: Any) throws -> [String: String] {
        guard let object = value as? [String: Any] else {
            throw SafetensorsError(.malformedMetadata(reason: "is not an object"))
        }
        var metadata: [String: String] = [:]
        for key in object.keys.sorted() {
            guard let text = object[key] as? String else {
                throw SafetensorsError(.malformedMetadata(reason: "has a value for '\(excerpt(key))' that is not a "
                                                          + "string"))
            }
            metadata[key] = text
        }
        return metadata
    }

    /// The tensors, from the bytes of the whole file (whose header this layout was parsed from).
    func decode(_ data: Data) throws -> Safetensors {
        let dataStart = 8 + headerLength
        let bufferSize = entries.last?.end ?? 0
        guard data.count == dataStart + bufferSize else {
            throw SafetensorsError(.cannotRead(reason: "the file changed size while being read"))
        }
        var tensors: [String: Tensor] = [:]
        data.withUnsafeBytes { raw in
            for entry in entries {
                let count = (entry.end - entry.begin) / 4
                let scalars = (0..<count).map { index in
                    let bits = raw.loadUnaligned(fromByteOffset: dataStart + entry.begin + 4 * index, as: UInt32.self)
                    return Float(bitPattern: UInt32(littleEndian: bits))
                }
                tensors[entry.name] = Tensor(shape: entry.shape, scalars: scalars)
            }
        }
        return Safetensors(tensors: tensors, metadata: metadata)
    }
}
