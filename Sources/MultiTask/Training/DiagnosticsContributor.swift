/// An observer (in `Trainer.observers`) that adds fields to each epoch's line of `diagnostics.jsonl`
/// (`DiagnosticsWriter`). The writer runs before the added observers, so it asks them for their
/// fields when it writes; a contributor computes them then (and may keep them for its own
/// `trainer(_:didFinishEpoch:)`).
public protocol DiagnosticsContributor: TrainingObserver {
    /// The epoch's fields as (key, JSON value) pairs, e.g. `("expertUtilization", "{…}")`; none to
    /// add nothing.
    func diagnosticsFields(_ trainer: Trainer, epoch record: EpochRecord) -> [(key: String, json: String)]
}
