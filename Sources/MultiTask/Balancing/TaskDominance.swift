/// Which task dominates one shared parameter's updates (Yang et al., AdaTask, AAAI 2023): for each
/// task, how many of the parameter's scalars it dominates — has the largest AU, the exponential
/// average of the squared update it caused — and its mean share AU_t / Σ_s AU_s. What a balancer
/// reports through `LossBalancer.updateDominance()`; AdaTask measures it.
public struct TaskDominance: Sendable {
    /// The parameter's dotted name.
    public var name: String
    /// Per task, the scalars it dominates.
    public var dominatedCounts: [Int]
    /// Per task, the mean of AU_t / Σ_s AU_s over the scalars.
    public var meanShares: [Double]
    /// The fraction of scalars dominated by the most dominant task (1/T is perfectly balanced).
    public var largestFraction: Double {
        let total = dominatedCounts.reduce(0, +)
        return total > 0 ? Double(dominatedCounts.max()!) / Double(total) : 0
    }
}
