// %% [markdown]
// # 14 — Extending MultiTaskKit: a custom layer, a custom balancer, a custom task
// (Over 300 lines: one run through every extension point, each with the code its test imports.)
//
// A coursework guide in one run. We add (1) a layer, checked against finite differences;
// (2) a loss-balancing method, plugged into the trainer without changing it; (3) tasks of our own,
// read from a CSV table — then train them together. Then the contracts a course project needs
// beyond these: an architecture, an optimizer, a loss and a metric of our own, trained together
// too. Run with `swift run -c release 14-extending` (`--quick`: fewer epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")

// %% [markdown]
// ## 1. A custom layer
// A residual block y = x + W₂ ReLU(W₁ x). Stored properties that are modules or parameters are
// found automatically (with dotted names: `trunk.1.inner.weight`); the forward pass is
// `callAsFunction`. Its gradient comes from the operations it uses — `gradcheck(_:input:)` confirms
// it for the input *and* every parameter (the gradients the optimizer follows). The types of this
// notebook are `public` so that the chapter's tests (`ExtendingTests`) can import and check them.

// %%
public final class ResidualBlock: Module {
    public let inner: Linear
    public let outer: Linear

    public init(width: Int, random: RandomSource) {
        inner = Linear(inputCount: width, outputCount: width, random: random)
        outer = Linear(inputCount: width, outputCount: width, random: random)
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        input + outer(inner(input).relu())
    }
}

let block = ResidualBlock(width: 4, random: RandomSource(seed: 1))
let check = gradcheck(block, input: Tensor.normal([3, 4], seed: 2))
print("gradcheck of the residual block: \(check.passed ? "passed" : "FAILED") — \(check)")

// %% [markdown]
// ## 2. A custom balancer
// Initial-loss normalization: w_t = 1 / L_t(first step of task t), so every task starts at weight ×
// loss = 1 (a simple answer to chapter 10's scale problem). A balancer implements
// `backward(losses:context:)` — here by the protocol's `backwardWeightedSum` — puts what a resumed
// run needs in `state`, and checks it in `restoreState` (a checkpoint is a file: it may be damaged
// or crafted). A step need not hold every task: under task sampling or random task groups,
// `context.tasks` says which ones it holds, so each task's first loss is recorded when that task
// first appears.

// %%
public final class InitialLossNormalization: LossBalancer {
    public let taskCount: Int
    /// L_t(0) for each task, 0 until the task's first usable loss.
    public private(set) var initialLosses: [Float]
    public var name: String { "initial-loss" }

    public init(taskCount: Int) {
        self.taskCount = taskCount
        initialLosses = Array(repeating: 0, count: taskCount)
    }

