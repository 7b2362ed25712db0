import TensorCore

/// A node of the computation graph: a `Tensor` value, the nodes it was computed from, and the rule
/// that sends a gradient back to them (reverse-mode automatic differentiation).
///
/// Every differentiable operation on variables builds its output value *and* a small closure, the
/// backward rule: given the gradient of the final loss with respect to the output (the "upstream"
/// gradient ∂L/∂y), it returns ∂L/∂xᵢ for each parent xᵢ — the chain rule, one step at a time.
/// `backward()` visits the graph from the loss towards the inputs in reverse topological order and
/// applies these rules (micrograd's design, on tensors).
///
/// ```swift
/// let w = Variable(Tensor([[1, 2], [3, 4]]), requiresGradient: true)
/// let x = Variable(Tensor([[1], [1]]))
/// let loss = (w • x).squared().sum()
/// loss.backward()          // w.grad == 2 · (w·x) · xᵀ
/// ```
///
/// Memory: a node holds its parents strongly and nothing else; backward rules capture tensors,
/// never nodes, so a graph has no reference cycles and is freed as soon as the last reference to
/// its output (usually the loss) goes away.
open class Variable {
    /// The value computed in the forward pass.
    public internal(set) var value: Tensor
    /// The accumulated gradient ∂L/∂self after `backward()` (leaves only, like PyTorch), else nil.
    public var grad: Tensor?
    /// Whether gradients flow to this node (true for trainable leaves and anything computed from
    /// them). Leaves can change it with `setRequiresGradient(_:)` (freezing a parameter).
    public private(set) var requiresGradient: Bool
    /// The name of the operation that produced this node ("leaf" for inputs), for messages.
    public let operation: String
    /// The nodes this one was computed from (empty for leaves).
    var parents: [Variable]
    /// ∂L/∂parents from ∂L/∂self. `needed[i]` says whether parent i wants a gradient, so rules can
    /// skip expensive products nobody reads (they return nil there).
    let backwardRule: ((_ upstream: Tensor, _ needed: [Bool]) -> [Tensor?])?

    /// A leaf: an input or a trainable parameter.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.operation = "leaf"
        self.parents = []
        self.backwardRule = nil
    }

    /// The result of an operation: its value, its inputs and its backward rule — how to add your
    /// own differentiable operation. `backward(upstream, needed)` returns one gradient per parent,
    /// each of that parent's shape (or nil where `needed` is false).
    ///
    /// The parents and rule are recorded only while gradients are recorded and some parent requires
    /// a gradient; otherwise the result is a constant.
    /// ```swift
    /// extension Variable {
    ///     func cube() -> Variable {            // y = x³, ∂y/∂x = 3x²
    ///         let x = value
    ///         return Variable(x * x * x, operation: "cube", parents: [self]) { upstream, _ in
    ///             [upstream * x * x * 3]
    ///         }
    ///     }
    /// }
    /// ```
    public init(_ value: Tensor, operation: String, parents: [Variable],
                backward: @escaping (_ upstream: Tensor, _ needed: [Bool]) -> [Tensor?]) {
        self.value = value
        self.operation = operation
        if GradientRecording.isEnabled && parents.contains(where: \.requiresGradient) {
            self.requiresGradient = true
            self.parents = parents
            self.backwardRule = backward
        } else {
            self.requiresGradient = false
            self.parents = []
            self.backwardRule = nil
        }
    }

    /// Turns gradient tracking of a leaf on or off (a frozen parameter gets no gradient and costs
    /// no backward work).
    public func setRequiresGradient(_ flag: Bool) {
        checkPrecondition(isLeaf, "setRequiresGradient: only leaves can change, not the result of '\(operation)'")
        requiresGradient = flag
    }

    /// Whether this node is a leaf (an input or parameter, not computed from other nodes).
    public var isLeaf: Bool { backwardRule == nil }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }
    /// The number of dimensions of the value.
    public var rank: Int { value.rank }

    /// A constant with the same value: gradients stop here (`stopGradient`, `.detach()`).
    public func detached() -> Variable { Variable(value) }

    /// Replaces the value of a leaf in place (optimizer updates). Gradients of graphs built
    /// before the change are unaffected.
    public func assign(_ newValue: Tensor) {
        checkPrecondition(isLeaf, "Variable.assign: only leaves can be assigned, not the result of '\(operation)'")
        checkPrecondition(newValue.shape == value.shape,
                          "Variable.assign: new value \(newValue.shape) does not match \(value.shape)")
        value = newValue
    }

    /// Updates the value of a leaf in place with `body` (no copy when the storage is not shared).
    public func update(_ body: (inout Tensor) -> Void) {
        checkPrecondition(isLeaf, "Variable.update: only leaves can be updated, not the result of '\(operation)'")
        let shape = value.shape
        body(&value)
        checkPrecondition(value.shape == shape,
                          "Variable.update: the update changed the shape \(shape) to \(value.shape)")
    }

    deinit {
        // Free long chains without recursion: releasing a node would release its parent, which
        // releases its parent, … — 10,000 nested deinits overflow a thread's stack. Instead, take
        // over the parents of every node we hold the last reference to, and let each die childless.
        var pending = parents
        parents.removeAll()
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.parents)
                node.parents.removeAll()
            }
        }
    }
}

extension Variable: CustomStringConvertible {
    /// The operation that produced the variable, whether it requires a gradient, and its value.
    public var description: String {
        "Variable(\(operation), requiresGradient: \(requiresGradient), \(value))"
    }
}

/// Whether operations record the graph. Recording is on by default; `withoutGradients` turns it off
/// for a block (evaluation, optimizer updates), on the current thread or task only.
public enum GradientRecording {
    @TaskLocal static var isDisabled = false

    /// Whether new operations record their parents and backward rules.
    public static var isEnabled: Bool { !isDisabled }
}

/// Runs `body` without recording a graph: every variable it creates is a constant. Use it for
/// evaluation and optimizer updates (less memory, no bookkeeping).
public func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradientRecording.$isDisabled.withValue(true) { try body() }
}
