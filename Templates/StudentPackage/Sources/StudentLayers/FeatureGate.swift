import MultiTaskKit

/// A learned gate per feature, y = x ⊙ σ(a): a feature the task does not need is turned down
/// rather than removed. Inputs `[B, F]`, one logit a_f per feature (F = `featureCount`), starting
/// at 0 (every gate half open).
///
/// The template's example layer: a stored `Parameter` is found by reflection (its name is
/// "logits"), and the gradient comes from the operations of the forward pass — the tests check both.
public final class FeatureGate: Module {
    /// The gate logits a, `[F]`.
    public let logits: Parameter

    public init(featureCount: Int) {
        logits = Parameter(Tensor.zeros([featureCount]))
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        input * logits.sigmoid()
    }
}
