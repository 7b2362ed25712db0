import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Partially labelled tasks: the label mask through the dataset, the masked loss against a
/// hand-computed average, a task without labels in a batch, metrics over labelled samples, the
/// balancers' state, and the CSV loader's missing labels.
@Suite("Partial labels")
struct PartialLabelTests {
    func multiHead(seed: UInt64, inputCount: Int = 6, taskCount: Int = 2, width: Int = 8) -> MultiHeadNetwork {
        let random = RandomSource(seed: seed)
        return MultiHeadNetwork(trunk: Sequential([Linear(inputCount: inputCount, outputCount: width, random: random),
                                                   ReLU()]),
                                heads: (0..<taskCount).map { _ in Linear(inputCount: width, outputCount: 1,
                                                                         random: random) })
    }

    func regression(sampleCount: Int = 40, seed: UInt64 = 1) throws -> MultiTaskDataset {
        try RelatedRegression(correlation: 0.5, inputCount: 6, seed: seed).dataset(sampleCount: sampleCount, seed: 2)
    }

    @Test("a random mask keeps round(f·N) labels per task, nested for smaller fractions")
    func randomMask() {
        let mask = LabelMask.random(sampleCount: 50, fractions: [1, 0.3, 0], seed: 4)
        #expect(mask.labelledCount(task: 0) == 50)
        #expect(mask.labelledCount(task: 1) == 15)
        #expect(mask.labelledCount(task: 2) == 0)
        let smaller = LabelMask.random(sampleCount: 50, fractions: [1, 0.1, 0], seed: 4)
        #expect(smaller.labelledCount(task: 1) == 5)
        #expect(Set(smaller.labelledSamples(task: 1)).isSubset(of: Set(mask.labelledSamples(task: 1))))
        // Another seed draws other samples; the same seed the same ones.
        #expect(LabelMask.random(sampleCount: 50, fractions: [1, 0.3, 0], seed: 5) != mask)
        #expect(LabelMask.random(sampleCount: 50, fractions: [1, 0.3, 0], seed: 4) == mask)
    }

