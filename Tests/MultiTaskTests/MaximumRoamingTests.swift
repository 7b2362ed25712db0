import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

// Over 300 lines: one suite for chapter 09's invariants — masks, roaming updates, and masked units
// skipped exactly on every trunk — which share their setup.

/// Chapter 09 — Maximum Roaming: the invariants of the masks and of the roaming updates.
@Suite("Maximum Roaming")
struct MaximumRoamingTests {
    @Test("""
        invariants after every update over random T, C, p: counts fixed, binary, B_t grows by one, cover at init; \
        updates to full roaming = C − round(pC)
        """)
    func invariants() {
        var generator = SeededGenerator(seed: 1)
        for trial in 0..<60 {
            let tasks = 1 + generator.nextInt(below: 6)
            let units = tasks + generator.nextInt(below: 40)
            let minimumRatio = Double((units + tasks - 1) / tasks) / Double(units)
            let ratio = min(1, minimumRatio + Double(generator.nextFloat()) * (1 - minimumRatio))
            let mask = TaskMask(unitCount: units, taskCount: tasks, sharingRatio: ratio, seed: UInt64(trial))
            let active = TaskMask.activeCount(unitCount: units, sharingRatio: ratio)
            let context = "T \(tasks), C \(units), p \(ratio)"
            // Round-robin init: every unit active for at least one task; each task round(pC) units.
            for unit in 0..<units {
                #expect((0..<tasks).contains { mask.masks.value.scalars[$0 * units + unit] == 1 },
                        "\(context): unit \(unit) unused at init")
            }
            let network = MaximumRoamingNetwork(trunk: MaskedSequential(mask),
                                                heads: (0..<tasks).map { _ in Identity() },
                                                updateInterval: 1, seed: UInt64(trial))
            var updates = 0
            while true {
                let visitedBefore = (0..<tasks).map { units - mask.unvisitedUnits(of: $0).count }
                guard network.roam() else { break }
                updates += 1
                #expect(mask.masks.value.scalars.allSatisfy { $0 == 0 || $0 == 1 }, "\(context): mask not binary")
                for task in 0..<tasks {
                    #expect(mask.activeUnits(of: task).count == active,
                            "\(context): task \(task) has \(mask.activeUnits(of: task).count) active")
                    let visited = units - mask.unvisitedUnits(of: task).count
                    #expect(visited == min(units, visitedBefore[task] + 1),
                            "\(context): B_\(task) grew from \(visitedBefore[task]) to \(visited)")
                    // Active units are always visited units.
                    for unit in mask.activeUnits(of: task) {
                        #expect(mask.visited.value.scalars[task * units + unit] == 1)
                    }
                }
                if updates > units { Issue.record("\(context): roaming did not stop"); break }
            }
            #expect(updates == units - active,
                    "\(context): \(updates) updates to full roaming, formula \(units - active)")
            #expect(abs(network.progress - 1) < 1e-12 && network.isRoamingFinished)
        }
    }

    @Test("update ratio stops roaming early; fixed partitioning never changes the masks")
    func updateRatioAndFixedPartitioning() {
        let mask = TaskMask(unitCount: 20, taskCount: 2, sharingRatio: 0.5, seed: 3)
        let network = MaximumRoamingNetwork(trunk: MaskedSequential(mask), heads: [Identity(), Identity()],
                                            updateInterval: 2, updateRatio: 0.5, seed: 3)
        for step in 0..<100 { network.willTrain(step: step) }
        #expect(mask.updateCount.value.scalars[0] == 5)          // 0.5 · (20 − 10)
        #expect(abs(network.progress - 0.5) < 1e-12)              // r(c): 5 of the 10 updates to complete
        #expect(abs(network.coverage - 0.75) < 1e-12)             // mean |B_t| / C: (10 + 5) / 20
        let fixedMask = TaskMask(unitCount: 20, taskCount: 2, sharingRatio: 0.5, seed: 3)
        let initial = fixedMask.masks.value
        let fixed = MaximumRoamingNetwork(trunk: MaskedSequential(fixedMask), heads: [Identity(), Identity()],
                                          updateInterval: nil, seed: 3)
        for step in 0..<100 { fixed.willTrain(step: step) }
        #expect(fixedMask.masks.value == initial && fixed.progress == 0 && fixed.coverage == 0.5)
    }

    @Test("Bernoulli init covers every unit (Σ_t m_tc ≥ 1) over random T, C, p; p = 0 partitions the units")
    func coverageAndPartition() {
        var generator = SeededGenerator(seed: 2)
        for trial in 0..<200 {
            let tasks = 2 + generator.nextInt(below: 7)
            let units = tasks + generator.nextInt(below: 64)
            // Small ratios are where a unit is most often drawn by no task.
            let ratio = trial % 4 == 0 ? 0 : Double(generator.nextFloat()) * 0.3
            for initialization in PartitionInitialization.allCases {
                if initialization == .roundRobinFill, ratio > 0,
                   TaskMask.coverageProblem(unitCount: units, taskCount: tasks, sharingRatio: ratio) != nil { continue }
                let mask = TaskMask(unitCount: units, taskCount: tasks, sharingRatio: ratio,
                                    initialization: initialization, seed: UInt64(trial))
                let m = mask.masks.value.scalars
                let context = "\(initialization) T \(tasks), C \(units), p \(ratio)"
                for unit in 0..<units {
                    let servedBy = (0..<tasks).filter { m[$0 * units + unit] == 1 }
                    #expect(!servedBy.isEmpty, "\(context): unit \(unit) serves no task")
                    if ratio == 0 { #expect(servedBy == [unit % tasks], "\(context): unit \(unit) → \(servedBy)") }
                }
                for task in 0..<tasks { #expect(!mask.activeUnits(of: task).isEmpty, "\(context): task \(task) empty") }
            }
        }
        // p = 0 roams too: counts stay, each task ends having visited every unit.
        let mask = TaskMask(unitCount: 12, taskCount: 3, sharingRatio: 0, seed: 1)
        let network = MaximumRoamingNetwork(trunk: MaskedSequential(mask), heads: (0..<3).map { _ in Identity() },
                                            updateInterval: 1, seed: 1)
        #expect(network.progress == 0 && abs(network.coverage - 1.0 / 3) < 1e-12)
        while network.roam() {}
        #expect(mask.updateCount.value.scalars[0] == 8 && network.progress == 1 && network.coverage == 1)
        for task in 0..<3 { #expect(mask.activeUnits(of: task).count == 4) }
        #expect(TaskMask.coverageProblem(unitCount: 2, taskCount: 3, sharingRatio: 0) != nil)
        #expect(TaskMask.coverageProblem(unitCount: 3, taskCount: 3, sharingRatio: 0) == nil)
        // Round-robin needs ⌈C/T⌉ units per task; Bernoulli covers any p > 0.
        #expect(TaskMask.coverageProblem(unitCount: 16, taskCount: 8, sharingRatio: 0.05) != nil)
        #expect(TaskMask.coverageProblem(unitCount: 16, taskCount: 8, sharingRatio: 0.05,
                                         initialization: .bernoulli) == nil)
    }

    @Test("the mask multiplies the active task's units; other units get no gradient")
    func maskingAndGradients() {
        let random = RandomSource(seed: 4)
        let linear = Linear(inputCount: 3, outputCount: 6, random: random)
        let mask = TaskMask(after: linear, taskCount: 2, sharingRatio: 0.5, seed: 5)
        let network = MaximumRoamingNetwork(trunk: MaskedSequential(linear, mask), heads: [Identity(), Identity()],
                                            updateInterval: 1, seed: 5)
        let x = Variable(Tensor.normal([4, 3], seed: 6))
        for task in 0..<2 {
            let output = network(x, task: task)
            let active = Set(mask.activeUnits(of: task))
            for row in 0..<4 {
                for unit in 0..<6 where !active.contains(unit) { #expect(output.value.scalars[row * 6 + unit] == 0) }
            }
            let gradient = gradients(of: output.sum(), wrt: [linear.weight])[0]
            for input in 0..<3 {
                for unit in 0..<6 { #expect((gradient.scalars[input * 6 + unit] != 0) == active.contains(unit)) }
            }
        }
    }

    @Test("least-aligned selection adds the unvisited filter least aligned with the active ones")
    func leastAligned() {
        // Units 0, 1 active for task 0; unit 2 parallel to unit 0, unit 3 orthogonal to both.
        let linear = Linear(inputCount: 2, outputCount: 4)
        linear.weight.assign(Tensor([[1, 0.9, 1, 0], [0, 0.1, 0, 1]]))   // columns are the units' filters
        let mask = TaskMask(after: linear, taskCount: 1, sharingRatio: 0.5, initialization: .roundRobinFill, seed: 0)
        // Make the active set exactly {0, 1} for the check.
        mask.masks.value = Tensor(shape: [1, 4], scalars: [1, 1, 0, 0])
        mask.visited.value = mask.masks.value
        var generator = SeededGenerator(seed: 0)
        mask.roam(selection: .leastAligned, using: &generator)
        #expect(mask.activeUnits(of: 0).contains(3))
        #expect(mask.unvisitedUnits(of: 0) == [2])
    }

    @Test("Bernoulli initialization keeps each task's own count through roaming")
    func bernoulli() {
        let mask = TaskMask(unitCount: 50, taskCount: 3, sharingRatio: 0.4, initialization: .bernoulli, seed: 9)
        let counts = (0..<3).map { mask.activeUnits(of: $0).count }
        #expect(counts.allSatisfy { $0 > 8 && $0 < 32 })
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<10 { mask.roam(selection: .random, using: &generator) }
        #expect((0..<3).map { mask.activeUnits(of: $0).count } == counts)
    }

    @Test("a masked step computes only the task's units and reads only the units the previous mask kept")
    func maskedStepsPassTheirSubsets() {
        let random = RandomSource(seed: 21)
        let first = RecordingLinear(Linear(inputCount: 4, outputCount: 6, random: random))
        let second = RecordingLinear(Linear(inputCount: 6, outputCount: 6, random: random))
        let firstMask = TaskMask(after: first, taskCount: 2, sharingRatio: 0.5, seed: 1)
        let secondMask = TaskMask(after: second, taskCount: 2, sharingRatio: 0.5, seed: 2)
        let trunk = MaskedSequential(MaskedSequential(first, firstMask, ReLU(), skipsMaskedUnits: true),
                                     MaskedSequential(second, secondMask, ReLU(), skipsMaskedUnits: true))
        #expect(trunk.masks.map(ObjectIdentifier.init) == [firstMask, secondMask].map(ObjectIdentifier.init))
        let x = Variable(Tensor.normal([3, 4], seed: 3))
        for task in 0..<2 {
            _ = trunk(x, task: task)
            #expect(first.calls.last! == [firstMask.activeUnits(of: task), nil])
            #expect(second.calls.last! == [secondMask.activeUnits(of: task), firstMask.activeUnits(of: task)])
        }
        // Without skipping, the layers compute everything and the masks multiply.
        let plain = MaskedSequential(first, firstMask, ReLU())
        let output = plain(x, task: 1)
        #expect(first.calls.count == 3 && first.calls.last! == [nil, nil])
        let row = Variable(firstMask.masks.value.selecting(1).reshaped(to: [1, 6]))
        #expect(output.value == ReLU()(first.layer(x) * row).value)
    }

    @Test("Conv2D and Linear on unit subsets equal the full layer on zeroed inputs, with the other outputs zeroed")
    func unitSubsetsMatchTheFullLayer() {
        var generator = SeededGenerator(seed: 31)
        let convolution = Conv2D(inputChannels: 5, outputChannels: 6, kernelSize: 3, padding: 1,
                                 random: RandomSource(seed: 32))
        let linear = Linear(inputCount: 5, outputCount: 6, random: RandomSource(seed: 33))
        let outputs = [0, 2, 5], inputs = [1, 3, 4]
        for (layer, shape) in [(convolution as any UnitSubsetComputing, [2, 5, 7, 7]), (linear, [4, 5])] {
            var x = Tensor.normal(shape, using: &generator)
            let positions = x.count / (shape[0] * 5)
            for index in 0..<x.count where !inputs.contains((index / positions) % 5) { x[flat: index] = 0 }
            let full = layer(Variable(x)).value
            let subset = layer(Variable(x), computing: outputs, reading: inputs).value
            let outputPositions = full.count / (shape[0] * 6)
            for index in 0..<full.count {
                let unit = (index / outputPositions) % 6
                let expected = outputs.contains(unit) ? full[flat: index] : 0
                #expect(abs(subset[flat: index] - expected) <= 1e-5 * max(1, abs(expected)),
                        "\(type(of: layer)) \(index)")
            }
        }
    }

    /// The trunks the roaming tests run on: plain and residual, with and without batch normalization.
    static let trunks: [(backbone: Backbone, batchNormalization: Bool)] = [
        (.plain, false), (.plain, true), (.residual, false), (.residual, true),
    ]

    @Test("""
        skipping masked units (outputs and the next layer's inputs) gives the masked network's outputs, gradients \
        and updates — on plain and residual trunks, with conv → BN → mask; the masks roam and keep their counts
        """, arguments: trunks)
    func skippingMatchesMasking(_ trunk: (backbone: Backbone, batchNormalization: Bool)) {
        let tasks = (0..<3).map { TaskSpec(name: "t\($0)", kind: .classification(classCount: 2)) }
        var generator = SeededGenerator(seed: 4)
        let input = Tensor.normal([8, 3, 16, 16], using: &generator)
        let targets = (0..<3).map { _ in (0..<8).map { _ in generator.nextInt(below: 2) } }
        for dense in [false, true] {
            let denseTasks = (0..<3).map { TaskSpec(name: "t\($0)", kind: .denseRegression(channelCount: 1)) }
            func network(skipping: Bool) -> MultiTaskNetwork {
                var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 1, seed: 5)
                options.skipsMaskedUnits = skipping
                options.backbone = trunk.backbone
                options.batchNormalization = trunk.batchNormalization
                return makeNetwork(.maximumRoaming, tasks: dense ? denseTasks : tasks, inputShape: [3, 16, 16],
                                   options: options)
            }
            let masked = network(skipping: false), skipping = network(skipping: true)
            let masks = (skipping as! MaximumRoamingNetwork).masks
            #expect(masks.count == maskedUnitCounts(inputShape: [3, 16, 16], denseOutput: dense, width: 8,
                                                    backbone: trunk.backbone).count)
            let activeCounts = masks.map { mask in (0..<3).map { mask.activeUnits(of: $0).count } }
            let optimizers = [masked, skipping].map { Adam(parameters: $0.parameters(), learningRate: 1e-2) }
            for step in 0..<6 {
                for (model, optimizer) in zip([masked, skipping], optimizers) {
                    model.willTrain(step: step)  // roams every step
                    let task = step % 3
                    model.zeroGradients()
                    let output = model(Variable(input), task: task)
                    let loss = dense ? meanSquaredError(prediction: output, target: Tensor.ones(output.shape))
                                     : crossEntropy(logits: output, targets: targets[task])
                    loss.backward()
                    optimizer.step()
                }
                // Float rounding differs between the two paths (sums in another order), and Adam's
                // normalized step enlarges it for tiny gradients: equal to 10⁻³ after six steps (a
                // real mismatch — a unit computed that should not be — shows at the first step).
                for (a, b) in zip(masked.namedParameters(), skipping.namedParameters()) {
                    #expect(isClose(a.parameter.value, b.parameter.value, rtol: 1e-3, atol: 1e-5),
                            "dense \(dense) step \(step): \(a.name)")
                }
            }
            for task in 0..<3 {
                #expect(isClose(masked(Variable(input), task: task).value, skipping(Variable(input), task: task).value,
                                rtol: 1e-4, atol: 1e-5))
            }
            // Every mask roamed (one update per step after the first, until complete), its counts unchanged.
            for (mask, counts) in zip(masks, activeCounts) {
                #expect(Int(mask.updateCount.value.scalars[0]) == min(5, mask.unitCount - counts.max()!))
                #expect((0..<3).map { mask.activeUnits(of: $0).count } == counts)
            }
        }
    }

    @Test("skipping masked units of Linear layers (the vector backbone) gives the masked network's updates",
          arguments: trunks)
    func skippingLinearMatchesMasking(_ trunk: (backbone: Backbone, batchNormalization: Bool)) {
        let tasks = (0..<3).map { TaskSpec(name: "t\($0)", kind: .regression(outputCount: 1)) }
        let input = Tensor.normal([16, 6], seed: 8)
        func network(skipping: Bool) -> MultiTaskNetwork {
            var options = ArchitectureOptions(width: 10, sharingRatio: 0.5, updateInterval: 1, seed: 9)
            options.skipsMaskedUnits = skipping
            options.backbone = trunk.backbone
            options.batchNormalization = trunk.batchNormalization
            return makeNetwork(.maximumRoaming, tasks: tasks, inputShape: [6], options: options)
        }
        let masked = network(skipping: false), skipping = network(skipping: true)
        #expect((skipping as! MaximumRoamingNetwork).masks.count
                == maskedUnitCounts(inputShape: [6], denseOutput: false, width: 10, backbone: trunk.backbone).count)
        let optimizers = [masked, skipping].map { Adam(parameters: $0.parameters(), learningRate: 1e-2) }
        for step in 0..<6 {
            for (model, optimizer) in zip([masked, skipping], optimizers) {
                model.willTrain(step: step)
                model.zeroGradients()
                let output = model(Variable(input), task: step % 3)
                meanSquaredError(prediction: output, target: Tensor.ones(output.shape)).backward()
                optimizer.step()
            }
        }
        for (a, b) in zip(masked.namedParameters(), skipping.namedParameters()) {
            #expect(isClose(a.parameter.value, b.parameter.value, rtol: 1e-4, atol: 1e-6), "\(a.name)")
        }
    }
}

/// A `Linear` layer that records the subsets each call asks for (outputs, then inputs).
private final class RecordingLinear: Module, UnitSubsetComputing {
    let layer: Linear
    var calls: [[[Int]?]] = []
    init(_ layer: Linear) { self.layer = layer }
    var outputUnitCount: Int { layer.outputUnitCount }
    var unitFilters: Tensor { layer.unitFilters }
    var unitParameters: [(parameter: Parameter, unitAxis: Int)] { layer.unitParameters }
    override func callAsFunction(_ input: Variable) -> Variable {
        calls.append([nil, nil])
        return layer(input)
    }
    func callAsFunction(_ input: Variable, computing outputs: [Int]?, reading inputs: [Int]?) -> Variable {
        calls.append([outputs, inputs])
        return layer(input, computing: outputs, reading: inputs)
    }
}
