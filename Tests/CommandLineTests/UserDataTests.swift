// Over 300 lines: one suite for the whole path of a user's own data through the command line —
// training from CSV and .npy, evaluation, prediction and every refusal — sharing its small datasets.

import Foundation
import Testing
import MultiTaskKit

/// `mtl train`, `eval`, `compare` and `predict` on a user's own data, as a user meets them: small
/// CSV and `.npy` datasets written into a temporary directory, a run of one or two epochs, its
/// evaluation and predictions, and each bad input refused with status 2 and a message naming the
/// file and the problem.
@Suite("Command line: user data")
struct UserDataTests {
    typealias CLI = CommandLineTests

    /// A table of `rows` rows: four features, a 3-class `species` (from the first two features), a
    /// regression target `weight` around 100, and a 0/1 pair `smiling`, `glasses`.
    static func table(rows: Int = 60, seed: UInt64 = 1) -> (header: [String], values: [[Float]]) {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<rows).map { _ -> [Float] in
            let x = (0..<4).map { _ in generator.nextNormal() }
            let species: Float = x[0] > 0.5 ? 2 : (x[1] > 0 ? 1 : 0)
            let weight = 100 + 3 * x[2] - 2 * x[3] + 0.1 * generator.nextNormal()
            return x + [species, weight, x[0] + x[3] > 0 ? 1 : 0, x[1] > 0.3 ? 1 : 0]
        }
        return (["x1", "x2", "x3", "x4", "species", "weight", "smiling", "glasses"], values)
    }

    /// The table as CSV text.
    static func csv(_ table: (header: [String], values: [[Float]])) -> String {
        ([table.header.joined(separator: ",")] + table.values.map { $0.map(\.description).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// Writes `text` to `name` in `directory`; returns its path.
    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Writes `tensor` as `name` (.npy) in `directory`; returns its path.
    static func write(_ tensor: Tensor, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try tensor.writeNPY(to: url)
        return url.path
    }

    /// One-channel 8×8 images `[rows, 1, 8, 8]` with a 4-class `quadrant` (the brightest quadrant)
    /// and a 0/1 `bright` (the mean above zero).
    static func images(rows: Int = 48) -> (inputs: Tensor, quadrant: Tensor, bright: Tensor) {
        var generator = SeededGenerator(seed: 7)
        var pixels: [Float] = [], quadrants: [Float] = [], bright: [Float] = []
        for _ in 0..<rows {
            let quadrant = generator.nextInt(below: 4)
            var image = (0..<64).map { _ in generator.nextNormal() }
            for row in 0..<4 {
                for column in 0..<4 { image[(row + quadrant / 2 * 4) * 8 + column + quadrant % 2 * 4] += 2 }
            }
            pixels += image
            quadrants.append(Float(quadrant))
            bright.append(image.reduce(0, +) > 32 ? 1 : 0)
        }
        return (Tensor(shape: [rows, 1, 8, 8], scalars: pixels), Tensor(quadrants), Tensor(bright))
    }

    /// The test accuracy `mtl eval` printed for `task`.
    static func accuracy(of task: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("  \(task): ") }),
              let range = line.range(of: "accuracy ") else { return nil }
        return Double(line[range.upperBound...].prefix { $0 != "," })
    }

    @Test("a CSV table trains, evaluates and predicts: kinds inferred, predictions as CSV and .npy agree with eval")
    func csvRoundTrip() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = Self.table()
        let table = try Self.write(Self.csv(data), "table.csv", in: directory)
        let run = directory.appendingPathComponent("run").path
        let trained = try CLI.mtl(["train", "--data", table, "--tasks", "species,weight,attributes=smiling+glasses",
                                   "--epochs", "2", "--quiet", "--output", run])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("species (classification, 3 classes, inferred)")
                && trained.output.contains("weight (regression, 1 value, inferred)")
                && trained.output.contains("attributes (multi-label, 2 labels, inferred)"), "\(trained.output)")
        #expect(trained.output.contains("42 train / 6 validation / 12 test samples"), "\(trained.output)")
        let checkpoint = "\(run)/model.mtlckpt"
        let metadata = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).metadata
        let tasks = "species:classification:3,weight:regression:1,attributes=smiling+glasses:multi-label:2"
        #expect(metadata["run.tasks"] == tasks)
        #expect(metadata["data.input-columns"] == "x1\nx2\nx3\nx4" && metadata["data.input-shape"] == "4")
        #expect(metadata["data.checksums"]?.hasPrefix("fnv1a64:") == true && metadata["run.data"] == table)
        let evaluated = try CLI.mtl(["eval", "--checkpoint", checkpoint])
        #expect(evaluated.status == 0 && evaluated.output.contains("on table.csv, 2 epochs"), "\(evaluated.error)")

        // The test rows (the split of seed 0 + 2), predicted: the same accuracy as `mtl eval`'s.
        let test = splitIndices(count: 60, validationFraction: 0.1, testFraction: 0.2, seed: 2).test
        let testTable = try Self.write(Self.csv((data.header, test.map { data.values[$0] })), "test.csv", in: directory)
        let predictions = directory.appendingPathComponent("predictions.csv").path
        let predicted = try CLI.mtl(["predict", "--checkpoint", checkpoint, "--inputs", testTable, "--output",
                                     predictions])
        #expect(predicted.status == 0, "\(predicted.error)")
        let lines = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n")
        let header = lines.first.map(String.init) ?? ""
        let expectedHeader = "species,species.p0,species.p1,species.p2,weight,attributes.smiling,"
            + "attributes.smiling.p,attributes.glasses,attributes.glasses.p"
        #expect(header == expectedHeader)
        #expect(lines.count == test.count + 1)
        let rows: [[Double]] = lines.dropFirst().map { line in line.split(separator: ",").map { Double($0)! } }
        for row in rows {
            let total: Double = row[1] + row[2] + row[3]
            #expect(abs(total - 1) < 1e-5, "probabilities \(row[1...3])")
        }
        let predictedClasses: [Float] = rows.map { Float($0[0]) }
        let labels: [Float] = test.map { data.values[$0][4] }
        let correct = zip(predictedClasses, labels).filter { $0 == $1 }.count
        let accuracy = try #require(Self.accuracy(of: "species", in: evaluated.output))
        #expect(abs(Double(correct) / Double(test.count) - accuracy) < 1e-4,
                "predicted \(correct)/\(test.count), eval \(accuracy)")

        let arrays = directory.appendingPathComponent("p.npy").path
        #expect(try CLI.mtl(["predict", "--checkpoint", checkpoint, "--inputs", testTable, "--output", arrays])
            .status == 0)
        let probabilities = try Tensor(contentsOfNPY: directory.appendingPathComponent("p.species.npy"))
        let classes = try Tensor(contentsOfNPY: directory.appendingPathComponent("p.species.class.npy"))
        let weights = try Tensor(contentsOfNPY: directory.appendingPathComponent("p.weight.npy"))
        let attributes = try Tensor(contentsOfNPY: directory.appendingPathComponent("p.attributes.npy"))
        #expect(probabilities.shape == [12, 3] && classes.shape == [12] && weights.shape == [12]
                && attributes.shape == [12, 2])
        #expect(classes.scalars == predictedClasses)
        #expect(try CLI.mtl(["predict", "--checkpoint", checkpoint, "--inputs", testTable, "--output", arrays])
            .refuses("p.species.npy already exists; replace it with --overwrite"))
    }

    @Test(".npy images train the convolutional trunk with kinds given; eval, and predict from [N, H, W]")
    func imageArrays() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (inputs, quadrant, bright) = Self.images()
        let x = try Self.write(inputs, "x.npy", in: directory)
        let y = try Self.write(quadrant, "y_quadrant.npy", in: directory)
        let b = try Self.write(bright, "y_bright.npy", in: directory)
        let run = directory.appendingPathComponent("run").path
        let trained = try CLI.mtl(["train", "--inputs", x, "--targets", "quadrant=\(y),bright=\(b)", "--tasks",
                                   "quadrant:classification:4,bright:multi-label", "--width", "4", "--epochs", "1",
                                   "--quiet", "--output", run])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("quadrant (classification, 4 classes)")
                && trained.output.contains("bright (multi-label, 1 label)"), "\(trained.output)")
        let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: "\(run)/model.mtlckpt"))
        #expect(checkpoint.tensors["parameters.trunk.layers.0.layers.0.weight"]?.shape == [4, 1, 3, 3],
                "the convolutional trunk's first layer: \(checkpoint.tensors.keys.sorted())")
        #expect(checkpoint.metadata["data.input-shape"] == "1,8,8")
        #expect(checkpoint.metadata["data.input-mean"]?.split(separator: ",").count == 1, "one mean per channel")
        let evaluated = try CLI.mtl(["eval", "--checkpoint", "\(run)/model.mtlckpt"])
        #expect(evaluated.status == 0 && evaluated.output.contains("quadrant: loss"), "\(evaluated.error)")
        let grayscale = try Self.write(inputs.sliced(0..<5).reshaped(to: [5, 8, 8]), "new.npy", in: directory)
        let output = directory.appendingPathComponent("p.csv").path
        let predicted = try CLI.mtl(["predict", "--checkpoint", "\(run)/model.mtlckpt", "--inputs", grayscale,
                                     "--output", output])
        #expect(predicted.status == 0, "\(predicted.error)")
        let header = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").first.map(String.init)
        #expect(header == "quadrant,quadrant.p0,quadrant.p1,quadrant.p2,quadrant.p3,bright,bright.p")
        #expect(try CLI.mtl(["predict", "--checkpoint", "\(run)/model.mtlckpt", "--inputs",
                             try Self.write(Self.csv(Self.table()), "t.csv", in: directory), "--output", output,
                             "--overwrite"]).refuses("takes images [N, 1, 8, 8]"))
    }

    @Test("--standardize inputs-and-targets: eval says so, and predict restores the targets' units")
    func standardizedTargets() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = Self.table()
        let x = try Self.write(Tensor(shape: [60, 4], scalars: data.values.flatMap { $0[0..<4] }), "x.npy",
                               in: directory)
        let y = try Self.write(Tensor(data.values.map { $0[5] }), "y.npy", in: directory)
        let run = directory.appendingPathComponent("run").path
        let trained = try CLI.mtl(["train", "--inputs", x, "--targets", "weight=\(y)", "--standardize",
                                   "inputs-and-targets", "--epochs", "1", "--quiet", "--output", run])
        #expect(trained.status == 0 && !trained.output.contains("note:"), "\(trained.error)")
        let checkpoint = "\(run)/model.mtlckpt"
        let metadata = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint)).metadata
        let mean = try #require(metadata["data.target-mean.weight"].flatMap { Float($0) })
        #expect(abs(mean - 100) < 2, "the training targets' mean \(mean)")
        #expect(try CLI.mtl(["eval", "--checkpoint", checkpoint]).output.contains("on the standardized targets"))
        let output = directory.appendingPathComponent("p.npy").path
        #expect(try CLI.mtl(["predict", "--checkpoint", checkpoint, "--inputs", x, "--output", output]).status == 0)
        let predicted = try Tensor(contentsOfNPY: directory.appendingPathComponent("p.weight.npy"))
        #expect(predicted.shape == [60] && predicted.scalars.allSatisfy { $0 > 80 && $0 < 120 },
                "predictions in the targets' units (about 100): \(predicted.scalars.prefix(5))")
        // Without target standardization, a note says the targets are far from unit scale.
        let plain = try CLI.mtl(["train", "--inputs", x, "--targets", "weight=\(y)", "--epochs", "1", "--quiet",
                                 "--output", directory.appendingPathComponent("plain").path])
        #expect(plain.status == 0 && plain.output.contains("note: the targets of 'weight'"), "\(plain.output)")
    }

    @Test("the standardization statistics come from the training split only")
    func statisticsFromTrainingSplit() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var data = Self.table()
        let table = directory.appendingPathComponent("table.csv")
        func recorded() throws -> [String?] {
            try Self.csv(data).write(to: table, atomically: true, encoding: .utf8)
            let run = directory.appendingPathComponent("run").path
            let outcome = try CLI.mtl(["train", "--data", table.path, "--tasks", "species,weight", "--standardize",
                                       "inputs-and-targets", "--epochs", "1", "--quiet", "--overwrite", "--output",
                                       run])
            #expect(outcome.status == 0, "\(outcome.error)")
            let metadata = try Checkpoint(contentsOf: URL(fileURLWithPath: "\(run)/model.mtlckpt")).metadata
            return ["data.input-mean", "data.input-deviation", "data.target-mean.weight",
                    "data.target-deviation.weight"].map { metadata[$0] }
        }
        let original = try recorded()
        #expect(!original.contains(nil))
        let split = splitIndices(count: 60, validationFraction: 0.1, testFraction: 0.2, seed: 2)
        for row in split.test + split.validation {
            data.values[row][0...3] = [1000, -1000, 500, 7]
            data.values[row][5] = 1e5
        }
        #expect(try recorded() == original, "changing validation and test rows changed the statistics")
        data.values[split.train[0]][0] += 1
        let changed = try recorded()
        #expect(changed[0] != original[0] && changed[1] != original[1] && changed[2] == original[2],
                "a training row's x1 must move the mean and deviation of the inputs only")
    }

    @Test("mtl eval refuses data files that changed since training; compare trains on a user's table")
    func changedFilesAndCompare() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try Self.write(Self.csv(Self.table()), "table.csv", in: directory)
        let run = directory.appendingPathComponent("run").path
        #expect(try CLI.mtl(["train", "--data", table, "--tasks", "species,weight", "--epochs", "1", "--quiet",
                             "--output", run]).status == 0)
        #expect(try CLI.mtl(["train", "--data", table, "--tasks", "species", "--epochs", "2", "--quiet",
                             "--output", run, "--resume"]).refuses("--tasks species:classification:3,"))
        let compared = try CLI.mtl(["compare", "--data", table, "--tasks", "species,weight", "--balancers", "ew",
                                    "--quick", "--noise-floor", "off"])
        #expect(compared.status == 0 && compared.output.contains("on table.csv (60 rows)"), "\(compared.error)")
        _ = try Self.write(Self.csv(Self.table(seed: 2)), "table.csv", in: directory)
        #expect(try CLI.mtl(["eval", "--checkpoint", "\(run)/model.mtlckpt"])
            .refuses("\(table) has changed since the run was trained"))
        try FileManager.default.removeItem(atPath: table)
        #expect(try CLI.mtl(["eval", "--checkpoint", "\(run)/model.mtlckpt"])
            .refuses("cannot read \(table): no such file"))
    }

    @Test("each recorded setting and data record of a user-data run made hostile: eval and predict exit 0 or 2")
    func hostileRecords() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try Self.write(Self.csv(Self.table(rows: 30)), "table.csv", in: directory)
        let run = directory.appendingPathComponent("run")
        try #require(try CLI.mtl(["train", "--data", table, "--tasks", "species,weight,pair=smiling+glasses",
                                  "--standardize", "inputs-and-targets", "--epochs", "1", "--quiet", "--output",
                                  run.path]).status == 0)
        let original = try Checkpoint(contentsOf: run.appendingPathComponent("model.mtlckpt"))
        let keys = original.metadata.keys.filter { $0.hasPrefix("run.") || $0.hasPrefix("data.") }.sorted()
        try #require(keys.contains("data.target-mean.weight") && keys.contains("run.tasks"), "\(keys)")
        let values = ["", "nan", "-inf", "-1", "0", "1e30", "9223372036854775807", "1,0,1", "x,y", "\u{0}",
                      String(repeating: "9", count: 400), "4\n4", "species:classification:100000"]
        let crafted = directory.appendingPathComponent("crafted.mtlckpt")
        let output = directory.appendingPathComponent("p.csv").path
        for key in keys {
            for value in values {
                var checkpoint = original
                checkpoint.metadata[key] = value
                try checkpoint.write(to: crafted)
                for command in [["eval", "--checkpoint", crafted.path],
                                ["predict", "--checkpoint", crafted.path, "--inputs", table, "--output", output,
                                 "--overwrite"]] {
                    let outcome = try CLI.mtl(command)
                    let said = "\(command[0]) with \(key) = \(value.prefix(20)): \(outcome.status) "
                        + String(outcome.error.prefix(300))
                    #expect(outcome.status == 0 || (outcome.status == 2 && outcome.error.hasPrefix("mtl: ")),
                            "\(said)")
                }
            }
        }
    }

    @Test("bad data is refused with status 2, naming the file and the problem, before any output is written")
    func badData() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("never").path
        func train(_ arguments: [String]) throws -> CLI.Outcome {
            try CLI.mtl(["train"] + arguments + ["--epochs", "1", "--quiet", "--output", output])
        }
        let data = Self.table()
        let table = try Self.write(Self.csv(data), "table.csv", in: directory)
        var nonFinite = data
        nonFinite.values[2][0] = .nan
        let nanTable = try Self.write(Self.csv(nonFinite), "nan.csv", in: directory)
        var outside = data
        outside.values[4][4] = 5
        let outsideTable = try Self.write(Self.csv(outside), "outside.csv", in: directory)
        let tiny = try Self.write(Self.csv((data.header, Array(data.values.prefix(3)))), "tiny.csv", in: directory)
        // CSV tables.
        #expect(try train(["--data", table, "--tasks", "species,height"])
            .refuses("\(table): no column named 'height' for the task 'height'"))
        #expect(try train(["--data", table, "--tasks", "species", "--input-columns", "x1,x9"])
            .refuses("\(table): --input-columns names 'x9'"))
        #expect(try train(["--data", nanTable, "--tasks", "species"])
            .refuses("\(nanTable): row 3, column 'x1': a missing input (an empty or nan cell)"))
        #expect(try train(["--data", outsideTable, "--tasks", "species:classification:3"])
            .refuses("\(outsideTable): the task 'species', row 5: the label 5.0 is not a class index in 0..<3"))
        #expect(try train(["--data", table, "--tasks", "weight:classification"])
            .refuses("\(table): the task 'weight', row 1: the label"))
        #expect(try train(["--data", table, "--tasks", "species:multi-label"])
            .refuses("is not 0 or 1: a multi-label task takes 0 or 1 per label"))
        #expect(try train(["--data", table, "--tasks", "pair=smiling+glasses:classification"])
            .refuses("\(table): the task 'pair' is named a classification task"))
        #expect(try train(["--data", tiny, "--tasks", "weight"]).refuses("\(tiny): 3 samples are too few"))
        // .npy arrays.
        let (images, quadrant, _) = Self.images()
        let x = try Self.write(images, "x.npy", in: directory)
        let short = try Self.write(quadrant.sliced(0..<40), "short.npy", in: directory)
        #expect(try train(["--inputs", x, "--targets", "quadrant=\(short)"])
            .refuses("\(short): 40 labels for the task 'quadrant', but \(x) holds 48 samples"))
        var pixels = images.scalars
        pixels[7 * 64 + 3] = .infinity
        let infinite = try Self.write(Tensor(shape: images.shape, scalars: pixels), "inf.npy", in: directory)
        let y = try Self.write(quadrant, "y.npy", in: directory)
        #expect(try train(["--inputs", infinite, "--targets", "quadrant=\(y)"])
            .refuses("\(infinite): the inputs of sample 7 (counting from 0) hold inf"))
        #expect(try train(["--inputs", x, "--targets", "quadrant=\(y)", "--tasks", "quadrant:classification:3"])
            .refuses("\(y): the task 'quadrant', sample"))
        let small = try Self.write(images.sliced(0..<48).reshaped(to: [48, 4, 4, 4]), "small.npy", in: directory)
        #expect(try train(["--inputs", small, "--targets", "quadrant=\(y)"])
            .refuses("\(small): images of 4×4 pixels"))
        #expect(try train(["--inputs", table, "--targets", "quadrant=\(y)"]).refuses("\(table)"))
        // Flags that do not go together.
        #expect(try train(["--data", table]).refuses("--data: name the label columns with --tasks"))
        #expect(try train(["--data", table, "--tasks", "species", "--samples", "100"])
            .refuses("--samples applies to the generated datasets"))
        #expect(try train(["--inputs", x, "--targets", "quadrant=\(y)", "--tasks", "digit"])
            .refuses("--tasks: the task 'digit' has no file in --targets"))
        #expect(try train(["--tasks", "species"]).refuses("--tasks applies to your own data"))
        #expect(try train(["--data", table, "--tasks", "species:ordinal"]).refuses("the kind must be"))
        #expect(!FileManager.default.fileExists(atPath: output), "a refused run must not create its output")
    }

    @Test("mtl predict refuses inputs that do not fit the run, naming the file and the problem")
    func badPredictionInputs() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = Self.table()
        let table = try Self.write(Self.csv(data), "table.csv", in: directory)
        let run = directory.appendingPathComponent("run").path
        #expect(try CLI.mtl(["train", "--data", table, "--tasks", "species,weight", "--input-columns", "x1,x2,x3,x4",
                             "--epochs", "1", "--quiet", "--output", run]).status == 0)
        let output = directory.appendingPathComponent("p.csv").path
        func predict(_ inputs: String, checkpoint: String = "\(run)/model.mtlckpt") throws -> CLI.Outcome {
            try CLI.mtl(["predict", "--checkpoint", checkpoint, "--inputs", inputs, "--output", output, "--overwrite"])
        }
        let missing = try Self.write("x1,x2,x4\n1,2,3\n", "missing.csv", in: directory)
        #expect(try predict(missing).refuses("\(missing): no column named 'x3', an input of the run"))
        let wrongShape = try Self.write(Tensor.zeros([5, 3]), "three.npy", in: directory)
        #expect(try predict(wrongShape).refuses("\(wrongShape): inputs of shape [5, 3], but the run "
                                                + "(trained on table.csv) takes [N, 4]"))
        let nan = try Self.write(Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, .nan, 7, 8]), "nan.npy", in: directory)
        #expect(try predict(nan).refuses("\(nan): the inputs of sample 1 (counting from 0) hold nan"))
        let text = try Self.write("x1,x2,x3,x4\n1,2,inf,4\n", "inf.csv", in: directory)
        #expect(try predict(text).refuses("\(text): row 1, column 'x3': 'inf' is not a finite number"))
        #expect(try predict(table).status == 0, "a table with the label columns too: they are ignored")
        let unknown = directory.appendingPathComponent("p.txt").path
        #expect(try CLI.mtl(["predict", "--checkpoint", "\(run)/model.mtlckpt", "--inputs", table, "--output",
                             unknown])
            .refuses("must end in .csv or .npy"))
        // A run on generated data takes inputs of the generated shape.
        let generated = directory.appendingPathComponent("generated")
        #expect(try CLI.mtl(CLI.smallRun(generated)).status == 0)
        let vectors = try Self.write(Tensor.zeros([3, 10]), "ten.npy", in: directory)
        #expect(try predict(vectors, checkpoint: generated.appendingPathComponent("model.mtlckpt").path)
            .refuses("\(vectors): inputs of shape [3, 10], but the run (trained on the generated regression "
                     + "data) takes [N, 100]"))
        let hundred = try Self.write(Tensor.zeros([3, 100]), "hundred.npy", in: directory)
        #expect(try predict(hundred, checkpoint: generated.appendingPathComponent("model.mtlckpt").path)
            .status == 0)
        let help = try CLI.mtl(["predict", "--help"])
        #expect(help.status == 0 && help.output.contains("mtl predict") && help.output.contains("--inputs FILE"))
    }
}

extension CommandLineTests.Outcome {
    /// `refused(saying:)`, and when it fails an issue saying what came instead.
    func refuses(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard !refused(saying: text) else { return true }
        Issue.record("expected status 2 and an 'mtl: …' message with '\(text)', got status \(status): \(error)",
                     sourceLocation: sourceLocation)
        return false
    }
}
