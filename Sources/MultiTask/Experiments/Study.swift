import Foundation
import TensorCore
import NeuralNetworks
import TaskData

// Over 300 lines: a study, its resumable runs file with the settings check, and the training of one run
// read best together; the run record (`StudyRun`) is small enough to stay beside them.

/// What one run of a study (one arm, one seed) gave, at the epoch selected on validation.
public struct StudyRun: Sendable, Equatable {
    /// The arm's name.
    public var arm: String
    /// The run's seed (the data's; the model's too unless the arm offsets it).
    public var seed: UInt64
    /// Per task, the selected epoch (1-based).
    public var selectedEpochs: [Int]
    /// Epochs trained before stopping (the maximum, or fewer by early stopping).
    public var epochsTrained: Int
    /// Per task, the test main metric at the selected epoch.
    public var test: [Double]
    /// Per task, the validation main metric at the selected epoch.
    public var validation: [Double]
    /// Per task, the test loss and the mean training loss of the selected epoch (the train–test gap
    /// is their difference; the training loss is the running mean over the epoch's batches).
    public var testLoss: [Double], trainLoss: [Double]
    /// The number of scalars in the network's parameters.
    public var parameterCount: Int
    /// Wall-clock seconds the run took (building, training and evaluating the network).
    public var seconds: Double

    /// The mean over tasks of test loss − training loss at the selected epochs.
    public var generalizationGap: Double {
        zip(testLoss, trainLoss).map { $0 - $1 }.reduce(0, +) / Double(max(1, testLoss.count))
    }
}

/// A study: every arm trained on every seed, **paired by seed** — run s of every arm sees the same
/// data split, and the same initial weights where the seed alone fixes them — each run selected on
/// its validation split (`ModelSelection`), its test metrics taken at the selected epoch; then
/// Δm% against a baseline arm per seed and its bootstrap confidence interval (`PairedComparison`),
/// with a **noise floor**: the baseline again with other initialization seeds.
///
/// Runs are independent and the study is **resumable**: with `resultsURL`, each finished run is
/// appended to a CSV file at once, and a study started again skips the (arm, seed) cells already
/// there — a long study can be stopped at any time and continued.
public struct Study {
    /// The arms compared, with distinct names.
    public var arms: [StudyArm]
    /// The seeds: each arm runs once per seed, on that seed's data.
    public var seeds: [UInt64]
    /// The most epochs a run trains (fewer with early stopping).
    public var maximumEpochs: Int
    /// Early-stopping patience for arms without their own `selection`; nil: train every epoch.
    public var patience: Int?
    /// Take each run's last epoch instead of selecting on validation (arms without their own `selection`).
    public var selectsLastEpoch = false
    /// The arm the others are compared with (Δm%, paired differences).
    public var baseline: String
    /// The data of a seed (train, validation and test splits).
    public var makeData: (UInt64) throws -> DatasetSplits<MultiTaskDataset>
    /// Where runs are appended as CSV (and read back from on a rerun); nil: kept in memory only.
    public var resultsURL: URL?
    /// What the data and the protocol were, beyond the arms (e.g. "dataset", "samples"): recorded
    /// beside the runs file (`<runs>.settings`) with every arm's settings, and compared on a rerun —
    /// runs of a study with other settings are never mixed in.
    public var settings: [String: String] = [:]
    /// Whether `run()` trains the runs missing from the runs file (the default), or only summarizes
    /// the seeds every arm has finished (a study still running in other processes; at least one).
    public var trainsMissingRuns = true
    /// Counts the budget after roaming completes: a roaming run's `maximumEpochs` start with the
    /// epoch in which its progress r(c) reaches 1, and only epochs from there on are selected and
    /// counted by early stopping — every arm gets the same budget after roaming, whatever its Δ and
    /// p (the paper compares networks "when updates are completed"). Other arms are unaffected.
    public var countsEpochsAfterRoaming = false
    /// Where each run's learning curve is appended (`StudyCurves`); nil: not kept.
    public var curvesURL: URL?
    /// Where each roaming run's loss changes at swaps are appended (`StudySwapSpikes`); nil: not kept.
    public var swapsURL: URL?

    /// The name of the noise-floor arm added by `addingNoiseFloor()`.
    public var noiseFloorName: String { "\(baseline) re-init" }

