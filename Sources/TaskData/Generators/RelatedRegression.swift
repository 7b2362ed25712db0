import Foundation
import TensorCore

/// Regression tasks whose relatedness is a knob — the synthetic data of Ma et al., *Modeling Task
/// Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts* (KDD 2018, §4).
///
/// Inputs x ~ N(0, I_d) (d = `inputCount`, 100). Task weights w_t = c · Σ_s L_ts u_s, where the u_s
/// are orthonormal random vectors and L is the Cholesky factor of the task correlation matrix R,
/// so that cos(w_t, w_s) = R_ts. (Two tasks with correlation ρ: w₁ = c·u₁, w₂ = c(ρu₁ + √(1−ρ²)u₂),
/// the paper's construction.) Each task's label is
///
///     y_t = w_tᵀx + Σ_{i=1}^{m} sin(a_i · w_tᵀx + b_i) + ε,   ε ~ N(0, σ²)
///
/// with m = `sineCount` (10) and a_i, b_i ~ N(0, 1) shared by all tasks, σ = 0.1 (variance 0.01).
/// The Pearson correlation of the tasks' linear parts w_tᵀx is R_ts; the sines make the tasks
/// non-linear, so even ρ = 1 is not a trivial copy. **What it shows:** as ρ falls, a shared model
/// fits both tasks worse than two separate ones — negative transfer (chapter 06).
///
/// Targets: one `regression(outputCount: 1)` task per row of R, named `task0`, `task1`, …
public struct RelatedRegression: Sendable {
    /// The task weights w_t, one row per task: `[T, d]`.
    public let weights: Tensor
    /// The sine frequencies a_i and phases b_i, shared by the tasks.
    public let frequencies: [Float], phases: [Float]
    /// Standard deviation σ of the label noise.
    public let noiseStandardDeviation: Float

    /// The generator for T tasks with correlation matrix `correlations` (T×T, symmetric, unit
    /// diagonal, positive semi-definite). The weights and sines are drawn from `seed`.
    public init(correlations: [[Float]], inputCount: Int = 100, sineCount: Int = 10, scale: Float = 1,
                noiseStandardDeviation: Float = 0.1, seed: UInt64) throws(DataGenerationError) {
        let taskCount = correlations.count
        guard taskCount >= 1, correlations.allSatisfy({ $0.count == taskCount }) else {
            throw .invalidParameter("correlation matrix must be square, got rows of lengths "
                                    + "\(correlations.map(\.count))")
        }
        guard inputCount >= taskCount else {
            throw .invalidParameter("inputCount \(inputCount) must be at least the task count \(taskCount) "
                                    + "(the weights need orthogonal directions)")
        }
        for i in 0..<taskCount {
            guard abs(correlations[i][i] - 1) < 1e-5 else {
                throw .invalidParameter("correlation matrix diagonal must be 1, got R[\(i)][\(i)] = "
                                        + "\(correlations[i][i])")
            }
            for j in 0..<taskCount where abs(correlations[i][j] - correlations[j][i]) > 1e-5
                || abs(correlations[i][j]) > 1 + 1e-5 {
                throw .invalidParameter("correlation matrix must be symmetric with entries in [-1, 1], R[\(i)][\(j)] = "
                                        + "\(correlations[i][j])")
            }
        }
        let cholesky = try Self.choleskyFactor(correlations)
        var generator = SeededGenerator(seed: seed)
        // Orthonormal directions u_0 … u_{T−1} by Gram–Schmidt on Gaussian vectors (in Double).
        var directions: [[Double]] = []
        while directions.count < taskCount {
            var vector = (0..<inputCount).map { _ in Double(generator.nextNormal()) }
            for direction in directions {
                let projection = zip(vector, direction).reduce(0) { $0 + $1.0 * $1.1 }
                for k in vector.indices { vector[k] -= projection * direction[k] }
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { directions.append(vector.map { $0 / norm }) }
        }
        var weightScalars: [Float] = []
        for t in 0..<taskCount {
            for k in 0..<inputCount {
                var value = 0.0
                for s in 0...t { value += cholesky[t][s] * directions[s][k] }
                weightScalars.append(scale * Float(value))
            }
        }
        weights = Tensor(shape: [taskCount, inputCount], scalars: weightScalars)
        frequencies = (0..<sineCount).map { _ in generator.nextNormal() }
        phases = (0..<sineCount).map { _ in generator.nextNormal() }
        self.noiseStandardDeviation = noiseStandardDeviation
    }

    /// Two tasks with correlation ρ = `correlation` ∈ [−1, 1].
    public init(correlation: Float, inputCount: Int = 100, sineCount: Int = 10,
                seed: UInt64) throws(DataGenerationError) {
        try self.init(correlations: [[1, correlation], [correlation, 1]], inputCount: inputCount, sineCount: sineCount,
                      seed: seed)
    }

    /// The number of tasks T.
    public var taskCount: Int { weights.shape[0] }
    /// The input dimension d.
    public var inputCount: Int { weights.shape[1] }

    /// The linear parts w_tᵀx of the labels: inputs `[N, d]` → `[N, T]`.
    public func linearParts(of inputs: Tensor) -> Tensor { Tensor.matmul(inputs, weights, transposingRHS: true) }

    /// `sampleCount` samples (inputs `[N, d]`, targets `[N, 1]` per task), drawn from `seed`.
    public func dataset(sampleCount: Int, seed: UInt64) -> MultiTaskDataset {
        var generator = SeededGenerator(seed: seed)
        let inputs = Tensor.normal([sampleCount, inputCount], using: &generator)
        let linear = linearParts(of: inputs)
        var targets: [[Float]] = Array(repeating: [], count: taskCount)
        for n in 0..<sampleCount {
            for t in 0..<taskCount {
                let z = linear.scalars[n * taskCount + t]
                var y = z
                for (a, b) in zip(frequencies, phases) { y += sin(a * z + b) }
                targets[t].append(y + noiseStandardDeviation * generator.nextNormal())
            }
        }
        let tasks = (0..<taskCount).map { TaskSpec(name: "task\($0)", kind: .regression(outputCount: 1)) }
        return MultiTaskDataset(tasks: tasks, inputs: inputs,
                                targets: targets.map { Tensor(shape: [sampleCount, 1], scalars: $0) })
    }

    /// L with L·Lᵀ = R (lower triangular); a zero pivot (R singular, e.g. ρ = ±1) gives a zero column.
    static func choleskyFactor(_ matrix: [[Float]]) throws(DataGenerationError) -> [[Double]] {
        let size = matrix.count
        var factor = Array(repeating: Array(repeating: 0.0, count: size), count: size)
        for i in 0..<size {
            for j in 0...i {
                var sum = Double(matrix[i][j])
                for k in 0..<j { sum -= factor[i][k] * factor[j][k] }
                if i == j {
                    guard sum > -1e-5 else {
                        throw .invalidParameter("correlation matrix is not positive semi-definite "
                                                + "(pivot \(sum) at row \(i))")
                    }
                    factor[i][i] = max(0, sum).squareRoot()
                } else {
                    factor[i][j] = factor[j][j] > 1e-6 ? sum / factor[j][j] : 0
                }
            }
        }
        return factor
    }
}

/// Why a generator could not be built from its parameters.
public enum DataGenerationError: Error, Equatable, CustomStringConvertible {
    case invalidParameter(String)

    /// "invalid generator parameter: " and the reason, naming the generator and the value.
    public var description: String {
        switch self {
        case .invalidParameter(let reason): return "invalid generator parameter: \(reason)"
        }
    }
}
