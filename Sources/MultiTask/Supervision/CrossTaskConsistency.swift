import TensorCore
import Autodiff
import NeuralNetworks

/// A cross-task consistency loss: two tasks whose targets are physically tied — depth and surface
/// normals — should make predictions that agree through the map between them, here the analytic
/// `DepthToNormals`. The term is added, with its weight λ, to the task losses of every update:
///
///     L = Σ_t w_t L_t + λ · L_cons,    L_cons = mean over samples and pixels of 1 − cos(g(D̂), N̂)
///
/// with D̂ the predicted depth `[N, 1, H, W]`, g the depth → normals map, N̂ the predicted normals
/// `[N, 3, H, W]` cropped to g's `[N, 3, H−1, W−1]`, and the cosine taken over the 3 components. It
/// needs no label, so it reaches every sample, labelled or not: where normals labels are scarce,
/// the depth labels teach the normals head through g (and the normals pull on the depth head).
///
/// Source: Zamir, Sax, Cheerla, Suri, Malik & Guibas, "Robust Learning Through Cross-Task
/// Consistency" (CVPR 2020). They learn the maps between domains as networks and add, to the
/// direct loss of a prediction, a loss on its image under a map; the maps themselves are trained
/// first and then frozen. We use an analytic map instead (no second network to train), and compare
/// the two predictions with each other rather than the mapped prediction with a label, so the term
/// costs no labels of either task.
///
/// The trainer adds it unweighted by the balancer, like a regularizer (`BalancingContext.regularization`),
/// in summed and task-group training of single-input data.
public struct CrossTaskConsistency: Sendable {
    /// The task whose output is mapped (depth, `[N, 1, H, W]`).
    public var sourceTask: Int
    /// The task the mapped output is compared with (normals, `[N, 3, H, W]`).
    public var targetTask: Int
    /// λ, the weight of the term (≥ 0).
    public var weight: Float
    /// g, the map from the source task's output to the target task's.
    public var mapping: DepthToNormals

    /// Depth (`sourceTask`) → normals (`targetTask`) consistency with weight λ = `weight`.
    public init(sourceTask: Int, targetTask: Int, weight: Float, mapping: DepthToNormals = DepthToNormals()) {
        checkPrecondition(weight >= 0 && weight.isFinite, "CrossTaskConsistency: weight λ = \(weight) must be ≥ 0")
        checkPrecondition(sourceTask != targetTask,
                          "CrossTaskConsistency: source and target task are both \(sourceTask)")
        self.sourceTask = sourceTask
        self.targetTask = targetTask
        self.weight = weight
        self.mapping = mapping
    }

    /// The depth → normals consistency of `DenseScenes`-style tasks, found by name: the tasks named
    /// "depth" and "normals" (nil when either is missing).
    public static func depthToNormals(tasks: [String], weight: Float,
                                      mapping: DepthToNormals = DepthToNormals()) -> CrossTaskConsistency? {
        guard let depth = tasks.firstIndex(of: "depth"), let normals = tasks.firstIndex(of: "normals") else {
            return nil
        }
        return CrossTaskConsistency(sourceTask: depth, targetTask: normals, weight: weight, mapping: mapping)
    }

    /// L_cons of two predictions: depth `[N, 1, H, W]`, normals `[N, 3, H, W]` (differentiable in both).
    public func unweightedLoss(source: Variable, target: Variable) -> Variable {
        let mapped = mapping(source)                                                     // [N, 3, H−1, W−1]
        checkPrecondition(target.shape.count == 4 && target.shape[1] == 3
                          && target.shape[2] == source.shape[2] && target.shape[3] == source.shape[3],
                          "CrossTaskConsistency: normals \(target.shape) for depth \(source.shape)")
        let cropped = target.sliced(0..<mapped.shape[2], alongAxis: 2).sliced(0..<mapped.shape[3], alongAxis: 3)
        let floor = Float(1e-16)...Float.greatestFiniteMagnitude
        let length = cropped.squared().sum(alongAxis: 1).clamped(to: floor).squareRoot()  // ‖g(D̂)‖ = 1
        let cosine = (mapped * cropped).sum(alongAxis: 1) / length
        return (1 - cosine).mean()
    }

    /// λ · L_cons on the model's outputs (one per task).
    public func loss(outputs: [Variable]) -> Variable {
        unweightedLoss(source: outputs[sourceTask], target: outputs[targetTask]) * weight
    }
}
