import TensorCore

/// A metric of your own for a task, given to `TaskSpec(name:kind:customMetrics:)`; `evaluate`
/// reports it in `TaskEvaluation.customMetrics` under its name, beside the built-in metrics.
///
/// Like the built-in metrics, it is computed from totals over the whole split, not averaged per
/// batch: `measure(output, target)` returns a sum and a count for one batch (outputs as the model
/// produced them, targets as stored), and the metric is Σ sums / Σ counts over the batches. A mean
/// over samples returns (Σ per-sample scores, batch size); a ratio such as precision returns
/// (true positives, predicted positives). For example, the share of predictions within 10% of
/// their target:
///
/// ```swift
/// CustomMetric(name: "within 10%", higherIsBetter: true) { output, target in
///     let hits = zip(output.scalars, target.scalars).filter { abs($0 - $1) <= 0.1 * abs($1) }.count
///     return (sum: Double(hits), count: Double(target.count))
/// }
/// ```
///
/// - Note: two custom metrics compare equal when their names and directions are equal. A custom
///   metric lives in code: it is not written to training logs, checkpoints or study tables, and it
///   cannot be a task's main metric (model selection and Δm% use `TaskSpec.metrics`).
public struct CustomMetric: Sendable, Equatable, CustomStringConvertible {
    /// The metric's name, the key of `TaskEvaluation.customMetrics`.
    public var name: String
    /// Whether a larger value is better.
    public var higherIsBetter: Bool
    /// One batch's sum and count.
    public var measure: @Sendable (_ output: Tensor, _ target: Tensor) -> (sum: Double, count: Double)

    /// A metric called `name`, better when larger if `higherIsBetter`, from per-batch `measure` totals.
    public init(name: String, higherIsBetter: Bool,
                _ measure: @escaping @Sendable (_ output: Tensor, _ target: Tensor) -> (sum: Double, count: Double)) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.measure = measure
    }

    /// Equal when the names and the directions are equal (closures cannot be compared).
    public static func == (lhs: CustomMetric, rhs: CustomMetric) -> Bool {
        lhs.name == rhs.name && lhs.higherIsBetter == rhs.higherIsBetter
    }

    /// The name followed by ↑ (higher is better) or ↓ (lower is better).
    public var description: String { "\(name) \(higherIsBetter ? "↑" : "↓")" }
}
