import TensorCore
import NeuralNetworks

// Observers for studying what a Maximum Roaming swap costs: when a roaming update hands task t a unit
// it has never used, the unit's weights were trained by other tasks, Adam's moments carry their
// history, and the loss of task t may jump. These watch the swaps (`MaximumRoamingNetwork.lastRoaming`,
// `TaskMask.lastSwaps`) from outside the network and the optimizer, around each training step.

/// At each roaming update, zeroes Adam's moments m and v of every unit a task just activated — its
/// filter (or weight column), bias and batch-norm γ and β — keeping the step counter, so the unit
/// starts its new task without the momentum other tasks left in it. An ablation of the swap's cost;
/// the units stay shared with the tasks that already used them, whose momentum is reset too.
public final class RoamingMomentReset: TrainingObserver {
    /// The roaming network whose swaps are watched (`lastRoaming`, each mask's `lastSwaps`).
    public let network: MaximumRoamingNetwork
    /// The optimizer whose moments m and v are zeroed for the activated units.
    public let optimizer: Adam
    /// How many (update, mask, unit) resets were made.
    public private(set) var resetCount = 0

    /// An observer that resets `optimizer`'s moments for the units `network` activates; add it to
    /// `Trainer.observers` of the trainer that steps both.
    public init(network: MaximumRoamingNetwork, optimizer: Adam) {
        self.network = network
        self.optimizer = optimizer
    }

    /// At a roaming step, zeroes m and v of every unit added to a changed mask, along the unit's axis.
    public func trainer(_ trainer: Trainer, willTakeStep step: Int) {
        guard let roaming = network.lastRoaming, roaming.step == step else { return }
        let changed = Set(roaming.maskIndices.map { ObjectIdentifier(network.masks[$0]) })
        for masked in network.trunk.maskedLayers where changed.contains(ObjectIdentifier(masked.mask)) {
            let units = Set(masked.mask.lastSwaps.map(\.added))
            for (parameter, axis) in masked.unitParameters {
                guard var state = optimizer.state(of: parameter) else { continue }
                state.firstMoment = zeroing(state.firstMoment, units: units, alongAxis: axis)
                state.secondMoment = zeroing(state.secondMoment, units: units, alongAxis: axis)
                optimizer.setState(state, of: parameter)
            }
            resetCount += units.count
        }
    }

    /// `tensor` with the slices at `units` along `axis` set to 0.
    func zeroing(_ tensor: Tensor, units: Set<Int>, alongAxis axis: Int) -> Tensor {
        let inner = tensor.shape.dropFirst(axis + 1).reduce(1, *)
        var scalars = tensor.scalars
        for index in scalars.indices where units.contains((index / inner) % tensor.shape[axis]) { scalars[index] = 0 }
        return Tensor(shape: tensor.shape, scalars: scalars)
    }
}

/// Records each task's training loss around roaming updates: for every step s at which roaming
/// changed a mask, the losses of step s − 1 (before the swap) and of step s (the first after it) —
/// and the same pair for every other step, the yardstick: consecutive steps differ by a batch and an
/// update even without a swap, so a swap's cost is its change beyond the ordinary one.
public final class RoamingSwapLosses: TrainingObserver {
    /// The losses around one roaming update, in the order of the step's tasks.
    public struct Record: Sendable {
        /// The training step s at which roaming changed a mask.
        public var step: Int
        /// The task losses of step s − 1, the last step before the swap.
        public var before: [Float]
        /// The task losses of step s, the first step after the swap.
        public var after: [Float]
    }

    /// The roaming network whose updates are watched (`lastRoaming`).
    public let network: MaximumRoamingNetwork
    /// One record per roaming step that followed another training step, in order.
    public private(set) var records: [Record] = []
    /// One record per other step that followed a training step (no mask changed), in order.
    public private(set) var ordinaryRecords: [Record] = []
    var previousLosses: [Float]?
    var swapStep: Int?, currentStep: Int?

    /// An observer of `network`'s swaps; add it to `Trainer.observers`.
    public init(network: MaximumRoamingNetwork) { self.network = network }

    /// Notes whether roaming changed a mask at `step` (and forgets any earlier losses at the run's step 0).
    public func trainer(_ trainer: Trainer, willTakeStep step: Int) {
        swapStep = network.lastRoaming?.step == step ? step : nil
        currentStep = step
        if swapStep == nil, step == 0 { previousLosses = nil }
    }

    /// Records the losses around a swap at a swap step (around an ordinary step otherwise), and keeps
    /// this step's `losses` as the next "before". A step whose losses do not cover every task in order
    /// (a task sampler drawing some tasks per step) breaks the pairing: it is neither recorded nor kept.
    public func trainer(_ trainer: Trainer, didFinishStep index: Int, of stepCount: Int, losses: [Float]) {
        guard losses.count == network.taskCount else {
            previousLosses = nil
            return
        }
        if let before = previousLosses {
            if let step = swapStep {
                records.append(Record(step: step, before: before, after: losses))
            } else if let step = currentStep {
                ordinaryRecords.append(Record(step: step, before: before, after: losses))
            }
        }
        previousLosses = losses
    }

    /// Per task, the mean over recorded updates of (loss after − loss before), over the records where
    /// both losses are finite (a batch without labels for a task has a NaN loss); NaN when none is.
    public var meanSpikes: [Double] { Self.meanChanges(records) }

    /// Per task, the mean change (loss of step s − loss of step s − 1) over the ordinary steps while
    /// roaming was under way (up to the last recorded swap), finite pairs only as in `meanSpikes`;
    /// empty before the first swap.
    public var meanOrdinaryChanges: [Double] {
        guard let last = records.last?.step else { return [] }
        return Self.meanChanges(ordinaryRecords.filter { $0.step < last })
    }

    /// The number of ordinary steps `meanOrdinaryChanges` averages.
    public var ordinaryCountWhileRoaming: Int {
        guard let last = records.last?.step else { return 0 }
        return ordinaryRecords.count { $0.step < last }
    }

    /// Per task, the swap's excess change: `meanSpikes` − `meanOrdinaryChanges` — how much more a
    /// task's loss rises from one step to the next at a swap than at an ordinary step of the same
    /// stretch of training. Empty without a swap.
    public var excessSpikes: [Double] {
        zip(meanSpikes, meanOrdinaryChanges).map { $0 - $1 }
    }

    static func meanChanges(_ records: [Record]) -> [Double] {
        guard let taskCount = records.first?.after.count else { return [] }
        return (0..<taskCount).map { task in
            let changes = records.map { Double($0.after[task] - $0.before[task]) }.filter(\.isFinite)
            return changes.isEmpty ? .nan : changes.reduce(0, +) / Double(changes.count)
        }
    }
}
