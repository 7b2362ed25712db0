import TensorCore
import Autodiff
import NeuralNetworks

/// The per-task gradients of one training step — what every gradient-aggregation method (MGDA,
/// PCGrad, Nash-MTL), GradNorm and AdaTask start from.
///
/// For each task t of the step (in the order of its losses L_t):
/// - g_t = ∇_{θ_sh} L_t, the gradient on the shared parameters, flattened into one vector of
///   length P (the parameters' scalars in the order of `sharedParameters`) — the rows of the
///   T×P matrix G of METHODS.md;
/// - the gradient of L_t on every other trainable parameter (the task-specific heads; a head of
///   another task gets zeros).
///
/// Cost: one backward pass per task, each pruned to the part of the graph above the parameters —
/// T backward passes where equal weighting needs one.
public struct TaskGradients {
    /// θ_sh (trainable ones), the parameters whose gradients are flattened into `shared`.
    public let sharedParameters: [Parameter]
    /// Every other trainable parameter of the model.
    public let specificParameters: [Parameter]
    /// g_t for each task, flattened over `sharedParameters`.
    public var shared: [[Float]]
    /// ∇ L_t on each of `specificParameters`, per task.
    public var specific: [[Tensor]]

    /// Differentiates each loss separately with respect to all trainable parameters of `model`.
    public init(losses: [Variable], model: Module, sharedParameters: [Parameter]) {
        let sharedSet = Set(sharedParameters.map(ObjectIdentifier.init))
        self.sharedParameters = sharedParameters.filter { !$0.isFrozen }
        specificParameters = model.parameters().filter { !$0.isFrozen && !sharedSet.contains(ObjectIdentifier($0)) }
        let all: [Variable] = self.sharedParameters + specificParameters
        let sharedCount = self.sharedParameters.count
        var shared: [[Float]] = [], specific: [[Tensor]] = []
        for loss in losses {
            let gradients = Autodiff.gradients(of: loss, wrt: all)
            shared.append(Self.flatten(gradients[..<sharedCount]))
            specific.append(Array(gradients[sharedCount...]))
        }
        self.shared = shared
        self.specific = specific
    }

    /// Gradients given directly (tests and custom uses): one flattened vector per task, no
    /// parameters behind them.
    public init(vectors: [[Float]]) {
        sharedParameters = []
        specificParameters = []
        shared = vectors
        specific = vectors.map { _ in [] }
    }

    /// The number of tasks T.
    public var taskCount: Int { shared.count }

    /// Concatenates tensors' scalars into one vector.
    static func flatten<C: Collection<Tensor>>(_ tensors: C) -> [Float] {
        var vector: [Float] = []
        vector.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for tensor in tensors { vector.append(contentsOf: tensor.scalars) }
        return vector
    }

    /// M = G Gᵀ, the T×T Gram matrix of the shared gradients (dot products accumulated in Double).
    public func gram() -> [[Double]] { gramMatrix(shared) }

    /// ‖g_t‖ for each task.
    public func norms() -> [Double] { shared.map { dot($0, $0).squareRoot() } }

    /// Σ_t w_t g_t, a flattened shared update.
    public func combination(weights: [Double]) -> [Float] {
        checkPrecondition(weights.count == taskCount,
                          "TaskGradients.combination: \(weights.count) weights for \(taskCount) tasks")
        var result = [Float](repeating: 0, count: shared.first?.count ?? 0)
        for (vector, weight) in zip(shared, weights) where weight != 0 {
            let w = Float(weight)
            for index in result.indices { result[index] += w * vector[index] }
        }
        return result
    }

    /// Adds `sharedUpdate` (a flattened vector over `sharedParameters`) to their `.grad`, and
    /// Σ_t specificWeights[t] · ∇ L_t to the task-specific parameters' `.grad`.
    public func accumulate(sharedUpdate: [Float], specificWeights: [Float]) {
        var offset = 0
        for parameter in sharedParameters {
            let count = parameter.value.count
            let gradient = Tensor(shape: parameter.value.shape, scalars: Array(sharedUpdate[offset..<(offset + count)]))
            offset += count
            add(gradient, to: parameter)
        }
        for (index, parameter) in specificParameters.enumerated() {
            var total: Tensor?
            for (task, weight) in specificWeights.enumerated() where weight != 0 {
                let term = specific[task][index] * weight
                total = total.map { $0 + term } ?? term
            }
            if let total { add(total, to: parameter) }
        }
    }

    func add(_ gradient: Tensor, to parameter: Parameter) {
        if parameter.grad == nil { parameter.grad = gradient } else { parameter.grad = parameter.grad! + gradient }
    }
}

/// The Gram matrix M[s][t] = v_s · v_t of equally long vectors, accumulated in Double.
public func gramMatrix(_ vectors: [[Float]]) -> [[Double]] {
    let count = vectors.count
    var gram = Array(repeating: Array(repeating: 0.0, count: count), count: count)
    for s in 0..<count {
        for t in s..<count {
            let value = dot(vectors[s], vectors[t])
            gram[s][t] = value
            gram[t][s] = value
        }
    }
    return gram
}

/// v · w accumulated in Double.
func dot(_ v: [Float], _ w: [Float]) -> Double {
    var sum = 0.0
    for index in v.indices { sum += Double(v[index]) * Double(w[index]) }
    return sum
}
