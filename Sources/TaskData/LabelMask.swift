import TensorCore

/// Which samples carry a label for which task: the mask M ∈ {0, 1}^{N×T} of **partially labelled**
/// data (M_{n,t} = 1: sample n has a label for task t).
///
/// Real multi-task data are rarely labelled for every task: a face carries some attributes but not
/// others, an image has a depth map but no surface normals. The trainer averages each task's loss
/// over its labelled samples only,
///
///     L_t = Σ_n M_{n,t} ℓ_{n,t} / max(1, Σ_n M_{n,t})
///
/// (ℓ_{n,t} the per-sample loss; for dense tasks the mean over the sample's pixels), so a task
/// without labels in a batch contributes no loss, no gradient and no NaN; metrics count labelled
/// samples only. The targets of unlabelled samples stay in the target tensors as placeholders and
/// are never read by losses or metrics.
///
/// Shapes: N samples (the dataset's first axis), T tasks (its task order).
public struct LabelMask: Sendable, Equatable {
    /// N, the number of samples.
    public let sampleCount: Int
    /// T, the number of tasks.
    public let taskCount: Int
    /// M, row-major `[N, T]`.
    var storage: [Bool]

    /// A mask with every sample labelled (`labelled: true`, the default) or none.
    public init(sampleCount: Int, taskCount: Int, labelled: Bool = true) {
        checkPrecondition(sampleCount >= 0 && taskCount >= 0,
                          "LabelMask: sample count \(sampleCount) and task count \(taskCount) must be ≥ 0")
        self.sampleCount = sampleCount
        self.taskCount = taskCount
        storage = Array(repeating: labelled, count: sampleCount * taskCount)
    }

    /// A mask from one column per task: `perTask[t][n]` says whether sample n is labelled for task t
    /// (every column of the same length N).
    public init(perTask columns: [[Bool]]) {
        let count = columns.first?.count ?? 0
        checkPrecondition(columns.allSatisfy { $0.count == count },
                          "LabelMask: the task columns have lengths \(columns.map(\.count)), not one length")
        self.init(sampleCount: count, taskCount: columns.count)
        for (task, column) in columns.enumerated() {
            for (sample, isLabelled) in column.enumerated() { storage[sample * taskCount + task] = isLabelled }
        }
    }

    /// M_{n,t}: whether `sample` has a label for `task`.
    public subscript(sample: Int, task: Int) -> Bool {
        get { storage[sample * taskCount + task] }
        set { storage[sample * taskCount + task] = newValue }
    }

    /// Whether every sample is labelled for every task (the usual, fully labelled case).
    public var isComplete: Bool { !storage.contains(false) }

    /// Σ_n M_{n,t}: the number of samples labelled for `task`.
    public func labelledCount(task: Int) -> Int {
        (0..<sampleCount).reduce(0) { $0 + (self[$1, task] ? 1 : 0) }
    }

    /// The samples labelled for `task`, in ascending order.
    public func labelledSamples(task: Int) -> [Int] {
        (0..<sampleCount).filter { self[$0, task] }
    }

    /// Task `task`'s column as 0/1 values: a `[N]` tensor (the M_{·,t} of the loss formula).
    public func column(task: Int) -> Tensor {
        Tensor(shape: [sampleCount], scalars: (0..<sampleCount).map { self[$0, task] ? 1 : 0 })
    }

    /// The rows at `indices`, in that order (`MultiTaskDataset.subset`).
    public func gathering(_ indices: [Int]) -> LabelMask {
        var mask = LabelMask(sampleCount: indices.count, taskCount: taskCount)
        for (row, index) in indices.enumerated() {
            checkPrecondition(index >= 0 && index < sampleCount,
                              "LabelMask.gathering: index \(index) outside 0..<\(sampleCount)")
            for task in 0..<taskCount { mask[row, task] = self[index, task] }
        }
        return mask
    }

    /// The columns of the tasks at `taskIndices`, in that order (`MultiTaskDataset.selectingTasks`).
    public func selectingTasks(_ taskIndices: [Int]) -> LabelMask {
        LabelMask(perTask: taskIndices.map { task in (0..<sampleCount).map { self[$0, task] } })
    }

    /// A seeded random mask in which task t keeps exactly round(f_t · N) labelled samples, chosen
    /// uniformly without replacement (each task from its own stream of `seed`, so changing one
    /// task's fraction leaves the others' samples as they were). Fractions lie in [0, 1].
    ///
    /// With one seed, a smaller fraction labels a **subset** of a larger fraction's samples (the first
    /// round(f·N) of one permutation): the points of a labelled-fraction curve are nested.
    public static func random(sampleCount: Int, fractions: [Double], seed: UInt64) -> LabelMask {
        checkPrecondition(fractions.allSatisfy { $0 >= 0 && $0 <= 1 },
                          "LabelMask.random: labelled fractions \(fractions) must lie in [0, 1]")
        var mask = LabelMask(sampleCount: sampleCount, taskCount: fractions.count, labelled: false)
        for (task, fraction) in fractions.enumerated() {
            var generator = SeededGenerator(seed: seed &+ 0x4C41_4245_4C00 &+ UInt64(task) &* 0x9E37_79B9_7F4A_7C15)
            let order = generator.permutation(sampleCount)
            let kept = Int((fraction * Double(sampleCount)).rounded())
            for sample in order.prefix(kept) { mask[sample, task] = true }
        }
        return mask
    }
}

extension MultiTaskDataset {
    /// The dataset with task t labelled on round(f_t · N) of its samples (`LabelMask.random`),
    /// intersected with the labels it already lacks: a sample unlabelled before stays unlabelled.
    /// `fractions` has one entry per task (1: keep every label). The generators' knob for
    /// partially labelled data; apply it to the training split to study learning from few labels.
    public func withLabelledFractions(_ fractions: [Double], seed: UInt64) -> MultiTaskDataset {
        checkPrecondition(fractions.count == tasks.count,
                          "withLabelledFractions: \(fractions.count) fractions for \(tasks.count) tasks")
        let drawn = LabelMask.random(sampleCount: count, fractions: fractions, seed: seed)
        var result = self
        for sample in 0..<count {
            for task in tasks.indices where !drawn[sample, task] { result.labelMask[sample, task] = false }
        }
        return result
    }
}
