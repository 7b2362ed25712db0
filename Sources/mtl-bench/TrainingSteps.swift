import MultiTaskKit

// The training-step workloads of WORKLOADS.md, built from the library's modules:
//   mtl_mlp_step      one Adam step of the two-tower MLP (batch 256, loss = Σ towers' MSE)
//   mtl_cnn_step      one Adam step of the 3-conv CNN with 4 two-class heads (batch 64, 3×32×32, Σ 4 CEs)
//   mtl_roaming_step  the CNN with Maximum Roaming masks (p = 0.5) after its three convolutions;
//                     per batch, for each of the 4 tasks: masked forward, loss, backward, Adam step
//   mtl_roaming_step_skipping      (project-specific) the same, computing only each task's active channels
//   mtl_alternating_step_unmasked  (project-specific) the same loop on the unmasked CNN (the p× reference)

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

func benchmarkTrainingSteps(threads: Int, repeats: Int) -> [Measurement] {
    let random = RandomSource(seed: 0)
    var generator = SeededGenerator(seed: 1)

    let mlp = makeMLP(random: random)
    let mlpOptimizer = Adam(parameters: mlp.parameters(), learningRate: 1e-3)
    let mlpInput = Tensor.normal([256, 100], using: &generator)
    let mlpTargets = (0..<2).map { _ in Tensor.normal([256, 1], using: &generator) }
    let mlpMilliseconds = timeMedian(warmUp: 10, repeats: repeats * 7) {
        mlpOptimizer.zeroGradients()
        let losses = zip(mlp.outputs(Variable(mlpInput)).outputs, mlpTargets).map {
            meanSquaredError(prediction: $0, target: $1)
        }
        losses.dropFirst().reduce(losses[0], +).backward()
        mlpOptimizer.step()
    }

    let cnn = makeCNN(random: random)
    let cnnOptimizer = Adam(parameters: cnn.parameters(), learningRate: 1e-3)
    let cnnInput = Tensor.normal([64, 3, 32, 32], using: &generator)
    let cnnTargets = (0..<4).map { _ in (0..<64).map { _ in generator.nextInt(below: 2) } }
    let cnnMilliseconds = timeMedian(warmUp: 3, repeats: repeats) {
        cnnOptimizer.zeroGradients()
        let losses = zip(cnn.outputs(Variable(cnnInput)).outputs, cnnTargets).map {
            crossEntropy(logits: $0, targets: $1)
        }
        losses.dropFirst().reduce(losses[0], +).backward()
        cnnOptimizer.step()
    }

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
    let roamingMilliseconds = alternatingStep(roamingNetwork(skipsMaskedUnits: false))
    // Beyond the reference: masked-out channels are not computed (p = 0.5), and the same loop
    // without masks — the cost the skipping version is compared with (target: p × it).
    let skippingMilliseconds = alternatingStep(roamingNetwork(skipsMaskedUnits: true))
    let unmaskedMilliseconds = alternatingStep(makeCNN(random: RandomSource(seed: 3)))
    return [Measurement(workload: "mtl_mlp_step", threads: threads, milliseconds: mlpMilliseconds, flops: nil),
            Measurement(workload: "mtl_cnn_step", threads: threads, milliseconds: cnnMilliseconds, flops: nil),
            Measurement(workload: "mtl_roaming_step", threads: threads, milliseconds: roamingMilliseconds, flops: nil),
            Measurement(workload: "mtl_roaming_step_skipping", threads: threads, milliseconds: skippingMilliseconds,
                        flops: nil),
            Measurement(workload: "mtl_alternating_step_unmasked", threads: threads, milliseconds: unmaskedMilliseconds,
                        flops: nil)]
}
