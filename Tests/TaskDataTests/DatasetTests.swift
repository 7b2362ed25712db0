import Testing
import TensorCore
import TaskData

/// Datasets, splits, batching and task sampling.
@Suite("Datasets and task sampling")
struct DatasetTests {
    func smallDataset(_ count: Int = 103) -> MultiTaskDataset {
        let inputs = Tensor(shape: [count, 2], scalars: (0..<(2 * count)).map(Float.init))
        return MultiTaskDataset(tasks: [TaskSpec(name: "a", kind: .classification(classCount: 3)),
                                        TaskSpec(name: "b", kind: .regression(outputCount: 1))],
                                inputs: inputs,
                                targets: [Tensor((0..<count).map { Float($0 % 3) }),
                                          Tensor(shape: [count, 1], scalars: (0..<count).map(Float.init))])
    }

    @Test("task specs: defaults by kind, metric directions")
    func taskSpecs() {
        let spec = TaskSpec(name: "attributes", kind: .multiLabel(labelCount: 5))
        #expect(spec.loss == .binaryCrossEntropy && spec.metrics.first == .fScore && spec.outputCount == 5)
        #expect(TaskSpec(name: "depth", kind: .denseRegression(channelCount: 1)).metrics == [.absoluteError,
                                                                                             .relativeError])
        #expect(MetricKind.meanIntersectionOverUnion.higherIsBetter && !MetricKind.meanAngleError.higherIsBetter)
        #expect(TaskKind.denseSegmentation(classCount: 4).isDense && !TaskKind.classification(classCount: 2).isDense)
    }

    @Test("split: sizes as asked, disjoint, covering, seeded")
    func split() {
        let data = smallDataset()
        let parts = data.split(validationFraction: 0.1, testFraction: 0.2, seed: 3)
        #expect(parts.train.count == 72 && parts.validation.count == 10 && parts.test.count == 21)
        let ids = [parts.train, parts.validation, parts.test].flatMap { $0.targets[1].scalars }
        #expect(Set(ids).count == 103)
        #expect(data.split(seed: 3).test.inputs == data.split(seed: 3).test.inputs)
        #expect(data.split(seed: 3).test.inputs != data.split(seed: 4).test.inputs)
        // Inputs and targets stay paired.
        for (row, id) in parts.test.targets[1].scalars.enumerated() {
            #expect(parts.test.inputs.scalars[2 * row] == 2 * id)
            #expect(parts.test.targets[0].scalars[row] == Float(Int(id) % 3))
        }
    }

    @Test("batches: every sample once per pass, last batch smaller or dropped, seeded shuffle")
    func batches() {
        let data = smallDataset()
        let batches = data.batches(size: 10, shuffleSeed: 1)
        #expect(batches.count == 11 && batches.last!.count == 3)
        #expect(Set(batches.flatMap { $0.targets[1].scalars }).count == 103)
        #expect(data.batches(size: 10, dropsLast: true).count == 10)
        #expect(data.batches(size: 10, shuffleSeed: 1).order == batches.order)
        #expect(data.batches(size: 10, shuffleSeed: 2).order != batches.order)
        #expect(data.batches(size: 10).order == Array(0..<103))
        let batch = batches[4]
        #expect(batch.inputs.shape == [10, 2] && batch.targets[0].shape == [10] && batch.targets[1].shape == [10, 1])
    }

    @Test("task samplers: all, uniform k, proportional (frequencies follow sizes), fixed")
    func samplers() {
        var generator = SeededGenerator(seed: 5)
        let counts = [100, 300, 600]
        #expect(TaskSampler.all.sample(counts: counts, using: &generator) == [0, 1, 2])
        #expect(TaskSampler.fixed([2]).sample(counts: counts, using: &generator) == [2])
        var uniformHits = [0, 0, 0], proportionalHits = [0, 0, 0]
        for _ in 0..<6000 {
            let uniform = TaskSampler.uniform(count: 2).sample(counts: counts, using: &generator)
            #expect(uniform.count == 2 && Set(uniform).count == 2)
            uniform.forEach { uniformHits[$0] += 1 }
            TaskSampler.proportional(count: 1).sample(counts: counts, using: &generator).forEach {
                proportionalHits[$0] += 1
            }
        }
        for hits in uniformHits { #expect(abs(Double(hits) / 6000 - 2.0 / 3) < 0.03) }
        for (task, hits) in proportionalHits.enumerated() {
            #expect(abs(Double(hits) / 6000 - Double(counts[task]) / 1000) < 0.03, "task \(task): \(hits)")
        }
    }

    @Test("multi-input loader: each step a batch per picked task; every sample visited before any repeats")
    func multiInputLoader() {
        let a = TaskSamples(inputs: Tensor(shape: [25, 1], scalars: (0..<25).map(Float.init)),
                            targets: Tensor((0..<25).map(Float.init)))
        let b = TaskSamples(inputs: Tensor(shape: [7, 1], scalars: (100..<107).map(Float.init)),
                            targets: Tensor((0..<7).map(Float.init)))
        let data = MultiInputDataset(tasks: [TaskSpec(name: "a", kind: .regression(outputCount: 1)),
                                             TaskSpec(name: "b", kind: .regression(outputCount: 1))], samples: [a, b])
        var loader = data.loader(batchSize: 5, seed: 2)
        #expect(loader.stepsPerEpoch == 4)
        var seenA: [Float] = [], seenB: [Float] = []
        for _ in 0..<5 {
            let step = loader.nextStep()
            #expect(step.map(\.task) == [0, 1])
            seenA += step[0].batch.inputs.scalars
            seenB += step[1].batch.inputs.scalars
        }
        #expect(Set(seenA).count == 25)
        #expect(Set(seenB.prefix(7)).count == 7)   // a full pass over the small task before it repeats
        let parts = data.split(validationFraction: 0.2, testFraction: 0.2, seed: 1)
        #expect(parts.train.counts == [15, 5] && parts.test.counts == [5, 1])
    }
}
