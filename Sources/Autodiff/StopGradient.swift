import TensorCore

extension Variable {
    /// The straight-through estimator: the forward value is `forwardValue`, but the gradient passes
    /// to `self` unchanged, as if the output were `self` (Bengio et al., 2013). Used for hard
    /// (one-hot) samples of a Gumbel-softmax whose gradient is that of the soft sample:
    /// `soft.straightThrough(forwardValue: hardOneHot)` ≡ `soft + stopGradient(hard − soft)`.
    public func straightThrough(forwardValue: Tensor) -> Variable {
        checkPrecondition(forwardValue.shape == shape,
                          "straightThrough: forward value \(forwardValue.shape) does not match \(shape)")
        return Variable(forwardValue, operation: "straightThrough", parents: [self]) { upstream, _ in [upstream] }
    }
}

/// A constant with the value of `variable`: no gradient flows through it (`stop_gradient`).
public func stopGradient(_ variable: Variable) -> Variable { variable.detached() }
