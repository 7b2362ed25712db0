/// How the trainer turns a batch into updates.
public enum TrainingMode: String, Sendable, CaseIterable {
    /// One update per batch on the balancer's combination of all task losses.
    case summed
    /// For each batch, for each task in turn: forward, that task's loss, backward, update — T
    /// updates per batch (the Maximum Roaming reference's training loop). The balancer is not
    /// used; each task's loss is stepped on alone.
    case taskAlternating
    /// Random task grouping (Pascal, Michiardi et al., "Improved Optimization Strategies for Deep
    /// Multi-Task Networks", 2021): for each batch the tasks are split into random groups of
    /// `Configuration.taskGroupSize` (the last may be smaller) and each group takes one update on
    /// the balancer's combination of its losses (a fresh forward pass per group). k = 1 is fully
    /// alternating in a random order; k = T is one summed update.
    case randomTaskGroups
}
