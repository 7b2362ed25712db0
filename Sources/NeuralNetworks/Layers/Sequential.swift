import TensorCore
import Autodiff

/// Layers applied one after the other. Parameters are named `layers.0.weight`, `layers.1.bias`, ….
public final class Sequential: Module {
    /// The layers in the order they are applied; `layers.i` prefixes the names of layer i's parameters.
    public let layers: [Module]
    /// The composition of `layers`, the first applied first.
    public init(_ layers: [Module]) { self.layers = layers }
    /// The composition of the layers listed, the first applied first: `Sequential(conv, relu, pool)`.
    public convenience init(_ layers: Module...) { self.init(layers) }

    public override func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { $1($0) }
    }
}
