import TensorCore
import Autodiff

/// A trainable tensor owned by a `Module`: a leaf `Variable` that optimizers update.
///
/// Because a parameter *is* a variable, layer code uses it directly: `input • weight + bias`.
/// A frozen parameter (`isFrozen = true`) gets no gradient — backward skips it — and no update.
public final class Parameter: Variable {
    /// Creates a trainable parameter with an initial value.
    public init(_ value: Tensor) {
        super.init(value, requiresGradient: true)
    }

    /// Whether the parameter is excluded from training (no gradient, no optimizer update).
    public var isFrozen: Bool {
        get { !requiresGradient }
        set { setRequiresGradient(!newValue) }
    }
}

/// A non-trainable tensor that belongs to a module's state and is saved in checkpoints — batch
/// normalization's running mean and variance, for example.
public final class Buffer {
    /// The current value.
    public var value: Tensor
    /// Creates a buffer with an initial value.
    public init(_ value: Tensor) { self.value = value }
}
