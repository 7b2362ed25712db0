import TensorCore
import Autodiff
import NeuralNetworks

/// The base class of every multi-task architecture: a module that answers for one task,
/// `model(x, task: t)`, and for all tasks at once, `model.outputs(x)`.
///
/// **The contract** a subclass fulfils (chapter 14 builds one, `GatedSharingNetwork`, and checks it):
///
/// | member | required? | what it says |
/// |---|---|---|
/// | `callAsFunction(_:task:)` | yes | task t's output for inputs `[B, …]` |
/// | `sharedParameters()` | yes | θ_sh: the parameters every task uses |
/// | `outputs(_:)` | no (one pass per task, Z = nil) | all outputs, and Z when there is one |
/// | `regularizationLoss()` | no (nil) | a term added unweighted to every update |
/// | `willTrain(step:)` | no (nothing) | a hook before each training batch |
///
/// **θ_sh** (`sharedParameters()`) is what gradient-based balancers balance: MGDA, PCGrad and
/// Nash-MTL take one gradient per task over exactly these parameters and treat everything else as
/// task-specific; GradNorm measures its norms on the last of them, AdaTask keeps per-task moments
/// for them. There is no safe default — "all parameters" would make them treat towers, heads and
/// gates as shared — so a subclass must override it. (Swift has no abstract methods: the base
/// implementation stops the program with a message naming the class, and `Trainer` asks for θ_sh
/// when it is created, so a forgotten override fails before the first step, whatever the balancer.)
/// Return `parameters()` when everything is shared (task-conditioned networks), `[]` when nothing
/// is (independent networks, soft sharing).
///
/// **Z** (`MultiTaskOutputs.sharedRepresentation`) is a tensor computed by the shared parameters
/// such that they reach every task's loss *only* through it: ∇_{θ_sh} L_t = (∂Z/∂θ_sh)ᵀ ∇_Z L_t.
/// MGDA-UB (`MGDA(gradientsWith: .representation)`) solves for its weights on ∇_Z L_t, one cheap
/// backward pass through the task's head each; the bound
/// ‖∇_{θ_sh} Σ α_t L_t‖ ≤ ‖∂Z/∂θ_sh‖·‖Σ α_t ∇_Z L_t‖ holds only for such a Z. Per kind of
/// architecture:
/// - a shared trunk with task heads (`MultiHeadNetwork`): Z = trunk(x), `[B, features]`;
/// - shared and private encoders (chapter 14's `GatedSharingNetwork`): Z = the shared encoder's output;
/// - a mixture of experts gated per task (MMoE, θ_sh = the experts): Z can be the experts' outputs
///   stacked, `[B, E, features]` — each task's gate mixes them differently, but the experts reach
///   the losses only through them;
/// - no such tensor, Z = nil (the default `outputs(_:)` returns nil): independent networks and soft
///   sharing (θ_sh is empty); task conditioning (`TaskConditionedNetwork`), whose shared decoder
///   acts after the task enters, so encoder(x) is not a bottleneck for θ_sh; cross-stitch units and
///   task-routed trunks (Maximum Roaming's masks, squeeze-and-excitation gates), whose shared
///   weights act differently per task.
///
/// When Z is nil, MGDA-UB falls back to exact MGDA: one full backward pass per task over θ_sh.
/// (With θ_sh empty too, every task gradient is empty, any α is optimal, and the solver returns ½
/// on the first two tasks: use a loss-weighting balancer there.) A Z that breaks the rule above
/// crashes nothing: it silently makes MGDA-UB optimize the wrong bound, so test it —
/// `expectSharingContract` in MultiTaskKitTesting compares ∇_{θ_sh} L_t through Z with the full
/// backward pass.
open class MultiTaskNetwork: Module {
    /// The number of tasks T.
    public let taskCount: Int

    /// A network for `taskCount` tasks (at least 1); subclasses build their modules, then call it.
    public init(taskCount: Int) {
        checkPrecondition(taskCount >= 1, "MultiTaskNetwork: taskCount \(taskCount) must be at least 1")
        self.taskCount = taskCount
    }

    /// The output of task `task` for inputs `input` (batch first).
    open func callAsFunction(_ input: Variable, task: Int) -> Variable {
        fatalError("\(type(of: self)) does not implement callAsFunction(_:task:)")
    }

    /// Every task's output for one shared input batch, and Z (see the class's documentation) when
    /// the architecture has one; by default one forward pass per task and Z = nil.
    open func outputs(_ input: Variable) -> MultiTaskOutputs {
        MultiTaskOutputs(outputs: (0..<taskCount).map { self(input, task: $0) }, sharedRepresentation: nil)
    }

    /// The parameters every task uses (θ_sh), a subset of `parameters()`. Required: there is no
    /// default (see the class's documentation), and the base implementation stops with a message.
    open func sharedParameters() -> [Parameter] {
        fatalError("""
            \(type(of: self)) must override sharedParameters(): return the parameters every task uses \
            (θ_sh, what MGDA, PCGrad, Nash-MTL, GradNorm and AdaTask balance) — parameters() when everything \
            is shared, [] when nothing is. There is no default: "all parameters" would make those balancers \
            treat task-specific layers (heads, towers, gates) as shared.
            """)
    }

    /// θ_sh, checked against the contract: every entry a parameter of this model, none twice.
    /// `Trainer` calls it when it is created, so a forgotten override or a parameter that is not the
    /// model's (a fresh `Parameter` built in `sharedParameters()`) stops the program before training.
    public func checkedSharedParameters(_ caller: String) -> [Parameter] {
        let shared = sharedParameters()
        let names = Dictionary(uniqueKeysWithValues: namedParameters().map {
            (ObjectIdentifier($0.parameter), $0.name)
        })
        var seen = Set<ObjectIdentifier>()
        for parameter in shared {
            let id = ObjectIdentifier(parameter)
            checkPrecondition(names[id] != nil, "\(caller): \(type(of: self)).sharedParameters() returned a "
                              + "parameter of shape \(parameter.shape) that is not among its parameters()")
            checkPrecondition(seen.insert(id).inserted, "\(caller): \(type(of: self)).sharedParameters() "
                              + "lists \(names[id] ?? "a parameter") twice")
        }
        return shared
    }

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
/// computed from: a tensor through which every shared parameter reaches every task's loss (what Z
/// is for each kind of architecture: `MultiTaskNetwork`), nil for architectures without one, such
/// as independent networks.
public struct MultiTaskOutputs {
    /// ŷ_t for each task, in task order (`[B, …]` in the layout of the task's kind).
    public var outputs: [Variable]
    /// Z, the shared representation every shared parameter reaches every loss through; nil when there is none.
    public var sharedRepresentation: Variable?

    /// The task outputs and, when the architecture has one, Z (see `MultiTaskNetwork` for what qualifies).
    public init(outputs: [Variable], sharedRepresentation: Variable?) {
        self.outputs = outputs
        self.sharedRepresentation = sharedRepresentation
    }
}
