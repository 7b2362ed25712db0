import TensorCore
import Autodiff

/// A lookup table of learned vectors: index i → row i of `weight` `[count, dimension]`.
/// Used for learned task embeddings in task-conditioned networks. Default init N(0, 1), as PyTorch.
public final class Embedding: Module {
    /// The table `[count, dimension]`: row i is the vector of index i.
    public let weight: Parameter
    /// A table of `count` vectors of size `dimension`, drawn from N(0, 1) with `random`.
    public init(count: Int, dimension: Int, random: RandomSource = .default) {
        checkPrecondition(count > 0 && dimension > 0,
                          "Embedding: count \(count) and dimension \(dimension) must be positive")
        weight = Parameter(random.withGenerator { Tensor.normal([count, dimension], using: &$0) })
    }

    /// The embeddings of `indices`, `[indices.count, dimension]`.
    public func callAsFunction(_ indices: [Int]) -> Variable {
        let count = weight.shape[0]
        for index in indices {
            checkPrecondition(index >= 0 && index < count, "Embedding: index \(index) outside 0..<\(count)")
        }
        return weight.gathering(indices)
    }

    public override var summary: String { "Embedding(\(weight.shape[0]) × \(weight.shape[1]))" }
}
