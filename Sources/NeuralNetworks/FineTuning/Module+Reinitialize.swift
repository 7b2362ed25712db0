import TensorCore
import Autodiff

extension Module {
    /// Draws every parameter of this module and its descendants afresh from its layer's default
    /// initializer (`resetParameters(using:)`: Kaiming-uniform weights for `Linear` and `Conv2D` as
    /// PyTorch's, γ = 1 and β = 0 for batch normalization, …) and resets their buffers, from one
    /// seeded stream: the same `random` seed gives the same weights.
    ///
    /// Fine-tuning practice re-initializes the last layer of a pretrained network before training it
    /// on a new task: `model.heads[t].reinitialize(random: RandomSource(seed: 7))`.
    ///
    /// Modules are visited in `namedModules()` order. A module with parameters of its own and no
    /// `resetParameters(using:)` of its type throws `WeightLoadingError.cannotReinitialize`, and then
    /// every value is put back: the tree is unchanged.
    public func reinitialize(random: RandomSource) throws {
        let parameters = namedParameters(), buffers = namedBuffers()
        let savedParameters = parameters.map(\.parameter.value), savedBuffers = buffers.map(\.buffer.value)
        do {
            try random.withGenerator { generator in
                for (name, module) in namedModules() {
                    do { try module.resetParameters(using: &generator) } catch WeightLoadingError.cannotReinitialize(
                        _, let type) {
                        throw WeightLoadingError.cannotReinitialize(module: name.isEmpty ? "(the root)" : name,
                                                                    type: type)
                    }
                }
            }
        } catch {
            for (named, value) in zip(parameters, savedParameters) { named.parameter.assign(value) }
            for (named, value) in zip(buffers, savedBuffers) { named.buffer.value = value }
            throw error
        }
    }
}