    /// A task's reference is its first finite loss with a finite 1/L: a first loss of 0 would give an
    /// infinite weight (NaN or ∞, a meaningless one), so such a task keeps weight 1 until a usable
    /// loss arrives.
    public static func isUsable(_ loss: Float) -> Bool { loss.isFinite && loss > 0 && (1 / loss).isFinite }

    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        for (loss, task) in zip(losses, context.tasks) where initialLosses[task] == 0 {
            if Self.isUsable(loss.value.scalar) { initialLosses[task] = loss.value.scalar }
        }
        let weights = context.tasks.map { initialLosses[$0] > 0 ? 1 / initialLosses[$0] : 1 }
        return backwardWeightedSum(losses: losses, weights: weights, context: context)
    }

    public var state: [String: Tensor] { ["initialLosses": Tensor(shape: [taskCount], scalars: initialLosses)] }

    // A checkpoint is an untrusted file: check what comes back before using it.
    public func restoreState(_ state: [String: Tensor]) throws {
        guard let losses = state["initialLosses"] else {
            initialLosses = Array(repeating: 0, count: taskCount)
            return
        }
        guard losses.shape == [taskCount], losses.scalars.allSatisfy({ $0 == 0 || Self.isUsable($0) }) else {
            throw CheckpointError.invalidValue(name: "initialLosses",
                                               reason: "needs one loss per task, each 0 (not seen yet) or positive")
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
// ## An architecture of our own: the `MultiTaskNetwork` contract
// A shared encoder S and a private encoder P_t per task, mixed feature by feature by a learned
// gate g_t = σ(a_t): h_t = ReLU(g_t ⊙ S(x) + (1 − g_t) ⊙ P_t(x)), then task t's head. A subclass
// of `MultiTaskNetwork` answers for one task (`callAsFunction(_:task:)`) and must say what the
// tasks share (`sharedParameters()`, θ_sh: what MGDA, PCGrad, Nash-MTL, GradNorm and AdaTask
// balance — there is no default). It may run the shared part once for all tasks and return the
// shared representation Z with the outputs (`outputs(_:)`, what MGDA-UB differentiates against),
// add a term to the objective (`regularizationLoss()`) and act before each batch
// (`willTrain(step:)`). Here Z = S(x): the shared encoder reaches every task only through it.

// %%
/// Gated shared and private features — a small relative of cross-stitch units (Misra et al., CVPR
/// 2016) and sluice networks (Ruder et al., AAAI 2019): per task and feature, a gate g = σ(a) mixes
/// a shared encoder's feature with a private one's. A cost λ·mean(1 − g_t) per task charges the
/// private features, so a task keeps one only where it pays; λ warms up over `warmupSteps` batches.
public final class GatedSharingNetwork: MultiTaskNetwork {
    public let shared: Linear
    public let privates: [Linear]
    public let gateLogits: [Parameter]
    public let heads: [Linear]
    public let privateCost: Float, warmupSteps: Int
    public private(set) var costScale: Float = 1

    public init(inputCount: Int, width: Int, outputCounts: [Int], privateCost: Float = 0.01,
                warmupSteps: Int = 100, random: RandomSource) {
        shared = Linear(inputCount: inputCount, outputCount: width, random: random)
        privates = outputCounts.map { _ in Linear(inputCount: inputCount, outputCount: width, random: random) }
        gateLogits = outputCounts.map { _ in Parameter(Tensor.zeros([width])) }
        heads = outputCounts.map { Linear(inputCount: width, outputCount: $0, random: random) }
        self.privateCost = privateCost
        self.warmupSteps = warmupSteps
        super.init(taskCount: outputCounts.count)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "GatedSharingNetwork")
        return head(task, shared: shared(input), input: input)
    }

    /// The shared encoder runs once for all tasks; its output is Z.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let z = shared(input)
        return MultiTaskOutputs(outputs: (0..<taskCount).map { head($0, shared: z, input: input) },
                                sharedRepresentation: z)
    }

    func head(_ task: Int, shared z: Variable, input: Variable) -> Variable {
        let gate = gateLogits[task].sigmoid()
        return heads[task]((z * gate + privates[task](input) * (1 - gate)).relu())
    }

    /// θ_sh: the shared encoder. Private encoders, gates and heads each serve one task.
    public override func sharedParameters() -> [Parameter] { shared.parameters() }

    /// From the trainer's step, not a count of calls: a resumed run continues with the same scale.
    public override func willTrain(step: Int) { costScale = min(1, Float(step + 1) / Float(warmupSteps)) }

    public override func regularizationLoss() -> Variable? {
        let privateShares = gateLogits.map { (1 - $0.sigmoid()).mean() }
        return privateShares.dropFirst().reduce(privateShares[0], +) * (privateCost * costScale)
    }
}

// %% [markdown]
// ## An optimizer of our own
// Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023) moves every
// weight by the same step η, in the direction of the sign of an interpolated momentum:
// θ ← θ − η (sign(β₁m + (1 − β₁)g) + λθ), then m ← β₂m + (1 − β₂)g. An optimizer with
// per-parameter state subclasses `StatefulOptimizer` with a state struct; the struct becomes named tensors only
// in checkpoints, and reading them back goes through `StoredStateReader`, which checks shapes and
// finite values and refuses unknown keys.

// %%
/// Lion's state for one parameter: the momentum m.
public struct LionState: OptimizerState {
    public var momentum: Tensor

    public init(parameterShape: [Int]) { momentum = Tensor.zeros(parameterShape) }

    public var namedTensors: [String: Tensor] { ["momentum": momentum] }

    public init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws {
        var reader = StoredStateReader(namedTensors, parameterShape: parameterShape, name: name)
        momentum = try reader.tensor("momentum")
        try reader.finish(owner: "Lion")
    }
}

/// Lion: the sign of β₁m + (1 − β₁)g, so every step moves each weight by exactly η (plus decay).
public final class Lion: StatefulOptimizer<LionState> {
    public let beta1: Float, beta2: Float

    public init(parameters: [Parameter], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.99,
                weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        super.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                           weightDecay: weightDecay)])
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout LionState) {
        let direction = (state.momentum * beta1 + gradient * (1 - beta1)).sign()
        parameter.update { $0 = $0 - (direction + $0 * group.weightDecay) * group.learningRate }
        state.momentum = state.momentum * beta2 + gradient * (1 - beta2)
    }
}

