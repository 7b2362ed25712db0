import TensorCore
import Autodiff
import NeuralNetworks

/// Cross-stitch networks (Misra et al., *Cross-stitch Networks for Multi-task Learning*, CVPR
/// 2016): one column per task, split into stages; after every stage but the last, a learnable
/// T×T matrix α mixes the columns' activations,
///
///     x̃_t = Σ_s α_ts · x_s,
///
/// initialized to 0.9 on the diagonal and 0.1/(T−1) elsewhere (METHODS.md). α = I is independent
/// columns; a uniform α shares everything. Then a head per task (or `Identity`).
///
/// Shapes: each stage maps `[B, …]` to `[B, …]`; the T columns' outputs at a stage must have the
/// same shape.
public final class CrossStitchNetwork: MultiTaskNetwork {
    /// `columns[t][s]`: stage s of task t.
    public let columns: [[Module]]
    /// One α `[T, T]` per stage boundary.
    public let stitches: [Parameter]
    /// h_t, one head per task, after the last stage of its column.
    public let heads: [Module]

    /// Builds T columns of `stageCount` stages with `makeStage(task, stage)` and heads with `makeHead`.
    public init(taskCount: Int, stageCount: Int, makeStage: (Int, Int) -> Module, makeHead: (Int) -> Module) {
        checkPrecondition(stageCount >= 1, "CrossStitchNetwork: stageCount \(stageCount) must be at least 1")
        columns = (0..<taskCount).map { task in (0..<stageCount).map { makeStage(task, $0) } }
        heads = (0..<taskCount).map(makeHead)
        let offDiagonal: Float = taskCount > 1 ? 0.1 / Float(taskCount - 1) : 0
        let initial = Tensor(shape: [taskCount, taskCount],
                             scalars: (0..<(taskCount * taskCount)).map {
                                 $0 / taskCount == $0 % taskCount ? 0.9 : offDiagonal
                             })
        stitches = (0..<(stageCount - 1)).map { _ in Parameter(initial) }
        super.init(taskCount: taskCount)
    }

    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        var activations = Array(repeating: input, count: taskCount)
        for stage in columns[0].indices {
            activations = (0..<taskCount).map { columns[$0][stage](activations[$0]) }
            if stage < stitches.count {
                let alpha = stitches[stage]
                activations = (0..<taskCount).map { t in
                    let terms = (0..<taskCount).map { s in activations[s] * alpha.selecting(t).selecting(s) }
                    return terms.dropFirst().reduce(terms[0], +)
                }
            }
        }
        return MultiTaskOutputs(outputs: (0..<taskCount).map { heads[$0](activations[$0]) }, sharedRepresentation: nil)
    }

    /// Task t's output (all columns run: they feed each other).
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "CrossStitchNetwork")
        return outputs(input).outputs[task]
    }

    /// The stitch matrices are what the tasks share.
    public override func sharedParameters() -> [Parameter] { stitches }
}
