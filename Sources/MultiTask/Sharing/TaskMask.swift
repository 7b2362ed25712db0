import TensorCore
import Autodiff
import NeuralNetworks

/// How the initial unit partition of a `TaskMask` is drawn (Pascal et al., 2021, §4).
///
/// With two tasks or more, both satisfy the paper's capacity constraint 1 ≤ Σ_t m_{t,c} ≤ T: every
/// unit serves at least one task (a single task keeps its p·C units, a fixed thinning of the
/// layer). With sharing ratio p = 0 both give the disjoint partition unit c → task c mod T (each unit
/// serves exactly one task, the paper's lower end); p = 1 shares every unit.
public enum PartitionInitialization: String, Sendable, Equatable, CaseIterable {
    /// The reference code's default: unit c first goes to task c mod T (so every unit serves at
    /// least one task), then each task is filled with uniformly random extra units up to
    /// round(p·C) active. Needs p = 0 or p ≥ ⌈C/T⌉ / C. (The reference fills to ⌈p·C⌉; the two
    /// differ by one unit when p·C is not whole.)
    case roundRobinFill = "round-robin"
    /// The paper's description: each unit is active for each task independently with probability
    /// p; a unit no task drew then goes to one task drawn uniformly (the coverage Σ_t m_{t,c} ≥ 1),
    /// and a task left without units gets one. Active counts then differ between tasks.
    case bernoulli
}

/// How a roaming update picks the units it swaps.
public enum RoamingSelection: String, Sendable, Equatable, CaseIterable {
    /// Activate a never-visited unit and deactivate an active one, both uniformly at random
    /// (the paper's choice).
    case random
    /// Activate the never-visited unit whose filter is least aligned (lowest mean |cosine|) with
    /// the task's active filters; deactivate the active unit most aligned with the others.
    case leastAligned
    /// A control, not the method: activate a unit drawn uniformly from all the task's inactive
    /// units, visited or not — random re-partitioning without the "maximum" (visit every unit) part.
    /// It never completes.
    case unconstrained
}

/// A binary mask over the output units of one layer, one row per task — the building block of
/// Maximum Roaming and of fixed partitioning (task routing, Strezoski et al., 2019).
///
/// Place it after a convolution (and its normalization) or a linear layer, before the
/// activation, inside a `MaskedSequential`; for task t it multiplies unit c by m[t, c] ∈ {0, 1}:
/// `mask(x, task: t)`. Shapes: input `[B, C]` or `[B, C, H, W]`; `masks` and `visited` `[T, C]`.
/// With sharing ratio *p* each task has round(p·C) active units; p = 1 shares everything, p = 0
/// partitions the units (each serves one task).
///
/// The state lives in buffers (so checkpoints carry it): `masks` (m), `visited` (the sets B_t of
/// units ever active for task t, starting as the initial masks) and `updateCount`.
public final class TaskMask: Module {
    /// T, the number of rows of the mask.
    public let taskCount: Int
    /// C, the number of units masked (the layer's output channels or features).
    public let unitCount: Int
    /// m `[T, C]`, 0/1.
    public let masks: Buffer
    /// B_t as 0/1 rows `[T, C]`.
    public let visited: Buffer
    /// The number of roaming updates applied so far, `[1]`.
    public let updateCount: Buffer
    /// The swaps of the last roaming update that changed the mask: per task, the unit activated and
    /// the unit deactivated (empty before the first; not saved in checkpoints).
    public private(set) var lastSwaps: [(task: Int, added: Int, removed: Int)] = []
    /// The masked layer's filters, one row per unit (`[C, fan-in]`), which `.leastAligned`
    /// selection compares. (A closure, not the layer: a stored layer would count as a child module.)
    let unitFilters: (() -> Tensor)?

