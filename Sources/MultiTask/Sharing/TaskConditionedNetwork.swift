import TensorCore
import Autodiff
import NeuralNetworks

/// Hard sharing with task conditioning: **all** parameters are shared and the task enters as a
/// descriptor z_t, ŷ_t = decoder(condition(encoder(x), z_t)) — the lecture's task-conditioned
/// model. The conditioning is concatenation, additive, multiplicative (gates) or FiLM; with an
/// `Identity` encoder the task is fed with the input itself.
///
/// The decoder has one output layer for every task; when the tasks' output sizes differ, give
/// `outputCounts` and task t reads the first `outputCounts[t]` outputs.
public final class TaskConditionedNetwork: MultiTaskNetwork {
    /// The shared encoder of the input x (an `Identity` feeds z_t in with the input itself).
    public let encoder: Module
    /// How z_t enters the encoded features (concatenation, additive, multiplicative or FiLM).
    public let conditioning: TaskConditioning
    /// The shared decoder of the conditioned features, with output layers for every task.
    public let decoder: Module
    /// The number of outputs each task reads from the decoder (its first `outputCounts[t]`); nil: all.
    public let outputCounts: [Int]?

    /// ŷ_t = decoder(conditioning(encoder(x), z_t)), for as many tasks as `conditioning`'s descriptor has.
    public init(encoder: Module, conditioning: TaskConditioning, decoder: Module, outputCounts: [Int]? = nil) {
        self.encoder = encoder
        self.conditioning = conditioning
        self.decoder = decoder
        self.outputCounts = outputCounts
        checkPrecondition(outputCounts == nil || outputCounts!.count == conditioning.descriptor.taskCount,
                          "TaskConditionedNetwork: \(outputCounts ?? []) output counts for "
                          + "\(conditioning.descriptor.taskCount) tasks")
        super.init(taskCount: conditioning.descriptor.taskCount)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "TaskConditionedNetwork")
        return decode(encoder(input), task: task)
    }

    /// The encoder runs once for all tasks. There is no shared representation Z: the decoder and the
    /// conditioning are shared too (θ_sh is every parameter) and act after the task enters, so θ_sh
    /// reaches the losses other than through encoder(x) — MGDA-UB falls back to exact MGDA.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let features = encoder(input)
        return MultiTaskOutputs(outputs: (0..<taskCount).map { decode(features, task: $0) }, sharedRepresentation: nil)
    }

    /// θ_sh: every parameter — the encoder, the conditioning and the decoder all serve every task.
    public override func sharedParameters() -> [Parameter] { parameters() }

    /// decoder(condition(features, z_t)), cut to the task's output count.
    func decode(_ features: Variable, task: Int) -> Variable {
        let output = decoder(conditioning(features, task: task))
        guard let counts = outputCounts, counts[task] != output.shape[1] else { return output }
        return output.sliced(0..<counts[task], alongAxis: 1)
    }
}
