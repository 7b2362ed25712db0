import TensorCore

/// The samples of one task in a multi-input dataset: inputs `[N_t, …]` and targets `[N_t, …]`.
public struct TaskSamples: Sendable {
    /// The task's inputs `[N_t, …]`.
    public var inputs: Tensor
    /// The task's targets `[N_t, …]`, in the layout of its `TaskKind`.
    public var targets: Tensor

    /// The samples `inputs` and `targets`, which must agree on N_t (the first axis).
    public init(inputs: Tensor, targets: Tensor) {
        checkPrecondition(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
                          "TaskSamples: inputs \(inputs.shape) and targets \(targets.shape) differ in sample count")
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples N_t.
    public var count: Int { inputs.shape[0] }

    /// The samples at `indices`.
    public func subset(_ indices: [Int]) -> TaskSamples {
        TaskSamples(inputs: inputs.gathering(indices), targets: targets.gathering(indices))
    }
}

/// A **multi-input** multi-task dataset: each task has its own samples (and possibly its own
/// size) — the setting of the lecture's "sample a mini-batch of tasks, then a mini-batch of data
/// for each". A training step asks a `TaskSampler` which tasks to visit, then takes the next batch
/// of each (see `MultiInputDataset.Loader`).
public struct MultiInputDataset: Sendable {
    /// The tasks, in the order of `samples`.
    public var tasks: [TaskSpec]
    /// `samples[t]`: the inputs and targets of task t.
    public var samples: [TaskSamples]

    /// A dataset with one `TaskSamples` per task, in the order of `tasks`.
    public init(tasks: [TaskSpec], samples: [TaskSamples]) {
        checkPrecondition(tasks.count == samples.count,
                          "MultiInputDataset: \(tasks.count) tasks but \(samples.count) sample sets")
        self.tasks = tasks
        self.samples = samples
    }

    /// Samples per task, N_t.
    public var counts: [Int] { samples.map(\.count) }

    /// Each task's samples split into train/validation/test with its own seeded shuffle
    /// (task t uses `seed &+ t`), as `MultiTaskDataset.split`.
    public func split(validationFraction: Double = 0.1, testFraction: Double = 0.2, seed: UInt64)
        -> DatasetSplits<MultiInputDataset> {
        var parts: ([TaskSamples], [TaskSamples], [TaskSamples]) = ([], [], [])
        for (task, taskSamples) in samples.enumerated() {
            let (train, validation, test) = splitIndices(count: taskSamples.count,
                                                         validationFraction: validationFraction,
                                                         testFraction: testFraction, seed: seed &+ UInt64(task))
            parts.0.append(taskSamples.subset(train))
            parts.1.append(taskSamples.subset(validation))
            parts.2.append(taskSamples.subset(test))
        }
        return DatasetSplits(train: MultiInputDataset(tasks: tasks, samples: parts.0),
                             validation: MultiInputDataset(tasks: tasks, samples: parts.1),
                             test: MultiInputDataset(tasks: tasks, samples: parts.2))
    }

    /// A loader that yields, step by step, a batch for each task the sampler picks.
    public func loader(batchSize: Int, sampler: TaskSampler = .all, seed: UInt64) -> Loader {
        Loader(dataset: self, batchSize: batchSize, sampler: sampler, seed: seed)
    }

    /// Draws training steps from a multi-input dataset: each step the sampler picks tasks, and each
    /// picked task contributes the next `batchSize` samples of its own seeded shuffle (reshuffled
    /// when it runs out, so small tasks cycle faster than large ones).
    public struct Loader: Sendable {
        /// The dataset the batches come from.
        public let dataset: MultiInputDataset
        /// The samples each picked task contributes per step (fewer only if the task has fewer samples).
        public let batchSize: Int
        /// Which tasks each step visits.
        public let sampler: TaskSampler
        private var generator: SeededGenerator
        private var orders: [[Int]]
        private var positions: [Int]

        init(dataset: MultiInputDataset, batchSize: Int, sampler: TaskSampler, seed: UInt64) {
            checkPrecondition(batchSize > 0, "MultiInputDataset.loader: batch size \(batchSize) must be positive")
            checkPrecondition(dataset.counts.allSatisfy { $0 > 0 },
                              "MultiInputDataset.loader: a task has no samples (\(dataset.counts))")
            self.dataset = dataset
            self.batchSize = batchSize
            self.sampler = sampler
            generator = SeededGenerator(seed: seed)
            orders = dataset.counts.map { _ in [] }
            positions = dataset.counts.map { _ in 0 }
            for task in dataset.tasks.indices { orders[task] = generator.permutation(dataset.counts[task]) }
        }

        /// The steps of one epoch: enough that, with the sampler's expected tasks per step, every
        /// sample is seen about once — ⌈Σ_t N_t / (batchSize · tasks per step)⌉.
        public var stepsPerEpoch: Int {
            let perStep = sampler.expectedTaskCount(taskCount: dataset.tasks.count)
            return max(1, Int((Double(dataset.counts.reduce(0, +)) / (Double(batchSize) * perStep)).rounded(.up)))
        }

        /// The next step: the picked tasks, each with its batch (inputs `[B, …]`, targets `[B, …]`).
        public mutating func nextStep() -> [(task: Int, batch: TaskSamples)] {
            let picked = sampler.sample(counts: dataset.counts, using: &generator)
            return picked.map { task in (task, nextBatch(of: task)) }
        }

        private mutating func nextBatch(of task: Int) -> TaskSamples {
            let count = dataset.counts[task]
            var indices: [Int] = []
            indices.reserveCapacity(min(batchSize, count))
            while indices.count < min(batchSize, count) {
                if positions[task] == count {
                    orders[task] = generator.permutation(count)
                    positions[task] = 0
                }
                indices.append(orders[task][positions[task]])
                positions[task] += 1
            }
            return dataset.samples[task].subset(indices)
        }
    }
}