    /// A mask over `unitCount` units for `taskCount` tasks with sharing ratio `sharingRatio` (p).
    /// Use `TaskMask(after:)` to mask a layer's units and allow `.leastAligned` selection.
    public convenience init(unitCount: Int, taskCount: Int, sharingRatio: Double,
                            initialization: PartitionInitialization = .roundRobinFill, seed: UInt64) {
        self.init(unitCount: unitCount, taskCount: taskCount, sharingRatio: sharingRatio,
                  initialization: initialization, seed: seed, maskedLayer: nil)
    }

    /// A mask for the output units of `layer` (a `Conv2D`'s filters or a `Linear` layer's
    /// neurons, or any `UnitSubsetComputing` layer), able to use `.leastAligned` selection.
    /// Place it right after `layer` in a `MaskedSequential`, which can then compute only each
    /// task's units.
    public convenience init(after layer: any UnitSubsetComputing, taskCount: Int, sharingRatio: Double,
                            initialization: PartitionInitialization = .roundRobinFill, seed: UInt64) {
        self.init(unitCount: layer.outputUnitCount, taskCount: taskCount, sharingRatio: sharingRatio,
                  initialization: initialization, seed: seed, maskedLayer: layer)
    }

    init(unitCount: Int, taskCount: Int, sharingRatio: Double, initialization: PartitionInitialization, seed: UInt64,
         maskedLayer: (any UnitSubsetComputing)?) {
        checkPrecondition(unitCount >= 1 && taskCount >= 1, "TaskMask: \(unitCount) units, \(taskCount) tasks")
        checkPrecondition(sharingRatio >= 0 && sharingRatio <= 1,
                          "TaskMask: sharing ratio \(sharingRatio) must lie in [0, 1]")
        self.taskCount = taskCount
        self.unitCount = unitCount
        self.unitFilters = maskedLayer.map { layer in { layer.unitFilters } }
        let rows = Self.initialPartition(unitCount: unitCount, taskCount: taskCount, sharingRatio: sharingRatio,
                                         initialization: initialization, seed: seed)
        let initial = Tensor(shape: [taskCount, unitCount], scalars: rows.flatMap { $0 })
        masks = Buffer(initial, validation: Self.masksRule)
        visited = Buffer(initial, validation: Self.masksRule)
        updateCount = Buffer(Tensor([0]), validation: { tensor in
            let value = tensor.scalars[0]
            return value.isFinite && value >= 0 && value.rounded() == value && value <= Float(largestStoredCounter)
                ? nil : "\(value) is not a count of roaming updates"
        })
    }

    /// The initial masks m `[T][C]`: at p = 0 the disjoint partition unit c → task c mod T, else
    /// drawn as `initialization` says (seeded).
    static func initialPartition(unitCount: Int, taskCount: Int, sharingRatio: Double,
                                 initialization: PartitionInitialization, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        var rows = Array(repeating: Array(repeating: Float(0), count: unitCount), count: taskCount)
        if sharingRatio == 0 {
            checkPrecondition(unitCount >= taskCount,
                              "TaskMask: \(unitCount) units cannot be partitioned among \(taskCount) tasks")
            for unit in 0..<unitCount { rows[unit % taskCount][unit] = 1 }
            return rows
        }
        switch initialization {
        case .roundRobinFill:
            let activeCount = Self.activeCount(unitCount: unitCount, sharingRatio: sharingRatio)
            let problem = Self.coverageProblem(unitCount: unitCount, taskCount: taskCount, sharingRatio: sharingRatio)
            checkPrecondition(problem == nil,
                              "TaskMask: round-robin init: \(problem ?? "") (raise p or use .bernoulli)")
            for unit in 0..<unitCount where taskCount > 1 { rows[unit % taskCount][unit] = 1 }
            for task in 0..<taskCount {
                var inactive = (0..<unitCount).filter { rows[task][$0] == 0 }
                var active = unitCount - inactive.count
                while active < activeCount {
                    let pick = inactive.remove(at: generator.nextInt(below: inactive.count))
                    rows[task][pick] = 1
                    active += 1
                }
            }
        case .bernoulli:
            for task in 0..<taskCount {
                for unit in 0..<unitCount where Double(generator.nextFloat()) < sharingRatio { rows[task][unit] = 1 }
            }
            for unit in 0..<unitCount where taskCount > 1 && !rows.contains(where: { $0[unit] == 1 }) {
                rows[generator.nextInt(below: taskCount)][unit] = 1
            }
            for task in 0..<taskCount where !rows[task].contains(1) {
                rows[task][generator.nextInt(below: unitCount)] = 1
            }
        }
        return rows
    }

