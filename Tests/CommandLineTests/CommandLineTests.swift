import Foundation
import Testing
import MultiTaskKit

/// The `mtl` tool as a user meets it: each test runs the built executable (beside this test
/// bundle: `swift test` builds it with everything else) and checks its exit status and messages.
@Suite("Command line")
struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var output: String
        var error: String
        /// Exit status 2 with an `mtl: …` message containing `text`.
        func refused(saying text: String) -> Bool { status == 2 && error.hasPrefix("mtl: ") && error.contains(text) }
    }

    /// The `mtl` executable built with the tests.
    static let executable: URL? = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("mtl")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/mtl") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `mtl` with `arguments` (and extra environment), standard output to `output` when given.
    static func mtl(_ arguments: [String], environment: [String: String] = [:], output: FileHandle? = nil,
                    errorOutput: FileHandle? = nil, directory: URL? = nil) throws -> Outcome {
        guard let executable else {
            Issue.record("the mtl executable was not found beside the tests; build it with `swift build -c release`")
            return Outcome(status: -1, output: "", error: "")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let standardOutput = Pipe(), standardError = Pipe()
        if let output { process.standardOutput = output } else { process.standardOutput = standardOutput }
        if let errorOutput { process.standardError = errorOutput } else { process.standardError = standardError }
        try process.run()
        let outputData = output == nil ? standardOutput.fileHandleForReading.readDataToEndOfFile() : Data()
        let errorData = errorOutput == nil ? standardError.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        // A trap ends the process by a signal: report it as such, never as a status.
        let status = process.terminationReason == .uncaughtSignal ? 1000 + process.terminationStatus
                                                                  : process.terminationStatus
        return Outcome(status: status, output: String(decoding: outputData, as: UTF8.self),
                       error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-cli-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A small regression run's flags.
    static func smallRun(_ directory: URL) -> [String] {
        ["train", "--dataset", "regression", "--samples", "100", "--epochs", "1", "--quiet", "--output", directory.path]
    }

    @Test("every command's --help prints its usage with status 0")
    func help() throws {
        for command in ["demo", "train", "eval", "compare", "tour"] {
            let outcome = try Self.mtl([command, "--help"])
            #expect(outcome.status == 0 && outcome.output.contains("USAGE")
                    && outcome.output.contains("mtl \(command)"),
                    "mtl \(command) --help: \(outcome.status) \(outcome.error)")
        }
        #expect(try Self.mtl(["train", "--help"]).output.contains("--epochs N"))
    }

    @Test("repeated flags, empty method lists, bad MTL_NUM_THREADS and oversized data are errors (status 2)")
    func badInput() throws {
        #expect(try Self.mtl(["demo", "--seed", "1", "--seed", "2"]).refused(saying: "--seed is given twice"))
        #expect(try Self.mtl(["compare", "--balancers", ""]).refused(saying: "--balancers"))
        #expect(try Self.mtl(["compare", "--balancers", "ew,,dwa"]).refused(saying: "empty name"))
        #expect(try Self.mtl(["tour"], environment: ["MTL_NUM_THREADS": "many"]).refused(saying: "MTL_NUM_THREADS"))
        #expect(try Self.mtl(["tour"], environment: ["MTL_NUM_THREADS": "100000"]).refused(saying: "MTL_NUM_THREADS"))
        #expect(try Self.mtl(["train", "--samples", "1000000"]).refused(saying: "GiB"))
        let long = String(repeating: "x", count: 5000)
        let outcome = try Self.mtl(["train", "--architecture", long])
        #expect(outcome.refused(saying: "--architecture") && outcome.error.count < 600,
                "\(outcome.error.count) characters")
    }

    @Test("masked architectures whose sharing ratio cannot cover a layer are refused, not trapped")
    func uncoveredMasks() throws {
        // Digits: 2 tasks; width 1 passes the first layer (1 unit) but not the second (2 units, 1 active each).
        // A refused run leaves nothing behind (no default output directory).
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Self.mtl(["train", "--dataset", "digits", "--architecture", "roaming", "--width", "1",
                              "--sharing-ratio", "0.3",
                              "--samples", "40"], directory: directory).refused(saying: "a layer of"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        #expect(try Self.mtl(["train", "--dataset", "shapes", "--architecture", "fixed-partitioning", "--width", "8",
                              "--sharing-ratio", "0.01", "--samples", "40"],
                             directory: directory).refused(saying: "a layer of"))
    }

    @Test("a study's runs file is never mixed with other settings, other tasks or damaged rows")
    func studyRunsFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = ["study", "--quick", "--arms", "stl@4,multi-head@4", "--noise-floor", "off", "--output",
                    directory.path]
        #expect(try Self.mtl(base).status == 0)
        #expect(try Self.mtl(base + ["--samples", "320"]).refused(saying: "other settings"))
        #expect(try Self.mtl(base + ["--learning-rate", "0.01"]).refused(saying: "other settings"))
        #expect(try Self.mtl(["study", "--quick", "--arms", "stl@4", "--noise-floor", "off", "--dataset", "digits",
                              "--output", directory.path]).refused(saying: "other settings"))
        let runs = directory.appendingPathComponent("runs.csv")
        var text = try String(contentsOf: runs, encoding: .utf8)
        let lines = text.split(separator: "\n")
        for damaged in [lines[1].replacingOccurrences(of: ",2,", with: ",nan,"), String(lines[1])] {
            text = lines.map(String.init).joined(separator: "\n") + "\n" + damaged + "\n"
            try Data(text.utf8).write(to: runs)
            #expect(try Self.mtl(base).refused(saying: "study CSV"), "\(damaged)")
        }
    }

    @Test("--schedule, --warmup-steps, --early-stopping: the run records them, writes best.mtlckpt; bad values exit 2")
    func trainerHooks() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = Self.smallRun(directory)
        arguments[arguments.firstIndex(of: "--epochs")! + 1] = "30"
        arguments += ["--schedule", "cosine:30:0.1", "--warmup-steps", "3", "--early-stopping", "2",
                      "--learning-rate", "0.05"]
        let outcome = try Self.mtl(arguments)
        #expect(outcome.status == 0, "\(outcome.error)")
        let best = directory.appendingPathComponent("best.mtlckpt")
        let stored = try Checkpoint(contentsOf: best).metadata
        #expect(stored["run.schedule"] == "cosine:30:0.1" && stored["run.early-stopping"] == "2")
        let last = try Checkpoint(contentsOf: directory.appendingPathComponent("model.mtlckpt")).metadata
        #expect(Int(last["trainer.completedEpochs"]!)! - Int(stored["trainer.completedEpochs"]!)! <= 2)
        #expect(try Self.mtl(["eval", "--checkpoint", best.path]).status == 0)
        // A changed schedule is refused on resume.
        var changed = arguments + ["--resume"]
        changed[changed.firstIndex(of: "cosine:30:0.1")!] = "cosine:40"
        #expect(try Self.mtl(changed).refused(saying: "--schedule "))
        for (flag, value) in [("schedule", "cosine"), ("schedule", "cosine:0"), ("schedule", "step:2:0"),
                              ("schedule", "linear"), ("schedule", "cosine:3:2"), ("warmup-steps", "-1"),
                              ("early-stopping", "-1")] {
            let output = directory.appendingPathComponent("x").path
            let bad = try Self.mtl(["train", "--\(flag)", value, "--output", output])
            #expect(bad.refused(saying: "--\(flag)"), "--\(flag) \(value): \(bad.error)")
        }
    }

    @Test("--resume refuses each changed setting by name; --epochs may change")
    func resumeRefusesChangedSettings() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.mtl(Self.smallRun(directory))
        try #require(first.status == 0, "\(first.error)")
        let changes: [(String, String)] = [
            ("dataset", "digits"), ("architecture", "stl"), ("sharing-ratio", "0.75"), ("update-interval", "3"),
            ("selection", "least-aligned"), ("mode", "groups"), ("group-size", "2"), ("balancer", "dwa"),
            ("batch-size", "32"), ("learning-rate", "0.01"), ("samples", "120"), ("correlation", "0.1"), ("width", "8"),
            ("seed", "1"), ("log-format", "jsonl"), ("initialization", "bernoulli"), ("channel-dropout", "0.1"),
            ("normalization", "batch"), ("backbone", "residual"),
        ]
        for (flag, value) in changes {
            var arguments = Self.smallRun(directory) + ["--resume"]
            if let given = arguments.firstIndex(of: "--\(flag)") { arguments[given + 1] = value } else {
                arguments += ["--\(flag)", value]
            }
            arguments[arguments.firstIndex(of: "--epochs")! + 1] = "2"
            let outcome = try Self.mtl(arguments)
            #expect(outcome.refused(saying: "other settings") && outcome.error.contains("--\(flag) "),
                    "--\(flag) \(value): \(outcome.status) \(outcome.error)")
        }
        var longer = Self.smallRun(directory) + ["--resume"]
        longer[longer.firstIndex(of: "--epochs")! + 1] = "2"
        let resumed = try Self.mtl(longer)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(try String(contentsOf: directory.appendingPathComponent("log.csv"),
                           encoding: .utf8).contains("\n2,train,"))
    }

    @Test("one run per directory: a held lock and an existing run (without --overwrite) are refused")
    func oneRunPerDirectory() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Self.mtl(Self.smallRun(directory)).status == 0)
        #expect(try Self.mtl(Self.smallRun(directory)).refused(saying: "already holds a run"))
        #expect(try Self.mtl(Self.smallRun(directory) + ["--overwrite"]).status == 0)
        // Another process holds the lock, as a second `mtl train` would while it runs.
        let lock = open(directory.appendingPathComponent(".mtl-lock").path, O_RDWR | O_CREAT, 0o644)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        #expect(try Self.mtl(Self.smallRun(directory) + ["--resume"]).refused(saying: "another mtl run"))
        _ = flock(lock, LOCK_UN)
        #expect(try Self.mtl(Self.smallRun(directory) + ["--overwrite"]).status == 0)
    }

    @Test("mtl eval reads task-alternating runs (roaming by default), also from checkpoints that recorded the raw mode")
    func evalReadsTaskAlternatingRuns() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func run(epochs: Int) -> [String] {
            ["train", "--dataset", "shapes", "--architecture", "roaming", "--samples", "60", "--epochs", "\(epochs)",
             "--quiet", "--output", directory.path]
        }
        #expect(try Self.mtl(run(epochs: 1)).status == 0)
        let url = directory.appendingPathComponent("model.mtlckpt")
        var checkpoint = try Checkpoint(contentsOf: url)
        #expect(checkpoint.metadata["run.mode"] == "alternating")
        let evaluated = try Self.mtl(["eval", "--checkpoint", url.path])
        #expect(evaluated.status == 0, "\(evaluated.error)")
        // Before the fix, checkpoints recorded `taskAlternating`, which eval refused.
        checkpoint.metadata["run.mode"] = "taskAlternating"
        try checkpoint.write(to: url)
        let legacy = try Self.mtl(["eval", "--checkpoint", url.path])
        #expect(legacy.status == 0, "\(legacy.error)")
        let resumed = try Self.mtl(run(epochs: 2) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
    }
}
