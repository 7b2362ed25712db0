import Testing
import TestSupport
import TensorCore
import Autodiff
import NeuralNetworks

/// Chapter 05 — modules: discovery, names, modes, freezing, printing, custom layers.
@Suite("Modules")
struct ModuleTests {
    /// A custom layer in a few lines: stored properties and callAsFunction, nothing to register.
    final class Scale: Module {
        let factor = Parameter(Tensor([2]))
        override func callAsFunction(_ input: Variable) -> Variable { input * factor }
    }

    final class TwoHeads: Module {
        let trunk = Sequential(Linear(inputCount: 3, outputCount: 4, random: RandomSource(seed: 1)), ReLU())
        let heads: [String: Module] = ["depth": Linear(inputCount: 4, outputCount: 1, random: RandomSource(seed: 2)),
                                       "class": Linear(inputCount: 4, outputCount: 2, bias: false,
                                                       random: RandomSource(seed: 3))]
        let extra: [Parameter] = [Parameter(Tensor([1])), Parameter(Tensor([2, 3]))]
        let optionalScale: Scale? = Scale()
        let missing: Scale? = nil
        let norm = BatchNorm1D(featureCount: 4)
        let notAModule = 42
    }

    @Test("parameters and buffers are found with dotted names, through arrays, dictionaries and optionals")
    func discovery() {
        let model = TwoHeads()
        let names = model.namedParameters().map(\.name)
        #expect(names == ["trunk.layers.0.weight", "trunk.layers.0.bias", "heads.class.weight", "heads.depth.weight",
                          "heads.depth.bias", "extra.0", "extra.1", "optionalScale.factor", "norm.scale",
                          "norm.offset"])
        #expect(model.namedBuffers().map(\.name) == ["norm.runningMean", "norm.runningVariance"])
        #expect(model.parameterCount == 12 + 4 + 8 + 4 + 1 + 1 + 2 + 1 + 4 + 4)
        #expect(model.namedModules().map(\.name).contains("heads.depth"))
    }

    @Test("modules in an array of arrays are found as name.row.column (regression: cross-stitch columns were skipped)")
    func nestedArrays() {
        final class Grid: Module {
            let columns: [[Module]] = [[Linear(inputCount: 2, outputCount: 2), ReLU()],
                                       [Linear(inputCount: 2, outputCount: 1)]]
        }
        #expect(Grid().namedParameters().map(\.name) == ["columns.0.0.weight", "columns.0.0.bias", "columns.1.0.weight",
                                                         "columns.1.0.bias"])
    }

    @Test("train/eval reach every descendant; freezing stops gradients and updates")
    func modesAndFreezing() {
        let model = TwoHeads()
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.trunk.layers[0].isTraining)
        model.trunk.freeze()
        let before = model.trunk.parameters().map(\.value)
        let x = Variable(Tensor.ones([2, 3]))
        let loss = (model.heads["depth"]!(model.trunk(x))).sum()
        loss.backward()
        #expect(model.trunk.parameters().allSatisfy { $0.grad == nil })
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
        optimizer.step()
        #expect(model.trunk.parameters().map(\.value) == before)
        #expect(model.description.contains("(4 frozen)") == false)
        #expect(model.description.contains("frozen"))
    }

    @Test("the printed tree shows each module with its parameter count and the total")
    func printing() {
        let text = Sequential(Linear(inputCount: 100, outputCount: 128), ReLU(),
                              Linear(inputCount: 128, outputCount: 2)).description
        #expect(text.contains("(layers.0): Linear(100 → 128)  — 12928 parameters"))
        #expect(text.contains("(layers.1): ReLU"))
        #expect(text.hasSuffix("Total: 13186 parameters"))
    }

    @Test("a custom layer trains without registration")
    func customLayerTrains() {
        let layer = Scale()
        let optimizer = SGD(parameters: layer.parameters(), learningRate: 0.1)
        for _ in 0..<100 {
            let loss = meanSquaredError(prediction: layer(Variable(Tensor([1, 2, 3]))), target: Tensor([3, 6, 9]))
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        isClose(layer.factor.value, Tensor([3]), rtol: 1e-3)
    }

    @Test("discovery reflects once and is cached; structureDidChange() finds a reassigned child")
    func discoveryIsCached() {
        final class Swappable: Module { var layer = Linear(inputCount: 2, outputCount: 3) }
        let module = Swappable()
        let first = module.parameters().map(ObjectIdentifier.init)
        let replacement = Linear(inputCount: 2, outputCount: 3)
        module.layer = replacement
        #expect(module.parameters().map(ObjectIdentifier.init) == first)  // the structure found first
        module.structureDidChange()
        let expected = [replacement.weight, replacement.bias!].map(ObjectIdentifier.init)
        #expect(module.parameters().map(ObjectIdentifier.init) == expected)
    }
}
