import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

// Over 300 lines: the epoch loop and the three training modes' steps read best together; the
// checkpoints are in Trainer+Checkpoints.swift.

/// Trains a `MultiTaskNetwork` for a number of epochs over single- or multi-input task data with
/// any balancer and optimizer; evaluates each epoch on validation and test data, logs (CSV or
/// JSON lines), checkpoints atomically at the end of each epoch, and resumes from a checkpoint to
/// the identical result.
///
/// Determinism: the data order of epoch e is a permutation seeded by `seed + e`, and the model's
/// random sources (dropout) are reseeded from it at each epoch start, so a resumed run repeats
/// the uninterrupted run bit for bit (with any thread count).
public final class Trainer {
    /// The settings of a run: length, batch sizes, seed, training mode, and what to write where.
    public struct Configuration: Sendable {
        /// The number of passes over the training data (at least 0).
        public var epochs: Int
        /// B, the samples per training batch (per task, for multi-input data).
        public var batchSize: Int
        /// The run's seed: epoch e's data order (and the dropout masks) are seeded from `seed + e`.
        public var seed: UInt64
        /// How the task losses become updates: summed, task-alternating or in random task groups.
        public var mode: TrainingMode
        /// The task sampler for multi-input data.
        public var taskSampler: TaskSampler
        /// The batch size of the validation and test passes (256 by default).
        public var evaluationBatchSize: Int
        /// Where to append the per-epoch log (`.csv`, else JSON lines); nil: no log file.
        public var logURL: URL?
        /// Where to write the checkpoint after every epoch; nil: none.
        public var checkpointURL: URL?
        /// The progress bar: nil decides by whether standard error is a terminal.
        public var showsProgress: Bool?
        /// Print one line per epoch (to standard error).
        public var printsEpochs: Bool
        /// Extra metadata written into every checkpoint (what `mtl eval` needs to rebuild the run).
        public var metadata: [String: String]
        /// k, the group size of `.randomTaskGroups`.
        public var taskGroupSize: Int
        /// Measure per-task gradient statistics (`GradientStatistics`) every this many steps of
        /// summed training; nil: never (they cost T extra backward passes each time).
        public var gradientStatisticsInterval: Int?
        /// Where to append per-epoch diagnostics as JSON lines — balancer weights, gradient
        /// statistics, AdaTask dominance; nil: none.
        public var diagnosticsURL: URL?
        /// The learning-rate schedule the trainer applies to the optimizer's groups before every step
        /// (`Optimizer.apply(_:at:)`: each group's initial rate times the schedule's factor), counted
        /// in steps (batches) or, with `schedulesPerEpoch`, in epochs; nil: the rates are left alone.
        /// Stateless, so a resumed run follows the same rates.
        public var learningRateSchedule: (any LearningRateSchedule)?
        /// Count the schedule in epochs instead of steps.
        public var schedulesPerEpoch: Bool
        /// Early stopping: stop once this many epochs in a row brought no better validation score
        /// (`ValidationRecord`); nil: train every epoch. Needs a validation split.
        public var earlyStoppingPatience: Int?
        /// Where to write the checkpoint of the best epoch on validation (`ValidationRecord`), beside
        /// the last one (`checkpointURL`); nil: none. Needs a validation split.
        public var bestCheckpointURL: URL?
        /// A cross-task consistency term (`CrossTaskConsistency`, e.g. depth → surface normals) added,
        /// with its weight λ, to every summed or task-group update of single-input data; nil: none.
        public var consistency: CrossTaskConsistency?

