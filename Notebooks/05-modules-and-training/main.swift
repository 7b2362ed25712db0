// %% [markdown]
// # 05 — Modules and training
//
// Layers are `Module` subclasses whose parameters are found by reflection, with dotted names. A
// custom layer is a subclass with stored properties and `callAsFunction` — nothing to register.
// This notebook trains a small network on a synthetic regression task, saves a checkpoint and
// loads it back. Run it with `swift run -c release 05-modules-and-training` (`--quick`: fewer steps).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")

// %% [markdown]
// ## A custom layer
// A learned per-feature scale: one parameter, one line of forward pass.

// %%
final class FeatureScale: Module {
    let scale: Parameter
    init(featureCount: Int) { scale = Parameter(Tensor.ones([featureCount])) }
    override func callAsFunction(_ input: Variable) -> Variable { input * scale }
}

let random = RandomSource(seed: 0)
let model = Sequential(FeatureScale(featureCount: 4),
                       Linear(inputCount: 4, outputCount: 16, random: random), ReLU(),
                       Linear(inputCount: 16, outputCount: 1, random: random))
print(model)
print("parameter names:", model.namedParameters().map(\.name))

// %% [markdown]
// ## Training
// Target y = sin(x₀) + x₁·x₂ − x₃² + noise. Mean squared error, Adam, mini-batches of 64.

// %%
var generator = SeededGenerator(seed: 1)
func makeData(_ count: Int, using generator: inout SeededGenerator) -> (Tensor, Tensor) {
    let inputs = Tensor.uniform([count, 4], low: -1, high: 1, using: &generator)
    let c = (0..<4).map { inputs.selecting($0, alongAxis: 1) }
    let noise = Tensor.normal([count], standardDeviation: 0.05, using: &generator)
    return (inputs, (c[0].sin() + c[1] * c[2] - c[3].squared() + noise).reshaped(to: [count, 1]))
}
let (trainInputs, trainTargets) = makeData(1024, using: &generator)
let (testInputs, testTargets) = makeData(256, using: &generator)
let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
let steps = quick ? 100 : 1000
for step in 0...steps {
    let start = (step * 64) % 1024
    let loss = meanSquaredError(prediction: model(Variable(trainInputs[start..<(start + 64)])),
                                target: trainTargets[start..<(start + 64)])
    optimizer.zeroGradients()
    loss.backward()
    optimizer.step()
    if step % (steps / 5) == 0 {
        let testLoss = withoutGradients {
            meanSquaredError(prediction: model(Variable(testInputs)), target: testTargets)
        }
        print(String(format: "step %4d   train MSE %.4f   test MSE %.4f", step, loss.value.scalar,
                     testLoss.value.scalar))
    }
}

// %% [markdown]
// ## Checkpoints
// Saved atomically (temporary file + rename) in a versioned, checksummed format; loading checks every
// name and shape before it changes anything.

// %%
let url = FileManager.default.temporaryDirectory.appendingPathComponent("05-model.mtlckpt")
do {
    try model.saveCheckpoint(to: url, optimizer: optimizer, metadata: ["notebook": "05"])
    let copy = Sequential(FeatureScale(featureCount: 4), Linear(inputCount: 4, outputCount: 16), ReLU(),
                          Linear(inputCount: 16, outputCount: 1))
    let metadata = try copy.loadCheckpoint(from: url)
    let same = withoutGradients { copy(Variable(testInputs)).value == model(Variable(testInputs)).value }
    print("reloaded \(metadata), same predictions: \(same)")
    try FileManager.default.removeItem(at: url)
} catch {
    print("checkpoint error: \(error)")
}

// %% [markdown]
// ## Try next
// - Freeze the first `Linear` (`model.layers[1].freeze()`) and retrain: which loss goes up?
// - Replace Adam with `SGD(parameters:learningRate:momentum:)` and compare the curves.
