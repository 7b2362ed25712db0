import Foundation
import Testing
import MultiTaskKit

/// `mtl` against hostile input and broken outputs: checkpoints whose stored settings were edited
/// (checksums resealed), standard output and error on a full device, output paths under a file.
@Suite("Command line: hostile input and broken outputs")
struct HostileCommandLineTests {
    @Test("a failed write to standard output exits non-zero")
    func fullStandardOutput() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        #expect(try CommandLineTests.mtl(["--help"], output: full).refused(saying: "standard output"))
        #expect(try CommandLineTests.mtl(["train", "--help"], output: full).refused(saying: "no space left"))
    }

    @Test("a failed write to standard error is ignored: a bad flag still exits 2, a run still trains and checkpoints")
    func fullStandardError() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        #expect(try CommandLineTests.mtl(["train", "--bogus", "1"], errorOutput: full).status == 2)
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        let outcome = try CommandLineTests.mtl(["train", "--dataset", "regression", "--samples", "100", "--epochs", "2",
                                    "--output", run.path], errorOutput: full)
        #expect(outcome.status == 0)
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("model.mtlckpt").path))
    }

    @Test("an output path under a file, or naming a file, is refused in plain words")
    func outputUnderAFile() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        for command in [["train"], ["study", "--quick"]] {
            let under = try CommandLineTests.mtl(command + ["--output", file.appendingPathComponent("run").path])
            #expect(under.refused(saying: "a component of the path is not a directory: \(file.path)"), "\(command)")
            #expect(!under.error.contains("NSCocoaErrorDomain"))
            let named = try CommandLineTests.mtl(command + ["--output", file.path])
            #expect(named.refused(saying: "exists and is not a directory"), "\(command)")
        }
    }

    @Test("mtl eval validates the run settings stored in a checkpoint like flags, and refuses NaN weights")
    func evalDistrustsCheckpoints() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CommandLineTests.mtl(CommandLineTests.smallRun(directory)).status == 0)
        let url = directory.appendingPathComponent("model.mtlckpt")
        let original = try Checkpoint(contentsOf: url)
        #expect(try CommandLineTests.mtl(["eval", "--checkpoint", url.path]).status == 0)
        let edits: [(String, String)] = [
            ("samples", "-1"), ("samples", "1000000000000"), ("width", "0"), ("width", "100000"),
            ("sharing-ratio", "-0.5"), ("sharing-ratio", "5"), ("sharing-ratio", "nan"), ("update-interval", "0"),
            ("dataset", "nope"),
            ("architecture", String(repeating: "a", count: 3000)), ("correlation", "inf"), ("seed", "-4"),
        ]
        let crafted = directory.appendingPathComponent("crafted.mtlckpt")
        for (key, value) in edits {
            var checkpoint = original
            checkpoint.metadata["run.\(key)"] = value
            try checkpoint.write(to: crafted)
            let outcome = try CommandLineTests.mtl(["eval", "--checkpoint", crafted.path])
            #expect(outcome.refused(saying: "--\(key)") && outcome.error.count < 600,
                    "run.\(key) = \(value.prefix(20)): \(outcome.status) \(outcome.error.prefix(300))")
        }
        // Each stored value passes its flag's range, but together they leave a masked layer uncovered.
        var roaming = original
        roaming.metadata["run.architecture"] = "roaming"
        roaming.metadata["run.width"] = "3"
        roaming.metadata["run.sharing-ratio"] = "0.3"
        try roaming.write(to: crafted)
        #expect(try CommandLineTests.mtl(["eval", "--checkpoint", crafted.path]).refused(saying: "--sharing-ratio"))
        var diverged = original
        let name = diverged.tensors.keys.sorted().first { $0.hasPrefix("parameters.") }!
        diverged.tensors[name] = Tensor(repeating: .nan, shape: diverged.tensors[name]!.shape)
        try diverged.write(to: crafted)
        #expect(try CommandLineTests.mtl(["eval", "--checkpoint", crafted.path]).refused(saying: "NaN"))
    }

    @Test("every stored run setting set to hostile values in a resealed checkpoint: mtl eval exits 0 or 2, no trap")
    func evalFuzzesStoredSettings() throws {
        let directory = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try #require(try CommandLineTests.mtl(CommandLineTests.smallRun(directory)).status == 0)
        let original = try Checkpoint(contentsOf: directory.appendingPathComponent("model.mtlckpt"))
        let keys = original.metadata.keys.filter { $0.hasPrefix("run.") }.sorted()
        try #require(keys.count >= 15, "\(keys)")
        let values = ["", "nan", "-inf", "-1", "0", "1e30", "9223372036854775807", "0.5", "x,y", "\u{0}",
                      String(repeating: "9", count: 400)]
        let crafted = directory.appendingPathComponent("crafted.mtlckpt")
        var refused = 0
        for key in keys {
            for value in values {
                var checkpoint = original
                checkpoint.metadata[key] = value
                try checkpoint.write(to: crafted)
                let outcome = try CommandLineTests.mtl(["eval", "--checkpoint", crafted.path])
                #expect(outcome.status == 0 || (outcome.status == 2 && outcome.error.hasPrefix("mtl: ")),
                        "\(key) = \(value.prefix(20)): \(outcome.status) \(outcome.error.prefix(300))")
                if outcome.status == 2 { refused += 1 }
            }
        }
        // Most of these values are out of their flag's range: far more refusals than acceptances.
        #expect(refused > keys.count * values.count / 2, "\(refused) of \(keys.count * values.count) refused")
    }
}
