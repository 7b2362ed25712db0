import TensorCore
import Autodiff

/// Layers applied one after the other. Parameters are named `layers.0.weight`, `layers.1.bias`, ….
public final class Sequential: Module {
    public let layers: [Module]
    public init(_ layers: [Module]) { self.layers = layers }
    public convenience init(_ layers: Module...) { self.init(layers) }

    public override func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { $1($0) }
    }
}
