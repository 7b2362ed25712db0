import Foundation
import Testing
import MultiTaskKit

/// The trunk options of `mtl train` and `mtl study` — SE-MTL, the residual backbone, batch
/// normalization before the masks, the partition initialization and the Maximum Roaming preset — as
/// a user meets them: they run on every dataset, and bad values are refused with status 2.
@Suite("Command line: trunk options")
struct TrunkOptionTests {
    @Test("se-mtl and roaming run with --backbone residual --normalization batch --preset on every dataset")
    func everyDataset() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for dataset in SyntheticDataset.allCases {
            for architecture in ["se-mtl", "roaming"] {
                let output = directory.appendingPathComponent("\(dataset.rawValue)-\(architecture)")
                let outcome = try CommandLineTests.mtl([
                    "train", "--dataset", dataset.rawValue, "--architecture", architecture, "--backbone", "residual",
                    "--normalization", "batch", "--preset", "maximum-roaming", "--epochs", "1", "--samples", "60",
                    "--width", "8", "--quiet", "--output", output.path,
                ])
                #expect(outcome.status == 0, "\(dataset) \(architecture): \(outcome.error)")
            }
        }
        // The preset's values are the run's settings (recorded in the checkpoint), Δ from the data:
        // 42 training samples in batches of 64 are one batch per epoch, ⌊0.1⌋ + 1 = 1.
        let metadata = try Checkpoint(contentsOf: directory.appendingPathComponent("shapes-roaming/model.mtlckpt"))
            .metadata
        #expect(metadata["run.sharing-ratio"] == "0.8" && metadata["run.backbone"] == "residual"
                && metadata["run.normalization"] == "batch" && metadata["run.update-interval"] == "1"
                && metadata["run.learning-rate"] == "0.001")
        // A flag given wins over the preset.
        let own = directory.appendingPathComponent("own")
        #expect(try CommandLineTests.mtl(["train", "--dataset", "digits", "--architecture", "roaming", "--preset",
                                          "maximum-roaming", "--sharing-ratio", "0", "--backbone", "plain",
                                          "--epochs", "1", "--samples", "60", "--width", "4", "--quiet",
                                          "--output", own.path]).status == 0)
        let ownMetadata = try Checkpoint(contentsOf: own.appendingPathComponent("model.mtlckpt")).metadata
        #expect(ownMetadata["run.sharing-ratio"] == "0.0" && ownMetadata["run.backbone"] == "plain")
        // `mtl eval` rebuilds the residual, batch-normalized SE-MTL network from its checkpoint.
        let evaluated = try CommandLineTests.mtl(["eval", "--checkpoint",
                                                  directory.appendingPathComponent("scenes-se-mtl/model.mtlckpt").path])
        #expect(evaluated.status == 0, "\(evaluated.error)")
    }

    @Test("a run recorded before the trunk settings existed resumes (their values then were the defaults)")
    func resumesOlderRuns() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = ["train", "--dataset", "regression", "--samples", "60", "--quiet", "--output", directory.path]
        #expect(try CommandLineTests.mtl(run + ["--epochs", "1"]).status == 0)
        let url = directory.appendingPathComponent("model.mtlckpt")
        var checkpoint = try Checkpoint(contentsOf: url)
        for key in ["run.initialization", "run.backbone", "run.normalization"] { checkpoint.metadata[key] = nil }
        try checkpoint.write(to: url)
        let resumed = try CommandLineTests.mtl(run + ["--epochs", "2", "--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        // Resuming it with another trunk is refused by name.
        #expect(try CommandLineTests.mtl(run + ["--epochs", "3", "--resume", "--backbone", "residual"])
            .refused(saying: "--backbone"))
    }

    @Test("a least-aligned roaming run evaluates, also from a checkpoint that recorded the raw value leastAligned")
    func leastAlignedEvaluates() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CommandLineTests.mtl(["train", "--dataset", "digits", "--architecture", "roaming", "--selection",
                                          "least-aligned", "--samples", "60", "--epochs", "1", "--width", "4",
                                          "--quiet", "--output", directory.path]).status == 0)
        let url = directory.appendingPathComponent("model.mtlckpt")
        #expect(try CommandLineTests.mtl(["eval", "--checkpoint", url.path]).status == 0)
        var checkpoint = try Checkpoint(contentsOf: url)
        checkpoint.metadata["run.selection"] = "leastAligned"
        try checkpoint.write(to: url)
        let old = try CommandLineTests.mtl(["eval", "--checkpoint", url.path])
        #expect(old.status == 0, "\(old.error)")
    }

    @Test("""
        study arms take the partitioning options (+least-aligned, +unconstrained, +reset-moments, +zero-heads, \
        +interval=N, +p=X, +dropout=Q); --budget after-roaming; curves.csv and swaps.csv
        """)
    func armOptions() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arms = "fixed-partitioning@8+dropout=0.2,roaming@8+reset-moments,roaming@8+unconstrained+least-aligned,"
            + "roaming@8+interval=3+p=0.75,roaming@8+zero-heads"
        let outcome = try CommandLineTests.mtl(["study", "--quick", "--arms", arms, "--noise-floor", "off",
                                                "--update-interval", "2", "--budget", "after-roaming",
                                                "--output", directory.path])
        #expect(outcome.status == 0, "\(outcome.error)")
        let settings = try String(contentsOf: directory.appendingPathComponent("runs.csv.settings"), encoding: .utf8)
        #expect(settings.contains("channel-dropout 0.2") && settings.contains("resets-moments-on-swap")
                && settings.contains("selection leastAligned") && settings.contains("ratio 0.75")
                && settings.contains("interval 3 selection random") && settings.contains("budget=after roaming")
                && settings.contains("zeroes-unvisited-head-weights"))
        let swaps = try String(contentsOf: directory.appendingPathComponent("swaps.csv"), encoding: .utf8)
        #expect(swaps.hasPrefix("arm,seed,task,swaps,") && swaps.contains("roaming@8+zero-heads,")
                && !swaps.contains("fixed-partitioning"))
        let curves = try String(contentsOf: directory.appendingPathComponent("curves.csv"), encoding: .utf8)
        #expect(curves.hasPrefix("arm,seed,epoch,progress,coverage,")
                && curves.contains("roaming@8+interval=3+p=0.75,1,"))
        for bad in ["multi-head@8+unconstrained", "fixed-partitioning@8+zero-heads", "roaming@8+bogus",
                    "roaming@8+zero-heads+groups=0.1.2.3/4.5.6.7", "roaming@8+reset-moments+groups=0.1.2.3/4.5.6.7",
                    "roaming@8+dropout=2",
                    "roaming:adatask/summed@8+reset-moments", "roaming@8+interval=0", "roaming@8+interval=x",
                    "fixed-partitioning@8+interval=2", "multi-head@8+p=0.5", "roaming@8+p=1.5", "roaming@8+p=nan"] {
            #expect(try CommandLineTests.mtl(["study", "--quick", "--arms", bad]).refused(saying: "--arms"), "\(bad)")
        }
    }

    @Test("bad trunk values are refused by name with status 2")
    func badValues() throws {
        for (flag, value) in [("backbone", "dense"), ("normalization", "layer"), ("preset", "celeba"),
                              ("initialization", "random"), ("sharing-ratio", "-0.1")] {
            for command in ["train", "study"] where command == "train" || flag != "initialization" {
                #expect(try CommandLineTests.mtl([command, "--\(flag)", value]).refused(saying: "--\(flag)"),
                        "\(command) --\(flag) \(value)")
            }
        }
    }
}