    /// A study of `arms` × `seeds` on `makeData(seed)`, compared with the arm named `baseline`; needs at
    /// least one arm, seed and epoch, and distinct arm names.
    public init(arms: [StudyArm], seeds: [UInt64], maximumEpochs: Int, patience: Int? = nil, baseline: String,
                resultsURL: URL? = nil, makeData: @escaping (UInt64) throws -> DatasetSplits<MultiTaskDataset>) {
        checkPrecondition(!arms.isEmpty && !seeds.isEmpty && maximumEpochs >= 1,
                          "Study: needs arms, seeds and at least one epoch")
        checkPrecondition(Set(arms.map(\.name)).count == arms.count, "Study: arm names repeat: \(arms.map(\.name))")
        checkPrecondition(arms.contains { $0.name == baseline }, "Study: the baseline '\(baseline)' is not an arm")
        self.arms = arms
        self.seeds = seeds
        self.maximumEpochs = maximumEpochs
        self.patience = patience
        self.baseline = baseline
        self.resultsURL = resultsURL
        self.makeData = makeData
    }

    /// The study with the noise-floor arm added: the baseline with its initialization (and batch
    /// order) drawn from other seeds, on the same data.
    public func addingNoiseFloor() -> Study {
        var study = self
        var copy = arms.first { $0.name == baseline }!
        copy.name = noiseFloorName
        copy.initializationOffset = 1_000_003
        study.arms.append(copy)
        return study
    }

    /// Runs every (arm, seed) cell not already in `resultsURL`, seed by seed; `report` is called
    /// after each run (new or read back). Returns every run.
    public func run(report: ((StudyRun, _ isNew: Bool) -> Void)? = nil) throws -> StudyResult {
        // Refused before any training, not hours into a study.
        for arm in arms where (arm.resetsMomentsOnSwap || arm.zeroesUnvisitedHeadWeights)
            && (arm.architecture != .maximumRoaming || arm.taskGroups != nil
                || (arm.resetsMomentsOnSwap && arm.balancing == .adaTask)) {
            throw StudyError.swapOptionNeedsRoaming(arm: arm.name)
        }
        if let resultsURL {
            try StudyResult.dropPartialRow(resultsURL)
            try checkRecordedSettings(resultsURL)
            if FileManager.default.fileExists(atPath: resultsURL.path) {
                let firstTasks = try makeData(seeds[0]).train.tasks
                let header = try CSVText(contentsOf: resultsURL).rows.first?.joined(separator: ",")
                guard header == nil || header == StudyResult.header(tasks: firstTasks) else {
                    throw StudyError.otherTasks(path: resultsURL.path)
                }
            }
        }
        var runs = try resultsURL.map { try StudyResult.readRuns(from: $0) } ?? []
        runs = runs.filter { run in arms.contains { $0.name == run.arm } && seeds.contains(run.seed) }
        if !trainsMissingRuns {
            // Only the seeds every arm has finished: a summary of a study still running elsewhere.
            let finished = seeds.filter { seed in
                arms.allSatisfy { arm in runs.contains { $0.arm == arm.name && $0.seed == seed } }
            }
            runs = runs.filter { finished.contains($0.seed) }
            guard let first = finished.first else { throw StudyError.noCompleteSeed }
            for run in runs { report?(run, false) }
            return StudyResult(tasks: try makeData(first).train.tasks, arms: arms.map(\.name), seeds: finished,
                               baseline: baseline, runs: runs)
        }
        for run in runs { report?(run, false) }
        var tasks: [TaskSpec] = []
        for seed in seeds {
            let pending = arms.filter { arm in !runs.contains { $0.arm == arm.name && $0.seed == seed } }
            if pending.isEmpty && !tasks.isEmpty { continue }
            let data = try makeData(seed)
            tasks = data.train.tasks
            for arm in pending {
                guard let groups = arm.taskGroups else { continue }
                let all = groups.flatMap { $0 }
                guard groups.allSatisfy({ !$0.isEmpty }) && all.sorted() == Array(tasks.indices) else {
                    throw StudyError.invalidTaskGroups(arm: arm.name, taskCount: tasks.count)
                }
            }
            for arm in pending {
                var arm = arm
                if arm.selection == nil {
                    arm.selection = ModelSelection(perTask: arm.architecture == .singleTask
                                                        || (arm.taskGroups?.count ?? 1) > 1, patience: patience,
                                                   lastEpoch: selectsLastEpoch)
                }
                let (run, curve, swaps) = try Self.trainRecordingCurve(
                    arm, seed: seed, data: data, maximumEpochs: maximumEpochs, patience: patience,
                    countsEpochsAfterRoaming: countsEpochsAfterRoaming)
                if let curvesURL { try StudyCurves.append(curve, tasks: tasks, to: curvesURL) }
                if let swapsURL { try StudySwapSpikes.append(swaps, to: swapsURL) }
                if let resultsURL { try StudyResult.append(run, tasks: tasks, to: resultsURL) }
                runs.append(run)
                report?(run, true)
            }
        }
        return StudyResult(tasks: tasks, arms: arms.map(\.name), seeds: seeds, baseline: baseline, runs: runs)
    }

