import Foundation
import Testing
import TensorCore
import TaskData

/// Loaders for data users bring: CSV, IDX and `.npy` — round trips, readable errors, and fuzzing.
@Suite("Loaders")
struct LoaderTests {
    let csvText = """
    x1,x2,"label",score
    0.5,1,2,0.25
    -1.5e-1, 2 ,0,1.5\r
    "3",4,1,-2

    """

    @Test("CSV: header, numbers, quotes, CRLF and blank lines; a dataset by column names")
    func csv() throws {
        let table = try CSVTable(text: csvText)
        #expect(table.columnNames == ["x1", "x2", "label", "score"])
        #expect(table.rowCount == 3)
        #expect(try table.column(named: "x1") == [0.5, -0.15, 3])
        let data = try MultiTaskDataset(csv: table, tasks: [
            (TaskSpec(name: "class", kind: .classification(classCount: 3)), ["label"]),
            (TaskSpec(name: "score", kind: .regression(outputCount: 1)), ["score"]),
        ])
        #expect(data.inputs == Tensor([[0.5, 1], [-0.15, 2], [3, 4]]))
        #expect(data.targets[0] == Tensor([2, 0, 1]))
        #expect(data.targets[1] == Tensor([[0.25], [1.5], [-2]]))
        // The same through a file.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID()).csv")
        try csvText.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try CSVTable(contentsOf: url) == table)
    }

    @Test("CSV: each kind of bad input throws an error that says where")
    func csvErrors() throws {
        func message(_ text: String) -> String {
            do { _ = try CSVTable(text: text); return "no error" } catch { return error.description }
        }
        #expect(message("a,b\n1,x\n").contains("row 1, column 'b': 'x' is not a number"))
        #expect(message("a,b\n1,2,3\n").contains("row 1 has 3 fields"))
        #expect(message("a,a\n1,2\n").contains("repeats"))
        #expect(message("").contains("empty"))
        #expect(message("a,\"b\n1,2\n").contains("not closed"))
        #expect(message("a,b\n1,nan\n").contains("'nan' is not a finite number"))
        let table = try CSVTable(text: "a,b\n1,5\n")
        #expect(throws: DataLoadingError.missingColumn(name: "c", available: ["a", "b"])) {
            try table.column(named: "c")
        }
        #expect(throws: DataLoadingError.invalidLabel(task: "t", row: 1, value: 5,
                                                      expected: "a class index in 0..<3")) {
            try MultiTaskDataset(csv: table,
                                 tasks: [(TaskSpec(name: "t", kind: .classification(classCount: 3)), ["b"])])
        }
        #expect(throws: DataLoadingError.self) {
            try CSVTable(contentsOf: URL(fileURLWithPath: "/nonexistent/file.csv"))
        }
    }

    @Test("IDX: round trip for every element type, and the MNIST layout")
    func idxRoundTrip() throws {
        let tensor = Tensor(shape: [2, 3, 2], scalars: [0, 1, 2, 3, 100, 255, 7, 8, 9, 10, 11, 12])
        for type in IDXElementType.allCases {
            let read = try Tensor(idxData: tensor.idxData(elementType: type))
            let expected = type == .signedByte ? tensor.scalars.map { min($0, 127) } : tensor.scalars
            #expect(read.shape == [2, 3, 2] && read.scalars == expected, "\(type)")
        }
        // MNIST's label file header: magic 0x00000801, count.
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])
        #expect(try Tensor(idxData: labels) == Tensor([7, 2, 1]))
        let fractional = Tensor([0.25, -1.5])
        #expect(try Tensor(idxData: fractional.idxData()) == fractional)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID()).idx")
        try tensor.writeIDX(to: url, elementType: .unsignedByte)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try Tensor(contentsOfIDX: url) == tensor)
    }

    @Test("MultiMNIST from IDX-style digit images: two overlaid digits per sample")
    func multiMNIST() throws {
        var generator = SeededGenerator(seed: 1)
        let images = Tensor.uniform([20, 28, 28], using: &generator)
        let labels = Tensor((0..<20).map { Float($0 % 10) })
        let data = try MultiDigit.overlaying(images: images, labels: labels, sampleCount: 50, seed: 2)
        #expect(data.inputs.shape == [50, 1, 36, 36] && data.targets[0].shape == [50])
        #expect(throws: DataLoadingError.self) {
            try MultiDigit.overlaying(images: images, labels: Tensor([1, 2]), sampleCount: 5, seed: 0)
        }
        #expect(throws: DataLoadingError.self) {
            try MultiDigit.overlaying(images: images, labels: Tensor((0..<20).map { _ in Float(12) }), sampleCount: 5,
                                      seed: 0)
        }
    }

    /// Random damage to valid bytes: truncation, flipped bytes, inserted and deleted runs.
    static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var result = bytes
        switch generator.nextInt(below: 5) {
        case 0: result = Array(result.prefix(generator.nextInt(below: result.count + 1)))
        case 1:
            for _ in 0..<(1 + generator.nextInt(below: 4)) where !result.isEmpty {
                result[generator.nextInt(below: result.count)] = UInt8(truncatingIfNeeded: generator.next())
            }
        case 2:
            let at = generator.nextInt(below: result.count + 1)
            result.insert(contentsOf: (0..<(1 + generator.nextInt(below: 8))).map { _ in
                UInt8(truncatingIfNeeded: generator.next())
            }, at: at)
        case 3:
            let start = generator.nextInt(below: result.count + 1)
            result.removeSubrange(start..<min(result.count, start + 1 + generator.nextInt(below: 8)))
        default:
            result = (0..<generator.nextInt(below: 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        return result
    }

    @Test("fuzzing: 10,000 malformed inputs to each loader throw or parse — never crash")
    func fuzz() throws {
        var generator = SeededGenerator(seed: 99)
        let csvBytes = Array(csvText.utf8)
        let idxBytes = [UInt8](Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).idxData(elementType: .short))
        let npyBytes = [UInt8](Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).npyData())
        var thrown = (csv: 0, idx: 0, npy: 0)
        for _ in 0..<10_000 {
            let csv = Self.mutate(csvBytes, using: &generator)
            do {
                let table = try CSVTable(text: String(decoding: csv, as: UTF8.self))
                #expect(table.columns.allSatisfy { $0.count == table.rowCount })
            } catch { thrown.csv += 1; #expect(!error.description.isEmpty) }
            do {
                let tensor = try Tensor(idxData: Data(Self.mutate(idxBytes, using: &generator)))
                #expect(tensor.count == tensor.shape.reduce(1, *))
            } catch { thrown.idx += 1; #expect(!error.description.isEmpty) }
            do {
                let tensor = try Tensor(npyData: Data(Self.mutate(npyBytes, using: &generator)))
                #expect(tensor.count == tensor.shape.reduce(1, *))
            } catch { thrown.npy += 1 }
        }
        // Most damage must be caught (a flipped byte inside the data itself is still a valid file).
        #expect(thrown.csv > 5_000 && thrown.idx > 5_000 && thrown.npy > 5_000, "\(thrown)")
    }
}
