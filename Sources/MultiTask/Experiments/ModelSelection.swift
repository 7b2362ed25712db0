import TensorCore
import TaskData

/// Picks a run's epoch on the validation split — never on the test split — and decides when to stop.
///
/// Each epoch's validation main metrics v_t become one **selection score**
///
///     score = (1/T) Σ_t s_t · v_t / c_t,    s_t = +1 (higher is better) or −1,  c_t = |v_t at epoch 1| (1 if 0)
///
/// — the mean relative improvement over the first epoch, up to a constant, so tasks with metrics of
/// different scales (an F-score and an RMSE) count alike. The selected epoch has the highest score
/// (the earliest on ties). With `perTask`, each task picks its own epoch by s_t · v_t: right for
/// single-task networks trained side by side, which are separate models.
///
/// Early stopping: training stops once `patience` epochs in a row brought no better score (per task:
/// no task improved); nil trains every epoch. `lastEpoch` turns selection off (the last epoch is
/// taken), for comparison with the fixed-budget protocol.
public struct ModelSelection: Sendable {
    /// Each task's own best epoch (separate single-task networks) instead of one epoch for all.
    public var perTask: Bool
    /// Epochs without improvement before stopping; nil: never stop early.
    public var patience: Int?
    /// Take the last epoch trained, whatever the validation split says.
    public var lastEpoch: Bool

    /// Selection jointly on the score (or `perTask`), with early stopping after `patience` epochs
    /// (at least 1; nil: none), or the last epoch when `lastEpoch`.
    public init(perTask: Bool = false, patience: Int? = nil, lastEpoch: Bool = false) {
        checkPrecondition(patience.map { $0 >= 1 } ?? true, "ModelSelection: patience \(patience!) must be at least 1")
        self.perTask = perTask
        self.patience = patience
        self.lastEpoch = lastEpoch
    }

    /// The selection score of each epoch's validation results (see the type's documentation).
    public static func scores(_ validation: [[TaskEvaluation]]) -> [Double] {
        guard let first = validation.first else { return [] }
        let scales = scales(of: first)
        return validation.map { score($0, scales: scales) }
    }

    /// c_t, each task's scale: |v_t| of the first epoch (1 when it is 0 or not finite).
    public static func scales(of first: [TaskEvaluation]) -> [Double] {
        first.map { abs($0.mainValue) > 0 && $0.mainValue.isFinite ? abs($0.mainValue) : 1 }
    }

    /// One epoch's score, (1/T) Σ_t s_t · v_t / c_t; −∞ when it is not finite.
    public static func score(_ epoch: [TaskEvaluation], scales: [Double]) -> Double {
        let terms = epoch.enumerated().map { task, evaluation in
            (evaluation.mainMetric.higherIsBetter ? 1 : -1) * evaluation.mainValue / scales[task]
        }
        let total = terms.reduce(0, +) / Double(terms.count)
        return total.isFinite ? total : -.infinity
    }

    /// The selected epoch index (0-based) for each task, from the validation results so far; only
    /// epochs from `first` on are eligible (e.g. those after roaming completed: `Study`'s budget
    /// counted after roaming). The scores keep their scale from epoch 1 either way.
    public func selectedEpochs(_ validation: [[TaskEvaluation]], from first: Int = 0) -> [Int] {
        checkPrecondition(validation.count > first && first >= 0,
                          "ModelSelection: no epochs from \(first) on (\(validation.count) trained)")
        let taskCount = validation[0].count
        if lastEpoch { return Array(repeating: validation.count - 1, count: taskCount) }
        let eligible = first..<validation.count
        if perTask {
            return (0..<taskCount).map { task in
                let values = validation.map { signedValue($0[task]) }
                return eligible.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) }!
            }
        }
        let scores = Self.scores(validation)
        let best = eligible.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
        return Array(repeating: best, count: taskCount)
    }

    /// Whether to stop after the epochs so far: the best epoch(s) from `first` on lie `patience` or
    /// more epochs back (never before epoch `first` has been trained).
    public func shouldStop(_ validation: [[TaskEvaluation]], from first: Int = 0) -> Bool {
        guard let patience, !lastEpoch, validation.count > first else { return false }
        let latest = selectedEpochs(validation, from: first).max()!
        return validation.count - 1 - latest >= patience
    }

    func signedValue(_ evaluation: TaskEvaluation) -> Double {
        let value = (evaluation.mainMetric.higherIsBetter ? 1 : -1) * evaluation.mainValue
        return value.isFinite ? value : -.infinity
    }
}
