import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// A task's loss over the **labelled** samples of a batch only (partially labelled data, `LabelMask`):
///
///     L_t = Σ_n M_{n,t} ℓ_{n,t} / max(1, Σ_n M_{n,t})
///
/// with ℓ_{n,t} the task loss of sample n (`taskLoss`; for a dense task the mean over the sample's
/// pixels, so the per-sample mask covers all of them) and M_{·,t} the task's column of the mask.
/// The labelled rows are gathered and `taskLoss` takes their mean — equal to the formula, since every
/// sample has the same number of outputs — so the unlabelled rows' placeholder targets are never
/// read and their outputs get exactly zero gradient.
///
/// Returns nil when no sample of the batch is labelled for the task (Σ_n M_{n,t} = 0): the task then
/// contributes no loss and no gradient, rather than 0/0 = NaN. With every sample labelled it is
/// `taskLoss` itself, bit for bit.
///
/// Shapes: `output` `[B, …]`, `target` `[B, …]` as `TaskSpec` documents; `labelled` the rows (in
/// 0..<B) labelled for the task, ascending.
public func maskedTaskLoss(_ spec: TaskSpec, output: Variable, target: Tensor, labelled: [Int]) -> Variable? {
    let batchSize = output.shape[0]
    if labelled.count == batchSize { return taskLoss(spec, output: output, target: target) }
    guard !labelled.isEmpty else { return nil }
    return taskLoss(spec, output: output.gathering(labelled), target: target.gathering(labelled))
}
