import TensorCore
import Autodiff
import NeuralNetworks

/// A squeeze-and-excitation gate per task (Hu et al., *Squeeze-and-Excitation Networks*, CVPR 2018),
/// the SE-MTL baseline of Maximum Roaming (Pascal et al., 2021; after Maninis et al., *Attentive
/// Single-Tasking of Multiple Tasks*, CVPR 2019): a learned, real-valued, input-dependent version
/// of a task's partition. For task t and features h:
///
///     z = GAP(h)                           squeeze: the mean of each channel, [B, C]
///     s = σ(W₂ᵗ ReLU(W₁ᵗ z + b₁ᵗ) + b₂ᵗ)   excitation, s ∈ (0, 1)^C
///                                          (W₁ᵗ: C → C/r, W₂ᵗ: C/r → C)
///     h_t = s ⊙ h                          each channel scaled by its gate
///
/// with reduction r = 16 (the paper's and the reference code's; at least one hidden unit). Placed
/// where a `TaskMask` would be — after a convolution and its normalization, before the ReLU — inside
/// a `MaskedSequential`. Shapes: h `[B, C, H, W]` (squeezed over H, W) or `[B, C]` (z = h).
/// Parameters: `excitations.<t>.layers.{0,2}.{weight,bias}`, all task-specific.
///
/// - Note: with this framework's narrow trunks the bottleneck is narrow too — C/16 = 1, 2 and 4
///   hidden units for 16, 32 and 64 channels, where the reference's ResNet (64 to 512 channels)
///   has 4 to 32.
public final class TaskSqueezeExcitation: Module, TaskRoutedLayer {
    /// The excitation MLP of each task: Linear(C → C/r), ReLU, Linear(C/r → C), Sigmoid.
    public let excitations: [Sequential]
    /// C, the number of channels gated (axis 1 of the features).
    public let channelCount: Int

    /// T, one excitation MLP per task.
    public var taskCount: Int { excitations.count }

    /// Gates for `taskCount` tasks over `channelCount` channels, each with a hidden layer of
    /// max(1, C / `reduction`) units.
    public init(channelCount: Int, taskCount: Int, reduction: Int = 16, random: RandomSource = .default) {
        checkPrecondition(channelCount >= 1 && taskCount >= 1 && reduction >= 1,
                          "TaskSqueezeExcitation: \(channelCount) channels, \(taskCount) tasks, reduction \(reduction)")
        self.channelCount = channelCount
        let hidden = Swift.max(1, channelCount / reduction)
        excitations = (0..<taskCount).map { _ in
            Sequential(Linear(inputCount: channelCount, outputCount: hidden, random: random), ReLU(),
                       Linear(inputCount: hidden, outputCount: channelCount, random: random), Sigmoid())
        }
    }

    /// h ⊙ s_t(h).
    public func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkPrecondition((input.rank == 2 || input.rank == 4) && input.shape[1] == channelCount,
                          "TaskSqueezeExcitation: input \(input.shape) does not have \(channelCount) channels "
                            + "on axis 1")
        checkPrecondition((0..<taskCount).contains(task), "TaskSqueezeExcitation: task \(task) of \(taskCount)")
        guard input.rank == 4 else { return input * excitations[task](input) }
        let gates = excitations[task](input.mean(alongAxes: [2, 3]))
        return input * gates.reshaped(to: [input.shape[0], channelCount, 1, 1])
    }

    /// A gate needs its task: call `gate(x, task: t)`.
    public override func callAsFunction(_ input: Variable) -> Variable {
        fatalError("TaskSqueezeExcitation needs the task: call gate(x, task: t), or place it in a MaskedSequential")
    }

    public override var summary: String {
        "TaskSqueezeExcitation(\(taskCount) tasks × \(channelCount) channels)"
    }
}

/// SE-MTL: a shared trunk whose layers carry a squeeze-and-excitation gate per task
/// (`TaskSqueezeExcitation`), and a head per task — the partitioning baseline of Maximum Roaming
/// with learned, soft partitions. The gates are task-specific parameters; the rest of the trunk is
/// shared.
public final class SqueezeExcitationNetwork: MultiTaskNetwork {
    /// The shared trunk with a `TaskSqueezeExcitation` gate where each mask would be.
    public let trunk: MaskedSequential
    /// h_t, one task-specific head per task, applied to the trunk's output for that task.
    public let heads: [Module]

    /// A network over `trunk` (a `MaskedSequential` with `TaskSqueezeExcitation` layers) and
    /// `heads`; every gate's task count must equal `heads.count`.
    public init(trunk: MaskedSequential, heads: [Module]) {
        self.trunk = trunk
        self.heads = heads
        super.init(taskCount: heads.count)
        let gates = trunk.routedLayers
        checkPrecondition(!gates.isEmpty, "SqueezeExcitationNetwork: the trunk has no task gates")
        for gate in gates {
            checkPrecondition(gate.taskCount == heads.count,
                              "SqueezeExcitationNetwork: a gate for \(gate.taskCount) tasks, \(heads.count) heads")
        }
    }

    /// Task t's prediction: the trunk with task t's gates, then head t.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "SqueezeExcitationNetwork")
        return heads[task](trunk(input, task: task))
    }

    /// θ_sh: the trunk without its gates.
    public override func sharedParameters() -> [Parameter] {
        let gateParameters = Set(trunk.routedLayers.flatMap { $0.parameters() }.map(ObjectIdentifier.init))
        return trunk.parameters().filter { !gateParameters.contains(ObjectIdentifier($0)) }
    }
}