    @Test("the mask travels with subset, split, selectingTasks and batches")
    func maskTravels() throws {
        let data = try regression().withLabelledFractions([0.5, 1], seed: 3)
        #expect(data.labelMask.labelledCount(task: 0) == 20)
        let subset = data.subset([3, 0, 7])
        for (row, index) in [3, 0, 7].enumerated() { #expect(subset.labelMask[row, 0] == data.labelMask[index, 0]) }
        let splits = data.split(seed: 9)
        let (train, validation, test) = splitIndices(count: data.count, validationFraction: 0.1, testFraction: 0.2,
                                                     seed: 9)
        #expect(splits.train.labelMask == data.labelMask.gathering(train))
        #expect(splits.validation.labelMask == data.labelMask.gathering(validation))
        #expect(splits.test.labelMask == data.labelMask.gathering(test))
        let single = data.selectingTasks([0])
        #expect(single.labelMask.taskCount == 1 && single.labelMask.labelledCount(task: 0) == 20)
        let batches = data.batches(size: 16, shuffleSeed: 2)
        var labelled = 0
        for batch in batches {
            for (row, index) in batch.indices.enumerated() {
                #expect(batch.labelMask[row, 0] == data.labelMask[index, 0])
                labelled += batch.labelMask[row, 0] ? 1 : 0
            }
        }
        #expect(labelled == 20)
        // A fraction applied on top keeps what was already unlabelled unlabelled.
        let thinner = data.withLabelledFractions([1, 0.5], seed: 8)
        #expect(thinner.labelMask.labelledSamples(task: 0) == data.labelMask.labelledSamples(task: 0))
        #expect(thinner.labelMask.labelledCount(task: 1) == 20)
    }

    @Test("the masked loss equals the hand-computed average over labelled samples", arguments: ["mse", "ce", "dense"])
    func maskedLossMatchesHand(kind: String) {
        var generator = SeededGenerator(seed: 11)
        let spec: TaskSpec, output: Tensor, target: Tensor
        switch kind {
        case "mse":
            spec = TaskSpec(name: "r", kind: .regression(outputCount: 2))
            output = Tensor(shape: [5, 2], scalars: randomScalars(10, &generator))
            target = Tensor(shape: [5, 2], scalars: randomScalars(10, &generator))
        case "ce":
            spec = TaskSpec(name: "c", kind: .classification(classCount: 3))
            output = Tensor(shape: [5, 3], scalars: randomScalars(15, &generator))
            target = Tensor(shape: [5], scalars: [0, 2, 1, 1, 0])
        default:
            spec = TaskSpec(name: "d", kind: .denseRegression(channelCount: 1))
            output = Tensor(shape: [5, 1, 2, 3], scalars: randomScalars(30, &generator))
            target = Tensor(shape: [5, 1, 2, 3], scalars: randomScalars(30, &generator))
        }
        let mask: [Float] = [1, 0, 1, 1, 0]
        // By hand: ℓ_n for each sample alone, then Σ M ℓ / Σ M.
        var weighted = 0.0
        for n in 0..<5 where mask[n] == 1 {
            let sample = taskLoss(spec, output: Variable(output.gathering([n])), target: target.gathering([n]))
            weighted += Double(sample.value.scalar)
        }
        let expected = Float(weighted / 3)
        let variable = Variable(output, requiresGradient: true)
        let loss = maskedTaskLoss(spec, output: variable, target: target, labelled: [0, 2, 3])!
        #expect(abs(loss.value.scalar - expected) <= 1e-5 * max(1, abs(expected)),
                "\(kind): masked loss \(loss.value.scalar), hand-computed \(expected)")
        // Unlabelled rows get exactly zero gradient.
        loss.backward()
        let perSample = output.count / 5
        let gradient = variable.grad!.scalars
        for n in [1, 4] {
            #expect(gradient[(n * perSample)..<((n + 1) * perSample)].allSatisfy { $0 == 0 },
                    "\(kind): unlabelled sample \(n) got a gradient")
        }
        #expect(gradient[0..<perSample].contains { $0 != 0 })
        // Fully labelled: the plain task loss, bit for bit.
        let all = maskedTaskLoss(spec, output: Variable(output), target: target, labelled: [0, 1, 2, 3, 4])!
        #expect(all.value.scalar == taskLoss(spec, output: Variable(output), target: target).value.scalar)
    }

    @Test("a task without labels in a batch contributes no loss, no gradient and no NaN")
    func emptyTaskContributesNothing() throws {
        let data = try regression(sampleCount: 8)
        #expect(maskedTaskLoss(data.tasks[1], output: Variable(data.targets[1]), target: data.targets[1],
                               labelled: []) == nil)
        // Task 1 has no label in the batch: the step must equal a step on task 0 alone.
        var mask = LabelMask(sampleCount: 8, taskCount: 2)
        for n in 0..<8 { mask[n, 1] = false }
        let model = multiHead(seed: 3), reference = multiHead(seed: 3)
        let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.1),
                              configuration: .init(epochs: 1, showsProgress: false))
        let (losses, weights) = try trainer.trainingStep(inputs: data.inputs, targets: data.targets,
                                                         tasks: data.tasks, labelMask: mask)
        #expect(losses[0].isFinite && losses[1].isNaN && weights[1].isNaN)
        // The reference: task 0's loss alone, one SGD step.
        let optimizer = SGD(parameters: reference.parameters(), learningRate: 0.1)
        reference.zeroGradients()
        taskLoss(data.tasks[0], output: reference.outputs(Variable(data.inputs)).outputs[0],
                 target: data.targets[0]).backward()
        optimizer.step()
        for (trained, expected) in zip(model.parameters(), reference.parameters()) {
            #expect(trained.value.scalars.allSatisfy { $0.isFinite })
            #expect(isClose(trained.value, expected.value, rtol: 1e-6, atol: 1e-7, "parameters after the step"))
        }
        // No labels at all: nothing changes.
        let before = model.parameters().map(\.value)
        let none = LabelMask(sampleCount: 8, taskCount: 2, labelled: false)
        let (noLosses, _) = try trainer.trainingStep(inputs: data.inputs, targets: data.targets, tasks: data.tasks,
                                                     labelMask: none)
        #expect(noLosses.allSatisfy { $0.isNaN })
        #expect(zip(model.parameters(), before).allSatisfy { $0.value.scalars == $1.scalars })
    }

    @Test("a fit on partially labelled data trains, its epoch losses finite, in every training mode",
          arguments: [TrainingMode.summed, .taskAlternating, .randomTaskGroups])
    func fitPartiallyLabelled(mode: TrainingMode) throws {
        let data = try regression(sampleCount: 120).withLabelledFractions([0.05, 1], seed: 2)
        let splits = data.split(seed: 1)
        let model = multiHead(seed: 5)
        let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-2),
                              balancer: mode == .taskAlternating ? EqualWeighting() : GradNorm(taskCount: 2),
                              configuration: .init(epochs: 3, batchSize: 16, mode: mode, showsProgress: false))
        let records = try trainer.fit(splits.train, validation: splits.validation)
        for record in records {
            #expect(record.trainLosses[1].isFinite)
            #expect(record.validation!.allSatisfy { $0.loss.isFinite && $0.mainValue.isFinite })
        }
        #expect(model.parameters().allSatisfy { $0.value.scalars.allSatisfy { $0.isFinite } })
    }

    @Test("metrics and losses ignore unlabelled samples, whatever their targets hold")
    func metricsIgnoreUnlabelled() throws {
        let digits = try MultiDigit().dataset(sampleCount: 30, seed: 4)
        let model = makeNetwork(.multiHead, tasks: digits.tasks, inputShape: Array(digits.inputs.shape.dropFirst()),
                                options: ArchitectureOptions(width: 4, seed: 1))
        var mask = LabelMask(sampleCount: 30, taskCount: 2)
        let unlabelled = [1, 4, 5, 11, 20, 29]
        for n in unlabelled { mask[n, 0] = false }
        var partial = digits
        partial.labelMask = mask
        // Garbage in the unlabelled targets: another class, which would change accuracy if read.
        var scalars = partial.targets[0].scalars
        for n in unlabelled { scalars[n] = Float((Int(scalars[n]) + 1) % 10) }
        partial.targets[0] = Tensor(shape: partial.targets[0].shape, scalars: scalars)
        let labelled = (0..<30).filter { !unlabelled.contains($0) }
        let reference = evaluate(model, on: digits.subset(labelled).selectingTasks([0]), batchSize: 7)
        let masked = evaluate(model, on: partial, batchSize: 7)
        #expect(abs(masked[0].mainValue - reference[0].mainValue) < 1e-12,
                "accuracy \(masked[0].mainValue) over labelled samples, \(reference[0].mainValue) on them alone")
        #expect(abs(masked[0].loss - reference[0].loss) < 1e-5, "loss \(masked[0].loss) vs \(reference[0].loss)")
        // Task 1 is fully labelled: as before.
        let full = evaluate(model, on: digits, batchSize: 7)
        #expect(masked[1].mainValue == full[1].mainValue && masked[1].loss == full[1].loss)
        // A task with no labelled sample has no metric rather than a made-up one.
        partial.labelMask = LabelMask(perTask: [Array(repeating: false, count: 30), Array(repeating: true, count: 30)])
        #expect(evaluate(model, on: partial)[0].mainValue.isNaN)
    }

    @Test("GradNorm takes a task's initial loss at its first labelled batch (a bug once: NaN for good)")
    func gradNormInitialLoss() {
        let model = multiHead(seed: 2)
        let balancer = GradNorm(taskCount: 2)
        let inputs = Tensor.normal([4, 6], seed: 3)
        func step(_ tasks: [Int], targets: Float) -> [Float] {
            model.zeroGradients()
            let outputs = model.outputs(Variable(inputs)).outputs
            let losses = tasks.map { meanSquaredError(prediction: outputs[$0], target: Tensor.full([4, 1],
                                                                                               value: targets)) }
            _ = balancer.backward(losses: losses, context: BalancingContext(
                model: model, tasks: tasks, sharedParameters: model.sharedParameters(), step: 0, epoch: 0))
            return losses.map { $0.value.scalar }
        }
        let first = step([0], targets: 1)
        #expect(balancer.state["initialLosses"]!.scalars[0] == first[0])
        #expect(balancer.state["initialLosses"]!.scalars[1].isNaN)
        let second = step([0, 1], targets: 2)
        let initial = balancer.state["initialLosses"]!.scalars
        #expect(initial[0] == first[0], "task 0's L(0) must stay its first loss")
        #expect(initial[1] == second[1],
                "task 1's L(0) must be its loss at its first labelled batch, got \(initial[1])")
        #expect(balancer.currentWeights.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test("DWA: an epoch without labels for a task gives finite weights summing to T, and survives a checkpoint")
    func dynamicWeightAverageWithoutLabels() throws {
        let balancer = DynamicWeightAverage(taskCount: 2)
        balancer.epochDidEnd(meanLosses: [1, .nan])
        balancer.epochDidEnd(meanLosses: [0.5, 2])
        let weights = balancer.currentWeights
        #expect(weights.allSatisfy { $0.isFinite })
        #expect(abs(weights.reduce(0, +) - 2) < 1e-5)
        #expect(weights[1] > weights[0], "task 1 (r = 1 by convention) fell less than task 0 (r = 0.5)")
        let restored = DynamicWeightAverage(taskCount: 2)
        try restored.restoreState(balancer.state)
        #expect(restored.currentWeights == weights)
    }

    @Test("CSV: an empty or nan label cell marks an unlabelled sample; a missing input is refused")
    func csvMissingLabels() throws {
        let text = "x1,x2,y,c\n0.5,1,2.5,1\n1,2,,0\n2,3,nan,\n3,4,1.5,2\n"
        #expect(throws: DataLoadingError.self) { try CSVTable(text: text) }
        let table = try CSVTable(text: text, allowsMissing: true)
        let data = try MultiTaskDataset(csv: table, tasks: [
            (TaskSpec(name: "y", kind: .regression(outputCount: 1)), ["y"]),
            (TaskSpec(name: "c", kind: .classification(classCount: 3)), ["c"])])
        #expect(data.labelMask.labelledSamples(task: 0) == [0, 3])
        #expect(data.labelMask.labelledSamples(task: 1) == [0, 1, 3])
        #expect(data.targets[0].scalars.allSatisfy { $0.isFinite })
        #expect(data.targets[1].scalars.allSatisfy { $0.isFinite })
        let missingInput = try CSVTable(text: "x1,y\n,1\n2,2\n", allowsMissing: true)
        #expect(throws: DataLoadingError.self) {
            try MultiTaskDataset(csv: missingInput, tasks: [(TaskSpec(name: "y", kind: .regression(outputCount: 1)),
                                                             ["y"])])
        }
        // Infinities stay refused even where missing values are allowed.
        #expect(throws: DataLoadingError.self) { try CSVTable(text: "x,y\n1,inf\n", allowsMissing: true) }
    }
}
