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
    /// The rule a value read from a checkpoint must satisfy besides its shape: returns why a value is
    /// unacceptable, or nil. The owning module states it (a mask needs an active unit per row, a
    /// counter a whole number); the default accepts any finite values.
    public let validation: @Sendable (Tensor) -> String?

    /// Creates a buffer with an initial value and, optionally, the rule restored values must satisfy.
    public init(_ value: Tensor, validation: @escaping @Sendable (Tensor) -> String? = Buffer.finiteValues) {
        self.value = value
        self.validation = validation
    }

    /// The default rule: every value finite.
    public static let finiteValues: @Sendable (Tensor) -> String? = { tensor in
        tensor.scalars.allSatisfy(\.isFinite) ? nil : "it holds NaN or infinite values"
    }
}
