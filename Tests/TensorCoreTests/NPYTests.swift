import Testing
import Foundation
import TensorCore

/// `.npy` reading and writing: round trips, files written by NumPy, and malformed input.
@Suite("NPY files")
struct NPYTests {
    /// Files written by `numpy.save` (numpy 2.4), base64-encoded.
    static let numpyFiles: [(name: String, base64: String, expected: Tensor)] = [
        ("float64 [2, 3]",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAOA/AAAAAAAA8D8AAAAA"
         + "AAD4PwAAAAAAAABAAAAAAAAABEA=",
         Tensor([[0, 0.5, 1], [1.5, 2, 2.5]])),
        ("int32 [2, 2]",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr9////BwAAAAAAEAAAAAAA",
         Tensor([[-3, 7], [1_048_576, 0]])),
        ("Fortran order float32 [2, 3]",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=",
         Tensor([[0, 1, 2], [3, 4, 5]])),
        ("big-endian float32 [2]",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/wAAAwBAAAA==",
         Tensor([1.5, -2.25])),
        ("bool [3]",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=",
         Tensor([1, 0, 1])),
        ("scalar float32",
         "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAg"
         + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBA",
         Tensor(3.5)),
    ]

    @Test("files written by NumPy load with the right shape and values")
    func readsNumPyFiles() throws {
        for file in Self.numpyFiles {
            let tensor = try Tensor(npyData: Data(base64Encoded: file.base64)!)
            #expect(tensor == file.expected, "\(file.name): \(tensor)")
        }
    }

    @Test("round trip through a file; the header is 64-byte aligned as NumPy requires")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mtl-npy-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for tensor in [Tensor.normal([3, 4, 5], seed: 1), Tensor([7]), Tensor(2), Tensor.zeros([0, 3])] {
            let url = directory.appendingPathComponent("t.npy")
            try tensor.writeNPY(to: url)
            #expect(try Tensor(contentsOfNPY: url) == tensor)
            #expect((tensor.npyData().count - tensor.count * 4) % 64 == 0)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty, "atomic write left temporary files: \(leftovers)")
    }

    @Test("malformed files throw errors that say what is wrong")
    func malformed() {
        let valid = Tensor([[1, 2], [3, 4]]).npyData()
        func error(_ bytes: Data) -> NPYError? {
            do {
                _ = try Tensor(npyData: bytes); return nil
            } catch let error as NPYError {
                return error
            } catch {
                return nil
            }
        }
        #expect(error(Data("hello".utf8)) == .truncated(expectedBytes: 10, foundBytes: 5, part: "preamble"))
        #expect(error(Data("not a numpy file".utf8)) == .notNPY)
        var version = valid
        version[6] = 9
        #expect(error(version) == .unsupportedVersion(major: 9, minor: 0))
        #expect(error(valid.prefix(valid.count - 3))?.description.contains("truncated in its data") == true)
        var badType = [UInt8](valid)
        let descr = Array("<f4".utf8)
        let at = (0..<(badType.count - 3)).first { Array(badType[$0..<($0 + 3)]) == descr }!
        badType.replaceSubrange(at..<(at + 3), with: Array("<c8".utf8))
        #expect(error(Data(badType)) == .unsupportedType("<c8"))
        #expect(throws: NPYError.self) { try Tensor(contentsOfNPY: URL(fileURLWithPath: "/nonexistent/file.npy")) }
    }

    @Test("fuzz: 10,000 random byte strings, truncations and bit flips throw or load, never crash")
    func fuzz() {
        var generator = SeededGenerator(seed: 99)
        let valid = [UInt8](Tensor.normal([4, 6], seed: 2).npyData())
        var outcomes = (loaded: 0, threw: 0)
        func attempt(_ bytes: [UInt8]) {
            do { _ = try Tensor(npyData: Data(bytes)); outcomes.loaded += 1 } catch { outcomes.threw += 1 }
        }
        for trial in 0..<10_000 {
            switch trial % 3 {
            case 0:   // random bytes, sometimes with a valid magic prefix
                var bytes = (0..<generator.nextInt(below: 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if trial % 2 == 0 { bytes = Array(valid.prefix(8)) + bytes }
                attempt(bytes)
            case 1:   // truncation
                attempt(Array(valid.prefix(generator.nextInt(below: valid.count))))
            default:  // 1–4 bit flips, mostly in the header
                var bytes = valid
                for _ in 0...generator.nextInt(below: 4) {
                    let position = generator.nextInt(below: generator.nextInt(below: 2) == 0 ? 128 : bytes.count)
                    bytes[position] ^= 1 << UInt8(generator.nextInt(below: 8))
                }
                attempt(bytes)
            }
        }
        #expect(outcomes.loaded + outcomes.threw == 10_000)
        #expect(outcomes.threw > 3_000, "most corruptions should be detected: \(outcomes)")
    }
}
