import Foundation
import Testing
import MultiTaskKit

/// `mtl train --architecture ltb` and its flags as a user meets them: the search, the printed and drawn
/// tree, the branching probabilities in the diagnostics, the tree recorded in the checkpoint for
/// `mtl eval`; bad values refused with status 2; `mtl study` takes ltb arms with their options.
@Suite("Command line: Learning to Branch")
struct LearningToBranchCommandTests {
    @Test("ltb searches, prints and draws its tree, records it for eval; bad values and --resume are refused")
    func trainAndRefuse() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("ltb")
        let outcome = try CommandLineTests.mtl([
            "train", "--dataset", "blocks", "--architecture", "ltb", "--search-epochs", "3", "--branch-nodes", "2",
            "--branch-sampling", "soft", "--branch-learning-rate", "0.05", "--epochs", "2", "--samples", "120",
            "--width", "4", "--quiet", "--output", output.path,
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("learned tree (3 search epochs") && outcome.output.contains("layer 1, node"))
        let lines = try String(contentsOf: output.appendingPathComponent("diagnostics.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        // Three search epochs first (with the branching probabilities), then the two of the retraining.
        #expect(lines.count == 5 && lines.prefix(3).allSatisfy { $0.contains("\"branching\": {\"temperature\":") }
                && !lines[3].contains("branching"))
        let leftover = output.appendingPathComponent("search-diagnostics.jsonl").path
        #expect(!FileManager.default.fileExists(atPath: leftover))
        let figure = try String(contentsOf: output.appendingPathComponent("branching.svg"), encoding: .utf8)
        #expect(figure.contains("chosen parent") && figure.contains("head task5"))
        let tree = try String(contentsOf: output.appendingPathComponent("tree.svg"), encoding: .utf8)
        #expect(tree.contains("head task0"))
        let metadata = try Checkpoint(contentsOf: output.appendingPathComponent("model.mtlckpt")).metadata
        #expect(metadata["run.search-epochs"] == "3" && metadata["run.branch-nodes"] == "2"
                && metadata["run.branch-sampling"] == "soft" && metadata["ltb.node-counts"] == "2,2"
                && metadata["ltb.tree"]?.split(separator: ";").count == 2)
        let evaluated = try CommandLineTests.mtl(["eval", "--checkpoint",
                                                  output.appendingPathComponent("model.mtlckpt").path])
        #expect(evaluated.status == 0 && evaluated.output.contains("task5"), "\(evaluated.error)")
        // A damaged or missing tree record is refused by eval, not trusted.
        for (key, value) in [("ltb.tree", "0,0;0,0,0,0,0,9"), ("ltb.tree", "x"), ("ltb.node-counts", "2,0"),
                             ("ltb.node-counts", "2")] {
            var checkpoint = try Checkpoint(contentsOf: output.appendingPathComponent("model.mtlckpt"))
            checkpoint.metadata[key] = value
            let damaged = directory.appendingPathComponent("damaged.mtlckpt")
            try checkpoint.write(to: damaged)
            #expect(try CommandLineTests.mtl(["eval", "--checkpoint", damaged.path])
                .refused(saying: "is not a branching tree"), "\(key) = \(value)")
        }
        var untreed = try Checkpoint(contentsOf: output.appendingPathComponent("model.mtlckpt"))
        untreed.metadata["ltb.tree"] = nil
        try untreed.write(to: directory.appendingPathComponent("untreed.mtlckpt"))
        #expect(try CommandLineTests.mtl(["eval", "--checkpoint", directory.appendingPathComponent("untreed.mtlckpt")
            .path]).refused(saying: "cannot be rebuilt"))
        let run = ["train", "--dataset", "regression", "--architecture", "ltb", "--samples", "60", "--quiet",
                   "--output", directory.appendingPathComponent("bad").path]
        #expect(try CommandLineTests.mtl(run + ["--branch-nodes", "0"]).refused(saying: "--branch-nodes"))
        #expect(try CommandLineTests.mtl(run + ["--search-epochs", "0"]).refused(saying: "--search-epochs"))
        #expect(try CommandLineTests.mtl(run + ["--branch-sampling", "sideways"])
            .refused(saying: "--branch-sampling"))
        #expect(try CommandLineTests.mtl(run + ["--branch-learning-rate", "0"])
            .refused(saying: "--branch-learning-rate"))
        #expect(try CommandLineTests.mtl(["train", "--dataset", "blocks", "--architecture", "ltb", "--resume",
                                          "--output", output.path]).refused(saying: "cannot be resumed"))
    }

    @Test("mtl study takes ltb arms with +search-epochs, +branch-nodes and +soft; they do not apply to others")
    func studyArms() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let study = ["study", "--dataset", "blocks", "--seeds", "1", "--epochs", "1", "--samples", "80",
                     "--noise-floor", "off", "--output", directory.path, "--arms"]
        let outcome = try CommandLineTests.mtl(study + ["multi-head@4,ltb@4+search-epochs=2+branch-nodes=2+soft"])
        #expect(outcome.status == 0, "\(outcome.error)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.csv"), encoding: .utf8)
        #expect(runs.contains("ltb@4+search-epochs=2+branch-nodes=2+soft"))
        #expect(try CommandLineTests.mtl(study + ["multi-head+branch-nodes=2"]).refused(saying: "unknown option"))
        #expect(try CommandLineTests.mtl(study + ["ltb+branch-nodes=0"]).refused(saying: "branch-nodes"))
    }
}
