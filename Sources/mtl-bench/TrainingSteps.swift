import MultiTaskKit

// The training-step workloads of WORKLOADS.md, built from the library's modules:
//   mtl_mlp_step      one Adam step of the two-tower MLP (batch 256, loss = Σ towers' MSE)
//   mtl_cnn_step      one Adam step of the 3-conv CNN with 4 two-class heads (batch 64, 3×32×32, Σ 4 CEs)
//   mtl_roaming_step  the CNN with Maximum Roaming masks (p = 0.5) after its three convolutions;
//                     per batch, for each of the 4 tasks: masked forward, loss, backward, Adam step
//   mtl_roaming_step_skipping      (project-specific) the same, computing only each task's active channels
//   mtl_alternating_step_unmasked  (project-specific) the same loop on the unmasked CNN (the p× reference)
//   mtl_mtan_step     (project-specific) mtl_cnn_step's trunk and heads as MTAN: per-task attention over
//                     its three stages (MultiTaskAttentionNetwork), one Adam step on Σ 4 CEs

func makeMLP(random: RandomSource) -> MultiHeadNetwork {
    MultiHeadNetwork(
        trunk: Sequential(Linear(inputCount: 100, outputCount: 128, random: random), ReLU(),
                          Linear(inputCount: 128, outputCount: 128, random: random), ReLU()),
        heads: (0..<2).map { _ in
            Sequential(Linear(inputCount: 128, outputCount: 32, random: random), ReLU(),
                       Linear(inputCount: 32, outputCount: 1, random: random))
        })
}

/// The layers of `mtl_cnn_step`'s CNN trunk; with `maskedTasks`, a `TaskMask` (sharing ratio 0.5)
/// follows each convolution (`mtl_roaming_step`, run in a `MaskedSequential`).
func makeCNNTrunkLayers(random: RandomSource, maskedTasks: Int? = nil) -> [Module] {
    var layers: [Module] = []
    for (index, (input, output)) in [(3, 16), (16, 32), (32, 64)].enumerated() {
        let convolution = Conv2D(inputChannels: input, outputChannels: output, kernelSize: 3, padding: 1,
                                 random: random)
        layers.append(convolution)
        if let tasks = maskedTasks {
            layers.append(TaskMask(after: convolution, taskCount: tasks, sharingRatio: 0.5, seed: UInt64(index)))
        }
        layers.append(ReLU())
        layers.append(index < 2 ? MaxPool2D(kernelSize: 2) : GlobalAvgPool())
    }
    return layers
}

func makeCNN(random: RandomSource) -> MultiHeadNetwork {
    MultiHeadNetwork(trunk: Sequential(makeCNNTrunkLayers(random: random)), heads: (0..<4).map { _ in
        Linear(inputCount: 64, outputCount: 2, random: random)
    })
}

/// `mtl_cnn_step`'s trunk (one block per convolution, ending in its pooling) and heads as MTAN.
func makeMTAN(random: RandomSource) -> MultiTaskAttentionNetwork {
    let layers = makeCNNTrunkLayers(random: random)
    let blocks: [Module] = stride(from: 0, to: layers.count, by: 3).map { Sequential(Array(layers[$0..<($0 + 3)])) }
    return MultiTaskAttentionNetwork(blocks: blocks,
                                     heads: (0..<4).map { _ in Linear(inputCount: 64, outputCount: 2, random: random) },
                                     inputShape: [3, 32, 32], random: RandomSource(seed: 4))
}

/// The workloads whose names `wanted` accepts (the models and inputs are drawn either way, so that
/// a filtered run times the same computations as a full one).
func benchmarkTrainingSteps(threads: Int, repeats: Int, wanted: (String) -> Bool = { _ in true }) -> [Measurement] {
    var measurements: [Measurement] = []
    func measure(_ workload: String, _ milliseconds: () -> Double) {
        guard wanted(workload) else { return }
        measurements.append(Measurement(workload: workload, threads: threads, milliseconds: milliseconds(), flops: nil))
    }
    let random = RandomSource(seed: 0)
    var generator = SeededGenerator(seed: 1)

    let mlp = makeMLP(random: random)
    let mlpOptimizer = Adam(parameters: mlp.parameters(), learningRate: 1e-3)
    let mlpInput = Tensor.normal([256, 100], using: &generator)
    let mlpTargets = (0..<2).map { _ in Tensor.normal([256, 1], using: &generator) }
    measure("mtl_mlp_step") {
        timeMedian(warmUp: 10, repeats: repeats * 7) {
            mlpOptimizer.zeroGradients()
            let losses = zip(mlp.outputs(Variable(mlpInput)).outputs, mlpTargets).map {
                meanSquaredError(prediction: $0, target: $1)
            }
            losses.dropFirst().reduce(losses[0], +).backward()
            mlpOptimizer.step()
        }
    }

    let cnn = makeCNN(random: random)
    let cnnInput = Tensor.normal([64, 3, 32, 32], using: &generator)
    let cnnTargets = (0..<4).map { _ in (0..<64).map { _ in generator.nextInt(below: 2) } }
    /// One Adam step of `model` on the sum of the four cross-entropies (the trunk run once).
    func summedStep(_ model: MultiTaskNetwork) -> Double {
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        return timeMedian(warmUp: 3, repeats: repeats) {
            optimizer.zeroGradients()
            let losses = zip(model.outputs(Variable(cnnInput)).outputs, cnnTargets).map {
                crossEntropy(logits: $0, targets: $1)
            }
            losses.dropFirst().reduce(losses[0], +).backward()
            optimizer.step()
        }
    }
    measure("mtl_cnn_step") { summedStep(cnn) }

    /// Per batch, for each of the 4 tasks: forward, that task's loss, backward, Adam step.
    func alternatingStep(_ model: MultiTaskNetwork) -> Double {
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        return timeMedian(warmUp: 2, repeats: max(3, repeats / 2)) {
            for task in 0..<4 {
                model.zeroGradients()
                crossEntropy(logits: model(Variable(cnnInput), task: task), targets: cnnTargets[task]).backward()
                optimizer.step()
            }
        }
    }
    func roamingNetwork(skipsMaskedUnits: Bool) -> MaximumRoamingNetwork {
        let random = RandomSource(seed: 3)
        let trunk = MaskedSequential(makeCNNTrunkLayers(random: random, maskedTasks: 4),
                                     skipsMaskedUnits: skipsMaskedUnits)
        return MaximumRoamingNetwork(trunk: trunk,
                                     heads: (0..<4).map { _ in Linear(inputCount: 64, outputCount: 2, random: random) },
                                     updateInterval: nil, seed: 2)
    }
    measure("mtl_roaming_step") { alternatingStep(roamingNetwork(skipsMaskedUnits: false)) }
    // Beyond the reference: masked-out channels are not computed (p = 0.5), and the same loop
    // without masks — the cost the skipping version is compared with (target: p × it).
    measure("mtl_roaming_step_skipping") { alternatingStep(roamingNetwork(skipsMaskedUnits: true)) }
    measure("mtl_alternating_step_unmasked") { alternatingStep(makeCNN(random: RandomSource(seed: 3))) }
    measure("mtl_mtan_step") { summedStep(makeMTAN(random: RandomSource(seed: 3))) }
    return measurements
}
