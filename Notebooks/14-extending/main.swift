// %% [markdown]
// # 14 — Extending MultiTaskKit: a custom layer, a custom balancer, a custom task
//
// A coursework guide in one run. We add (1) a layer, checked against finite differences;
// (2) a loss-balancing method, plugged into the trainer without changing it; (3) tasks of our own,
// read from a CSV table — then train them together. Run with `swift run -c release 14-extending`
// (`--quick`: fewer epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")

// %% [markdown]
// ## 1. A custom layer
// A residual block y = x + W₂ ReLU(W₁ x). Stored properties that are modules or parameters are
// found automatically (with dotted names: `trunk.1.inner.weight`); the forward pass is
// `callAsFunction`. Its gradient comes from the operations it uses — `gradcheck` confirms it.

// %%
final class ResidualBlock: Module {
    let inner: Linear
    let outer: Linear

    init(width: Int, random: RandomSource) {
        inner = Linear(inputCount: width, outputCount: width, random: random)
        outer = Linear(inputCount: width, outputCount: width, random: random)
    }

    override func callAsFunction(_ input: Variable) -> Variable {
        input + outer(inner(input).relu())
    }
}

let block = ResidualBlock(width: 4, random: RandomSource(seed: 1))
let check = gradcheck("ResidualBlock", inputs: [Tensor.normal([3, 4], seed: 2)]) { block($0[0]) }
print("gradcheck of the residual block: \(check.passed ? "passed" : "FAILED") — \(check)")

// %% [markdown]
// ## 2. A custom balancer
// Initial-loss normalization: w_t = 1 / L_t(first step), so every task starts at weight × loss = 1
// (a simple answer to chapter 10's scale problem). A balancer implements `backward(losses:context:)`
// — here by the protocol's `backwardWeightedSum` — puts what a resumed run needs in `state`, and
// checks it in `restoreState` (a checkpoint is a file: it may be damaged or crafted).

// %%
final class InitialLossNormalization: LossBalancer {
    let taskCount: Int
    var initialLosses: [Float]?
    var name: String { "initial-loss" }

    init(taskCount: Int) { self.taskCount = taskCount }

    func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        if initialLosses == nil {
            var initial = Array(repeating: Float(1), count: taskCount)
            for (loss, task) in zip(losses, context.tasks) { initial[task] = loss.value.scalar }
            initialLosses = initial
        }
        return backwardWeightedSum(losses: losses, weights: context.tasks.map { 1 / initialLosses![$0] },
                                   context: context)
    }

    var state: [String: Tensor] {
        initialLosses.map { ["initialLosses": Tensor(shape: [$0.count], scalars: $0)] } ?? [:]
    }

    // A checkpoint is an untrusted file: check what comes back before using it.
    func restoreState(_ state: [String: Tensor]) throws {
        guard let losses = state["initialLosses"] else { initialLosses = nil; return }
        guard losses.shape == [taskCount], losses.scalars.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw CheckpointError.invalidValue(name: "initialLosses",
                                               reason: "needs positive, finite losses, one per task")
        }
        initialLosses = losses.scalars
    }
}

// %% [markdown]
// ## 3. Tasks of our own, from a CSV table
// A user's data usually arrives as a table. Here we write one: four input columns and two
// targets — a price in the thousands (regression) and whether it is "high" (a two-class label).
// `TaskSpec` names each task and its kind; `MultiTaskDataset(csv:tasks:)` picks the label columns
// by name and validates them (a class index out of range is a thrown error, not a crash).

// %%
var generator = SeededGenerator(seed: 3)
var csv = "area,rooms,age,distance,price,expensive\n"
for _ in 0..<(quick ? 300 : 3000) {
    let area = generator.nextFloat(in: 30..<200), rooms = Float(1 + generator.nextInt(below: 5))
    let age = generator.nextFloat(in: 0..<80), distance = generator.nextFloat(in: 0..<30)
    let price = 2 * area + 15 * rooms - 0.8 * age - 3 * distance + 20 * generator.nextNormal() + 100
    csv += "\(area),\(rooms),\(age),\(distance),\(price),\(price > 350 ? 1 : 0)\n"
}
let table = try CSVTable(text: csv)
let tasks = [(spec: TaskSpec(name: "price", kind: .regression(outputCount: 1)), labelColumns: ["price"]),
             (spec: TaskSpec(name: "expensive", kind: .classification(classCount: 2)), labelColumns: ["expensive"])]
let houses = try MultiTaskDataset(csv: table, tasks: tasks)
let unscaled = houses.split(validationFraction: 0.1, testFraction: 0.2, seed: 4)
// Standardize the inputs with the training split's statistics only: statistics of the whole table
// would carry information from the validation and test rows into training.
let mean = unscaled.train.inputs.mean(alongAxes: [0], keepingDimensions: true)
let deviation = (unscaled.train.inputs.variance(alongAxes: [0], keepingDimensions: true) + 1e-6).squareRoot()
func standardized(_ dataset: MultiTaskDataset) -> MultiTaskDataset {
    var result = dataset
    result.inputs = (dataset.inputs - mean) / deviation
    return result
}
let splits = DatasetSplits(train: standardized(unscaled.train), validation: standardized(unscaled.validation),
                           test: standardized(unscaled.test))
print("\(splits.train.count) training rows; tasks: \(houses.tasks.map(\.name))")

// %% [markdown]
// ## Train them together
// A multi-head network whose trunk uses the custom layer, trained with the custom balancer. The
// price's squared error is in the thousands, the class loss below one: with equal weights the
// price would drown the classifier.

// %%
func train(_ balancer: LossBalancer) throws -> [TaskEvaluation] {
    let random = RandomSource(seed: 5)
    let model = MultiHeadNetwork(trunk: Sequential(Linear(inputCount: 4, outputCount: 16, random: random), ReLU(),
                                                   ResidualBlock(width: 16, random: random)),
                                 heads: [Linear(inputCount: 16, outputCount: 1, random: random), Linear(inputCount: 16,
                                     outputCount: 2, random: random)])
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-2),
                          balancer: balancer,
                          configuration: .init(epochs: quick ? 2 : 30, batchSize: 64, seed: 6, showsProgress: false))
    try trainer.fit(splits.train, validation: splits.validation)
    return evaluate(model, on: splits.test)
}
for balancer in [EqualWeighting(), InitialLossNormalization(taskCount: splits.train.tasks.count)] as [LossBalancer] {
    let test = try train(balancer)
    print(String(format: "%@: price RMSE %.1f, expensive accuracy %.3f", balancer.name.padding(toLength: 13,
        withPad: " ", startingAt: 0),
                 test[0].metrics[.meanSquaredError]!.squareRoot(), test[1].metrics[.accuracy]!))
}

// %% [markdown]
// ## 4. Testing what you added
// Your package's tests go in a test target with Swift Testing — see Tutorials/14-extending.md
// for a complete example and `Tests/MultiTaskTests/ExtendingTests.swift`, which shows the layer and
// balancer test patterns on a stand-in layer (`FeatureGate`) and the library's `StaticWeighting`.
// This notebook's own two additions are not covered by a test (a test target cannot import an
// executable); the gradcheck above is the residual block's only check.
