import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The two cheap affinity estimators, measured together during one multi-head training run: they
/// need a single network for all tasks where Taskonomy needs T single-task networks and T² readouts.
///
/// Shapes: T tasks; both matrices T × T, row = source s, column = target t.
public struct TrainingAffinities: Sendable {
    /// The mean over measurements of cos(g_s, g_t), g_t = ∇_{θ_sh} L_t (`GradientStatistics`):
    /// positive when a step for s is, to first order, also a step for t. Symmetric.
    public var gradientCosine: TaskAffinity
    /// The mean over measurements of Z_{s→t} = 1 − L_t(θ_sh − η g_s) / L_t(θ_sh)
    /// (`lookaheadAffinity`). Not symmetric.
    public var lookahead: TaskAffinity
    /// How many steps were measured.
    public var measurementCount: Int
}

/// The lookahead inter-task affinity of one batch (TAG: Fifty et al., "Efficiently Identifying Task
/// Groupings in Multi-Task Learning", NeurIPS 2021):
///
///     θ′_s = θ_sh − η g_s,     Z_{s→t} = 1 − L_t(θ′_s) / L_t(θ_sh)
///
/// for every source s and target t, on the same batch, the task heads unchanged. Z_{s→t} > 0: a step
/// on s alone lowers t's loss (s helps t); < 0: it raises it. Costs T backward passes (in
/// `gradients`) and T extra forward passes. The shared parameters are restored afterwards.
///
/// - Parameters:
///   - model: the network; its `sharedParameters()` are θ_sh.
///   - inputs: the batch `[B, …]`.
///   - targets: `targets[t]`, task t's targets `[B, …]`.
///   - tasks: the tasks' specs (their losses).
///   - gradients: the batch's per-task gradients (`TaskGradients`) at θ_sh.
///   - stepSize: η of the lookahead step (a plain gradient step).
/// - Returns: Z, T × T, `Z[s][t]`.
public func lookaheadAffinity(model: MultiTaskNetwork, inputs: Tensor, targets: [Tensor], tasks: [TaskSpec],
                              gradients: TaskGradients, stepSize: Float) -> [[Double]] {
    let shared = gradients.sharedParameters
    let saved = shared.map(\.value)
    func losses() -> [Double] {
        withoutGradients {
            let outputs = model.outputs(Variable(inputs)).outputs
            return tasks.indices.map {
                Double(taskLoss(tasks[$0], output: outputs[$0], target: targets[$0]).value.scalars[0])
            }
        }
    }
    let before = losses()
    var affinity: [[Double]] = []
    for source in tasks.indices {
        var offset = 0
        for (parameter, value) in zip(shared, saved) {
            let count = value.count
            let step = Tensor(shape: value.shape, scalars: Array(gradients.shared[source][offset..<(offset + count)]))
            parameter.assign(value - step * stepSize)
            offset += count
        }
        let after = losses()
        affinity.append(tasks.indices.map { before[$0] > 0 ? 1 - after[$0] / before[$0] : 0 })
    }
    for (parameter, value) in zip(shared, saved) { parameter.assign(value) }
    return affinity
}

/// Trains a multi-head network (the standard backbone, equal weights, Adam) on `data` and measures
/// both cheap affinities every `interval` steps, before the step: the gradient cosines and the
/// lookahead affinity, averaged over the measurements of the whole run (Fifty et al. average Z
/// over training too).
///
/// - Parameters:
///   - data: a single-input dataset (its training split).
///   - options: the network (`options.seed` seeds its weights and the batch order).
///   - epochs: epochs of the measured training run.
///   - batchSize: samples per batch.
///   - learningRate: Adam's step size for the run.
///   - interval: measure every this many steps (≥ 1).
///   - lookaheadStepSize: η of the lookahead step.
/// - Note: TAG's lookahead uses the optimizer's own update; we take a plain gradient step of size
///   η (default 0.01, larger than Adam's rate so that the loss change stays well above Float
///   rounding) — the sign and the order of Z, which grouping and the lab read, are what matter.
public func measureTrainingAffinities(data: MultiTaskDataset, options: ArchitectureOptions, epochs: Int,
                                      batchSize: Int = 64, learningRate: Float = 1e-3, interval: Int = 5,
                                      lookaheadStepSize: Float = 0.01) -> TrainingAffinities {
    checkPrecondition(epochs >= 1 && batchSize >= 1 && interval >= 1,
                      "measureTrainingAffinities: epochs \(epochs), batch size \(batchSize), interval \(interval) "
                        + "must be ≥ 1")
    let tasks = data.tasks
    let model = makeNetwork(.multiHead, tasks: tasks, inputShape: data.inputShape, options: options)
    let optimizer = Adam(parameters: model.parameters(), learningRate: learningRate)
    let count = tasks.count
    var cosineSum = Array(repeating: Array(repeating: 0.0, count: count), count: count)
    var lookaheadSum = cosineSum
    var measurements = 0, step = 0
    model.train()
    for epoch in 0..<epochs {
        for batch in data.batches(size: batchSize, shuffleSeed: options.seed &+ UInt64(epoch)) {
            let outputs = model.outputs(Variable(batch.inputs)).outputs
            let losses = tasks.indices.map { taskLoss(tasks[$0], output: outputs[$0], target: batch.targets[$0]) }
            let gradients = TaskGradients(losses: losses, model: model, sharedParameters: model.sharedParameters())
            if step % interval == 0 {
                let cosines = GradientStatistics(tasks: Array(tasks.indices), gradients: gradients.shared).cosines
                let lookahead = lookaheadAffinity(model: model, inputs: batch.inputs, targets: batch.targets,
                                                  tasks: tasks, gradients: gradients, stepSize: lookaheadStepSize)
                for s in 0..<count {
                    for t in 0..<count {
                        cosineSum[s][t] += cosines[s][t]
                        lookaheadSum[s][t] += lookahead[s][t]
                    }
                }
                measurements += 1
            }
            optimizer.zeroGradients()
            gradients.accumulate(sharedUpdate: gradients.combination(weights: Array(repeating: 1, count: count)),
                                 specificWeights: Array(repeating: 1, count: count))
            optimizer.step()
            step += 1
        }
    }
    let names = tasks.map(\.name)
    let scale = 1 / Double(max(1, measurements))
    return TrainingAffinities(
        gradientCosine: TaskAffinity(taskNames: names, values: cosineSum.map { $0.map { $0 * scale } },
                                     method: "gradient"),
        lookahead: TaskAffinity(taskNames: names, values: lookaheadSum.map { $0.map { $0 * scale } },
                                method: "lookahead"),
        measurementCount: measurements)
}
