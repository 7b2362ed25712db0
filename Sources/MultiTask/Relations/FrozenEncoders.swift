import TensorCore
import Autodiff
import NeuralNetworks

/// The frozen encoders of one or more source tasks, their features concatenated along the feature
/// (channel) axis: E_{s₁}(x) ‖ E_{s₂}(x) ‖ … — the input of a Taskonomy transfer readout (first
/// order: one encoder; higher order: the k top sources).
///
/// Shapes: input `[B, …]`; each encoder gives `[B, F_i]` (or `[B, F_i, H, W]` for dense tasks);
/// the output is `[B, Σ F_i]` (or `[B, Σ F_i, H, W]`).
///
/// Every parameter is frozen when the module is made (`Module.freeze()`): backward skips them and
/// no optimizer updates them, so a readout trained on top sees fixed features.
/// - Note: the encoders keep whatever mode `train()`/`eval()` sets; the standard plain backbone has
///   no dropout or batch normalization, so its features are the same in both.
public final class FrozenEncoders: Module {
    /// The source tasks' encoders, in the order of the concatenated features.
    public let encoders: [Module]

    /// Holds `encoders` and freezes every parameter they have.
    public init(_ encoders: [Module]) {
        checkPrecondition(!encoders.isEmpty, "FrozenEncoders: needs at least one encoder")
        self.encoders = encoders
        super.init()
        freeze()
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        let features = encoders.map { $0(input) }
        return features.count == 1 ? features[0] : Variable.concatenating(features, alongAxis: 1)
    }
}
