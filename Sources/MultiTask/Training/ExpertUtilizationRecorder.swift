import TaskData

/// Measures the expert utilization (`ExpertUtilization`) of an expert-gated model (MMoE, CGC, PLE)
/// after every epoch on a fixed dataset — usually the validation split — keeps the history, and adds
/// it to the epoch's line of `diagnostics.jsonl` as `"expertUtilization": {…}` when the trainer
/// writes one. A model without gates records nothing.
///
/// ```swift
/// let recorder = ExpertUtilizationRecorder(data: splits.validation)
/// trainer.observers.append(recorder)
/// try trainer.fit(splits.train, validation: splits.validation)
/// try recorder.history.last!.utilization.chart(title: "…", taskNames: names).write(to: url)
/// ```
///
/// Cost: one forward pass of the gates over `data` per epoch (MMoE's and CGC's gates read the input
/// only; PLE's need the levels below them).
public final class ExpertUtilizationRecorder: DiagnosticsContributor {
    /// The samples the gates are averaged over.
    public let data: MultiTaskDataset
    /// Samples per forward pass of the measurement.
    public let batchSize: Int
    /// One measurement per epoch run in this process, in order.
    public private(set) var history: [(epoch: Int, utilization: ExpertUtilization)] = []
    var taskNames: [String] = []

    /// A recorder that measures on `data` after every epoch.
    public init(data: MultiTaskDataset, batchSize: Int = 256) {
        self.data = data
        self.batchSize = batchSize
    }

    /// Keeps the task names for the JSON.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws { taskNames = tasks.map(\.name) }

    /// The utilization after epoch `record.epoch`, measured once (nil for a model without gates).
    func measure(_ trainer: Trainer, epoch record: EpochRecord) -> ExpertUtilization? {
        if let last = history.last, last.epoch == record.epoch { return last.utilization }
        guard let network = trainer.model as? any ExpertGatedNetwork else { return nil }
        let utilization = ExpertUtilization.measure(network, on: data, batchSize: batchSize)
        history.append((record.epoch, utilization))
        return utilization
    }

    /// Measures the epoch (unless the diagnostics writer already asked for it).
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        _ = measure(trainer, epoch: record)
    }

    /// The field `expertUtilization` for the epoch (nothing for a model without gates).
    public func diagnosticsFields(_ trainer: Trainer, epoch record: EpochRecord) -> [(key: String, json: String)] {
        guard let utilization = measure(trainer, epoch: record) else { return [] }
        return [("expertUtilization", utilization.jsonObject(taskNames: taskNames))]
    }
}