    /// What restored `masks` and `visited` must be (shapes are checked by the loader): 0/1 values,
    /// every task with at least one active unit — the partition Σ_c m_{t,c} ≥ 1 that every forward
    /// pass and roaming update relies on.
    static let masksRule: @Sendable (Tensor) -> String? = { tensor in
        guard tensor.rank == 2 else { return "a mask has shape \(tensor.shape), not [tasks, units]" }
        guard tensor.scalars.allSatisfy({ $0 == 0 || $0 == 1 }) else { return "a mask holds values other than 0 and 1" }
        let units = tensor.shape[1]
        for task in 0..<tensor.shape[0] where !tensor.scalars[(task * units)..<((task + 1) * units)].contains(1) {
            return "task \(task) has no active unit"
        }
        return nil
    }

    /// Why `initialization` cannot cover `unitCount` units with `taskCount` tasks at sharing ratio
    /// `sharingRatio`, or nil when it can: round-robin needs each task to keep at least ⌈C/T⌉ units;
    /// Bernoulli covers any p > 0; at p = 0 both need C ≥ T.
    /// Check this before building a mask from user input: `init` stops the program instead.
    public static func coverageProblem(unitCount: Int, taskCount: Int, sharingRatio: Double,
                                       initialization: PartitionInitialization = .roundRobinFill) -> String? {
        guard sharingRatio >= 0 && sharingRatio <= 1 else { return "sharing ratio \(sharingRatio) must lie in [0, 1]" }
        guard unitCount >= 1, taskCount >= 1 else { return "\(unitCount) units for \(taskCount) tasks" }
        if sharingRatio == 0 {
            return unitCount >= taskCount ? nil
                : "sharing ratio 0 partitions the units, but \(unitCount) units cannot serve \(taskCount) tasks"
        }
        if initialization == .bernoulli { return nil }
        let share = (unitCount + taskCount - 1) / taskCount
        guard taskCount == 1 || activeCount(unitCount: unitCount, sharingRatio: sharingRatio) >= share else {
            let active = activeCount(unitCount: unitCount, sharingRatio: sharingRatio)
            return String(format: "sharing ratio %.3g gives %d of %d units per task, but %d tasks need at least "
                            + "%d each (a ratio of at least %.3g)",
                          sharingRatio, active, unitCount, taskCount, share, Double(share) / Double(unitCount))
        }
        return nil
    }

    /// round(p·C), at least 1.
    public static func activeCount(unitCount: Int, sharingRatio: Double) -> Int {
        max(1, Int((sharingRatio * Double(unitCount)).rounded()))
    }