    /// Every setting that decides the runs: `settings` and each arm's.
    public var recordedSettings: [String: String] {
        var all = settings
        all["maximumEpochs"] = String(maximumEpochs)
        all["patience"] = patience.map(String.init) ?? "none"
        all["selectsLastEpoch"] = String(selectsLastEpoch)
        // Written only when set, so the settings files of earlier studies still match.
        if countsEpochsAfterRoaming { all["budget"] = "after roaming completes" }
        for arm in arms {
            all["arm.\(arm.name)"] = "\(arm.architecture.rawValue) \(arm.balancing.rawValue) "
                + "width \(arm.options.width) ratio \(arm.options.sharingRatio) "
                + "coupling \(arm.options.couplingStrength) lr \(arm.learningRate) batch \(arm.batchSize) "
                + "mode \(arm.mode?.rawValue ?? "default") offset \(arm.initializationOffset)"
            // Written only when not the default, so the settings files of earlier studies still match.
            if arm.options.backbone != .plain || arm.options.batchNormalization {
                all["arm.\(arm.name)"]! += " backbone \(arm.options.backbone.rawValue) batch-norm "
                    + "\(arm.options.batchNormalization)"
            }
            if arm.resetsMomentsOnSwap { all["arm.\(arm.name)"]! += " resets-moments-on-swap" }
            if arm.zeroesUnvisitedHeadWeights { all["arm.\(arm.name)"]! += " zeroes-unvisited-head-weights" }
            if let plan = arm.fineTuning { all["arm.\(arm.name)"]! += " fine-tuning \(plan.settingsDescription)" }
            if let groups = arm.taskGroups {
                all["arm.\(arm.name)"]! += " groups " + groups.map { $0.map(String.init).joined(separator: ".") }
                    .joined(separator: "/")
            }
            if arm.consistencyWeight > 0 { all["arm.\(arm.name)"]! += " consistency \(arm.consistencyWeight)" }
            if arm.options.channelDropout > 0 {
                all["arm.\(arm.name)"]! += " channel-dropout \(arm.options.channelDropout)"
            }
            if arm.options.partitionInitialization != .roundRobinFill {
                all["arm.\(arm.name)"]! += " initialization \(arm.options.partitionInitialization.rawValue)"
            }
            // The expert counts, when not the defaults (an arm's name says them, but two studies
            // must not mix runs of one name with other counts).
            let defaults = ArchitectureOptions()
            if arm.architecture.hasExpertGates
                && (arm.options.expertCount, arm.options.sharedExpertCount, arm.options.taskExpertCount,
                    arm.options.levelCount) != (defaults.expertCount, defaults.sharedExpertCount,
                                                defaults.taskExpertCount, defaults.levelCount) {
                all["arm.\(arm.name)"]! += " experts \(arm.options.expertCount) shared-experts "
                    + "\(arm.options.sharedExpertCount) task-experts \(arm.options.taskExpertCount) levels "
                    + "\(arm.options.levelCount)"
            }
            // Learning to Branch's search settings, likewise when not the defaults.
            if arm.architecture.searchesStructure
                && (arm.options.searchEpochs, arm.options.branchNodeCount, arm.options.branchSampling,
                    arm.options.branchLearningRate) != (defaults.searchEpochs, defaults.branchNodeCount,
                                                        defaults.branchSampling, defaults.branchLearningRate) {
                all["arm.\(arm.name)"]! += " search-epochs \(arm.options.searchEpochs) branch-nodes "
                    + "\(arm.options.branchNodeCount.map(String.init) ?? "tasks") sampling "
                    + "\(arm.options.branchSampling.rawValue) branch-lr \(arm.options.branchLearningRate)"
            }
            if arm.architecture == .maximumRoaming {
                all["arm.\(arm.name)"]! += " interval \(arm.options.updateInterval) selection "
                    + "\(arm.options.selection.rawValue)"
            }
        }
        return all
    }

