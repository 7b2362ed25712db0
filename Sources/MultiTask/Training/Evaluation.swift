import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// One task's results on a split: the mean loss and the task's metrics.
public struct TaskEvaluation: Sendable {
    /// The task's name.
    public var task: String
    /// The task's loss averaged over the split's samples.
    public var loss: Double
    /// The value of each of the task's built-in metrics, over the whole split.
    public var metrics: [MetricKind: Double]
    /// The task's first (main) metric.
    public var mainMetric: MetricKind
    /// The main metric's value (NaN if it was not computed): what model selection compares.
    public var mainValue: Double { metrics[mainMetric] ?? .nan }
    /// The values of the task's custom metrics (`TaskSpec.customMetrics`), by name.
    public var customMetrics: [String: Double]

    /// One task's results, as `evaluate` computes them.
    public init(task: String, loss: Double, metrics: [MetricKind: Double], mainMetric: MetricKind,
                customMetrics: [String: Double] = [:]) {
        self.task = task
        self.loss = loss
        self.metrics = metrics
        self.mainMetric = mainMetric
        self.customMetrics = customMetrics
    }
}

/// Evaluates `model` on every task of a single-input dataset, in evaluation mode and without
/// recording a graph; losses are sample-weighted means over the batches, metrics come from
/// counts over the whole split.
///
/// Partially labelled data (`MultiTaskDataset.labelMask`): each task's loss and metrics count its
/// labelled samples only; a task with no labelled sample in the split gets loss and metrics NaN.
public func evaluate(_ model: MultiTaskNetwork, on data: MultiTaskDataset, batchSize: Int = 256) -> [TaskEvaluation] {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    var accumulators = data.tasks.map { TaskMetricAccumulator(spec: $0) }
    var lossSums = Array(repeating: 0.0, count: data.tasks.count), labelledCounts = lossSums
    withoutGradients {
        for batch in data.batches(size: batchSize) {
            let outputs = model.outputs(Variable(batch.inputs)).outputs
            for task in data.tasks.indices {
                let labelled = batch.labelMask.labelledSamples(task: task)
                guard let loss = maskedTaskLoss(data.tasks[task], output: outputs[task], target: batch.targets[task],
                                                labelled: labelled) else { continue }
                lossSums[task] += Double(loss.value.scalar) * Double(labelled.count)
                labelledCounts[task] += Double(labelled.count)
                if labelled.count == batch.count {
                    accumulators[task].add(output: outputs[task].value, target: batch.targets[task])
                } else {
                    accumulators[task].add(output: outputs[task].value.gathering(labelled),
                                           target: batch.targets[task].gathering(labelled))
                }
            }
        }
    }
    return data.tasks.indices.map { task in
        let loss = labelledCounts[task] > 0 ? lossSums[task] / labelledCounts[task] : (data.count == 0 ? 0 : .nan)
        return TaskEvaluation(task: data.tasks[task].name, loss: loss,
                              metrics: accumulators[task].values, mainMetric: data.tasks[task].metrics[0],
                              customMetrics: accumulators[task].customValues)
    }
}

/// Evaluates `model` on a multi-input dataset: each task on its own samples.
public func evaluate(_ model: MultiTaskNetwork, on data: MultiInputDataset, batchSize: Int = 256) -> [TaskEvaluation] {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    return data.tasks.indices.map { task in
        let spec = data.tasks[task], samples = data.samples[task]
        var accumulator = TaskMetricAccumulator(spec: spec)
        var lossSum = 0.0
        withoutGradients {
            for start in stride(from: 0, to: samples.count, by: batchSize) {
                let range = start..<min(samples.count, start + batchSize)
                let inputs = samples.inputs.sliced(range), targets = samples.targets.sliced(range)
                let output = model(Variable(inputs), task: task)
                lossSum += Double(taskLoss(spec, output: output, target: targets).value.scalar) * Double(range.count)
                accumulator.add(output: output.value, target: targets)
            }
        }
        return TaskEvaluation(task: spec.name, loss: lossSum / Double(max(1, samples.count)),
                              metrics: accumulator.values, mainMetric: spec.metrics[0],
                              customMetrics: accumulator.customValues)
    }
}