    /// x ⊙ m_t: task `task`'s mask applied to x (`[B, C]` or `[B, C, H, W]`), broadcast over the batch
    /// and the positions.
    public func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkPrecondition(input.rank >= 2 && input.shape[1] == unitCount,
                          "TaskMask: input \(input.shape) does not have \(unitCount) units on axis 1")
        checkPrecondition((0..<taskCount).contains(task), "TaskMask: task \(task) of \(taskCount)")
        let row = masks.value.selecting(task)
        return input * row.reshaped(to: [1, unitCount] + Array(repeating: 1, count: input.rank - 2))
    }

    /// A mask needs its task: call `mask(x, task: t)`.
    public override func callAsFunction(_ input: Variable) -> Variable {
        fatalError("TaskMask needs the task: call mask(x, task: t), or place it in a MaskedSequential")
    }

    /// The units task t uses now, ascending.
    public func activeUnits(of task: Int) -> [Int] {
        (0..<unitCount).filter { masks.value.scalars[task * unitCount + $0] == 1 }
    }

    /// The units task t has never used.
    public func unvisitedUnits(of task: Int) -> [Int] {
        (0..<unitCount).filter { visited.value.scalars[task * unitCount + $0] == 0 }
    }

    /// The coverage: mean over tasks of |B_t| / C, the fraction of units each task has visited
    /// (a = active units / C at the start, about p; 1 once roaming is complete). Not the paper's
    /// r(c), which counts updates: coverage = a + (1 − a)·r(c) when every task has a units.
    public var coverage: Double {
        Double(visited.value.scalars.reduce(0, +)) / Double(taskCount * unitCount)
    }

    /// One roaming update: for each task that still has never-visited units, activate one of them
    /// and deactivate one active unit (active counts stay fixed); the new unit joins B_t.
    /// Returns whether any task changed.
    @discardableResult
    public func roam(selection: RoamingSelection, using generator: inout SeededGenerator) -> Bool {
        var maskRows = masks.value.scalars, visitedRows = visited.value.scalars
        let normalizedFilters = selection == .leastAligned ? unitFilters.map { Self.normalizedRows($0()) } : nil
        checkPrecondition(selection != .leastAligned || normalizedFilters != nil,
                          "TaskMask.roam: .leastAligned needs the layer's filters "
                            + "(build the mask with TaskMask(after:))")
        var changed = false
        var swaps: [(task: Int, added: Int, removed: Int)] = []
        for task in 0..<taskCount {
            let active = (0..<unitCount).filter { maskRows[task * unitCount + $0] == 1 }
            let unvisited = selection == .unconstrained
                ? (0..<unitCount).filter { maskRows[task * unitCount + $0] == 0 }
                : (0..<unitCount).filter { visitedRows[task * unitCount + $0] == 0 }
            guard !unvisited.isEmpty, !active.isEmpty else { continue }
            let added: Int, removed: Int
            if let filters = normalizedFilters {
                added = unvisited.min { Self.meanAlignment($0, with: active, filters) < Self.meanAlignment($1,
                    with: active, filters) }!
                removed = active.max { Self.meanAlignment($0, with: active, filters) < Self.meanAlignment($1,
                    with: active, filters) }!
            } else {
                added = unvisited[generator.nextInt(below: unvisited.count)]
                removed = active[generator.nextInt(below: active.count)]
            }
            maskRows[task * unitCount + removed] = 0
            maskRows[task * unitCount + added] = 1
            visitedRows[task * unitCount + added] = 1
            swaps.append((task, added, removed))
            changed = true
        }
        if changed {
            lastSwaps = swaps
            masks.value = Tensor(shape: [taskCount, unitCount], scalars: maskRows)
            visited.value = Tensor(shape: [taskCount, unitCount], scalars: visitedRows)
            updateCount.value = Tensor([updateCount.value.scalars[0] + 1])
        }
        return changed
    }

    static func normalizedRows(_ weights: Tensor) -> [[Float]] {
        let columns = weights.shape[1]
        return (0..<weights.shape[0]).map { row in
            let values = Array(weights.scalars[(row * columns)..<((row + 1) * columns)])
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return values.map { $0 / Swift.max(norm, 1e-12) }
        }
    }

    /// Mean |cos| between unit u's filter and the filters of `units` (u itself excluded).
    static func meanAlignment(_ unit: Int, with units: [Int], _ filters: [[Float]]) -> Float {
        var total: Float = 0, count = 0
        for other in units where other != unit {
            total += abs(zip(filters[unit], filters[other]).reduce(0) { $0 + $1.0 * $1.1 })
            count += 1
        }
        return count == 0 ? 0 : total / Float(count)
    }

    public override var summary: String { "TaskMask(\(taskCount) tasks × \(unitCount) units)" }
}