    /// Compares `recordedSettings` with those recorded beside `url` (only for the arms both have:
    /// a study may gain arms); records them when there are none yet.
    func checkRecordedSettings(_ url: URL) throws {
        let settingsURL = url.appendingPathExtension("settings")
        let current = recordedSettings
        var stored: [String: String] = [:]
        if FileManager.default.fileExists(atPath: settingsURL.path) {
            let text: String
            do { text = String(decoding: try InputFile(settingsURL).contents(), as: UTF8.self) } catch {
                throw DataLoadingError.cannotRead(path: settingsURL.path, reason: error.reason)
            }
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                stored[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            let differences = current.keys.sorted().compactMap { key -> String? in
                guard let old = stored[key], old != current[key] else { return nil }
                return "\(key): \(excerpt(old, limit: 240)) then, \(current[key]!) now"
            }
            guard differences.isEmpty else { throw StudyError.changedSettings(path: url.path,
                differences: differences) }
        }
        let merged = stored.merging(current) { _, new in new }
        let text = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: "\n") + "\n"
        if merged != stored { try writeAtomically(Data(text.utf8), to: settingsURL) }
    }

    /// The runs already recorded in `resultsURL`, without training anything (the tasks are read
    /// from the data of the first seed): how a notebook draws the figures of a committed study.
    public func recordedResult() throws -> StudyResult {
        let runs = try resultsURL.map { try StudyResult.readRuns(from: $0) } ?? []
        let tasks = try makeData(seeds[0]).train.tasks
        return StudyResult(tasks: tasks, arms: arms.map(\.name), seeds: seeds, baseline: baseline,
                           runs: runs.filter { run in
                               arms.contains { $0.name == run.arm } && seeds.contains(run.seed)
                           })
    }

    /// Trains one arm on one seed, epoch by epoch, evaluating validation and test after each and
    /// stopping early by the arm's selection rule; returns the results at the selected epochs.
    public static func train(_ arm: StudyArm, seed: UInt64, data: DatasetSplits<MultiTaskDataset>, maximumEpochs: Int,
                             patience: Int?, countsEpochsAfterRoaming: Bool = false) throws -> StudyRun {
        try trainRecordingCurve(arm, seed: seed, data: data, maximumEpochs: maximumEpochs, patience: patience,
                                countsEpochsAfterRoaming: countsEpochsAfterRoaming).run
    }

