import Foundation
import Testing
import MultiTaskKit

/// `mtl train --init-from` and its fine-tuning flags, and `mtl study`'s fine-tuning arms, as a user
/// meets them: a pretrained run's trunk loads into a new run, what trains is recorded and kept on
/// resume, and bad values are refused with status 2 before the output directory is touched.
@Suite("Command line: fine-tuning")
struct FineTuningCommandTests {
    @Test("--init-from a pretrained run: the trunk loads, the plan is recorded and kept on resume; bad values exit 2")
    func initFrom() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pretrained = directory.appendingPathComponent("pretrained")
        let first = try CommandLineTests.mtl(CommandLineTests.smallRun(pretrained))
        try #require(first.status == 0, "\(first.error)")
        let checkpoint = pretrained.appendingPathComponent("best.mtlckpt").path
        let tuned = directory.appendingPathComponent("tuned")
        var arguments = CommandLineTests.smallRun(tuned) + ["--seed", "5", "--init-from", checkpoint,
                                                           "--init-map", "trunk.=trunk.", "--unfreeze-every", "1",
                                                           "--discriminative-decay", "0.385"]
        let outcome = try CommandLineTests.mtl(arguments)
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("initialized from \(checkpoint): loaded 4, skipped 4"),
                "\(outcome.output)")
        let stored = try Checkpoint(contentsOf: tuned.appendingPathComponent("model.mtlckpt")).metadata
        #expect(stored["run.fine-tuning"]?.contains("strategy gradual:1 decay 0.385") == true,
                "\(stored["run.fine-tuning"] ?? "none")")
        // The plan may not change on resume; the same plan resumes.
        let changed = arguments.filter { $0 != "0.385" && $0 != "--discriminative-decay" } + ["--resume"]
        #expect(try CommandLineTests.mtl(changed).refused(saying: "fine-tuning"))
        arguments[arguments.firstIndex(of: "--epochs")! + 1] = "2"
        let resumed = try CommandLineTests.mtl(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        // Bad values and combinations, each refused before anything is written.
        let output = directory.appendingPathComponent("refused").path
        let base = ["train", "--dataset", "regression", "--samples", "100", "--output", output]
        let cases: [([String], String)] = [
            (["--freeze-trunk"], "--freeze-trunk needs --init-from"),
            (["--init-map", "trunk.=trunk."], "--init-map needs --init-from"),
            (["--init-from", checkpoint, "--freeze-trunk", "--unfreeze-every", "2"], "exclude each other"),
            (["--init-from", checkpoint, "--unfreeze-every", "0"], "--unfreeze-every"),
            (["--init-from", checkpoint, "--discriminative-decay", "0"], "--discriminative-decay"),
            (["--init-from", checkpoint, "--discriminative-decay", "2"], "--discriminative-decay"),
            (["--init-from", checkpoint, "--init-map", "trunk."], "--init-map must be OLD=NEW"),
            (["--init-from", checkpoint, "--init-map", "a=b,a=c"], "--init-map must be OLD=NEW"),
            (["--init-from", checkpoint, "--init-map", "encoder.=trunk."], "no stored tensor maps"),
            (["--init-from", checkpoint, "--init-map", "trunk.=trunk.", "--init-strict"], "strict loading"),
            (["--init-from", directory.appendingPathComponent("absent.mtlckpt").path], "--init-from"),
            (["--init-from", checkpoint, "--architecture", "stl", "--freeze-trunk"], "needs --architecture multi-head"),
            (["--init-from", checkpoint, "--width", "8"], "has shape"),
            (["--init-from", checkpoint, "--init-map", "trunk.=trunk.", "--freeze-trunk", "--balancer", "gradnorm"],
             "per-task gradients"),
        ]
        for (flags, message) in cases {
            let bad = try CommandLineTests.mtl(base + flags)
            #expect(bad.refused(saying: message), "\(flags): \(bad.status) \(bad.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: output), "a refused run created its output directory")
    }

    @Test("mtl study: +full, +head-only, +gradual=K and +decay=ξ arms fine-tune each seed's pretrained run")
    func studyArms() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for seed in 0..<2 {
            let run = try CommandLineTests.mtl(CommandLineTests.smallRun(directory.appendingPathComponent("p\(seed)"))
                                               + ["--seed", String(seed)])
            try #require(run.status == 0, "\(run.error)")
        }
        let study = ["study", "--dataset", "regression", "--samples", "100", "--seeds", "2", "--epochs", "3",
                     "--noise-floor", "off", "--init-from", directory.path + "/p{seed}/best.mtlckpt"]
        let outcome = try CommandLineTests.mtl(study + [
            "--arms", "multi-head,multi-head+full,multi-head+head-only,multi-head+gradual=1+decay=0.5",
            "--output", directory.appendingPathComponent("study").path])
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("| multi-head+gradual=1+decay=0.5 | 2 |"), "\(outcome.output)")
        for (arms, message) in [("multi-head+gradual=0", "gradual=K"), ("multi-head+decay=3", "decay=ξ"),
                                ("stl+full", "needs a multi-head arm"), ("multi-head+full=2", "+full")] {
            let bad = try CommandLineTests.mtl(study + ["--arms", arms])
            #expect(bad.refused(saying: message), "\(arms): \(bad.error)")
        }
        let withoutWeights = try CommandLineTests.mtl(["study", "--arms", "multi-head+full", "--quick"])
        #expect(withoutWeights.refused(saying: "--init-from"), "\(withoutWeights.error)")
    }

    @Test("""
        mtl train resumed with --schedule, --warmup-steps, --early-stopping and gradual unfreezing ends with the \
        uninterrupted run's weights, bit for bit
        """)
    func resumeWithHooksIsBitIdentical() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pretrained = directory.appendingPathComponent("pretrained")
        try #require(try CommandLineTests.mtl(CommandLineTests.smallRun(pretrained)).status == 0)
        func run(_ name: String, epochs: Int) -> [String] {
            var arguments = CommandLineTests.smallRun(directory.appendingPathComponent(name))
            arguments[arguments.firstIndex(of: "--epochs")! + 1] = String(epochs)
            return arguments + ["--seed", "3", "--schedule", "cosine:6:0.1", "--warmup-steps", "2",
                                "--early-stopping", "3", "--learning-rate", "0.01",
                                "--init-from", pretrained.appendingPathComponent("best.mtlckpt").path,
                                "--init-map", "trunk.=trunk.", "--unfreeze-every", "1", "--discriminative-decay", "0.5"]
        }
        let straight = try CommandLineTests.mtl(run("straight", epochs: 6))
        #expect(straight.status == 0, "\(straight.error)")
        let first = try CommandLineTests.mtl(run("resumed", epochs: 2))
        #expect(first.status == 0, "\(first.error)")
        let resumed = try CommandLineTests.mtl(run("resumed", epochs: 6) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        for file in ["model.mtlckpt", "best.mtlckpt"] {
            func model(_ name: String) throws -> [String: Tensor] {
                try Checkpoint(contentsOf: directory.appendingPathComponent("\(name)/\(file)")).tensors
                    .filter { $0.key.hasPrefix("parameters.") || $0.key.hasPrefix("optimizer.") }
            }
            let (a, b) = (try model("straight"), try model("resumed"))
            #expect(!a.isEmpty && a == b, "\(file) differs after resuming")
        }
    }
}
