import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask

/// The trainer: learning, logs, non-finite losses, checkpoints and exact resumption.
@Suite("Trainer")
struct TrainerTests {
    func regressionData() throws -> DatasetSplits<MultiTaskDataset> {
        try RelatedRegression(correlation: 0.8, inputCount: 20, seed: 1).dataset(sampleCount: 3000, seed: 2)
            .split(seed: 3)
    }

    func multiHead(seed: UInt64, dropout: Bool = false) -> MultiHeadNetwork {
        let random = RandomSource(seed: seed)
        var trunk: [Module] = [Linear(inputCount: 20, outputCount: 32, random: random), ReLU()]
        if dropout { trunk.append(Dropout(probability: 0.2)) }
        return MultiHeadNetwork(trunk: Sequential(trunk),
                                heads: (0..<2).map { _ in Linear(inputCount: 32, outputCount: 1, random: random) })
    }

    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID())-\(name)")
    }

    @Test("a multi-head network learns both regression tasks; CSV and JSON-lines logs record every epoch")
    func learnsAndLogs() throws {
        let data = try regressionData()
        for format in ["csv", "jsonl"] {
            let model = multiHead(seed: 4)
            let logURL = temporaryURL("log.\(format)")
            defer { try? FileManager.default.removeItem(at: logURL) }
            let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                                  configuration: .init(epochs: 15, batchSize: 32, seed: 5, logURL: logURL,
                                                       showsProgress: false))
            let records = try trainer.fit(data.train, validation: data.validation, test: data.test)
            let first = records[0].validation!, last = records.last!.validation!
            for task in 0..<2 {
                #expect(last[task].loss < 0.85 * first[task].loss,
                        "task \(task): \(first[task].loss) → \(last[task].loss)")
            }
            let lines = try String(contentsOf: logURL, encoding: .utf8).split(separator: "\n")
            if format == "csv" {
                #expect(lines[0] == "epoch,split,task,loss,weight,meanSquaredError,absoluteError")
                #expect(lines.count == 1 + 15 * 3 * 2)
            } else {
                #expect(lines.count == 15 * 3 * 2)
                let object = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
                #expect(object["split"] as? String == "test" && object["epoch"] as? Int == 15
                        && object["meanSquaredError"] != nil)
            }
        }
    }

    @Test("observers see every epoch in order, after its checkpoint; one that throws stops the run there")
    func observers() throws {
        struct Stop: Error {}
        let data = try regressionData()
        let checkpointURL = temporaryURL("observed.mtlckpt")
        defer { try? FileManager.default.removeItem(at: checkpointURL) }
        let model = multiHead(seed: 4)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                              configuration: .init(epochs: 5, batchSize: 64, seed: 5, checkpointURL: checkpointURL,
                                                   showsProgress: false))
        var seen: [Int] = [], checkpointEpochs: [String] = []
        trainer.observers.append(EpochCallback { trainer, record in
            seen.append(record.epoch)
            #expect(trainer.completedEpochs == record.epoch)
            checkpointEpochs.append(try Checkpoint(contentsOf: checkpointURL).metadata["trainer.completedEpochs"]!)
            if record.epoch == 3 { throw Stop() }
        })
        #expect(throws: Stop.self) { try trainer.fit(data.train) }
        #expect(seen == [1, 2, 3] && checkpointEpochs == ["1", "2", "3"])
        // The same run observed to the end equals an unobserved one.
        let plain = multiHead(seed: 4), observed = multiHead(seed: 4)
        for (index, network) in [plain, observed].enumerated() {
            let run = Trainer(model: network, optimizer: Adam(parameters: network.parameters(), learningRate: 3e-3),
                              configuration: .init(epochs: 3, batchSize: 64, seed: 5, showsProgress: false))
            if index == 1 { run.observers.append(EpochCallback { _, _ in }) }
            try run.fit(data.train)
        }
        #expect(plain.parameters().map(\.value) == observed.parameters().map(\.value))
    }

    /// Records every call, to check the order of the hooks.
    final class CallRecorder: TrainingObserver {
        var calls: [String] = []
        func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws { calls.append("begin \(tasks.count)") }
        func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int) {
            calls.append("epoch \(epoch) of \(stepCount) steps")
        }
        func trainer(_ trainer: Trainer, didFinishStep index: Int, of stepCount: Int, losses: [Float]) {
            calls.append("step \(index) \(losses.count) losses")
        }
        func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
            calls.append("end \(record.epoch)")
        }
    }

    @Test("an observer hears the run begin, each epoch begin, each step and each epoch end, in order")
    func observerHooks() throws {
        let data = try regressionData()
        let model = multiHead(seed: 4)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                              configuration: .init(epochs: 2, batchSize: 1000, seed: 5, showsProgress: false))
        let recorder = CallRecorder()
        trainer.observers.append(recorder)
        try trainer.fit(data.train)
        let steps = (data.train.count + 999) / 1000
        var expected = ["begin 2"]
        for epoch in 0..<2 {
            expected.append("epoch \(epoch) of \(steps) steps")
            expected += (0..<steps).map { "step \($0) 2 losses" }
            expected.append("end \(epoch + 1)")
        }
        #expect(recorder.calls == expected)
    }

    @Test("trainingStep over an epoch's batches, by hand, gives exactly what fit gives for that epoch")
    func trainingStepByHand() throws {
        let data = try regressionData()
        let fitted = multiHead(seed: 6), stepped = multiHead(seed: 6)
        let configuration = Trainer.Configuration(epochs: 1, batchSize: 64, seed: 7, showsProgress: false)
        try Trainer(model: fitted, optimizer: Adam(parameters: fitted.parameters(), learningRate: 3e-3),
                    configuration: configuration).fit(data.train)
        let trainer = Trainer(model: stepped, optimizer: Adam(parameters: stepped.parameters(), learningRate: 3e-3),
                              configuration: configuration)
        for batch in data.train.batches(size: 64, shuffleSeed: 7) {
            let (losses, weights) = try trainer.trainingStep(inputs: batch.inputs, targets: batch.targets,
                                                             tasks: data.train.tasks)
            #expect(losses.count == 2 && losses.allSatisfy(\.isFinite) && weights == [1, 1])
        }
        #expect(trainer.step == (data.train.count + 63) / 64)
        #expect(fitted.parameters().map(\.value) == stepped.parameters().map(\.value))
    }

    @Test("logs quote task names that hold commas, quotes or backslashes")
    func logEscaping() throws {
        let name = "size, \"large\" \\ small"
        let evaluation = TaskEvaluation(task: name, loss: 0.5, metrics: [.accuracy: 0.75], mainMetric: .accuracy)
        let tasks = [TaskSpec(name: name, kind: .classification(classCount: 2))]
        let jsonURL = temporaryURL("log.jsonl"), csvURL = temporaryURL("log.csv")
        defer { try? FileManager.default.removeItem(at: jsonURL); try? FileManager.default.removeItem(at: csvURL) }
        try TrainingLog(url: jsonURL, tasks: tasks).write(epoch: 1, split: "test", evaluations: [evaluation])
        try TrainingLog(url: csvURL, tasks: tasks).write(epoch: 1, split: "test", evaluations: [evaluation])
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as! [String: Any]
        #expect(object["task"] as? String == name && object["accuracy"] as? Double == 0.75)
        let rows = try String(contentsOf: csvURL, encoding: .utf8).split(separator: "\n")
        #expect(rows == ["epoch,split,task,loss,weight,accuracy", "1,test,\"size, \"\"large\"\" \\ small\",0.5,,0.75"])
    }

    @Test("a non-finite loss stops training with the task, step and value, and the last good checkpoint stays")
    func nonFiniteLoss() throws {
        let data = try regressionData()
        let model = multiHead(seed: 6)
        let checkpointURL = temporaryURL("model.mtlckpt")
        defer { try? FileManager.default.removeItem(at: checkpointURL) }
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
                              configuration: .init(epochs: 1, batchSize: 32, seed: 7, checkpointURL: checkpointURL,
                                                   showsProgress: false))
        try trainer.fit(data.train)
        let good = try Checkpoint(contentsOf: checkpointURL)
        var poisoned = data.train
        var targets = poisoned.targets[1].scalars
        targets[100] = .nan
        poisoned.targets[1] = Tensor(shape: poisoned.targets[1].shape, scalars: targets)
        trainer.configuration.epochs = 2
        do {
            try trainer.fit(poisoned)
            Issue.record("training on a NaN target did not stop")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let task, let step, let value) = error else { Issue.record("\(error)"); return }
            #expect(task == "task1" && step > 13 && value.isNaN)
            #expect(error.description.contains("task1") && error.description.contains("step"))
        }
        #expect(try Checkpoint(contentsOf: checkpointURL) == good)
        #expect(good.metadata["trainer.completedEpochs"] == "1")
    }

    @Test("resuming from a checkpoint gives the identical result (Maximum Roaming, dropout, task-alternating)")
    func resumeIsExact() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 160, seed: 8).selectingTasks([0, 1, 2])
            .split(seed: 9)
        func makeTrainer(epochs: Int, checkpointURL: URL?) -> Trainer {
            let random = RandomSource(seed: 10)
            let convolution = Conv2D(inputChannels: 3, outputChannels: 8, kernelSize: 3, stride: 2, padding: 1,
                                     random: random)
            let trunk = MaskedSequential(convolution,
                                         TaskMask(after: convolution, taskCount: 3, sharingRatio: 0.5, seed: 11),
                                         ReLU(), Dropout(probability: 0.1, random: RandomSource(seed: 0)),
                                         GlobalAvgPool())
            let heads: [Module] = data.train.tasks.map {
                Linear(inputCount: 8, outputCount: $0.outputCount, random: random)
            }
            let model = MaximumRoamingNetwork(trunk: trunk, heads: heads, updateInterval: 2, seed: 12)
            return Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-2),
                           configuration: .init(epochs: epochs, batchSize: 32, seed: 13, mode: .taskAlternating,
                                                checkpointURL: checkpointURL, showsProgress: false))
        }
        let straight = makeTrainer(epochs: 4, checkpointURL: nil)
        try straight.fit(data.train)
        let checkpointURL = temporaryURL("resume.mtlckpt")
        defer { try? FileManager.default.removeItem(at: checkpointURL) }
        try makeTrainer(epochs: 2, checkpointURL: checkpointURL).fit(data.train)
        let resumed = makeTrainer(epochs: 4, checkpointURL: nil)
        try resumed.resume(from: checkpointURL)
        #expect(resumed.completedEpochs == 2)
        try resumed.fit(data.train)
        #expect(resumed.step == straight.step)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters(), resumed.model.namedParameters()) {
            #expect(a.value == b.value, "\(name) differs after resuming")
        }
        for ((name, a), (_, b)) in zip(straight.model.namedBuffers(), resumed.model.namedBuffers()) {
            #expect(a.value == b.value, "\(name) differs after resuming")
        }
        // Roaming happened.
        #expect((straight.model as! MaximumRoamingNetwork).progress > 0.5)
    }

    @Test("AdaTask resumes exactly in every mode: summed and task-alternating, separated and plain accumulators")
    func adaTaskResumesInEveryMode() throws {
        let data = try regressionData()
        for mode in [TrainingMode.summed, .taskAlternating] {
            for separatesTasks in [true, false] {
                func makeTrainer(epochs: Int, checkpointURL: URL?) -> Trainer {
                    let model = multiHead(seed: 21)
                    let adaTask = AdaTask(model: model, learningRate: 1e-2, separatesTasks: separatesTasks)
                    return Trainer(model: model, optimizer: adaTask, balancer: adaTask,
                                   configuration: .init(epochs: epochs, batchSize: 64, seed: 22, mode: mode,
                                                        checkpointURL: checkpointURL, showsProgress: false))
                }
                let straight = makeTrainer(epochs: 3, checkpointURL: nil)
                try straight.fit(data.train)
                let checkpointURL = temporaryURL("adatask.mtlckpt")
                defer { try? FileManager.default.removeItem(at: checkpointURL) }
                try makeTrainer(epochs: 2, checkpointURL: checkpointURL).fit(data.train)
                let resumed = makeTrainer(epochs: 3, checkpointURL: nil)
                // Task-alternating steps keep the plain rule's state on shared parameters: before the
                // typed state, a checkpoint holding it was refused on resume.
                try resumed.resume(from: checkpointURL)
                try resumed.fit(data.train)
                for ((name, a), (_, b)) in zip(straight.model.namedParameters(), resumed.model.namedParameters()) {
                    #expect(a.value == b.value, "\(mode) separatesTasks \(separatesTasks): \(name) differs")
                }
            }
        }
    }

    @Test("multi-input data: sampled tasks, each with its own samples")
    func multiInput() throws {
        let full = try RelatedRegression(correlation: 0.8, inputCount: 20, seed: 1).dataset(sampleCount: 3000, seed: 2)
        let data = MultiInputDataset(tasks: full.tasks, samples: [
            TaskSamples(inputs: full.inputs.sliced(0..<2000), targets: full.targets[0].sliced(0..<2000)),
            TaskSamples(inputs: full.inputs.sliced(2000..<3000), targets: full.targets[1].sliced(2000..<3000)),
        ]).split(seed: 3)
        let model = multiHead(seed: 14)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                              configuration: .init(epochs: 10, batchSize: 16, seed: 15,
                                                   taskSampler: .proportional(count: 1), showsProgress: false))
        let records = try trainer.fit(data.train, validation: data.validation)
        #expect(records.last!.validation![0].loss < records[0].validation![0].loss)
        #expect(records[0].trainLosses.allSatisfy { $0.isFinite })
    }

    @Test("SVG plots: a line plot and a bar chart are well-formed and name their series")
    func plots() throws {
        let plot = LinePlot(title: "loss", xLabel: "epoch", yLabel: "loss",
                            series: [.init(name: "shape", values: [1, 0.5, 0.25]),
                                     .init(name: "a < b", values: [2, 1, 0.9])], logarithmicY: true)
        let svg = plot.svg()
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>") && svg.contains("shape") && svg.contains("a &lt; b"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        let bars = BarChart(title: "F-score", yLabel: "F", categories: ["t0", "t1"],
                            series: [("STL", [0.5, 0.6]), ("MR", [0.55, 0.7])]).svg()
        // background, frame, bars, legend keys
        #expect(bars.components(separatedBy: "<rect").count - 1 == 1 + 1 + 4 + 2)
        let url = temporaryURL("plot.svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try plot.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == svg)
    }
}
