import MultiTaskKit

// The training-step workloads of WORKLOADS.md built from NeuralNetworks layers:
//   mtl_mlp_step  one Adam step of the two-tower MLP (batch 256, loss = Σ towers' MSE)
//   mtl_cnn_step  one Adam step of the 3-conv CNN with 4 two-class heads (batch 64, 3×32×32, Σ 4 CEs)

/// Shared trunk + one head per task; the network of both workloads.
final class MultiHeadNetwork: Module {
    let trunk: Sequential
    let heads: [Module]
    init(trunk: Sequential, heads: [Module]) { self.trunk = trunk; self.heads = heads }
    func outputs(_ input: Variable) -> [Variable] {
        let features = trunk(input)
        return heads.map { $0(features) }
    }
}

func makeMLP(random: RandomSource) -> MultiHeadNetwork {
    MultiHeadNetwork(
        trunk: Sequential(Linear(inputCount: 100, outputCount: 128, random: random), ReLU(),
                          Linear(inputCount: 128, outputCount: 128, random: random), ReLU()),
        heads: (0..<2).map { _ in
            Sequential(Linear(inputCount: 128, outputCount: 32, random: random), ReLU(), Linear(inputCount: 32, outputCount: 1, random: random))
        })
}

func makeCNN(random: RandomSource) -> MultiHeadNetwork {
    MultiHeadNetwork(
        trunk: Sequential(Conv2D(inputChannels: 3, outputChannels: 16, kernelSize: 3, padding: 1, random: random), ReLU(), MaxPool2D(kernelSize: 2),
                          Conv2D(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1, random: random), ReLU(), MaxPool2D(kernelSize: 2),
                          Conv2D(inputChannels: 32, outputChannels: 64, kernelSize: 3, padding: 1, random: random), ReLU(), GlobalAvgPool()),
        heads: (0..<4).map { _ in Linear(inputCount: 64, outputCount: 2, random: random) })
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
        let losses = zip(mlp.outputs(Variable(mlpInput)), mlpTargets).map { meanSquaredError(prediction: $0, target: $1) }
        losses.dropFirst().reduce(losses[0], +).backward()
        mlpOptimizer.step()
    }

    let cnn = makeCNN(random: random)
    let cnnOptimizer = Adam(parameters: cnn.parameters(), learningRate: 1e-3)
    let cnnInput = Tensor.normal([64, 3, 32, 32], using: &generator)
    let cnnTargets = (0..<4).map { _ in (0..<64).map { _ in generator.nextInt(below: 2) } }
    let cnnMilliseconds = timeMedian(warmUp: 3, repeats: repeats) {
        cnnOptimizer.zeroGradients()
        let losses = zip(cnn.outputs(Variable(cnnInput)), cnnTargets).map { crossEntropy(logits: $0, targets: $1) }
        losses.dropFirst().reduce(losses[0], +).backward()
        cnnOptimizer.step()
    }
    return [Measurement(workload: "mtl_mlp_step", threads: threads, milliseconds: mlpMilliseconds, flops: nil),
            Measurement(workload: "mtl_cnn_step", threads: threads, milliseconds: cnnMilliseconds, flops: nil)]
}
