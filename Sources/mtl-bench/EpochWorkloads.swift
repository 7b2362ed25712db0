import MultiTaskKit

// Whole training epochs, what a student waits for (`--only epoch`, not in the default groups: each
// timed call is an epoch, seconds long). One epoch of `mtl train --dataset shapes` with its defaults:
// the generated shapes data (3,000 images, 2,100 in the training split, 3×32×32), batches of 64
// shuffled each epoch, the plain backbone of width 16 (conv 3→16, 16→32, 32→64, each with ReLU and
// 2×2 max pooling, flattened to 1,024 features), eight multi-label heads, Adam 10⁻³:
//   epoch_shapes_multihead  multi-head network, one update per batch on the sum of the 8 tasks'
//                           binary cross-entropies (equal weighting)
//   epoch_shapes_roaming    Maximum Roaming (p = 0.5, Δ = 10 batches, masked units skipped, as
//                           `mtl train --architecture roaming`), task-alternating: 8 updates
//                           per batch, each on one task's masked forward pass
// Both run through `Trainer.fit`, as `mtl train` does; an epoch's time is its `EpochRecord.seconds`.
// The FLOP counts are the dense computation's (what PyTorch executes), defined in
// Benchmarks/WORKLOADS.md: a training step costs three forward passes but for the first convolution's
// input gradient, which is never needed.

/// FLOPs of one training pass over one 3×32×32 image through the shapes backbone and heads with
/// `headLabelCounts` outputs each (1,024 inputs): 3 × the forward pass, less the first convolution's
/// input gradient.
func shapesStepFLOPsPerImage(headLabelCounts: [Int]) -> Double {
    // (input channels, output channels, output side) of the three 3×3 convolutions.
    let convolutions: [(Double, Double, Double)] = [(3, 16, 32), (16, 32, 16), (32, 64, 8)]
    let convolutionFLOPs = convolutions.map { input, output, side in 2 * output * side * side * input * 9 }
    let headFLOPs = headLabelCounts.map { 2 * 1024 * Double($0) }.reduce(0, +)
    let forward = convolutionFLOPs.reduce(0, +) + headFLOPs
    return 3 * forward - convolutionFLOPs[0]
}

func benchmarkEpochs(threads: Int, repeats: Int, wanted: (String) -> Bool) -> [Measurement] {
    let data: DatasetSplits<MultiTaskDataset>
    do {
        data = try SyntheticDataset.shapes.make(sampleCount: 3000, seed: 0)
    } catch {
        fail("could not generate the shapes data: \(error)")
    }
    let train = data.train
    let labelCounts = train.tasks.map(\.outputCount)
    let warmUp = 1, timed = max(3, repeats / 5)

    /// The median seconds of the timed epochs (after `warmUp` untimed ones), in milliseconds.
    func epochMilliseconds(_ architecture: Architecture, options: ArchitectureOptions) -> Double {
        let model = makeNetwork(architecture, tasks: train.tasks, inputShape: train.inputShape, options: options)
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        let configuration = Trainer.Configuration(epochs: warmUp + timed, batchSize: 64, seed: 0,
                                                  mode: defaultTrainingMode(for: architecture),
                                                  showsProgress: false)
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: configuration)
        do {
            let seconds = try trainer.fit(train).dropFirst(warmUp).map(\.seconds).sorted()
            let middle = seconds.count / 2
            let median = seconds.count % 2 == 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2
            return median * 1e3
        } catch {
            fail("epoch workload \(architecture.rawValue) failed: \(error)")
        }
    }

    var measurements: [Measurement] = []
    let imageCount = Double(train.count)
    if wanted("epoch_shapes_multihead") {
        let milliseconds = epochMilliseconds(.multiHead, options: ArchitectureOptions(width: 16))
        let flops = imageCount * shapesStepFLOPsPerImage(headLabelCounts: labelCounts)
        measurements.append(Measurement(workload: "epoch_shapes_multihead", threads: threads,
                                        milliseconds: milliseconds, flops: flops))
    }
    if wanted("epoch_shapes_roaming") {
        var options = ArchitectureOptions(width: 16, sharingRatio: 0.5, updateInterval: 10)
        options.skipsMaskedUnits = true
        let milliseconds = epochMilliseconds(.maximumRoaming, options: options)
        let flops = labelCounts.map { imageCount * shapesStepFLOPsPerImage(headLabelCounts: [$0]) }.reduce(0, +)
        measurements.append(Measurement(workload: "epoch_shapes_roaming", threads: threads,
                                        milliseconds: milliseconds, flops: flops))
    }
    return measurements
}
