import TensorCore
import Autodiff
import NeuralNetworks

/// MTAN, the Multi-Task Attention Network (Liu, Johns and Davison, *End-to-End Multi-Task Learning
/// with Attention*, CVPR 2019): one shared trunk — the "global feature pool" — split into stages
/// j = 1…J, and for every task a chain of soft-attention modules that pick, at each stage, which of
/// the shared features the task uses:
///
///     p_j = stage_j(x_j),   x_{j+1} = pool_j(p_j)                      the shared trunk, run once
///     a_1 = A_{t,1}(u_1),   a_j = A_{t,j}([u_j ; f_{j−1}(â_{j−1})])    task t's masks, in (0, 1)
///     â_j = a_j ⊙ p_j                                                 task t's attended features
///     ŷ_t = head_t(pool_J(â_J))
///
/// A_{t,j} is a `TaskAttention` (σ(BN(conv1×1(ReLU(BN(conv1×1(·))))))), [· ; ·] concatenates
/// channels, and f_j is the paper's shared feature extractor that carries the attended features to
/// the next stage's shape: a 3×3 convolution (C_j → C_{j+1}) → BN → ReLU → the trunk's own pooling
/// after stage j (`pool_j`).
///
/// Shapes (B batch): p_j `[B, C_j, H_j, W_j]`, or `[B, C_j]` on the MLP trunk, where the 1×1
/// convolutions and f's 3×3 convolution are linear layers. Built from the blocks of the standard
/// backbone (`makeBackbone`), each cut at its first pooling or flattening layer: the layers before
/// it compute p_j, it and what follows are pool_j; a block that only flattens joins the previous
/// stage. The plain classification trunk gives J = 3 stages (attention before each 2×2 max pooling;
/// the last pool_J also flattens, so the heads read as many features as a multi-head network's), the
/// dense trunk J = 3 stages at full resolution (it never pools: f is the 3×3 convolution alone), the
/// MLP J = 2, and the residual trunks their stem and each residual block.
///
/// Choices where the paper leaves room (each one the reference code's unless said):
/// - u_j = p_j: our stages have one convolution (or one residual block), so the features the mask
///   reads are the ones it scales — as in the reference's Wide-ResNet for the Visual Decathlon (its
///   SegNet reads the first of a stage's two convolutions).
/// - f_j is shared by the tasks (one per stage boundary), the paper's "shared feature extractor";
///   its convolution strides where the trunk's next stage does (the residual trunk's stride-2
///   blocks), so that f_j(â_j) has p_{j+1}'s shape.
/// - θ_sh (`sharedParameters()`) is the trunk alone: the attention modules are task-specific and f
///   is left out too, as LibMTL's `get_share_params` does (a gradient-aggregation method then
///   combines the per-task gradients of the trunk; f, like the heads, gets the combined loss's).
/// - Z (`sharedRepresentation`) is nil: the tasks read the trunk at every stage through their
///   attention chains, so no single shared output carries every path from θ_sh to a task's loss (the
///   `MultiTaskNetwork` contract), and MGDA-UB falls back to exact MGDA on θ_sh.
///
/// Cost: every task runs its own attention chain, and f_j convolves at stage j's resolution, so a
/// forward pass costs about T times (f and the masks) on top of the trunk — many times a multi-head
/// network's on the narrow trunks here (`Benchmarks/README.md` gives one training step). The paper
/// trains MTAN with Dynamic Weight Average (`mtl train --architecture mtan --balancer dwa`).
public final class MultiTaskAttentionNetwork: MultiTaskNetwork {
    /// The shared stages: p_j = stages[j](x_j), x_0 the input.
    public let stages: [Module]
    /// pool_j, after each stage: x_{j+1} = transitions[j](p_j) (pooling, flattening or `Identity`).
    public let transitions: [Module]
    /// `attentions[t][j]`: task t's attention module at stage j.
    public let attentions: [[TaskAttention]]
    /// f_j for j = 0..<J − 1, shared by the tasks: â_j to stage j + 1's shape.
    public let featureExtractors: [Module]
    /// h_t, one head per task, after the last stage of its attention chain.
    public let heads: [Module]

    /// MTAN over the trunk `blocks` (e.g. `makeBackbone(...).blocks`, applied in order) with one head
    /// per task; `inputShape` (without the batch axis) sizes the attention modules, whose weights
    /// draw from `random`.
    public init(blocks: [Module], heads: [Module], inputShape: [Int], random: RandomSource) {
        let split = Self.stages(of: blocks)
        let stages = split.map(\.features), transitions = split.map(\.transition)
        self.stages = stages
        self.transitions = transitions
        self.heads = heads
        // The shapes of p_j and of pool_j(p_j), from one sample of zeros.
        var featureShapes: [[Int]] = [], pooledShapes: [[Int]] = []
        Self.probing(stages + transitions) {
            var x = Variable(Tensor.zeros([1] + inputShape))
            for (stage, transition) in zip(stages, transitions) {
                let p = stage(x)
                x = transition(p)
                featureShapes.append(p.shape)
                pooledShapes.append(x.shape)
            }
        }
        let spatial = featureShapes.map { $0.count == 4 }
        let channels = featureShapes.map { $0[1] }
        featureExtractors = (0..<(split.count - 1)).map { j in
            // f_j strides where stage j + 1 does (its output is smaller than its input).
            let stride = spatial[j] && spatial[j + 1] && pooledShapes[j][2] > featureShapes[j + 1][2] ? 2 : 1
            let layer: Module = spatial[j]
                ? Conv2D(inputChannels: channels[j], outputChannels: channels[j + 1], kernelSize: 3, stride: stride,
                         padding: 1, bias: false, random: random)
                : Linear(inputCount: channels[j], outputCount: channels[j + 1], bias: false, random: random)
            var layers = [layer, BatchNormalization(featureCount: channels[j + 1]), ReLU()]
            if !(split[j].transition is Identity) { layers.append(split[j].transition) }
            return Sequential(layers)
        }
        attentions = heads.indices.map { _ in
            channels.indices.map { j in
                TaskAttention(inputChannels: j == 0 ? channels[0] : 2 * channels[j], channelCount: channels[j],
                              spatial: spatial[j], random: random)
            }
        }
        super.init(taskCount: heads.count)
        Self.probing(featureExtractors) {
            for (j, extractor) in featureExtractors.enumerated() {
                let shape = extractor(Variable(Tensor.zeros(featureShapes[j]))).shape
                checkPrecondition(shape == featureShapes[j + 1],
                                  "MultiTaskAttentionNetwork: f_\(j) maps \(featureShapes[j]) to \(shape), but stage "
                                    + "\(j + 1) gives \(featureShapes[j + 1]) (a trunk that both pools and strides "
                                    + "between two stages)")
            }
        }
    }

