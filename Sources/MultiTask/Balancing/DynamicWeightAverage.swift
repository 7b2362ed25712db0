import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Dynamic Weight Average (Liu, Johns & Davison, "End-to-End Multi-Task Learning with Attention",
/// CVPR 2019 — MTAN): weights from how fast each task's loss is falling.
///
///     r_t(e) = L̄_t(e−1) / L̄_t(e−2),    w(e) = T · softmax(r(e) / τ)   for epochs e ≥ 2 (0-based)
///     w(0) = w(1) = 1
///
/// L̄_t(e) is task t's mean training loss over epoch e (given by the trainer at each epoch's end).
/// A task whose loss fell less (r_t near 1) than the others' gets more weight; τ = 2 smooths the
/// softmax (τ → ∞ gives equal weights). The weights are constant within an epoch and sum to T.
/// A task that had no labelled sample in one of the two epochs (partially labelled data: its mean
/// loss is NaN) gets r_t = 1.
public final class DynamicWeightAverage: LossBalancer {
    /// T, the number of tasks.
    public let taskCount: Int
    /// τ, the softmax temperature (2 in MTAN; larger is closer to equal weights).
    public let temperature: Float
    /// The mean losses of the last (at most) two completed epochs, oldest first.
    var history: [[Float]] = []

    /// DWA for `taskCount` tasks (≥ 1) with temperature τ > 0.
    public init(taskCount: Int, temperature: Float = 2) {
        checkPrecondition(taskCount >= 1 && temperature > 0,
            "DynamicWeightAverage: taskCount \(taskCount) ≥ 1 and temperature \(temperature) > 0 required")
        self.taskCount = taskCount
        self.temperature = temperature
    }

    /// "DWA", the name in logs and study tables.
    public var name: String { "DWA" }

    /// The weights of the current epoch, one per task.
    public var currentWeights: [Float] {
        guard history.count == 2 else { return Array(repeating: 1, count: taskCount) }
        // A task without labels in one of the two epochs (NaN mean loss) counts as not falling: r = 1.
        let ratios = (0..<taskCount).map { task -> Float in
            let ratio = history[1][task] / history[0][task]
            return (ratio.isFinite ? ratio : 1) / temperature
        }
        let largest = ratios.max()!
        let exponentials = ratios.map { Foundation.exp($0 - largest) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { Float(taskCount) * $0 / sum }
    }

    /// Backpropagates Σ_t w_t(e) L_t with this epoch's weights and returns them.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let weights = currentWeights
        return backwardWeightedSum(losses: losses, weights: context.tasks.map { weights[$0] }, context: context)
    }

    /// Keeps the epoch's mean losses L̄_t(e), one per task, for the next epoch's ratios r_t.
    public func epochDidEnd(meanLosses: [Float]) {
        checkPrecondition(meanLosses.count == taskCount,
                          "DynamicWeightAverage: \(meanLosses.count) losses for \(taskCount) tasks")
        history.append(meanLosses)
        if history.count > 2 { history.removeFirst() }
    }

    /// The last one or two epochs' mean losses, `[1 or 2, T]` ("history").
    public var state: [String: Tensor] {
        history.isEmpty ? [:] : ["history": Tensor(shape: [history.count, taskCount], scalars: history.flatMap { $0 })]
    }

    /// Restores the last one or two epochs' mean losses (`[1 or 2, T]`, finite and ≥ 0, or NaN for a
    /// task without labels in that epoch).
    public func restoreState(_ state: [String: Tensor]) throws {
        if let key = state.keys.sorted().first(where: { $0 != "history" }) {
            throw CheckpointError.unexpectedTensor(name: "trainer.balancer.\(excerpt(key))")
        }
        guard let tensor = state["history"] else { history = []; return }
        guard tensor.rank == 2, tensor.shape[1] == taskCount, (1...2).contains(tensor.shape[0]) else {
            throw CheckpointError.shapeMismatch(name: "trainer.balancer.history", expected: [2, taskCount],
                                                found: tensor.shape)
        }
        guard tensor.scalars.allSatisfy({ $0.isNaN || ($0.isFinite && $0 >= 0) }) else {
            throw CheckpointError.invalidValue(name: "trainer.balancer.history",
                                               reason: "mean losses must be finite and ≥ 0 (or NaN: no labels)")
        }
        history = (0..<tensor.shape[0]).map { Array(tensor.scalars[($0 * taskCount)..<(($0 + 1) * taskCount)]) }
    }
}