    /// `train`, with the run's learning curve (one point per epoch trained) and, for a roaming arm,
    /// each task's loss changes at the swaps (`StudySwapSpike`; empty for other arms).
    public static func trainRecordingCurve(_ arm: StudyArm, seed: UInt64, data: DatasetSplits<MultiTaskDataset>,
                                           maximumEpochs: Int, patience: Int?, countsEpochsAfterRoaming: Bool = false)
        throws -> (run: StudyRun, curve: [StudyCurvePoint], swaps: [StudySwapSpike]) {
        let start = DispatchTime.now().uptimeNanoseconds
        var options = arm.options
        options.seed = seed &+ arm.initializationOffset
        if arm.architecture.searchesStructure && options.branchingTree == nil {
            // Learning to Branch: the search (its epochs beyond the budget), then the tree from scratch.
            options.branchingTree = try searchBranching(
                data: data, options: options, balancing: arm.balancing, learningRate: arm.learningRate,
                training: .init(epochs: 0, batchSize: arm.batchSize, seed: options.seed,
                                mode: arm.mode ?? defaultTrainingMode(for: arm.architecture),
                                showsProgress: false)).tree
        }
        let model = arm.taskGroups.map { groups in
            GroupedNetworks(groups: groups) { _, tasks in
                makeNetwork(arm.architecture, tasks: tasks.map { data.train.tasks[$0] },
                            inputShape: data.train.inputShape, options: options)
            }
        } ?? makeNetwork(arm.architecture, tasks: data.train.tasks, inputShape: data.train.inputShape, options: options)
        if arm.zeroesUnvisitedHeadWeights {
            guard let network = model as? MaximumRoamingNetwork else {
                throw StudyError.swapOptionNeedsRoaming(arm: arm.name)
            }
            network.zeroHeadWeightsOfUnvisitedChannels()
        }
        var (balancer, optimizer) = arm.balancing.make(for: model, learningRate: arm.learningRate, seed: options.seed)
        var planned: [any TrainingObserver] = []
        if let plan = arm.fineTuning {   // pretrained weights of this seed (not offset: a noise floor keeps them)
            (balancer, optimizer, planned, _) = try plan.prepare(model, balancing: arm.balancing,
                                                                 learningRate: arm.learningRate, seed: seed)
        }
        let trainer = Trainer(model: model, optimizer: optimizer, balancer: balancer,
                              configuration: .init(epochs: 0, batchSize: arm.batchSize, seed: options.seed,
                                                   mode: arm.mode ?? defaultTrainingMode(for: arm.architecture),
                                                   showsProgress: false))
        trainer.observers = planned
        if arm.consistencyWeight > 0 {
            guard let consistency = CrossTaskConsistency.depthToNormals(tasks: data.train.tasks.map(\.name),
                                                                       weight: arm.consistencyWeight) else {
                throw StudyError.noConsistencyTasks(arm: arm.name)
            }
            trainer.configuration.consistency = consistency
        }
        if arm.resetsMomentsOnSwap {
            guard let network = model as? MaximumRoamingNetwork, let adam = optimizer as? Adam else {
                throw StudyError.swapOptionNeedsRoaming(arm: arm.name)
            }
            trainer.observers.append(RoamingMomentReset(network: network, optimizer: adam))
        }
        let selection = arm.selection ?? ModelSelection(perTask: arm.architecture == .singleTask
                                                            || (arm.taskGroups?.count ?? 1) > 1, patience: patience)
        let masked = model as? MaximumRoamingNetwork
        let roams = arm.architecture == .maximumRoaming
        // Watching the swaps changes nothing in training: the recorder only reads the losses.
        let swapRecorder = roams ? masked.map { RoamingSwapLosses(network: $0) } : nil
        if let swapRecorder { trainer.observers.append(swapRecorder) }
        // With the budget counted after roaming, epochs before the one in which r(c) reached 1 are
        // neither selected nor counted (index of the first eligible epoch; 0: all are).
        var firstEligible: Int? = countsEpochsAfterRoaming && roams ? nil : 0
        var records: [EpochRecord] = []
        var curve: [StudyCurvePoint] = []
        var epoch = 0
        while firstEligible.map({ epoch < $0 + maximumEpochs }) ?? true {
            epoch += 1
            trainer.configuration.epochs = epoch
            records += try trainer.fit(data.train, validation: data.validation, test: data.test)
            let record = records[records.count - 1]
            curve.append(StudyCurvePoint(arm: arm.name, seed: seed, epoch: epoch,
                                         progress: roams ? masked?.progress : nil, coverage: masked?.coverage,
                                         validation: record.validation!.map(\.mainValue),
                                         test: record.test!.map(\.mainValue)))
            let finished = masked.map { $0.progress >= 1 || $0.isRoamingFinished } ?? true
            if firstEligible == nil, finished { firstEligible = records.count - 1 }
            guard let first = firstEligible else { continue }
            if selection.shouldStop(records.map { $0.validation! }, from: first) { break }
        }
        let selected = selection.selectedEpochs(records.map { $0.validation! }, from: firstEligible!)
        let tasks = data.train.tasks.indices
        let run = StudyRun(arm: arm.name, seed: seed, selectedEpochs: selected.map { $0 + 1 },
                           epochsTrained: records.count,
                           test: tasks.map { records[selected[$0]].test![$0].mainValue },
                           validation: tasks.map { records[selected[$0]].validation![$0].mainValue },
                           testLoss: tasks.map { records[selected[$0]].test![$0].loss },
                           trainLoss: tasks.map { records[selected[$0]].trainLosses[$0] },
                           parameterCount: model.parameterCount,
                           seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        let swaps = swapRecorder.map { StudySwapSpike.rows(arm: arm.name, seed: seed, tasks: data.train.tasks,
                                                           recorder: $0) } ?? []
        return (run, curve, swaps)
    }
}