        /// Every setting, each with its default.
        public init(epochs: Int, batchSize: Int = 64, seed: UInt64 = 0, mode: TrainingMode = .summed,
                    taskGroupSize: Int = 1, taskSampler: TaskSampler = .all, evaluationBatchSize: Int = 256,
                    logURL: URL? = nil, checkpointURL: URL? = nil, diagnosticsURL: URL? = nil,
                    gradientStatisticsInterval: Int? = nil, showsProgress: Bool? = nil, printsEpochs: Bool = false,
                    metadata: [String: String] = [:], learningRateSchedule: (any LearningRateSchedule)? = nil,
                    schedulesPerEpoch: Bool = false, earlyStoppingPatience: Int? = nil,
                    bestCheckpointURL: URL? = nil) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.seed = seed
            self.mode = mode
            self.taskGroupSize = taskGroupSize
            self.taskSampler = taskSampler
            self.evaluationBatchSize = evaluationBatchSize
            self.logURL = logURL
            self.checkpointURL = checkpointURL
            self.diagnosticsURL = diagnosticsURL
            self.gradientStatisticsInterval = gradientStatisticsInterval
            self.showsProgress = showsProgress
            self.printsEpochs = printsEpochs
            self.metadata = metadata
            self.learningRateSchedule = learningRateSchedule
            self.schedulesPerEpoch = schedulesPerEpoch
            self.earlyStoppingPatience = earlyStoppingPatience
            self.bestCheckpointURL = bestCheckpointURL
        }
    }

    /// The network being trained.
    public let model: MultiTaskNetwork
    /// The optimizer that updates `model`'s parameters (its state is part of every checkpoint).
    public let optimizer: Optimizer
    /// Turns the task losses (or gradients) of a step into one update (not used in `.taskAlternating` mode).
    public let balancer: LossBalancer
    /// The run's settings, as given at init (a `var`: they may be changed between `fit` calls).
    public var configuration: Configuration
    /// Epochs completed (restored by `resume`).
    public internal(set) var completedEpochs = 0
    /// Training steps (batches) taken.
    public internal(set) var step = 0
    /// Everything recorded so far in this process.
    public internal(set) var history: [EpochRecord] = []
    /// The best validation epoch so far and its score (nil before the first validated epoch);
    /// restored by `resume`.
    public internal(set) var validationRecord: ValidationRecord?
    /// Whether the last `fit` ended by early stopping (`Configuration.earlyStoppingPatience`).
    public internal(set) var stoppedEarly = false
    /// Called after every epoch, in order (`TrainingObserver`).
    public var observers: [any TrainingObserver] = []
    /// The gradient statistics measured in the current epoch.
    var statistics: [GradientStatistics] = []

    /// A trainer of `model` with `optimizer` and `balancer`; checks the network's sharing contract
    /// (`sharedParameters()`) before any step, and that epochs ≥ 0, batch size ≥ 1, patience ≥ 1.
    public init(model: MultiTaskNetwork, optimizer: Optimizer, balancer: LossBalancer = EqualWeighting(),
                configuration: Configuration) {
        checkPrecondition(configuration.epochs >= 0 && configuration.batchSize >= 1,
                          "Trainer: epochs \(configuration.epochs) and batch size \(configuration.batchSize) "
                            + "must be ≥ 0 and ≥ 1")
        checkPrecondition((configuration.earlyStoppingPatience ?? 1) >= 1,
                          "Trainer: early-stopping patience \(configuration.earlyStoppingPatience!) must be ≥ 1")
        self.model = model
        self.optimizer = optimizer
        self.balancer = balancer
        self.configuration = configuration
        _ = model.checkedSharedParameters("Trainer")  // the MultiTaskNetwork contract, before any step
    }

    // MARK: Training

    /// Trains on single-input data until `configuration.epochs` epochs are complete; returns the
    /// records of the epochs run now. Partially labelled data (`MultiTaskDataset.labelMask`) train each
    /// task on its labelled samples only (`maskedTaskLoss`); the balancer sees the tasks labelled in
    /// the batch, and a batch with no labels at all is skipped.
    @discardableResult
    public func fit(_ train: MultiTaskDataset, validation: MultiTaskDataset? = nil,
                    test: MultiTaskDataset? = nil) throws -> [EpochRecord] {
        checkPrecondition(train.tasks.count == model.taskCount,
                          "Trainer.fit: \(train.tasks.count) tasks in the data, \(model.taskCount) in the model")
        return try runEpochs(tasks: train.tasks) { epoch in
            let batches = train.batches(size: configuration.batchSize, shuffleSeed: configuration.seed &+ UInt64(epoch))
            return (batches.count, { index in
                let batch = batches[index]
                return StepData(inputs: [batch.inputs], tasks: Array(train.tasks.indices), targets: batch.targets,
                                sharedInput: true, labelled: StepData.labelledRows(batch.labelMask))
            })
        } evaluate: {
            (validation.map { evaluate(self.model, on: $0, batchSize: self.configuration.evaluationBatchSize) },
             test.map { evaluate(self.model, on: $0, batchSize: self.configuration.evaluationBatchSize) })
        }
    }

    /// Trains on multi-input data: each step the task sampler picks tasks and each contributes a
    /// batch of its own samples (`MultiInputDataset.Loader`, reseeded every epoch).
    @discardableResult
    public func fit(_ train: MultiInputDataset, validation: MultiInputDataset? = nil,
                    test: MultiInputDataset? = nil) throws -> [EpochRecord] {
        checkPrecondition(train.tasks.count == model.taskCount,
                          "Trainer.fit: \(train.tasks.count) tasks in the data, \(model.taskCount) in the model")
        return try runEpochs(tasks: train.tasks) { epoch in
            var loader = train.loader(batchSize: configuration.batchSize, sampler: configuration.taskSampler,
                                      seed: configuration.seed &+ UInt64(epoch))
            return (loader.stepsPerEpoch, { _ in
                let picked = loader.nextStep()
                return StepData(inputs: picked.map(\.batch.inputs), tasks: picked.map(\.task),
                                targets: picked.map(\.batch.targets),
                                sharedInput: false)
            })
        } evaluate: {
            (validation.map { evaluate(self.model, on: $0, batchSize: self.configuration.evaluationBatchSize) },
             test.map { evaluate(self.model, on: $0, batchSize: self.configuration.evaluationBatchSize) })
        }
    }

    /// One step's data: one input batch shared by all tasks, or one per task.
    struct StepData {
        var inputs: [Tensor]
        var tasks: [Int]
        var targets: [Tensor]
        var sharedInput: Bool
        /// Per position, the batch rows labelled for its task; nil: every row of every task.
        var labelled: [[Int]]? = nil

        /// The rows labelled for each task of a batch's mask; nil when all are.
        static func labelledRows(_ mask: LabelMask) -> [[Int]]? {
            mask.isComplete ? nil : (0..<mask.taskCount).map { mask.labelledSamples(task: $0) }
        }

        /// Whether the task at `position` has at least one labelled row.
        func hasLabels(_ position: Int) -> Bool { labelled.map { !$0[position].isEmpty } ?? true }
    }

    /// The epoch loop: each epoch's steps, the balancer's end-of-epoch update, evaluation, and the
    /// record — around which the observers (`runObservers`) log, print and checkpoint.
    func runEpochs(tasks: [TaskSpec], makeEpoch: (Int) -> (count: Int, batch: (Int) -> StepData),
                   evaluate: () -> ([TaskEvaluation]?, [TaskEvaluation]?)) throws -> [EpochRecord] {
        let watchers = runObservers
        for watcher in watchers { try watcher.trainerWillBegin(self, tasks: tasks) }
        var records: [EpochRecord] = []
        stoppedEarly = false
        while completedEpochs < configuration.epochs {
            if shouldStopEarly { stoppedEarly = true; break }
            let epoch = completedEpochs
            let start = DispatchTime.now().uptimeNanoseconds
            reseedRandomness(epoch: epoch)
            model.train()
            let (batchCount, batchAt) = makeEpoch(epoch)
            var lossSums = Array(repeating: 0.0, count: tasks.count), lossCounts = lossSums
            var weightSums = Array(repeating: Float(0), count: tasks.count), weightCounts = weightSums
            statistics = []
            for watcher in watchers { watcher.trainer(self, willBeginEpoch: epoch, stepCount: batchCount) }
            for index in 0..<batchCount {
                let data = batchAt(index)
                let (losses, weights) = try takeStep(data, tasks: tasks, epoch: epoch, watchers: watchers)
                for (position, task) in data.tasks.enumerated() where !losses[position].isNaN {
                    // NaN: no labels for the task in this batch (partially labelled data).
                    lossSums[task] += Double(losses[position]); lossCounts[task] += 1
                    weightSums[task] += weights[position]; weightCounts[task] += 1
                }
                for watcher in watchers { watcher.trainer(self, didFinishStep: index, of: batchCount, losses: losses) }
            }
            let meanLosses = zip(lossSums, lossCounts).map { $1 > 0 ? $0 / $1 : .nan }
            let meanWeights = zip(weightSums, weightCounts).map { $1 > 0 ? $0 / $1 : .nan }
            balancer.epochDidEnd(meanLosses: meanLosses.map(Float.init))
            let (validation, test) = evaluate()
            completedEpochs += 1
            if let validation {
                if validationRecord == nil {
                    validationRecord = ValidationRecord(first: validation, epoch: completedEpochs)
                } else {
                    validationRecord!.update(with: validation, epoch: completedEpochs)
                }
            }
            let record = EpochRecord(epoch: completedEpochs, trainLosses: meanLosses, weights: meanWeights,
                                     gradientStatistics: GradientStatistics.mean(statistics),
                                     dominance: balancer.updateDominance(), validation: validation,
                                     test: test,
                                     seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            records.append(record)
            history.append(record)
            for watcher in watchers { try watcher.trainer(self, didFinishEpoch: record) }
        }
        if shouldStopEarly && completedEpochs < configuration.epochs { stoppedEarly = true }
        return records
    }

    /// Whether early stopping ends the run now: `earlyStoppingPatience` epochs or more since the best.
    var shouldStopEarly: Bool {
        guard let patience = configuration.earlyStoppingPatience, let record = validationRecord else { return false }
        return record.epochsSinceBest(after: completedEpochs) >= patience
    }

    /// The observers of a run, in the order they are called: the trainer's own, from the
    /// configuration — the progress bar, the log, the diagnostics, the printed line, the checkpoint
    /// (the commit point of an epoch, so everything before it is redone on resume) — then `observers`.
    var runObservers: [any TrainingObserver] {
        let showsProgress = configuration.showsProgress ?? ProgressBar.isTerminal
        var own: [any TrainingObserver] = [ProgressDisplay(isEnabled: showsProgress)]
        if let url = configuration.logURL { own.append(LogWriter(url: url)) }
        if let url = configuration.diagnosticsURL { own.append(DiagnosticsWriter(url: url)) }
        if configuration.printsEpochs { own.append(EpochPrinter()) }
        if let url = configuration.checkpointURL { own.append(CheckpointWriter(url: url)) }
        if let url = configuration.bestCheckpointURL { own.append(CheckpointWriter(url: url, onlyBestEpochs: true)) }
        return own + observers
    }

    /// Reseeds the default random source and every random source the model holds (dropout) from
    /// the seed and the epoch, so that epoch e draws the same numbers whether or not the run was
    /// resumed. (A model using `RandomSource.default` shares it with everything else in the
    /// process; give layers their own source for runs that must repeat exactly.)
    func reseedRandomness(epoch: Int) {
        let base = configuration.seed &+ 0x5EED &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15
        RandomSource.default.reseed(base)
        for (index, named) in model.namedRandomSources().enumerated() where named.source !== RandomSource.default {
            named.source.reseed(base &+ UInt64(index + 1) &* 0xBF58_476D_1CE4_E5B9)
        }
    }

    /// One training step on a batch in which every task is labelled — what `fit` does with each
    /// batch, callable on its own: the model hears the step count (`willTrain(step:)`, for
    /// roaming); then, in summed mode, one forward pass, a loss per task, the balancer's backward
    /// and one optimizer step (`updateOnCombinedLosses`); task-alternating and task-group modes take
    /// one such update per task or group. Shapes: `inputs` `[B, …]`, `targets[t]` task t's targets
    /// for the same B samples. Returns each task's loss and the weight the balancer gave it.
    ///
    /// With a `labelMask` (`[B, T]`), each task's loss averages its labelled samples only
    /// (`maskedTaskLoss`); a task without labels in the batch is left out of the balancer's step and
    /// reported with loss and weight NaN.
    @discardableResult
    public func trainingStep(inputs: Tensor, targets: [Tensor], tasks: [TaskSpec], labelMask: LabelMask? = nil) throws
        -> (losses: [Float], weights: [Float]) {
        checkPrecondition(tasks.count == model.taskCount && targets.count == tasks.count,
                          "Trainer.trainingStep: \(tasks.count) tasks and \(targets.count) targets for a model of "
                            + "\(model.taskCount)")
        checkPrecondition(labelMask.map { $0.sampleCount == inputs.shape[0] && $0.taskCount == tasks.count } ?? true,
                          "Trainer.trainingStep: a label mask of the wrong size for \(inputs.shape[0]) samples and "
                            + "\(tasks.count) tasks")
        let data = StepData(inputs: [inputs], tasks: Array(tasks.indices), targets: targets, sharedInput: true,
                            labelled: labelMask.flatMap(StepData.labelledRows))
        return try takeStep(data, tasks: tasks, epoch: completedEpochs)
    }

    /// `willTrain`, the observers' `willTakeStep`, the step in the configured mode, and the step counter.
    func takeStep(_ data: StepData, tasks: [TaskSpec], epoch: Int,
                  watchers: [any TrainingObserver] = []) throws -> ([Float], [Float]) {
        model.willTrain(step: step)
        if let schedule = configuration.learningRateSchedule {
            optimizer.apply(schedule, at: configuration.schedulesPerEpoch ? epoch : step)
        }
        for watcher in watchers { watcher.trainer(self, willTakeStep: step) }
        let result = try trainStep(data, tasks: tasks, epoch: epoch)
        step += 1
        return result
    }

    /// One training step; returns the task losses (in the order of `data.tasks`) and weights.
    func trainStep(_ data: StepData, tasks: [TaskSpec], epoch: Int) throws -> ([Float], [Float]) {
        func checkedLoss(_ task: Int, _ output: Variable, _ target: Tensor, _ labelled: [Int]?) throws -> Variable {
            let loss = labelled.map { maskedTaskLoss(tasks[task], output: output, target: target, labelled: $0)! }
                ?? taskLoss(tasks[task], output: output, target: target)
            guard loss.value.scalar.isFinite else {
                throw TrainingError.nonFiniteLoss(task: tasks[task].name, step: step, value: loss.value.scalar)
            }
            return loss
        }
        switch configuration.mode {
        case .summed:
            return try updateOnCombinedLosses(data, positions: Array(data.tasks.indices), checkedLoss: checkedLoss,
                                              epoch: epoch)
        case .randomTaskGroups:
            checkPrecondition(configuration.taskGroupSize >= 1,
                              "Trainer: task group size \(configuration.taskGroupSize) must be at least 1")
            var generator = SeededGenerator(seed: configuration.seed &+ 0x6752_4F55
                                                &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
            let order = generator.permutation(data.tasks.count)
            var values = Array(repeating: Float(0), count: data.tasks.count), weights = values
            for start in stride(from: 0, to: order.count, by: configuration.taskGroupSize) {
                let group = Array(order[start..<Swift.min(start + configuration.taskGroupSize, order.count)])
                let (groupLosses, groupWeights) = try updateOnCombinedLosses(data, positions: group,
                                                                             checkedLoss: checkedLoss, epoch: epoch)
                for (index, position) in group.enumerated() {
                    values[position] = groupLosses[index]
                    weights[position] = groupWeights[index]
                }
            }
            return (values, weights)
        case .taskAlternating:
            var values: [Float] = [], weights: [Float] = []
            for (position, task) in data.tasks.enumerated() {
                guard data.hasLabels(position) else { values.append(.nan); weights.append(.nan); continue }
                model.zeroGradients()
                let input = data.inputs[data.sharedInput ? 0 : position]
                let loss = try checkedLoss(task, model(Variable(input), task: task), data.targets[position],
                                           data.labelled?[position])
                let objective = model.regularizationLoss().map { loss + $0 } ?? loss
                objective.backward()
                optimizer.step()
                values.append(loss.value.scalar)
                weights.append(1)
            }
            return (values, weights)
        }
    }

    /// One update on the balancer's combination of the losses of the tasks at `positions` (indices
    /// into `data.tasks`) — the heart of multi-task training: forward, a loss per task, the
    /// balancer's backward (which turns the losses into gradients), the optimizer's step. Returns
    /// the losses and weights in the order of `positions`.
    ///
    /// Partially labelled data: only the positions whose task has labels in the batch take part (the
    /// balancer sees just those tasks); the others are reported with loss and weight NaN, and a step
    /// in which no task has labels changes nothing.
    func updateOnCombinedLosses(_ data: StepData, positions allPositions: [Int],
                                checkedLoss: (Int, Variable, Tensor, [Int]?) throws -> Variable,
                                epoch: Int) throws -> ([Float], [Float]) {
        let positions = allPositions.filter { data.hasLabels($0) }
        var lossValues = Array(repeating: Float.nan, count: allPositions.count), weightValues = lossValues
        guard !positions.isEmpty else { return (lossValues, weightValues) }
        model.zeroGradients()
        let stepTasks = positions.map { data.tasks[$0] }
        var losses: [Variable] = [], shared: Variable?
        var regularization = model.regularizationLoss()
        if data.sharedInput {
            let outputs = model.outputs(Variable(data.inputs[0]))
            shared = outputs.sharedRepresentation
            for (position, task) in zip(positions, stepTasks) {
                losses.append(try checkedLoss(task, outputs.outputs[task], data.targets[position],
                                              data.labelled?[position]))
            }
            if let consistency = configuration.consistency, allPositions.contains(where: {
                [consistency.sourceTask, consistency.targetTask].contains(data.tasks[$0]) }) {
                // Label-free: it applies to every sample of the batch, labelled or not.
                let term = consistency.loss(outputs: outputs.outputs)
                regularization = regularization.map { $0 + term } ?? term
            }
        } else {
            for (position, task) in zip(positions, stepTasks) {
                let output = model(Variable(data.inputs[position]), task: task)
                losses.append(try checkedLoss(task, output, data.targets[position], data.labelled?[position]))
            }
        }
        if positions.count == data.tasks.count { measureGradientStatistics(losses: losses, tasks: stepTasks) }
        let context = BalancingContext(model: model, tasks: stepTasks, sharedParameters: model.sharedParameters(),
                                       sharedRepresentation: shared, regularization: regularization,
                                       step: step, epoch: epoch)
        let weights = balancer.backward(losses: losses, context: context)
        optimizer.step()
        for (index, position) in positions.enumerated() {
            let slot = allPositions.firstIndex(of: position)!
            lossValues[slot] = losses[index].value.scalar
            weightValues[slot] = weights[index]
        }
        return (lossValues, weightValues)
    }

    /// Every `gradientStatisticsInterval` steps: the per-task gradients' norms and cosines on the
    /// shared parameters (a diagnostic; it does not change the update).
    func measureGradientStatistics(losses: [Variable], tasks: [Int]) {
        guard let interval = configuration.gradientStatisticsInterval, interval > 0, step % interval == 0 else {
            return
        }
        let gradients = TaskGradients(losses: losses, model: model, sharedParameters: model.sharedParameters())
        statistics.append(GradientStatistics(tasks: tasks, gradients: gradients.shared))
    }
}
