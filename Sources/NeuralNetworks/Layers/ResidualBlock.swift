import TensorCore
import Autodiff

/// A residual block (He et al., *Deep Residual Learning for Image Recognition*, CVPR 2016):
/// `y = ReLU(F(x) + S(x))`, with F the `residual` branch (e.g. conv → BN → ReLU → conv → BN) and S
/// the `shortcut` — the identity when it is nil, or a projection (a 1×1 convolution with the
/// residual's stride) when the shape changes. The identity path lets the gradient reach early
/// layers undiminished, which is what makes deep stacks of such blocks trainable.
///
/// Shapes: `F(x)` and `S(x)` must agree (`[N, C, H, W]` or `[N, D]`). Parameters are named
/// `residual.…` and `shortcut.…`.
public final class ResidualBlock: Module {
    /// F, the residual branch.
    public let residual: Module
    /// S, the projection shortcut; nil: the identity.
    public let shortcut: Module?

    /// The block `ReLU(residual(x) + shortcut(x))`; leave `shortcut` nil when `residual` keeps the shape.
    public init(residual: Module, shortcut: Module? = nil) {
        self.residual = residual
        self.shortcut = shortcut
    }

    /// ReLU(F(x) + S(x)).
    public override func callAsFunction(_ input: Variable) -> Variable {
        (residual(input) + (shortcut.map { $0(input) } ?? input)).relu()
    }
}
