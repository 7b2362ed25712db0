import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask

/// The trainer's hooks: a learning-rate schedule it steps, early stopping, the best epoch's
/// checkpoint — and resuming with them gives what an uninterrupted run gives.
@Suite("Trainer hooks")
struct TrainerHookTests {
    static func data() throws -> DatasetSplits<MultiTaskDataset> {
        try RelatedRegression(correlation: 0.8, inputCount: 12, seed: 1).dataset(sampleCount: 400, seed: 2)
            .split(seed: 3)
    }

    static func trainer(epochs: Int, learningRate: Float = 3e-2,
                        configure: (inout Trainer.Configuration) -> Void = { _ in }) -> Trainer {
        let random = RandomSource(seed: 4)
        let model = MultiHeadNetwork(trunk: Sequential(Linear(inputCount: 12, outputCount: 16, random: random), ReLU()),
                                     heads: (0..<2).map { _ in Linear(inputCount: 16, outputCount: 1, random: random) })
        var configuration = Trainer.Configuration(epochs: epochs, batchSize: 32, seed: 5, showsProgress: false)
        configure(&configuration)
        return Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: learningRate),
                       configuration: configuration)
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID())-\(name)")
    }

    /// Records the optimizer's learning rate at every step, after the trainer applied its schedule.
    final class RateRecorder: TrainingObserver {
        var rates: [Float] = []
        func trainer(_ trainer: Trainer, willTakeStep step: Int) {
            rates.append(trainer.optimizer.groups[0].learningRate)
        }
    }

    @Test("the trainer applies its schedule before every step, counted in steps or in epochs")
    func schedule() throws {
        let data = try Self.data()
        let perStep = Self.trainer(epochs: 2) { $0.learningRateSchedule = CosineAnnealing(totalSteps: 10) }
        let recorder = RateRecorder()
        perStep.observers.append(recorder)
        try perStep.fit(data.train)
        let steps = (data.train.count + 31) / 32
        #expect(recorder.rates.count == 2 * steps)
        #expect(recorder.rates == (0..<(2 * steps)).map { 3e-2 * CosineAnnealing(totalSteps: 10).factor(at: $0) })
        let perEpoch = Self.trainer(epochs: 3) {
            $0.learningRateSchedule = StepDecay(stepSize: 1, gamma: 0.5)
            $0.schedulesPerEpoch = true
        }
        let epochRecorder = RateRecorder()
        perEpoch.observers.append(epochRecorder)
        try perEpoch.fit(data.train)
        #expect(epochRecorder.rates == [Float](repeating: 3e-2, count: steps) + [Float](repeating: 1.5e-2, count: steps)
                + [Float](repeating: 7.5e-3, count: steps))
    }

    @Test("""
        early stopping stops where model selection would, and the best checkpoint holds the best validation \
        epoch's weights
        """)
    func earlyStoppingAndBestCheckpoint() throws {
        let data = try Self.data()
        let best = Self.temporaryURL("best.mtlckpt")
        defer { try? FileManager.default.removeItem(at: best) }
        // A large step size makes validation noisy, so the best epoch comes early and patience ends the run.
        let trainer = Self.trainer(epochs: 60, learningRate: 0.2) {
            $0.earlyStoppingPatience = 3
            $0.bestCheckpointURL = best
        }
        var weights: [Int: [Tensor]] = [:]
        trainer.observers.append(EpochCallback { trainer, record in
            weights[record.epoch] = trainer.model.parameters().map(\.value)
        })
        let records = try trainer.fit(data.train, validation: data.validation)
        let validation = records.map { $0.validation! }
        let selected = ModelSelection(patience: 3).selectedEpochs(validation)[0] + 1
        #expect(trainer.stoppedEarly && records.count < 60, "trained \(records.count) epochs")
        #expect(trainer.validationRecord?.bestEpoch == selected)
        #expect(records.count == selected + 3)
        #expect(ModelSelection(patience: 3).shouldStop(validation))
        #expect(!ModelSelection(patience: 3).shouldStop(Array(validation.dropLast())))
        // The best checkpoint is that epoch's model, not the last one.
        let restored = Self.trainer(epochs: 60)
        try restored.resume(from: best)
        #expect(restored.completedEpochs == selected)
        #expect(restored.model.parameters().map(\.value) == weights[selected]!)
        #expect(weights[selected]! != weights[records.count]!)
    }

    @Test("resuming with a schedule, early stopping and the best checkpoint gives the uninterrupted run, bit for bit")
    func resumeWithHooks() throws {
        let data = try Self.data()
        func configure(_ configuration: inout Trainer.Configuration) {
            configuration.learningRateSchedule = LinearWarmup(warmupSteps: 5, then: CosineAnnealing(totalSteps: 80))
            configuration.earlyStoppingPatience = 4
        }
        let straight = Self.trainer(epochs: 30, learningRate: 0.1, configure: configure)
        let straightRecords = try straight.fit(data.train, validation: data.validation)
        let checkpoint = Self.temporaryURL("hooks.mtlckpt")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let first = Self.trainer(epochs: 3, learningRate: 0.1) {
            configure(&$0)
            $0.checkpointURL = checkpoint
        }
        try first.fit(data.train, validation: data.validation)
        let resumed = Self.trainer(epochs: 30, learningRate: 0.1, configure: configure)
        try resumed.resume(from: checkpoint)
        #expect(resumed.validationRecord == first.validationRecord)
        let resumedRecords = try resumed.fit(data.train, validation: data.validation)
        #expect(resumed.completedEpochs == straight.completedEpochs && resumed.stoppedEarly == straight.stoppedEarly)
        #expect(resumed.validationRecord == straight.validationRecord)
        #expect(resumedRecords.map { $0.validation!.map(\.mainValue) }
                == straightRecords.dropFirst(3).map { $0.validation!.map(\.mainValue) })
        #expect(resumed.model.parameters().map(\.value) == straight.model.parameters().map(\.value))
        // A crafted record is refused: a best epoch after the last completed one.
        var crafted = try Checkpoint(contentsOf: checkpoint)
        crafted.metadata["trainer.validation.bestEpoch"] = "9"
        #expect(throws: CheckpointError.self) { try Self.trainer(epochs: 30).resume(from: crafted) }
        crafted.metadata["trainer.validation.bestEpoch"] = "1"
        crafted.metadata["trainer.validation.scales"] = "nan 1"
        #expect(throws: CheckpointError.self) { try Self.trainer(epochs: 30).resume(from: crafted) }
    }
}
