import TensorCore

/// A **single-input** multi-task dataset: every sample has one input and a target for every task
/// (the CelebA style — one face, forty attributes).
///
/// Shapes: `inputs` `[N, …]` (e.g. `[N, 3, 32, 32]` images or `[N, D]` features); `targets[t]`
/// `[N, …]` in the layout of `tasks[t].kind` (see `TaskSpec`).
public struct MultiTaskDataset: Sendable {
    /// The tasks, in the order of `targets`.
    public var tasks: [TaskSpec]
    /// All inputs, the sample on the first axis.
    public var inputs: Tensor
    /// One target tensor per task, the sample on the first axis.
    public var targets: [Tensor]
    /// Which samples are labelled for which task (`LabelMask`, `[N, T]`); every one unless the data
    /// are partially labelled. Carried through `subset`, `split`, `selectingTasks` and `batches`.
    public var labelMask: LabelMask

    /// A dataset of `inputs` `[N, …]` and one target tensor `[N, …]` per task, in the order of `tasks`;
    /// every target must have the inputs' sample count N. `labelMask` `[N, T]` marks the labelled
    /// samples (nil: all of them).
    public init(tasks: [TaskSpec], inputs: Tensor, targets: [Tensor], labelMask: LabelMask? = nil) {
        checkPrecondition(tasks.count == targets.count,
                          "MultiTaskDataset: \(tasks.count) tasks but \(targets.count) target tensors")
        checkPrecondition(inputs.rank >= 1, "MultiTaskDataset: inputs need a sample axis, got shape \(inputs.shape)")
        for (task, target) in zip(tasks, targets) {
            checkPrecondition(target.rank >= 1 && target.shape[0] == inputs.shape[0],
                              "MultiTaskDataset: task \(task.name) has targets \(target.shape) for inputs "
                              + "\(inputs.shape)")
        }
        let mask = labelMask ?? LabelMask(sampleCount: inputs.shape[0], taskCount: tasks.count)
        checkPrecondition(mask.sampleCount == inputs.shape[0] && mask.taskCount == tasks.count,
                          "MultiTaskDataset: a label mask of \(mask.sampleCount)×\(mask.taskCount) for "
                            + "\(inputs.shape[0]) samples and \(tasks.count) tasks")
        self.tasks = tasks
        self.inputs = inputs
        self.targets = targets
        self.labelMask = mask
    }

    /// The number of samples N.
    public var count: Int { inputs.shape[0] }

    /// The shape of one input (`inputs.shape` without the sample axis).
    public var inputShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> MultiTaskDataset {
        MultiTaskDataset(tasks: tasks, inputs: inputs.gathering(indices),
                         targets: targets.map { $0.gathering(indices) }, labelMask: labelMask.gathering(indices))
    }

    /// The same samples with only the tasks at `taskIndices` (a single-task view: `selectingTasks([t])`).
    public func selectingTasks(_ taskIndices: [Int]) -> MultiTaskDataset {
        MultiTaskDataset(tasks: taskIndices.map { tasks[$0] }, inputs: inputs, targets: taskIndices.map { targets[$0] },
                         labelMask: labelMask.selectingTasks(taskIndices))
    }

    /// Splits the samples into train, validation and test sets after a seeded shuffle: the last
    /// `testFraction` of the shuffled order is the test set, the `validationFraction` before it the
    /// validation set, the rest the training set. The same seed gives the same split.
    public func split(validationFraction: Double = 0.1, testFraction: Double = 0.2, seed: UInt64)
        -> DatasetSplits<MultiTaskDataset> {
        let (train, validation, test) = splitIndices(count: count, validationFraction: validationFraction,
                                                     testFraction: testFraction, seed: seed)
        return DatasetSplits(train: subset(train), validation: subset(validation), test: subset(test))
    }

    /// The dataset in mini-batches of `size` samples (the last one smaller unless `dropsLast`).
    /// With a `shuffleSeed` the order is a seeded permutation (pass a new seed each epoch, e.g.
    /// `seed &+ epoch`); without one, the stored order. Batches are gathered when accessed.
    public func batches(size: Int, shuffleSeed: UInt64? = nil, dropsLast: Bool = false) -> Batches {
        checkPrecondition(size > 0, "MultiTaskDataset.batches: batch size \(size) must be positive")
        var order = Array(0..<count)
        if let shuffleSeed {
            var generator = SeededGenerator(seed: shuffleSeed)
            order = generator.permutation(count)
        }
        return Batches(dataset: self, order: order, size: size, dropsLast: dropsLast)
    }

