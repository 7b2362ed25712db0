import Foundation
import Testing
import MultiTaskKit

/// The worked example of the README and chapter 14 — scikit-learn's digits exported by
/// `Examples/digits/export_digits.py`, trained as two tasks from code and with `mtl train` — checked
/// without scikit-learn: a stand-in written here in the export's layout (`x.npy` `[N, 1, 8, 8]`,
/// `digit.npy` `[N]`, `slant.npy` `[N]`) goes through the chapter's code, verbatim, and through
/// `mtl train` and `mtl eval`, which must report the same test results.
@Suite("Command line: the digits example")
struct DigitsExampleTests {
    typealias CLI = CommandLineTests

    /// The chapter's from-code example, verbatim (Tutorials/TutorialTests checks that the chapter's
    /// block is here): the export in `folder` trained as `mtl train --inputs … --targets …` trains it.
    static func trainDigits(in folder: URL) throws -> [TaskEvaluation] {
        let images = try Tensor(contentsOfNPY: folder.appendingPathComponent("x.npy"))     // [N, 1, 8, 8], ink 0…16
        let digit = try Tensor(contentsOfNPY: folder.appendingPathComponent("digit.npy"))  // [N], classes 0…9
        let slant = try Tensor(contentsOfNPY: folder.appendingPathComponent("slant.npy"))  // [N], pixels
        let tasks = [TaskSpec(name: "digit", kind: .classification(classCount: 10)),
                     TaskSpec(name: "slant", kind: .regression(outputCount: 1))]
        let all = MultiTaskDataset(tasks: tasks, inputs: images, targets: [digit, slant.reshaped(to: [slant.count, 1])])
        var splits = all.split(validationFraction: 0.1, testFraction: 0.2, seed: 2)   // mtl train --seed 0's split
        let statistics = Standardization(fittedTo: splits.train.inputs)                // from the training images only
        splits.train.inputs = statistics.applied(to: splits.train.inputs)
        splits.validation.inputs = statistics.applied(to: splits.validation.inputs)
        splits.test.inputs = statistics.applied(to: splits.test.inputs)
        let model = makeNetwork(.multiHead, tasks: tasks, inputShape: [1, 8, 8], options: ArchitectureOptions(seed: 0))
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
                              configuration: Trainer.Configuration(epochs: 30, batchSize: 64, seed: 0))
        try trainer.fit(splits.train, validation: splits.validation)
        let results = evaluate(model, on: splits.test)   // per task: its loss and metrics on the test split
        return results
    }

    /// A stand-in for the export, in its layout: `count` images of 0…16 "ink" — each class's own random
    /// pattern, its rows shifted by a random slant (more at the top), plus noise — with the digit and the slant.
    static func writeStandIn(count: Int, into folder: URL) throws {
        var generator = SeededGenerator(seed: 11)
        let patterns = (0..<10).map { _ in (0..<64).map { _ in generator.nextFloat() < 0.3 ? Float(16) : 0 } }
        var pixels: [Float] = [], digits: [Float] = [], slants: [Float] = []
        for index in 0..<count {
            let digit = index % 10
            let slant = generator.nextFloat(in: -2..<2)
            var image = [Float](repeating: 0, count: 64)
            for row in 0..<8 {
                let shift = Int((slant * Float(7 - row) / 7).rounded())
                for column in 0..<8 where (0..<8).contains(column + shift) {
                    image[row * 8 + column + shift] = patterns[digit][row * 8 + column]
                }
            }
            pixels += image.map { min(16, max(0, $0 + 2 * generator.nextNormal()).rounded()) }
            digits.append(Float(digit))
            slants.append(slant)
        }
        try Tensor(shape: [count, 1, 8, 8], scalars: pixels).writeNPY(to: folder.appendingPathComponent("x.npy"))
        try Tensor(digits).writeNPY(to: folder.appendingPathComponent("digit.npy"))
        try Tensor(slants).writeNPY(to: folder.appendingPathComponent("slant.npy"))
    }

    /// `evaluations` as `mtl eval` prints them: one line per task, metrics sorted, four decimals.
    static func evalLines(_ evaluations: [TaskEvaluation]) -> [String] {
        evaluations.map { evaluation in
            let metrics = evaluation.metrics.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { String(format: "%@ %.4f", $0.key.rawValue, $0.value) }
            return "  \(evaluation.task): loss \(String(format: "%.4f", evaluation.loss)), "
                + metrics.joined(separator: ", ")
        }
    }

    @Test("the chapter's code trains the export as mtl train does: the same test results, and it learns")
    func codeMatchesCommandLine() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeStandIn(count: 200, into: folder)
        let results = try Self.trainDigits(in: folder)
        let accuracy = try #require(results.first { $0.task == "digit" }?.metrics[.accuracy])
        #expect(accuracy > 0.5, "digit accuracy \(accuracy) on the stand-in (chance: 0.1)")

        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        let run = folder.appendingPathComponent("run").path
        let trained = try CLI.mtl(["train", "--inputs", path("x.npy"),
                                   "--targets", "digit=\(path("digit.npy")),slant=\(path("slant.npy"))",
                                   "--tasks", "digit:classification:10,slant:regression", "--epochs", "30",
                                   "--quiet", "--output", run])
        #expect(trained.status == 0, "mtl train: \(trained.error)")
        let evaluated = try CLI.mtl(["eval", "--checkpoint", run + "/model.mtlckpt"])
        #expect(evaluated.status == 0, "mtl eval: \(evaluated.error)")
        let printed = evaluated.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  ") }
        #expect(printed == Self.evalLines(results), """
            mtl eval printed
            \(printed.joined(separator: "\n"))
            the chapter's code gave
            \(Self.evalLines(results).joined(separator: "\n"))
            """)
    }
}
