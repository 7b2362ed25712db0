import MultiTaskKit

/// Project-specific workloads (no peer): one training step of the `mtl_cnn_step` network (4 tasks,
/// batch 64) with each balancing method — forward, the balancer's backward, the optimizer step —
/// and the forward pass alone. (step − forward) / (EW step − forward) counts backward-pass
/// equivalents: methods on per-task gradients should stay near T = 4.
func benchmarkBalancerSteps(threads: Int, repeats: Int) -> [Measurement] {
    var generator = SeededGenerator(seed: 1)
    let input = Tensor.normal([64, 3, 32, 32], using: &generator)
    let targets = (0..<4).map { _ in (0..<64).map { _ in generator.nextInt(below: 2) } }
    var measurements: [Measurement] = []
    let forwardModel = makeCNN(random: RandomSource(seed: 0))
    measurements.append(Measurement(workload: "mtl_cnn_forward", threads: threads,
                                    milliseconds: timeMedian(warmUp: 3, repeats: repeats) {
        _ = zip(forwardModel.outputs(Variable(input)).outputs, targets).map { crossEntropy(logits: $0, targets: $1) }
    }))
    for method in BalancingMethod.allCases {
        let model = makeCNN(random: RandomSource(seed: 0))
        let (balancer, optimizer) = method.make(for: model, learningRate: 1e-3, seed: 0)
        var step = 0
        let milliseconds = timeMedian(warmUp: 3, repeats: repeats) {
            model.zeroGradients()
            let outputs = model.outputs(Variable(input))
            let losses = zip(outputs.outputs, targets).map { crossEntropy(logits: $0, targets: $1) }
            _ = balancer.backward(losses: losses, context: BalancingContext(
                model: model, tasks: Array(0..<4), sharedParameters: model.sharedParameters(),
                sharedRepresentation: outputs.sharedRepresentation, step: step))
            optimizer.step()
            step += 1
        }
        measurements.append(Measurement(workload: "mtl_balancer_step_\(method.rawValue)", threads: threads,
                                        milliseconds: milliseconds))
    }
    return measurements
}
