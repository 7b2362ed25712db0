import Foundation
import Testing
import TensorCore
import NeuralNetworks
import TaskData

/// Files that are huge, foreign or crafted to overflow: every reader checks the header and the
/// declared sizes first, and throws — never traps, never reads a whole foreign file.
@Suite("Hostile files")
struct HostileFileTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID())-\(name)")
    }

    /// A 2 GB sparse file (no disk used): zeros, or a valid magic followed by zeros.
    static func sparseFile(_ name: String, size: Int = 2_000_000_000, head: [UInt8] = []) throws -> URL {
        let url = temporaryURL(name)
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data(head)))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        return url
    }

    /// A field of `/proc/self/status` in bytes (VmRSS: resident now; VmHWM: the peak since the last reset).
    static func statusBytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    /// Resets the peak resident size (Linux: writing 5 to /proc/self/clear_refs), so that VmHWM then
    /// measures the peak of what follows.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    @Test("2 GB sparse files named as checkpoint, .npy, IDX and CSV are refused at once, with memory use bounded")
    func sparseFiles() throws {
        let checkpoint = try Self.sparseFile("zeros.mtlckpt")
        let npy = try Self.sparseFile("zeros.npy")
        let idx = try Self.sparseFile("zeros.idx")
        let csv = try Self.sparseFile("zeros.csv")
        // Valid magic numbers with 2 GB of zeros behind them: the declared sizes give them away.
        let npyHeader = try Self.sparseFile("header.npy", head: Array(Tensor([1, 2, 3]).npyData().prefix(64)))
        let idxHeader = try Self.sparseFile("header.idx", head: [0, 0, 0x08, 1, 0, 0, 0, 3])
        let checkpointHeader = try Self.sparseFile("header.mtlckpt", head: Checkpoint.magic + [1, 0, 0, 0])
        defer { for url in [checkpoint, npy, idx, csv, npyHeader, idxHeader,
                            checkpointHeader] { try? FileManager.default.removeItem(at: url) } }
        let before = Self.statusBytes("VmRSS")
        Self.resetPeak()
        #expect(throws: CheckpointError.notACheckpoint) { try Checkpoint(contentsOf: checkpoint) }
        #expect(throws: NPYError.notNPY) { try Tensor(contentsOfNPY: npy) }
        #expect(throws: DataLoadingError.self) { try Tensor(contentsOfIDX: idx) }
        #expect(throws: DataLoadingError.self) { try CSVTable(contentsOf: csv) }
        #expect(throws: DataLoadingError.self) { try Tensor(contentsOfIDX: idxHeader) }
        // A checkpoint preamble over 2 GB of zeros declares no metadata and no tensors: refused by its
        // layout's length after 20 bytes, not read whole for its checksum.
        do { _ = try Checkpoint(contentsOf: checkpointHeader); Issue.record("2 GB of zeros loaded") } catch {
            #expect("\(error)".contains("the layout ends at byte 20"), "\(error)")
        }
        // A 3-element .npy header over 2 GB: the data is there, so it loads — reading only 12 bytes of data.
        #expect(try Tensor(contentsOfNPY: npyHeader) == Tensor([0, 0, 0]))
        let peak = Self.statusBytes("VmHWM") - before
        // The peak while reading. Other suites run in parallel, so this bounds the sum of their
        // growth and ours: far below the 2–4 GB a whole read (and its copy) takes. (`.ci/run`
        // measures `mtl eval` on such a file alone: 21 MB.)
        #expect(peak < 512 << 20, "resident memory peaked \(peak >> 20) MiB above its start")
    }

    @Test("a CSV file with NUL bytes is binary data, refused before parsing; an over-size CSV by its size")
    func binaryCSV() throws {
        let url = Self.temporaryURL("binary.csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("a,b\n1,2\n".utf8 + [0, 0, 1] + Array("3,4\n".utf8)).write(to: url)
        do { _ = try CSVTable(contentsOf: url); Issue.record("a binary file was parsed") } catch {
            #expect("\(error)".contains("NUL bytes"), "\(error)")
        }
        let large = try Self.sparseFile("large.csv", size: CSVTable.maximumFileSize + 1, head: Array("a,b\n".utf8))
        defer { try? FileManager.default.removeItem(at: large) }
        do { _ = try CSVTable(contentsOf: large); Issue.record("an over-size CSV was parsed") } catch {
            #expect("\(error)".contains("bytes, more than"), "\(error)")
        }
    }

    @Test("directories, devices and missing files are refused in plain words")
    func notFiles() {
        let directory = FileManager.default.temporaryDirectory
        func reason(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(reason { _ = try Checkpoint(contentsOf: directory) }.contains("is a directory"))
        #expect(reason { _ = try Tensor(contentsOfNPY: directory) }.contains("is a directory"))
        #expect(reason {
            _ = try CSVTable(contentsOf: URL(fileURLWithPath: "/dev/zero"))
        }.contains("not a regular file"))
        #expect(reason {
            _ = try Tensor(contentsOfIDX: URL(fileURLWithPath: "/nonexistent/x.idx"))
        }.contains("no such file"))
        #expect(!reason { _ = try Checkpoint(contentsOf: directory) }.contains("NSCocoaErrorDomain"))
    }

    /// A `.npy` file with `shape` in its header and no data.
    static func npyHeader(shape: String, fortran: Bool) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF),
                                                    UInt8(length >> 8)] + Array(header.utf8))
    }

    @Test("a zero dimension beside huge ones is refused in .npy (both orders) and IDX; element counts never overflow")
    func zeroBesideHuge() throws {
        for fortran in [false, true] {
            for shape in ["(0, 4294967296, 4294967296)", "(4294967296, 4294967296, 0)", "(9223372036854775807, 2)"] {
                #expect(throws: NPYError.self) { try Tensor(npyData: Self.npyHeader(shape: shape, fortran: fortran)) }
            }
            // An honest empty array still loads, and prints.
            let empty = try Tensor(npyData: Self.npyHeader(shape: "(0, 3)", fortran: fortran))
            #expect(empty.shape == [0, 3] && !"\(empty)".isEmpty)
        }
        let idx: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: DataLoadingError.self) { try Tensor(idxData: Data(idx)) }
        #expect(Tensor.elementCount(of: [0, 1 << 32, 1 << 32]) == nil)
        #expect(Tensor.elementCount(of: [0, 5]) == 0)
        #expect(Tensor.elementCount(of: [2, 3, 4]) == 24)
        #expect(Tensor.elementCount(of: [-1, 3]) == nil)
    }

    @Test("a CSV class label of 1e19 is an invalid label, not a trap; long cells are quoted in short")
    func hugeLabels() throws {
        let table = try CSVTable(text: "x,label\n1,0\n2,1e19\n")
        let tasks = [(spec: TaskSpec(name: "class", kind: .classification(classCount: 2)), labelColumns: ["label"])]
        #expect(throws: DataLoadingError.invalidLabel(task: "class", row: 2, value: 1e19,
                                                      expected: "a class index in 0..<2")) {
            try MultiTaskDataset(csv: table, tasks: tasks)
        }
        let long = String(repeating: "z", count: 10_000)
        do { _ = try CSVTable(text: "x\n\(long)\n"); Issue.record("a non-number loaded") } catch {
            #expect("\(error)".count < 200, "the message quotes \("\(error)".count) characters")
        }
    }
}
