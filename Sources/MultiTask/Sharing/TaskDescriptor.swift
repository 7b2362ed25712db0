import TensorCore
import Autodiff
import NeuralNetworks

/// How a task-conditioned network is told which task it is solving: the task descriptor z_t.
/// - `oneHot`: z_t = e_t ∈ {0, 1}^T, fixed;
/// - `embedding(dimension:)`: z_t = E[t] ∈ ℝ^D, a learned row of an embedding table.
public enum TaskDescriptorKind: Sendable, Equatable {
    case oneHot
    case embedding(dimension: Int)
}

/// Produces the descriptors z_t of a batch (`[B, D]`, the same row B times).
public final class TaskDescriptor: Module {
    /// One-hot or a learned embedding.
    public let kind: TaskDescriptorKind
    /// T, the number of tasks described.
    public let taskCount: Int
    /// The learned table for `.embedding` (nil for one-hot).
    public let embedding: Embedding?

    /// Descriptors of `kind` for `taskCount` tasks; an embedding table is drawn N(0, 1) with `random`.
    public init(kind: TaskDescriptorKind, taskCount: Int, random: RandomSource = .default) {
        self.kind = kind
        self.taskCount = taskCount
        if case .embedding(let dimension) = kind {
            embedding = Embedding(count: taskCount, dimension: dimension, random: random)
        } else {
            embedding = nil
        }
    }

    /// D, the length of z_t.
    public var dimension: Int {
        switch kind {
        case .oneHot: return taskCount
        case .embedding(let dimension): return dimension
        }
    }

    /// z_t for each of `batchSize` samples: `[batchSize, D]`.
    public func callAsFunction(task: Int, batchSize: Int) -> Variable {
        checkPrecondition(task >= 0 && task < taskCount, "TaskDescriptor: task \(task) outside 0..<\(taskCount)")
        if let embedding { return embedding(Array(repeating: task, count: batchSize)) }
        return Variable(Tensor.oneHot(Array(repeating: task, count: batchSize), classCount: taskCount))
    }
}

/// A way to feed z_t into features h (`[B, C]` or `[B, C, H, W]`): the conditioning layers of the
/// lecture (concatenation, additive, multiplicative) and FiLM. Subclasses override
/// `callAsFunction(_:task:)`.
open class TaskConditioning: Module {
    /// The descriptor z_t that the conditioning mixes into the features.
    public let descriptor: TaskDescriptor

    /// A conditioning driven by `descriptor` (subclasses add their own layers first).
    public init(descriptor: TaskDescriptor) { self.descriptor = descriptor }

    /// The conditioned features.
    open func callAsFunction(_ features: Variable, task: Int) -> Variable {
        fatalError("\(type(of: self)) does not implement callAsFunction(_:task:)")
    }

    /// A per-sample vector v `[B, C]` shaped to broadcast against `features` (`[B, C, 1, 1]` for
    /// feature maps).
    func broadcastable(_ vector: Variable, like features: Variable) -> Variable {
        features.rank == 2 ? vector : vector.reshaped(to: vector.shape + Array(repeating: 1, count: features.rank - 2))
    }
}
