import Testing
import Foundation
import TensorCore
import NeuralNetworks

/// The safetensors format: a bit-exact round trip, a file written by hand, every refusal by name,
/// and 10,000+ damaged files that must each load or throw — never crash.
@Suite("Safetensors")
struct SafetensorsTests {
    /// A file from its parts: the header's length (little-endian UInt64, or `length` when given),
    /// the header, the buffer.
    static func file(_ header: String, _ buffer: [UInt8] = [], length: UInt64? = nil) -> Data {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return Data(bytes + Array(header.utf8) + buffer)
    }

    /// Why `data` is refused (nil: it was read).
    static func problem(_ data: Data) -> SafetensorsError.Problem? {
        do { _ = try Safetensors(data: data) } catch let error as SafetensorsError { return error.problem } catch {
            Issue.record("not a SafetensorsError: \(error)")
        }
        return nil
    }

    /// A one-tensor file whose entry for "w" has `fields`, over a buffer of 8 bytes.
    static func entry(_ fields: String) -> Data {
        file("{\"w\":{\(fields)}}", [UInt8](repeating: 0, count: 8))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtl-safetensors-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Special values by bit pattern: NaNs with payloads (quiet and signalling, both signs), ±0,
    /// the smallest and largest subnormals, ±∞, the extremes of the normal range.
    static let specialBits: [UInt32] = [0x7FC0_0001, 0x7F80_0001, 0xFFC1_2345, 0x7FFF_FFFF, 0x8000_0000, 0x0000_0000,
                                        0x0000_0001, 0x807F_FFFF, 0x7F80_0000, 0xFF80_0000, 0x7F7F_FFFF, 0x0080_0000]

    @Test("write then read is bit-exact: NaN payloads, −0, subnormals, empty and scalar tensors, metadata")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        let tensors: [String: Tensor] = [
            "special": Tensor(shape: [12], scalars: Self.specialBits.map(Float.init(bitPattern:))),
            "random.weight": Tensor.normal([3, 4, 2], using: &generator),
            "scalar": Tensor(-0.0),
            "empty": Tensor(shape: [2, 0, 3], scalars: []),
            "also empty": Tensor(shape: [0], scalars: []),
            "naïve \"quoted\" \\ name\n": Tensor([1, 2]),
        ]
        let metadata = ["producer": "tests", "note": "δ \"quoted\"\\\t\u{1}", "": "empty key", "empty value": ""]
        let original = Safetensors(tensors: tensors, metadata: metadata)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("weights.safetensors")
        try original.write(to: url)
        let read = try Safetensors(contentsOf: url)
        #expect(read.metadata == metadata)
        #expect(Set(read.tensors.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            #expect(read.tensors[name]?.shape == tensor.shape, "\(name)")
            #expect(read.tensors[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
        }
        // Equal contents give equal bytes, and the header is padded so the data starts 8-aligned.
        let bytes = try Data(contentsOf: url)
        #expect(try read.serialized() == bytes)
        #expect(bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) } % 8 == 0)
    }

    @Test("a file written by hand, byte by byte, is read; our writer's bytes are the format's")
    func handWritten() throws {
        // Two tensors in the opposite of name order, an unpadded header, metadata last.
        let header = #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""a":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"__metadata__":{"k":"v"}}"#
        var bytes: [UInt8] = [UInt8(header.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
        bytes += [0x00, 0x00, 0x80, 0x3F,   // 1.0
                  0x00, 0x00, 0x00, 0xC0,   // −2.0
                  0x00, 0x00, 0x00, 0x3F]   // 0.5
        let read = try Safetensors(data: Data(bytes))
        #expect(read.metadata == ["k": "v"])
        #expect(read.tensors["b"] == Tensor([1, -2]) && read.tensors["a"] == Tensor(0.5))

        let written = try Safetensors(tensors: ["w": Tensor([1, -2])]).serialized()
        let expectedHeader = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"# + "  "   // 54 + 2 = 56 bytes
        #expect(written == Self.file(expectedHeader, [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]))
    }

    @Test("the header's length: too short a file, over the format's 100 MB cap, beyond the file")
    func headerLength() {
        #expect(Self.problem(Data([1, 2, 3, 4, 5])) == .tooShort(byteCount: 5))
        #expect(Self.problem(Data()) == .tooShort(byteCount: 0))
        #expect(Self.problem(Self.file("{}", length: 100_000_001)) == .headerTooLong(length: 100_000_001))
        #expect(Self.problem(Self.file("{}", length: .max)) == .headerTooLong(length: .max))
        #expect(Self.problem(Self.file("{}", length: 3)) == .headerBeyondFile(length: 3, available: 2))
        #expect(Self.problem(Self.file("{}")) == nil)
    }

    @Test("the header must be a UTF-8 JSON object without repeated names")
    func headerText() {
        func notJSON(_ data: Data) -> Bool {
            if case .headerNotJSON = Self.problem(data) { return true }
            return false
        }
        #expect(notJSON(Self.file("[]")))
        #expect(notJSON(Self.file(" {}")))
        #expect(notJSON(Self.file("{")))
        #expect(notJSON(Self.file("{} x")))
        #expect(notJSON(Self.file("{\"a\":\"", [0xFF, 0x22, 0x7D], length: 9)))   // {"a":"\xFF"}: not UTF-8
        #expect(notJSON(Self.file("{\"a\":" + String(repeating: "[", count: 10_000) + "}")))
        let entry = #"{"dtype":"F32","shape":[0],"data_offsets":[0,0]}"#
        #expect(Self.problem(Self.file("{\"w\":\(entry),\"w\":\(entry)}")) == .duplicateName("w"))
        // The same name written with an escape is the same name.
        #expect(Self.problem(Self.file("{\"w\":\(entry),\"\\u0077\":\(entry)}")) == .duplicateName("w"))
        #expect(Self.problem(Self.file("{\"\":\(entry)}")) == .emptyName)
        #expect(Self.problem(Self.file("{\"w\":\(entry)}")) == nil)
    }

    @Test("each field of an entry is type-checked and named in the error")
    func entryFields() {
        func malformed(_ fields: String, _ text: String) {
            let problem = Self.problem(Self.entry(fields))
            guard case .malformedEntry(let name, let reason) = problem, name == "w", reason.contains(text) else {
                let found = String(describing: problem)
                Issue.record("\(fields): expected a malformed entry saying '\(text)', got \(found)")
                return
            }
        }
        let shape = #""shape":[2]"#, offsets = #""data_offsets":[0,8]"#, dtype = #""dtype":"F32""#
        #expect(Self.problem(Self.entry("\(dtype),\(shape),\(offsets)")) == nil)
        #expect(Self.problem(Self.file(#"{"w":[1]}"#, [UInt8](repeating: 0, count: 8)))
                == .malformedEntry(name: "w", reason: "its entry is not an object"))
        malformed("\(shape),\(offsets)", "no dtype")
        malformed("\(dtype),\(offsets)", "no shape")
        malformed("\(dtype),\(shape)", "no data_offsets")
        malformed("\(dtype),\(shape),\(offsets),\"order\":\"C\"", "unknown field 'order'")
        malformed("\"dtype\":32,\(shape),\(offsets)", "dtype is not a string")
        malformed("\(dtype),\"shape\":2,\(offsets)", "shape is not an array")
        for bad in ["-1", "2.0", "2e0", "true", "\"2\"", "null", "4294967296", "18446744073709551616"] {
            malformed("\(dtype),\"shape\":[\(bad)],\(offsets)", "is not a size")
        }
        malformed("\(dtype),\"shape\":[\(Array(repeating: "1", count: 33).joined(separator: ","))],\(offsets)",
                  "33 dimensions")
        for bad in ["[0]", "[0,8,8]", "[\"0\",8]", "[0,8.0]", "[-8,0]", "[false,8]", "{}", "[0,18446744073709551615]"] {
            malformed("\(dtype),\(shape),\"data_offsets\":\(bad)", "data_offsets is not a pair")
        }
        malformed("\(dtype),\"shape\":[0],\"data_offsets\":[8,0]", "ends before it begins")
    }

    @Test("dtypes other than F32 are refused by name, saying which are not supported")
    func dataTypes() throws {
        for dataType in ["F16", "BF16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "f32", ""] {
            let data = Self.entry("\"dtype\":\"\(dataType)\",\"shape\":[2],\"data_offsets\":[0,8]")
            #expect(Self.problem(data) == .unsupportedDataType(name: "w", dataType: dataType))
        }
        let message = SafetensorsError(path: "/m.safetensors", .unsupportedDataType(name: "w", dataType: "BF16"))
            .description
        #expect(message.contains("/m.safetensors") && message.contains("dtype BF16") && message.contains("only F32")
                && message.contains("F64, F16, BF16"), "\(message)")
    }

    @Test("sizes and places: checked products, size = count × 4, inside the buffer, no overlap, no gap")
    func sizesAndPlaces() {
        func tensor(_ shape: String, _ begin: Int, _ end: Int) -> String {
            #"{"dtype":"F32","shape":\#(shape),"data_offsets":[\#(begin),\#(end)]}"#
        }
        let big = Int(Int32.max)
        #expect(Self.problem(Self.file("{\"w\":\(tensor("[\(big),\(big),\(big)]", 0, 8))}", Array(repeating: 0,
                                                                                                   count: 8)))
                == .shapeTooLarge(name: "w", shape: [big, big, big]))
        // The count fits an Int, its byte size does not.
        #expect(Self.problem(Self.file("{\"w\":\(tensor("[\(big),\(big),2]", 0, 8))}", Array(repeating: 0, count: 8)))
                == .shapeTooLarge(name: "w", shape: [big, big, 2]))
        #expect(Self.problem(Self.file("{\"w\":\(tensor("[3]", 0, 8))}", Array(repeating: 0, count: 8)))
                == .sizeMismatch(name: "w", shape: [3], expectedBytes: 12, foundBytes: 8))
        #expect(Self.problem(Self.file("{\"w\":\(tensor("[2]", 4, 12))}", Array(repeating: 0, count: 8)))
                == .outsideBuffer(name: "w", begin: 4, end: 12, bufferSize: 8))
        #expect(Self.problem(Self.file("{\"a\":\(tensor("[2]", 0, 8)),\"b\":\(tensor("[2]", 4, 12))}",
                                       Array(repeating: 0, count: 12)))
                == .overlap(name: "b", other: "a"))
        // An empty tensor inside another's bytes overlaps it too (the buffer is tiled in order).
        #expect(Self.problem(Self.file("{\"a\":\(tensor("[2]", 0, 8)),\"e\":\(tensor("[0]", 4, 4))}",
                                       Array(repeating: 0, count: 8)))
                == .overlap(name: "e", other: "a"))
        #expect(Self.problem(Self.file("{\"a\":\(tensor("[1]", 0, 4)),\"b\":\(tensor("[1]", 8, 12))}",
                                       Array(repeating: 0, count: 12)))
                == .gap(offset: 4, length: 4, before: "b"))
        #expect(Self.problem(Self.file("{\"a\":\(tensor("[1]", 4, 8))}", Array(repeating: 0, count: 8)))
                == .gap(offset: 0, length: 4, before: "a"))
        #expect(Self.problem(Self.file("{\"a\":\(tensor("[1]", 0, 4))}", Array(repeating: 0, count: 9)))
                == .gap(offset: 4, length: 5, before: nil))
        #expect(Self.problem(Self.file("{}", [0])) == .gap(offset: 0, length: 1, before: nil))
    }

    @Test("metadata must be an object of strings; the writer refuses names the format cannot hold")
    func metadataAndNames() throws {
        #expect(Self.problem(Self.file(#"{"__metadata__":["a"]}"#)) == .malformedMetadata(reason: "is not an object"))
        #expect(Self.problem(Self.file(#"{"__metadata__":null}"#)) == .malformedMetadata(reason: "is not an object"))
        #expect(Self.problem(Self.file(#"{"__metadata__":{"epochs":3}}"#))
                == .malformedMetadata(reason: "has a value for 'epochs' that is not a string"))
        #expect(throws: SafetensorsError(.emptyName)) { try Safetensors(tensors: ["": Tensor(1)]).serialized() }
        #expect(throws: SafetensorsError(.reservedName)) {
            try Safetensors(tensors: ["__metadata__": Tensor(1)]).serialized()
        }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.safetensors")
        #expect(throws: SafetensorsError(path: url.path, .emptyName)) {
            try Safetensors(tensors: ["": Tensor(1)]).write(to: url)
        }
    }

    @Test("a file's errors name it: missing, a directory, damaged")
    func fileErrors() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        #expect(throws: SafetensorsError(path: missing.path, .cannotRead(reason: "no such file or directory"))) {
            try Safetensors(contentsOf: missing)
        }
        #expect(throws: SafetensorsError(path: directory.path, .cannotRead(reason: "is a directory, not a file"))) {
            try Safetensors(contentsOf: directory)
        }
        let damaged = directory.appendingPathComponent("damaged.safetensors")
        try Self.file("{\"w\":{}}").write(to: damaged)
        do {
            _ = try Safetensors(contentsOf: damaged)
            Issue.record("a damaged file was read")
        } catch let error as SafetensorsError {
            #expect(error.path == damaged.path && error.description.hasPrefix("safetensors file \(damaged.path): "),
                    "\(error)")
        }
    }

    @Test("fuzz: 12,000 damaged files (cuts, flipped bits, edited header fields, huge lengths) load or throw")
    func fuzz() throws {
        var generator = SeededGenerator(seed: 2024)
        let (model, _) = CheckpointTests.trained()
        let valid = [UInt8](try model.safetensors(metadata: ["run.seed": "3", "note": "ok"]).serialized())
        let headerLength = Int(valid.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = String(decoding: valid[8..<(8 + headerLength)], as: UTF8.self)
        let buffer = Array(valid[(8 + headerLength)...])
        var outcomes = (loaded: 0, threw: 0)
        func attempt(_ bytes: [UInt8]) {
            do {
                let read = try Safetensors(data: Data(bytes))
                // Whatever loads is a well-formed value: it writes and reads back.
                _ = try Safetensors(data: try read.serialized())
                outcomes.loaded += 1
            } catch is SafetensorsError {
                outcomes.threw += 1
            } catch {
                Issue.record("not a SafetensorsError: \(error)")
            }
        }
        func random(_ count: Int) -> Int { generator.nextInt(below: count) }
        let replacements = ["-1", "0", "1", "4", "8", "12", "4294967296", "18446744073709551615", "1e400", "2.5",
                            "true", "null", "\"7\"", "[]", "{}", "\"F16\"", "\"__metadata__\"", "\"\"", "[0,0]"]
        for trial in 0..<12_000 {
            var bytes = valid
            switch trial % 6 {
            case 0:   // cut anywhere
                bytes = Array(valid.prefix(random(valid.count)))
            case 1:   // flipped bits anywhere
                for _ in 0...random(4) { bytes[random(bytes.count)] ^= 1 << UInt8(random(8)) }
            case 2:   // flipped bits in the length or the header
                for _ in 0...random(3) { bytes[random(8 + headerLength)] ^= 1 << UInt8(random(8)) }
            case 3:   // a header token replaced, the length kept consistent (or not)
                var text = Array(header.utf8)
                let tokenStart = random(text.count)
                let tokenEnd = min(text.count, tokenStart + 1 + random(6))
                text.replaceSubrange(tokenStart..<tokenEnd, with: Array(replacements[random(replacements.count)].utf8))
                let length = trial % 12 == 3 ? UInt64(text.count) : UInt64(text.count + random(9) - 4)
                bytes = [UInt8](Self.file(String(decoding: text, as: UTF8.self), buffer, length: length))
            case 4:   // a huge or wrong length
                let lengths: [UInt64] = [.max, UInt64(Int.max), 100_000_000, 100_000_001, UInt64(valid.count),
                                         UInt64(valid.count - 8), UInt64(headerLength + 1), UInt64(headerLength - 1),
                                         generator.next()]
                withUnsafeBytes(of: lengths[random(lengths.count)].littleEndian) {
                    bytes.replaceSubrange(0..<8, with: $0)
                }
            default:  // bytes added or removed at the end, or random bytes after a valid length
                if trial % 12 == 5 {
                    bytes += (0..<(1 + random(12))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                } else {
                    bytes = Array(valid.prefix(8)) + (0..<random(400)).map { _ in
                        UInt8(truncatingIfNeeded: generator.next())
                    }
                }
            }
            attempt(bytes)
        }
        #expect(outcomes.loaded + outcomes.threw == 12_000)
        #expect(outcomes.threw > 8_000 && outcomes.loaded > 0, "\(outcomes)")
    }
}