// %% [markdown]
// ## A loss and a metric of our own
// `TaskSpec` takes a `CustomLoss` — a function of `Variable`s, so its gradient comes from the
// operations it uses — and any number of `CustomMetric`s, each a sum and a count per batch (the
// split's value is Σ sums / Σ counts). The price gets the pseudo-Huber loss, quadratic for small
// errors and linear for large ones, so a few wild prices cannot dominate the gradient; and a metric a
// buyer reads: the share of prices predicted within 10%.

// %%
/// The pseudo-Huber loss δ²(√(1 + (e/δ)²) − 1) with e = ŷ − y (Charbonnier et al., 1994): about e²/2
/// for |e| ≪ δ and δ|e| for |e| ≫ δ; the mean over the batch.
public func pseudoHuber(delta: Float) -> CustomLoss {
    CustomLoss(name: "pseudo-Huber δ=\(delta)") { output, target in
        let error = (output - target) / delta
        return (((error.squared() + 1).squareRoot() - 1) * (delta * delta)).mean()
    }
}

/// The share of predictions within `fraction` of their target: |ŷ − y| ≤ fraction·|y|.
public func withinFraction(_ fraction: Float) -> CustomMetric {
    CustomMetric(name: "within \(Int((fraction * 100).rounded()))%", higherIsBetter: true) { output, target in
        let hits = zip(output.scalars, target.scalars).filter { abs($0 - $1) <= fraction * abs($1) }.count
        return (sum: Double(hits), count: Double(target.count))
    }
}

// %% [markdown]
// ## The four together
// The same house splits, with the price's task spec swapped for one with the custom loss and
// metric, the gated network, Lion, and the initial-loss balancer. (`MGDA()`, MGDA-UB, would
// differentiate the losses against the network's Z.) Lion moves each weight by η per step whatever
// the gradient's size, so with the price in raw units (hundreds) it needs a larger η than the 10⁻³
// usual for Adam: at 3·10⁻³ the price's output did not reach them in 30 epochs (RMSE 163).

// %%
let price = TaskSpec(name: "price", kind: .regression(outputCount: 1), customLoss: pseudoHuber(delta: 20),
                     customMetrics: [withinFraction(0.1)])
var customSplits = splits
for keyPath in [\DatasetSplits<MultiTaskDataset>.train, \.validation, \.test] {
    customSplits[keyPath: keyPath].tasks[0] = price
}
let gated = GatedSharingNetwork(inputCount: 4, width: 16, outputCounts: [1, 2], random: RandomSource(seed: 5))
let gatedTrainer = Trainer(model: gated, optimizer: Lion(parameters: gated.parameters(), learningRate: 3e-2),
                           balancer: InitialLossNormalization(taskCount: 2),
                           configuration: .init(epochs: quick ? 2 : 30, batchSize: 64, seed: 6, showsProgress: false))
try gatedTrainer.fit(customSplits.train, validation: customSplits.validation)
let gatedTest = evaluate(gated, on: customSplits.test)
print(String(format: "gated network, Lion, pseudo-Huber: price RMSE %.1f, within 10%% %.3f, expensive accuracy %.3f",
             gatedTest[0].metrics[.meanSquaredError]!.squareRoot(), gatedTest[0].customMetrics["within 10%"]!,
             gatedTest[1].metrics[.accuracy]!))
for task in 0..<2 {
    let gates = gated.gateLogits[task].value.sigmoid().scalars
    print("\(houses.tasks[task].name): mean gate \(String(format: "%.2f", gates.reduce(0, +) / Float(gates.count))) "
          + "(1: all shared), features with g < 0.5: \(gates.filter { $0 < 0.5 }.count) of \(gates.count)")
}

// %% [markdown]
// ## 4. Testing what you added
// Your package's tests go in a test target with Swift Testing — see Tutorials/14-extending.md
// and `Tests/MultiTaskTests/ExtendingTests.swift`, which imports this notebook (its types are
// public; SwiftPM names the module `_4_extending`) and checks each thing it adds: the layer's and
// the architecture's gradients, the architecture's contract, the balancer under task sampling, one
// Lion step by hand, the loss and the metric. The helpers it uses (`isClose`,
// `checkModuleGradients`, `expectSharingContract`) are the MultiTaskKitTesting product, for your
// package's tests too (`Templates/StudentPackage`).
