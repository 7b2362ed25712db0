import TensorCore

extension RelatedRegression {
    /// A block correlation matrix: tasks in the same block have correlation `within`, tasks in
    /// different blocks `across`, and every task 1 with itself.
    ///
    ///     blockSizes [2, 3], within ρ, across 0:
    ///     ⎡1 ρ 0 0 0⎤
    ///     ⎢ρ 1 0 0 0⎥
    ///     ⎢0 0 1 ρ ρ⎥      T = 5 tasks, ordered block by block
    ///     ⎢0 0 ρ 1 ρ⎥
    ///     ⎣0 0 ρ ρ 1⎦
    ///
    /// The known ground truth of "which tasks are related" for the estimators of task relationships
    /// and the architectures that learn how to share. Not every choice is a correlation matrix (a
    /// block of b tasks needs within ≥ −1/(b−1)); `init(correlations:…)` refuses one that is not.
    public static func blockCorrelations(blockSizes: [Int], within: Float, across: Float = 0) -> [[Float]] {
        let block = blockSizes.enumerated().flatMap { index, size in Array(repeating: index, count: max(0, size)) }
        return block.indices.map { i in
            block.indices.map { j in i == j ? 1 : (block[i] == block[j] ? within : across) }
        }
    }
}
