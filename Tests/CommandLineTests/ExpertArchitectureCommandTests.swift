import Foundation
import Testing
import MultiTaskKit

/// `mtl train --architecture mmoe|cgc|ple` and their flags as a user meets them: they train, write
/// the expert utilization (diagnostics and experts.svg), are rebuilt by `mtl eval`, and bad counts are
/// refused with status 2; `mtl study` takes them as arms with their options.
@Suite("Command line: expert architectures")
struct ExpertArchitectureCommandTests {
    @Test("mmoe, cgc and ple train, record their gates, evaluate; bad counts and levels are refused")
    func trainAndRefuse() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (architecture, flags) in [("mmoe", ["--experts", "3"]), ("cgc", ["--shared-experts", "2"]),
                                      ("ple", ["--task-experts", "2", "--levels", "2"])] {
            let output = directory.appendingPathComponent(architecture)
            let outcome = try CommandLineTests.mtl([
                "train", "--dataset", "regression", "--architecture", architecture, "--epochs", "2", "--samples", "80",
                "--width", "4", "--quiet", "--output", output.path,
            ] + flags)
            #expect(outcome.status == 0, "\(architecture): \(outcome.error)")
            let diagnostics = try String(contentsOf: output.appendingPathComponent("diagnostics.jsonl"),
                                         encoding: .utf8)
            #expect(diagnostics.split(separator: "\n").allSatisfy { $0.contains("\"expertUtilization\": {") })
            let chart = try String(contentsOf: output.appendingPathComponent("experts.svg"), encoding: .utf8)
            #expect(chart.contains("Expert utilization") && chart.contains("shared.0"))
            let evaluated = try CommandLineTests.mtl(["eval", "--checkpoint",
                                                      output.appendingPathComponent("model.mtlckpt").path])
            #expect(evaluated.status == 0, "\(architecture) eval: \(evaluated.error)")
        }
        let metadata = try Checkpoint(contentsOf: directory.appendingPathComponent("ple/model.mtlckpt")).metadata
        #expect(metadata["run.task-experts"] == "2" && metadata["run.levels"] == "2" && metadata["run.experts"] == "8")
        // A changed count is refused on resume, by name.
        let resumed = try CommandLineTests.mtl(["train", "--dataset", "regression", "--architecture", "mmoe",
                                                "--epochs", "3", "--samples", "80", "--width", "4", "--quiet",
                                                "--output", directory.appendingPathComponent("mmoe").path,
                                                "--resume", "--experts", "4"])
        #expect(resumed.refused(saying: "--experts 3 → 4"), "\(resumed.error)")
        let run = ["train", "--dataset", "regression", "--samples", "60", "--quiet", "--output",
                   directory.appendingPathComponent("bad").path]
        #expect(try CommandLineTests.mtl(run + ["--architecture", "mmoe", "--experts", "0"])
            .refused(saying: "--experts must be an integer in 1...64"))
        #expect(try CommandLineTests.mtl(run + ["--architecture", "ple", "--levels", "3"])
            .refused(saying: "levels must be in 1...2"))
        #expect(try CommandLineTests.mtl(run + ["--architecture", "cgc", "--shared-experts", "0",
                                                "--task-experts", "0"]).refused(saying: "at least one expert"))
        #expect(try CommandLineTests.mtl(run + ["--architecture", "ple", "--shared-experts", "0"])
            .refused(saying: "needs at least one shared expert"))
    }

    @Test("mtl study takes mmoe, cgc and ple arms with their options, and refuses options that do not apply")
    func studyArms() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let study = ["study", "--quick", "--seeds", "1", "--epochs", "1", "--samples", "60", "--noise-floor", "off",
                     "--output", directory.path, "--arms"]
        let outcome = try CommandLineTests.mtl(study + ["multi-head@8,mmoe@4+experts=2,cgc@4+shared-experts=2,"
                                                        + "ple@4+levels=2+task-experts=1"])
        #expect(outcome.status == 0, "\(outcome.error)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.csv"), encoding: .utf8)
        #expect(runs.contains("mmoe@4+experts=2") && runs.contains("ple@4+levels=2+task-experts=1"))
        #expect(try CommandLineTests.mtl(study + ["multi-head,multi-head+experts=2"]).refused(saying: "unknown option"))
        #expect(try CommandLineTests.mtl(study + ["multi-head,mmoe+experts=0"]).refused(saying: "experts must be"))
        #expect(try CommandLineTests.mtl(study + ["multi-head,ple+levels=5"])
            .refused(saying: "levels must be in 1...2"))
    }
}
