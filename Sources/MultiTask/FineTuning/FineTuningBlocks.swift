import NeuralNetworks

/// The blocks of a network for fine-tuning, from the input to the output: for a `MultiHeadNetwork`
/// whose trunk is a `Sequential` (every network `makeNetwork(.multiHead, …)` builds), each trunk
/// stage that has parameters, then all heads together as the top block. Other architectures throw
/// `FineTuningError.unsupportedArchitecture`: their parameters do not split into levels this way
/// (several trunks, task-routed layers).
public func fineTuningBlocks(of model: MultiTaskNetwork) throws -> [[Parameter]] {
    guard let network = model as? MultiHeadNetwork, let trunk = network.trunk as? Sequential else {
        throw FineTuningError.unsupportedArchitecture(String(describing: type(of: model)))
    }
    let stages = trunk.layers.map { $0.parameters() }.filter { !$0.isEmpty }
    return stages + [network.heads.flatMap { $0.parameters() }]
}
