import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import MultiTask

/// Records a test issue for every way `model` breaks the `MultiTaskNetwork` contract on `input`
/// (a batch `[B, …]`); returns whether it kept it. It checks that
/// 1. `sharedParameters()` lists parameters of the model, none twice (it must be overridden: the
///    base implementation stops the program with a message);
/// 2. `outputs(x).outputs[t]` equals `model(x, task: t)` for every task (same values, within 10⁻⁵);
/// 3. when `outputs(x)` returns a shared representation Z, every shared parameter reaches every
///    task's loss only through Z: ∇_{θ_sh} L_t from the full backward pass equals
///    (∂Z/∂θ_sh)ᵀ ∇_Z L_t, with L_t = Σ ŷ_t ⊙ u_t for a fixed random u_t. A Z that fails this makes
///    MGDA-UB optimize the wrong bound without any error;
/// 4. `regularizationLoss()` is nil or one finite value.
///
/// Run it with the model in a deterministic state (`eval()` when it has dropout).
@discardableResult
public func expectSharingContract(_ model: MultiTaskNetwork, input: Tensor, seed: UInt64 = 11,
                                  sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    let name = "\(type(of: model))"
    var kept = true
    func fail(_ message: String) {
        Issue.record("\(name): \(message)", sourceLocation: sourceLocation)
        kept = false
    }
    // 1. θ_sh is the model's own, listed once.
    let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map {
        (ObjectIdentifier($0.parameter), $0.name)
    })
    let shared = model.sharedParameters()
    if let stranger = shared.first(where: { names[ObjectIdentifier($0)] == nil }) {
        fail("sharedParameters() returned a parameter of shape \(stranger.shape) that is not among parameters()")
    }
    if Set(shared.map(ObjectIdentifier.init)).count != shared.count {
        fail("sharedParameters() lists a parameter twice")
    }
    // 2. All tasks at once equal one task at a time.
    let all = model.outputs(Variable(input))
    if all.outputs.count != model.taskCount {
        fail("outputs(_:) returned \(all.outputs.count) outputs for \(model.taskCount) tasks")
        return false
    }
    for task in 0..<model.taskCount {
        let alone = withoutGradients { model(Variable(input), task: task) }.value
        if !isClose(all.outputs[task].value, alone, rtol: 1e-5, atol: 1e-5,
                    "\(name): outputs(x).outputs[\(task)] against model(x, task: \(task))",
                    sourceLocation: sourceLocation) {
            kept = false
        }
    }
    // 3. Every shared parameter reaches every task's loss only through Z.
    let trainable = shared.filter { !$0.isFrozen }
    if let z = all.sharedRepresentation, !trainable.isEmpty {
        var generator = SeededGenerator(seed: seed)
        for task in 0..<model.taskCount {
            let output = all.outputs[task]
            let projection = Tensor.normal(output.shape, using: &generator)
            let direct = gradients(of: output, wrt: trainable, seed: projection)
            let throughZ = gradients(of: z, wrt: trainable, seed: gradients(of: output, wrt: [z], seed: projection)[0])
            for (k, parameter) in trainable.enumerated() {
                let label = names[ObjectIdentifier(parameter)] ?? "a shared parameter"
                if !isClose(throughZ[k], direct[k], rtol: 1e-3, atol: 1e-5,
                            "\(name): ∂L_\(task)/∂\(label) through Z against the full backward pass (a shared "
                            + "parameter reaches task \(task) other than through Z, or Z is not shared)",
                            sourceLocation: sourceLocation) {
                    kept = false
                }
            }
        }
    }
    // 4. The regularization term is one finite value.
    if let penalty = model.regularizationLoss(), penalty.value.count != 1 || !penalty.value.scalars[0].isFinite {
        fail("regularizationLoss() is \(penalty.value.shape) \(penalty.value.scalars.prefix(3)), not one finite value")
    }
    return kept
}