    /// The trunk's blocks cut into stages: each `Sequential` block's layers before its first pooling
    /// or flattening layer, and that layer with the rest as its transition (`Identity` when none);
    /// other blocks (residual blocks) whole; a block of pooling or flattening only joins the previous
    /// stage's transition.
    static func stages(of blocks: [Module]) -> [(features: Module, transition: Module)] {
        func downsamples(_ layer: Module) -> Bool {
            layer is MaxPool2D || layer is AvgPool2D || layer is GlobalAvgPool || layer is Flatten
        }
        var result: [(features: Module, transition: Module)] = []
        for block in blocks {
            guard let sequence = block as? Sequential else {
                result.append((block, Identity()))
                continue
            }
            let cut = sequence.layers.firstIndex(where: downsamples) ?? sequence.layers.count
            let tail = Array(sequence.layers[cut...])
            if cut == 0 {
                checkPrecondition(!result.isEmpty, "MultiTaskAttentionNetwork: the trunk starts by pooling")
                let previous = result[result.count - 1].transition
                result[result.count - 1].transition = previous is Identity ? Sequential(tail)
                    : Sequential([previous] + tail)
                continue
            }
            result.append((Sequential(Array(sequence.layers[..<cut])),
                           tail.isEmpty ? Identity() : tail.count == 1 ? tail[0] : Sequential(tail)))
        }
        checkPrecondition(!result.isEmpty, "MultiTaskAttentionNetwork: the trunk has no stages")
        return result
    }

    /// Runs `body` without gradients with `modules` in evaluation mode (no dropout draws, no running
    /// statistics updated: probing shapes leaves the network as it was), then restores their modes.
    static func probing(_ modules: [Module], _ body: () -> Void) {
        let wasTraining = modules.map(\.isTraining)
        modules.forEach { $0.eval() }
        withoutGradients(body)
        for (module, training) in zip(modules, wasTraining) where training { module.train() }
    }

    /// The shared trunk's stage outputs p_1 … p_J for `input`.
    public func sharedFeatures(_ input: Variable) -> [Variable] {
        var x = input
        var features: [Variable] = []
        for (index, stage) in stages.enumerated() {
            let p = stage(x)
            features.append(p)
            if index + 1 < stages.count { x = transitions[index](p) }
        }
        return features
    }

    /// Task `task`'s masks a_j and attended features â_j = a_j ⊙ p_j over the shared `features`.
    public func attend(_ features: [Variable], task: Int) -> (masks: [Variable], attended: [Variable]) {
        checkTask(task, "MultiTaskAttentionNetwork")
        checkPrecondition(features.count == stages.count,
                          "MultiTaskAttentionNetwork: \(features.count) stage outputs for \(stages.count) stages")
        var masks: [Variable] = [], attended: [Variable] = []
        for (j, p) in features.enumerated() {
            // [u_j ; f_{j−1}(â_{j−1})] along the channels, with u_j = p_j.
            let input = j == 0 ? p
                : Variable.concatenating([p, featureExtractors[j - 1](attended[j - 1])], alongAxis: 1)
            let mask = attentions[task][j](input)
            masks.append(mask)
            attended.append(mask * p)
        }
        return (masks, attended)
    }

    /// Task `task`'s attention masks a_1 … a_J for `input`, each shaped like its stage's output.
    public func attentionMasks(_ input: Variable, task: Int) -> [Variable] {
        attend(sharedFeatures(input), task: task).masks
    }

    /// head_t(pool_J(â_J)) over the shared `features`.
    func output(_ features: [Variable], task: Int) -> Variable {
        heads[task](transitions[transitions.count - 1](attend(features, task: task).attended[features.count - 1]))
    }

    /// Task t's output: the trunk, task t's attention chain, head t.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "MultiTaskAttentionNetwork")
        return output(sharedFeatures(input), task: task)
    }

    /// Every task's output with the trunk run once; no Z (the tasks read every stage).
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let features = sharedFeatures(input)
        return MultiTaskOutputs(outputs: (0..<taskCount).map { output(features, task: $0) },
                                sharedRepresentation: nil)
    }

    /// θ_sh: the trunk's stages (the attention modules, the feature extractors f and the heads are not).
    public override func sharedParameters() -> [Parameter] { stages.flatMap { $0.parameters() } }
}
