import TensorCore
import Autodiff
import NeuralNetworks

/// Maximum Roaming (Pascal, Michiardi, Bost, Huet, Zuluaga, *Maximum Roaming Multi-Task
/// Learning*, AAAI 2021) and fixed partitioning (task routing): a shared trunk whose layers carry
/// `TaskMask`s, and a head per task. Task t sees only its partition of each masked layer's units
/// (sharing ratio *p*: round(p·C) of C units).
///
/// **Roaming.** Every Δ training batches (`updateInterval`), each masked layer and each task swaps
/// one active unit for one it has never used, so that over training every unit is visited by as
/// many tasks as possible — parameters "roam" between tasks, learning from all of them while at
/// each moment only a partition trains on each task, which limits interference. A layer stops
/// once a task has visited all its units, or after `updateRatio · (C − round(p·C))` updates.
/// With round-robin init and p·C active units, the updates to full roaming are C − round(p·C).
/// **Progress** r(c), the paper's: the fraction of a layer's updates done, c / (C − round(p·C)) —
/// c / ((1 − p)·S) in the paper's notation — averaged over layers (the x-axis of the paper's
/// Figure 1, middle). **Coverage**, the fraction of units each task has visited (mean |B_t| / C), is
/// a + (1 − a)·r(c) per layer when every task has a = round(p·C)/C of the units (round-robin init).
///
/// **Fixed partitioning** (Strezoski et al., *Many Task Learning with Task Routing*, ICCV 2019):
/// the same masks with `updateInterval: nil` — never updated.
///
/// Training, as the reference code: task-alternating (for each batch, for each task: masked
/// forward, L_t, backward, step), or the summed objective — both are trainer options.
///
/// - Note: updates are counted in training *batches* (the trainer's `step`, passed to
///   `willTrain(step:)` once per batch), not in optimizer steps — in task-alternating training a batch
///   takes T of those. So "every 0.1 epoch" is `updateInterval = batchesPerEpoch / 10`, whatever the
///   training mode. Each update draws from its own generator, seeded from
///   `seed` and the update number, so a run resumed from a checkpoint roams identically.
public final class MaximumRoamingNetwork: MultiTaskNetwork {
    /// The shared trunk, with a `TaskMask` after each masked layer.
    public let trunk: MaskedSequential
    /// h_t, one task-specific head per task, applied to the trunk's output under task t's masks.
    public let heads: [Module]
    /// The trunk's masks, in order (the trunk found them when it was built).
    public var masks: [TaskMask] { trunk.masks }
    /// Δ, the training batches between roaming updates; nil for fixed partitioning.
    public var updateInterval: Int?
    /// How updates pick units.
    public var selection: RoamingSelection
    /// Stops a layer after `updateRatio · (C − round(p·C))` updates (default 1: until exhausted).
    public var updateRatio: Double
    let seed: UInt64

    /// A network over `trunk` (a `MaskedSequential` with `TaskMask` layers) and `heads`. The
    /// masks' task count must equal `heads.count`.
    public init(trunk: MaskedSequential, heads: [Module], updateInterval: Int?, selection: RoamingSelection = .random,
                updateRatio: Double = 1, seed: UInt64) {
        self.trunk = trunk
        self.heads = heads
        self.updateInterval = updateInterval
        self.selection = selection
        self.updateRatio = updateRatio
        self.seed = seed
        super.init(taskCount: heads.count)
        checkPrecondition(updateInterval == nil || updateInterval! >= 1,
                          "MaximumRoamingNetwork: update interval \(updateInterval!) must be ≥ 1")
        checkPrecondition(!masks.isEmpty, "MaximumRoamingNetwork: the trunk has no TaskMask layers")
        for mask in masks {
            checkPrecondition(mask.taskCount == heads.count,
                              "MaximumRoamingNetwork: a mask for \(mask.taskCount) tasks, \(heads.count) heads")
        }
    }

    /// Task t's prediction: the trunk with task t's masks, then head t.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "MaximumRoamingNetwork")
        return heads[task](trunk(input, task: task))
    }

    /// θ_sh: the trunk (each task trains its partition of it).
    public override func sharedParameters() -> [Parameter] { trunk.parameters() }

    /// The last training step at which roaming changed a mask (nil before the first), and the
    /// masks it changed (indices into `masks`; their `lastSwaps` say how).
    public private(set) var lastRoaming: (step: Int, maskIndices: [Int])?

    /// Roams when `step` (the trainer's batch counter) is a positive multiple of Δ.
    public override func willTrain(step: Int) {
        guard let interval = updateInterval, step > 0, step % interval == 0 else { return }
        let before = masks.map { Int($0.updateCount.value.scalars[0]) }
        if roam() {
            let changed = masks.indices.filter { Int(masks[$0].updateCount.value.scalars[0]) != before[$0] }
            lastRoaming = (step, changed)
        }
    }

    /// The updates that complete a mask's roaming: C minus the largest active count (updates keep
    /// active counts fixed, and a layer stops when one task has visited every unit).
    func updatesToComplete(_ mask: TaskMask) -> Int {
        mask.unitCount - ((0..<mask.taskCount).map { mask.activeUnits(of: $0).count }.max() ?? 0)
    }

    /// The update limit of a mask: `updateRatio · updatesToComplete` (none for `.unconstrained`).
    func updateLimit(of mask: TaskMask) -> Int {
        guard selection != .unconstrained else { return Int.max }
        return Int((updateRatio * Double(updatesToComplete(mask))).rounded())
    }

    /// One roaming update of every layer that has not finished; returns whether any changed.
    @discardableResult
    public func roam() -> Bool {
        var changed = false
        for (index, mask) in masks.enumerated() {
            let done = Int(mask.updateCount.value.scalars[0])
            guard done < updateLimit(of: mask) else { continue }
            var generator = SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
                                                &+ UInt64(done) &* 0xBF58_476D_1CE4_E5B9)
            changed = mask.roam(selection: selection, using: &generator) || changed
        }
        return changed
    }

    /// Progress r(c): the mean over masked layers of the fraction of updates done,
    /// min(1, c / updatesToComplete) (1 for a layer with nothing to roam, e.g. p = 1).
    public var progress: Double {
        let fractions = masks.map { mask -> Double in
            let total = updatesToComplete(mask)
            return total == 0 ? 1 : Swift.min(1, Double(mask.updateCount.value.scalars[0]) / Double(total))
        }
        return fractions.reduce(0, +) / Double(fractions.count)
    }

    /// Coverage: the mean over masked layers of mean_t |B_t| / C (`TaskMask.coverage`).
    public var coverage: Double { masks.map(\.coverage).reduce(0, +) / Double(masks.count) }

    /// Whether every layer has stopped roaming (never, with `.unconstrained` selection).
    public var isRoamingFinished: Bool {
        selection != .unconstrained && masks.allSatisfy { mask in
            Int(mask.updateCount.value.scalars[0]) >= updateLimit(of: mask)
                || (0..<mask.taskCount).allSatisfy { mask.unvisitedUnits(of: $0).isEmpty }
        }
    }
}
