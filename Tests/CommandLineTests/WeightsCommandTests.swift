import Foundation
import Testing
import MultiTaskKit

/// `mtl export` and `mtl import` as a user meets them: a run's weights go out as safetensors and
/// come back as a checkpoint that evaluates exactly as the original; bad input is status 2.
@Suite("Command line: safetensors")
struct WeightsCommandTests {
    @Test("export, import and eval: the imported run's test results are the trained run's")
    func exportImportEvaluate() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        try #require(try CommandLineTests.mtl(CommandLineTests.smallRun(run)).status == 0)
        let checkpoint = run.appendingPathComponent("model.mtlckpt").path
        let weights = directory.appendingPathComponent("weights.safetensors")
        let exported = try CommandLineTests.mtl(["export", "--checkpoint", checkpoint, "--output", weights.path])
        #expect(exported.status == 0, "\(exported.error)")
        let file = try Safetensors(contentsOf: weights)
        #expect(file.tensors["trunk.layers.0.layers.0.weight"]?.shape == [100, 16] && file.metadata["run.dataset"]
                == "regression")

        let imported = directory.appendingPathComponent("imported")
        let outcome = try CommandLineTests.mtl(["import", "--checkpoint", checkpoint, "--weights", weights.path,
                                                "--output", imported.path])
        #expect(outcome.status == 0, "\(outcome.error)")
        let original = try CommandLineTests.mtl(["eval", "--checkpoint", checkpoint])
        let evaluated = try CommandLineTests.mtl(["eval", "--checkpoint",
                                                  imported.appendingPathComponent("model.mtlckpt").path])
        #expect(evaluated.status == 0 && evaluated.output.contains("weights imported from"), "\(evaluated.error)")
        let results = { (text: String) in text.split(separator: "\n").dropFirst() }
        #expect(results(evaluated.output) == results(original.output) && !results(original.output).isEmpty,
                "\(original.output)\n\(evaluated.output)")
    }

    @Test("bad input is refused with status 2, naming the file and the problem")
    func badInput() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        try #require(try CommandLineTests.mtl(CommandLineTests.smallRun(run)).status == 0)
        let checkpoint = run.appendingPathComponent("model.mtlckpt").path
        let weights = directory.appendingPathComponent("weights.safetensors")
        let output = directory.appendingPathComponent("out").path
        func importing(_ file: URL) throws -> CommandLineTests.Outcome {
            try CommandLineTests.mtl(["import", "--checkpoint", checkpoint, "--weights", file.path, "--output", output])
        }
        #expect(try CommandLineTests.mtl(["export", "--checkpoint", checkpoint]).refused(saying: "--output FILE"))
        #expect(try CommandLineTests.mtl(["export", "--output", weights.path]).refused(saying: "--checkpoint PATH"))
        #expect(try CommandLineTests.mtl(["import", "--checkpoint", checkpoint, "--output", output])
            .refused(saying: "--weights FILE"))
        #expect(try importing(weights).refused(saying: "\(weights.path): no such file"))
        #expect(try CommandLineTests.mtl(["export", "--checkpoint", checkpoint, "--output", weights.path]).status == 0)
        #expect(try CommandLineTests.mtl(["export", "--checkpoint", checkpoint, "--output", weights.path])
            .refused(saying: "--overwrite"))
        #expect(try CommandLineTests.mtl(["export", "--checkpoint", weights.path, "--output", output])
            .refused(saying: "not a MultiTaskKit checkpoint"))

        let file = try Safetensors(contentsOf: weights)
        let damaged = directory.appendingPathComponent("damaged.safetensors")
        try Data(try Data(contentsOf: weights).prefix(200)).write(to: damaged)
        #expect(try importing(damaged).refused(saying: "safetensors file \(damaged.path): the header length"))
        var edited = file
        edited.tensors["heads.0.weight"] = edited.tensors["heads.0.weight"]!.transposed()
        try edited.write(to: damaged)
        #expect(try importing(damaged).refused(saying: "'heads.0.weight' has shape [1, 16], the model needs [16, 1]"))
        edited = file
        edited.tensors["heads.2.weight"] = Tensor.zeros([16, 1])
        try edited.write(to: damaged)
        #expect(try importing(damaged).refused(saying: "'heads.2.weight' is not in the model"))
        edited = file
        edited.tensors["heads.1.bias"] = Tensor([.nan])
        try edited.write(to: damaged)
        #expect(try importing(damaged).refused(saying: "NaN or infinite"))
        #expect(!FileManager.default.fileExists(atPath: output), "a refused import must not create its output")

        #expect(try importing(weights).status == 0)
        #expect(try importing(weights).refused(saying: "--overwrite"))
        let help = try CommandLineTests.mtl(["import", "--help"])
        #expect(help.status == 0 && help.output.contains("--weights FILE"))
        #expect(try CommandLineTests.mtl(["export", "--help"]).output.contains("mtl export"))
    }
}