    /// The mini-batches of one pass over a `MultiTaskDataset` (a random-access collection; each
    /// batch is gathered from the dataset when it is read).
    public struct Batches: RandomAccessCollection, Sendable {
        let dataset: MultiTaskDataset
        /// The sample order of this pass.
        public let order: [Int]
        /// The batch size.
        public let size: Int
        let dropsLast: Bool

        /// 0, the index of the first batch.
        public var startIndex: Int { 0 }
        /// The number of batches: ⌈N / size⌉, or ⌊N / size⌋ when the last, short batch is dropped.
        public var endIndex: Int { dropsLast ? order.count / size : (order.count + size - 1) / size }

        /// Batch `position`: the samples `order[position·size ..< (position + 1)·size]`, gathered on read.
        public subscript(position: Int) -> MultiTaskBatch {
            let indices = Array(order[(position * size)..<Swift.min(order.count, (position + 1) * size)])
            return MultiTaskBatch(indices: indices, inputs: dataset.inputs.gathering(indices),
                                  targets: dataset.targets.map { $0.gathering(indices) },
                                  labelMask: dataset.labelMask.gathering(indices))
        }
    }
}

/// One mini-batch of a single-input dataset: inputs `[B, …]` and a target tensor per task.
public struct MultiTaskBatch: Sendable {
    /// The dataset indices of the samples.
    public var indices: [Int]
    /// The batch's inputs `[B, …]`.
    public var inputs: Tensor
    /// One target tensor `[B, …]` per task, in the order of the dataset's tasks.
    public var targets: [Tensor]
    /// The batch's rows of the dataset's `labelMask`, `[B, T]`.
    public var labelMask: LabelMask
    /// The batch size B.
    public var count: Int { indices.count }

    /// A batch of `inputs` `[B, …]` and targets `[B, …]` per task, every sample labelled unless
    /// `labelMask` (`[B, T]`) says otherwise.
    public init(indices: [Int], inputs: Tensor, targets: [Tensor], labelMask: LabelMask? = nil) {
        self.indices = indices
        self.inputs = inputs
        self.targets = targets
        self.labelMask = labelMask ?? LabelMask(sampleCount: indices.count, taskCount: targets.count)
    }
}

/// Train, validation and test parts of a dataset.
public struct DatasetSplits<Dataset: Sendable>: Sendable {
    /// The part the model is trained on.
    public var train: Dataset
    /// The part used for model selection (e.g. choosing the best epoch), never trained on.
    public var validation: Dataset
    /// The held-out part, kept out of both training and model selection.
    public var test: Dataset

    /// Splits from three parts already separated (e.g. a dataset's official train/test files).
    public init(train: Dataset, validation: Dataset, test: Dataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// The sample indices of each split that `MultiTaskDataset.split(validationFraction:testFraction:seed:)`
/// makes of `count` samples: a seeded permutation of 0..<count, whose last `testFraction` is the
/// test split and the `validationFraction` before it the validation split (sizes as `splitSizes`).
public func splitIndices(count: Int, validationFraction: Double, testFraction: Double,
                         seed: UInt64) -> (train: [Int], validation: [Int], test: [Int]) {
    checkPrecondition(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction <= 1,
                      "split: fractions validation \(validationFraction) + test \(testFraction) must lie in [0, 1]")
    var generator = SeededGenerator(seed: seed)
    let order = generator.permutation(count)
    let (trainCount, validationCount, _) = splitSizes(count: count, validationFraction: validationFraction,
                                                      testFraction: testFraction)
    return (Array(order[0..<trainCount]),
            Array(order[trainCount..<(trainCount + validationCount)]),
            Array(order[(trainCount + validationCount)...]))
}

/// The sizes of the train, validation and test splits of `count` samples (`split(…)`): the test and
/// validation splits hold their fractions of `count`, rounded, and the training split the rest.
public func splitSizes(count: Int, validationFraction: Double = 0.1,
                       testFraction: Double = 0.2) -> (train: Int, validation: Int, test: Int) {
    let test = Int((Double(count) * testFraction).rounded())
    let validation = Int((Double(count) * validationFraction).rounded())
    return (Swift.max(0, count - test - validation), validation, test)
}
