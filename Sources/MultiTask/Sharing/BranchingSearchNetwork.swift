import TensorCore
import Autodiff
import NeuralNetworks

/// The search space of Learning to Branch (Guo et al., *Learning to Branch for Multi-Task Learning*,
/// ICML 2020, §3): L inner layers of nodes, each node a trunk block, and a last layer of one node per
/// task, its head. Layer 0's nodes read the input; every later node j (inner or head) holds logits θ_j
/// over the previous layer's nodes and reads their mixture
///
///     x_j = Σ_i d_{j,i} · Y_i,    d_j = GumbelSoftmax(θ_j, τ)    (`gumbelSoftmax`),
///
/// Y_i the output of parent i. θ and the blocks' weights are trained jointly, θ usually with its own
/// learning rate; afterwards `tree` (argmax parents) is the architecture, built by `BranchedNetwork`
/// and retrained from scratch.
///
/// Sampling: one Gumbel draw per child node and training step (`willTrain(step:)`), the same for
/// every task's forward pass of that step; in evaluation mode no noise (softmax(θ/τ), or one-hot
/// argmax θ when `sampling` is hard). During warm-up (`summingParents`) every child reads the plain
/// sum of its parents, as LibMTL's implementation does before its first sampled epoch.
///
/// Shapes: input `[B, …]`; the nodes of one layer map equal inputs to equal outputs (`[B, F]`, or
/// `[B, C, H, W]`); head t → task t's output.
///
/// - θ_sh (`sharedParameters()`): every inner node's weights and the inner nodes' logits — all of
///   them reach every task's loss through the mixtures. Each head and its logits are task t's own.
/// - No shared representation (Z nil): the tasks read different mixtures of the last inner layer.
public final class BranchingSearchNetwork: MultiTaskNetwork {
    /// The inner layers' nodes: `layers[l][i]`, layer 0 reading the input.
    public let layers: [[Module]]
    /// The task heads, the last layer.
    public let heads: [Module]
    /// θ, one vector per child node, layer 1 first, the heads' last (`parentLogits`).
    public let logits: [Parameter]
    /// Soft or hard (straight-through) samples.
    public var sampling: GumbelSampling
    /// τ, set by the search before each epoch (`BranchingTemperatureSchedule`).
    public var temperature: Float = 1
    /// Warm-up: every child reads the sum of its parents, and θ is not used.
    public var summingParents = false
    /// The Gumbel noise's source.
    let noiseSource: RandomSource
    /// The current step's noise, one tensor per child node (as `logits`).
    var noise: [Tensor]

    /// A search network over `layers` of nodes (at least one layer, none empty) and one head per task;
    /// θ starts at 0 (every parent equally likely), the noise is drawn from `seed`.
    public init(layers: [[Module]], heads: [Module], sampling: GumbelSampling = .hard, seed: UInt64 = 0) {
        checkPrecondition(!layers.isEmpty && layers.allSatisfy({ !$0.isEmpty }) && !heads.isEmpty,
                          "BranchingSearchNetwork: layers of \(layers.map(\.count)) nodes and \(heads.count) heads")
        self.layers = layers
        self.heads = heads
        self.sampling = sampling
        var logits: [Parameter] = []
        for layer in 1...layers.count {
            let children = layer < layers.count ? layers[layer].count : heads.count
            let parents = layers[layer - 1].count
            logits += (0..<children).map { _ in Parameter(Tensor.zeros([parents])) }
        }
        self.logits = logits
        noiseSource = RandomSource(seed: seed)
        noise = logits.map { Tensor.zeros($0.shape) }
        super.init(taskCount: heads.count)
        drawNoise()
    }

    /// The nodes per inner layer, n_0 … n_{L−1}.
    public var nodeCounts: [Int] { layers.map(\.count) }

    /// The index in `logits` of child `child` of layer `layer` (1 ... L, L the heads).
    func logitIndex(layer: Int, child: Int) -> Int {
        (1..<layer).reduce(0) { $0 + layers[$1].count } + child
    }

    /// θ as nested arrays: `parentLogits[l][j]` over layer l's nodes for node j of layer l + 1 (task j at
    /// l = L − 1).
    public var parentLogits: [[[Float]]] {
        (1...layers.count).map { layer in
            let children = layer < layers.count ? layers[layer].count : heads.count
            return (0..<children).map { logits[logitIndex(layer: layer, child: $0)].value.scalars }
        }
    }

    /// softmax(θ_j) for every child: the probability that j's parent is each node (as `parentLogits`).
    public var parentProbabilities: [[[Float]]] {
        parentLogits.map { $0.map { Tensor(shape: [$0.count], scalars: $0).softmax(alongAxis: -1).scalars } }
    }

    /// The tree of argmax parents (no noise): the architecture the search chose.
    public var tree: BranchingTree { BranchingTree(nodeCounts: nodeCounts, argmaxOf: parentLogits) }

    /// A new Gumbel draw for every child node.
    func drawNoise() {
        noise = noiseSource.withGenerator { generator in logits.map { gumbelNoise($0.shape, using: &generator) } }
    }

    /// Draws the step's noise.
    public override func willTrain(step: Int) { drawNoise() }

    /// d_j for child `child` of layer `layer`: `[n_{layer−1}]`.
    func parentWeights(layer: Int, child: Int) -> Variable {
        let index = logitIndex(layer: layer, child: child)
        if summingParents { return Variable(Tensor.ones(logits[index].shape)) }
        let noise = isTraining ? noise[index] : Tensor.zeros(logits[index].shape)
        return gumbelSoftmax(logits[index], temperature: temperature, sampling: sampling, noise: noise)
    }

    /// Σ_i d_i · Y_i.
    func mix(_ parents: [Variable], weights: Variable) -> Variable {
        var sum: Variable?
        for (index, parent) in parents.enumerated() {
            let weight = weights.sliced(index..<(index + 1), alongAxis: 0)
                .reshaped(to: [Int](repeating: 1, count: parent.shape.count))
            let term = parent * weight
            sum = sum.map { $0 + term } ?? term
        }
        return sum!
    }

    /// The last inner layer's outputs.
    func innerOutputs(_ input: Variable) -> [Variable] {
        var outputs = layers[0].map { $0(input) }
        for layer in 1..<layers.count {
            outputs = layers[layer].indices.map { child in
                layers[layer][child](mix(outputs, weights: parentWeights(layer: layer, child: child)))
            }
        }
        return outputs
    }

    /// Task t's output (every inner node runs).
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "BranchingSearchNetwork")
        return heads[task](mix(innerOutputs(input), weights: parentWeights(layer: layers.count, child: task)))
    }

    /// Every task's output, the inner layers run once; Z nil.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let last = innerOutputs(input)
        return MultiTaskOutputs(outputs: heads.indices.map { task in
            heads[task](mix(last, weights: parentWeights(layer: layers.count, child: task)))
        }, sharedRepresentation: nil)
    }

    /// θ_sh: the inner nodes' weights and logits.
    public override func sharedParameters() -> [Parameter] {
        layers.flatMap { $0.flatMap { $0.parameters() } } + Array(logits[..<(logits.count - heads.count)])
    }
}
