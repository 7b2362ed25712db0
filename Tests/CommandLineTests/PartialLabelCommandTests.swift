import Foundation
import Testing
import MultiTaskKit

/// `mtl train --labelled-fraction`, `--consistency-weight` and `mtl study --labelled-fractions`:
/// what they train on, what they record, and their refusals (exit 2, a plain message).
@Suite("Command line: partial labels and consistency")
struct PartialLabelCommandTests {
    @Test("--labelled-fraction keeps that share of a task's training labels and is recorded for --resume")
    func labelledFraction() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func run(epochs: Int, fraction: String = "task0=0.1") -> [String] {
            ["train", "--dataset", "regression", "--samples", "200", "--epochs", String(epochs), "--quiet",
             "--labelled-fraction", fraction, "--output", directory.path] + (epochs > 1 ? ["--resume"] : [])
        }
        let outcome = try CommandLineTests.mtl(run(epochs: 1))
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("labelled training samples: task0 14/140, task1 140/140"), "\(outcome.output)")
        let checkpoint = try Checkpoint(contentsOf: directory.appendingPathComponent("model.mtlckpt"))
        #expect(checkpoint.metadata["run.labelled-fraction"] == "task0=0.1")
        #expect(try CommandLineTests.mtl(run(epochs: 2)).status == 0)
        let changed = try CommandLineTests.mtl(run(epochs: 3, fraction: "task0=0.2"))
        #expect(changed.refused(saying: "--labelled-fraction task0=0.1 → task0=0.2"), "\(changed.error)")
    }

    @Test("your own data: an empty or nan CSV label cell, a NaN in a .npy target, is a missing label")
    func missingLabelsInFiles() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SeededGenerator(seed: 3)
        var lines = ["x1,x2,y,c"]
        var inputs: [Float] = [], labels: [Float] = []
        for row in 0..<60 {
            let x1 = generator.nextFloat(), x2 = generator.nextFloat()
            let y = row % 3 == 0 ? "" : row % 3 == 1 ? "nan" : String(x1 + x2)
            lines.append("\(x1),\(x2),\(y),\(row % 2)")
            inputs += [x1, x2]
            labels.append(row % 4 == 0 ? .nan : x1 - x2)
        }
        let table = directory.appendingPathComponent("partial.csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: table)
        let fromTable = try CommandLineTests.mtl(["train", "--data", table.path, "--tasks", "y:regression,c",
                                                  "--epochs", "1", "--quiet",
                                                  "--output", directory.appendingPathComponent("csv").path])
        #expect(fromTable.status == 0, "\(fromTable.error)")
        #expect(fromTable.output.contains("labelled training samples: y "), "\(fromTable.output)")
        let inputURL = directory.appendingPathComponent("x.npy"), targetURL = directory.appendingPathComponent("y.npy")
        try Tensor(shape: [60, 2], scalars: inputs).writeNPY(to: inputURL)
        try Tensor(shape: [60], scalars: labels).writeNPY(to: targetURL)
        let fromArrays = try CommandLineTests.mtl(["train", "--inputs", inputURL.path, "--targets",
                                                   "d=\(targetURL.path)", "--tasks", "d:regression", "--epochs", "1",
                                                   "--quiet", "--output", directory.appendingPathComponent("npy").path])
        #expect(fromArrays.status == 0, "\(fromArrays.error)")
        #expect(fromArrays.output.contains("labelled training samples: d "), "\(fromArrays.output)")
        // Every label missing: refused.
        try Tensor(shape: [60], scalars: Array(repeating: .nan, count: 60)).writeNPY(to: targetURL)
        let none = try CommandLineTests.mtl(["train", "--inputs", inputURL.path, "--targets", "d=\(targetURL.path)",
                                             "--tasks", "d:regression", "--output",
                                             directory.appendingPathComponent("none").path])
        #expect(none.refused(saying: "has no labels"), "\(none.error)")
    }

    @Test("bad fractions, unknown tasks and a consistency weight without depth and normals exit 2")
    func refusals() throws {
        let cases: [([String], String)] = [
            (["train", "--labelled-fraction", "1.5"], "fractions F in 0...1"),
            (["train", "--labelled-fraction", "nan"], "fractions F in 0...1"),
            (["train", "--dataset", "regression", "--samples", "100", "--labelled-fraction", "nope=0.5"],
             "no task 'nope'"),
            (["train", "--dataset", "regression", "--samples", "100", "--labelled-fraction", "task0=0.5,task0=0.2"],
             "named twice"),
            (["train", "--dataset", "regression", "--samples", "100", "--labelled-fraction", "task0=0"],
             "keeps no label"),
            (["train", "--dataset", "regression", "--samples", "100", "--consistency-weight", "1"],
             "no tasks named depth and normals"),
            (["train", "--consistency-weight", "-1"], "must be a number"),
            (["study", "--labelled-fractions", "0,1"], "fractions in (0, 1]"),
            (["study", "--labelled-fractions", "0.5,0.5"], "repeats"),
            (["study", "--labelled-task", "task0"], "give both"),
            (["study", "--quick", "--labelled-fractions", "1,0.5", "--labelled-task", "nope"], "no task 'nope'"),
            (["study", "--arms", "multi-head+consistency=x"], "consistency must be a number"),
        ]
        for (arguments, message) in cases {
            let outcome = try CommandLineTests.mtl(arguments)
            #expect(outcome.status == 2 && outcome.refused(saying: message),
                    "mtl \(arguments.joined(separator: " ")): \(outcome.status) \(outcome.error)")
        }
    }

    @Test("mtl study --labelled-fractions writes one study per fraction and the curve")
    func curve() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CommandLineTests.mtl(["study", "--dataset", "regression", "--samples", "200", "--seeds", "2",
                                                "--epochs", "1", "--arms", "stl,multi-head", "--noise-floor", "off",
                                                "--labelled-fractions", "1,0.2", "--labelled-task", "task0",
                                                "--output", directory.path])
        #expect(outcome.status == 0, "\(outcome.error)")
        for file in ["fraction-1.0/runs.csv", "fraction-0.2/runs.csv", "curve.md", "curve.csv", "curve-task0.svg",
                     "curve-task0-difference.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("curve.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 2 * 2 * 2)   // fractions × arms × tasks
    }
}
