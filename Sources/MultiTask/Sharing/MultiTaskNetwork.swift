import TensorCore
import Autodiff
import NeuralNetworks

/// The base class of every multi-task architecture: a module that answers for one task,
/// `model(x, task: t)`, and for all tasks at once, `model.outputs(x)`.
///
/// Subclasses override `callAsFunction(_:task:)`; those with a shared trunk also override
/// `outputs(_:)` to run the trunk once and return the shared representation Z with the outputs,
/// which is what MGDA-UB differentiates against. `sharedParameters()` lists θ_sh (what gradient
/// aggregation methods balance); everything else is task-specific.
open class MultiTaskNetwork: Module {
    /// The number of tasks T.
    public let taskCount: Int

    public init(taskCount: Int) {
        checkPrecondition(taskCount >= 1, "MultiTaskNetwork: taskCount \(taskCount) must be at least 1")
        self.taskCount = taskCount
    }

    /// The output of task `task` for inputs `input` (batch first).
    open func callAsFunction(_ input: Variable, task: Int) -> Variable {
        fatalError("\(type(of: self)) does not implement callAsFunction(_:task:)")
    }

    /// Every task's output for one shared input batch; by default one forward pass per task.
    open func outputs(_ input: Variable) -> MultiTaskOutputs {
        MultiTaskOutputs(outputs: (0..<taskCount).map { self(input, task: $0) }, sharedRepresentation: nil)
    }

    /// The parameters every task uses (θ_sh). Default: all of them (hard sharing).
    open func sharedParameters() -> [Parameter] { parameters() }

    /// A model with one input has no default forward pass: the task must be named.
    open override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition(taskCount == 1,
                          "\(type(of: self)): name the task, model(x, task: t) (there are \(taskCount))")
        return self(input, task: 0)
    }

    /// A term the architecture adds to the training objective (soft sharing's coupling penalty);
    /// nil for most architectures.
    open func regularizationLoss() -> Variable? { nil }

    /// Hook that `Trainer` calls once per training batch, before that batch's update(s), in every
    /// training mode (Maximum Roaming uses it to roam every Δ batches). `step` is the trainer's batch
    /// counter (`Trainer.step`), from 0 — not the number of optimizer steps: a task-alternating batch
    /// takes one optimizer step per task, T in all, and a random-task-group batch one per group.
    open func willTrain(step: Int) {}

    /// Checks that `task` names one of the tasks.
    public func checkTask(_ task: Int, _ operation: String) {
        checkPrecondition(task >= 0 && task < taskCount, "\(operation): task \(task) outside 0..<\(taskCount)")
    }
}

/// The outputs of all tasks for one input batch, and the shared representation Z they were
/// computed from (nil for architectures without one, such as independent networks).
public struct MultiTaskOutputs {
    public var outputs: [Variable]
    public var sharedRepresentation: Variable?

    public init(outputs: [Variable], sharedRepresentation: Variable?) {
        self.outputs = outputs
        self.sharedRepresentation = sharedRepresentation
    }
}
