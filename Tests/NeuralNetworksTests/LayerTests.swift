import Testing
import TestSupport
import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Chapter 05 — layers: gradient checks and hand computations.
@Suite("Layers")
struct LayerTests {
    @Test("gradients of every layer with parameters or its own rule match finite differences")
    func layerGradients() {
        let random = RandomSource(seed: 5)
        var generator = SeededGenerator(seed: 6)
        checkModuleGradients(Linear(inputCount: 3, outputCount: 2, random: random),
                             input: Tensor.normal([4, 3], using: &generator), "Linear")
        checkModuleGradients(Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1, random: random),
                             input: Tensor.normal([2, 2, 4, 4], using: &generator), "Conv2D")
        checkModuleGradients(Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 2, stride: 2, dilation: 1,
                                    bias: false, random: random),
                             input: Tensor.normal([1, 1, 5, 5], using: &generator), "Conv2D stride 2")
        checkModuleGradients(BatchNorm1D(featureCount: 3), input: Tensor.normal([5, 3], using: &generator),
                             "BatchNorm1D (training)")
        checkModuleGradients(BatchNorm2D(featureCount: 2), input: Tensor.normal([2, 2, 3, 3], using: &generator),
                             "BatchNorm2D (training)")
        checkModuleGradients(Upsample(scaleFactor: 2, mode: .nearest),
                             input: Tensor.normal([1, 2, 2, 3], using: &generator), "Upsample nearest")
        checkModuleGradients(Upsample(scaleFactor: 3, mode: .bilinear),
                             input: Tensor.normal([1, 1, 3, 2], using: &generator), "Upsample bilinear")
        checkModuleGradients(GELU(), input: Tensor.normal([6], using: &generator), "GELU")
        checkModuleGradients(GlobalAvgPool(), input: Tensor.normal([2, 3, 2, 2], using: &generator), "GlobalAvgPool")
        checkModuleGradients(Sequential(Linear(inputCount: 2, outputCount: 3, random: random), Tanh(),
                                        Linear(inputCount: 3, outputCount: 1, random: random)),
                             input: Tensor.normal([3, 2], using: &generator), "Sequential")
    }

    @Test("Linear: y = x·W + b by hand")
    func linear() {
        let layer = Linear(inputCount: 2, outputCount: 2)
        layer.weight.assign(Tensor([[1, 2], [3, 4]]))
        layer.bias!.assign(Tensor([0.5, -0.5]))
        #expect(layer(Variable(Tensor([[1, 1], [0, 2]]))).value == Tensor([[4.5, 5.5], [6.5, 7.5]]))
        // PyTorch's default bound 1/√fanIn.
        let wide = Linear(inputCount: 100, outputCount: 50)
        #expect(wide.weight.value.abs().max().scalar <= 0.1 && wide.weight.value.abs().max().scalar > 0.09)
    }

    @Test("BatchNorm: normalizes per feature in training, updates running statistics, uses them in eval")
    func batchNormalization() {
        let norm = BatchNorm1D(featureCount: 2)
        let x = Tensor([[1, 10], [3, 30]])   // feature means 2, 20; biased variances 1, 100
        let y = norm(Variable(x)).value
        isClose(y, Tensor([[-1, -1], [1, 1]]), rtol: 1e-4, atol: 1e-4)
        // running = 0.9·(0, 1) + 0.1·(mean, unbiased variance (2, 200))
        isClose(norm.runningMean.value, Tensor([0.2, 2]))
        isClose(norm.runningVariance.value, Tensor([0.9 + 0.2, 0.9 + 20]))
        norm.eval()
        isClose(norm(Variable(Tensor([[0.2, 2]]))).value, Tensor([[0, 0]]), atol: 1e-6)
        // Batch-statistics-only mode ignores the running averages even in eval.
        let batchOnly = BatchNorm1D(featureCount: 2, tracksRunningStatistics: false)
        batchOnly.eval()
        isClose(batchOnly(Variable(x)).value, Tensor([[-1, -1], [1, 1]]), rtol: 1e-4, atol: 1e-4)
        #expect(batchOnly.runningMean.value == Tensor.zeros([2]))
    }

    @Test("Upsample: nearest repeats pixels; bilinear matches PyTorch's align_corners=False values")
    func upsample() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(Upsample(scaleFactor: 2)(Variable(x)).value
                == Tensor(shape: [1, 1, 4, 4], scalars: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]))
        // torch.nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        let expected: [Float] = [1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0]
        isClose(Upsample(scaleFactor: 2, mode: .bilinear)(Variable(x)).value,
                Tensor(shape: [1, 1, 4, 4], scalars: expected))
    }

    @Test("pooling layers, flatten, embedding, softmax, activations")
    func smallLayers() {
        let x = Variable(Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 6]))
        #expect(MaxPool2D(kernelSize: 2)(x).value == Tensor(shape: [1, 1, 1, 2], scalars: [5, 8]))
        #expect(AvgPool2D(kernelSize: 2)(x).value == Tensor(shape: [1, 1, 1, 2], scalars: [3.25, 4]))
        #expect(GlobalAvgPool()(x).value == Tensor([[3.625]]))
        #expect(Flatten()(x).shape == [1, 8])
        let embedding = Embedding(count: 3, dimension: 2, random: RandomSource(seed: 1))
        #expect(embedding([2, 0]).value == Tensor(concatenating: [embedding.weight.value[2...2],
                                                                  embedding.weight.value[0...0]]))
        isClose(Softmax()(Variable(Tensor([[0, Foundation.log(3)]]))).value, Tensor([[0.25, 0.75]]))
        #expect(LeakyReLU(slope: 0.1)(Variable(Tensor([-2, 3]))).value == Tensor([-0.2, 3]))
        isClose(GELU()(Variable(Tensor([0, 1, -1]))).value, Tensor([0, 0.8413447, -0.1586553]), atol: 1e-6)
        isClose(Sigmoid()(Variable(Tensor([0]))).value, Tensor([0.5]))
    }

    @Test("dropout: identity in eval; in training zeroes about p of the inputs and rescales the rest")
    func dropout() {
        let layer = Dropout(probability: 0.25, random: RandomSource(seed: 9))
        let x = Variable(Tensor.ones([10_000]))
        let y = layer(x).value
        let zeros = y.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 10_000 - 0.25) < 0.02)
        #expect(y.scalars.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
        layer.eval()
        #expect(layer(x).value == x.value)
        // Whole channels: one draw per (sample, channel), the same for every position.
        let channels = Dropout(probability: 0.25, dropsWholeChannels: true, random: RandomSource(seed: 10))
        let maps = channels(Variable(Tensor.ones([50, 40, 3, 3]))).value
        var dropped = 0
        for plane in 0..<(50 * 40) {
            let values = Set(maps.scalars[(plane * 9)..<((plane + 1) * 9)])
            #expect(values.count == 1)
            if values.first == 0 { dropped += 1 }
        }
        #expect(abs(Double(dropped) / 2000 - 0.25) < 0.03)
    }

    @Test("initializers: Kaiming and Xavier have the documented spread")
    func initializers() {
        var generator = SeededGenerator(seed: 4)
        let kaiming = Initializer.kaimingNormal().make([200, 300], fanIn: 200, fanOut: 300, using: &generator)
        #expect(abs(kaiming.variance().scalar.squareRoot() - (2.0 / 200).squareRoot()) < 0.003)
        let xavier = Initializer.xavierUniform().make([200, 300], fanIn: 200, fanOut: 300, using: &generator)
        let bound = (6.0 / 500).squareRoot()
        #expect(xavier.abs().max().scalar <= Float(bound) && xavier.abs().max().scalar > Float(bound) * 0.99)
        #expect(Initializer.zeros.make([3], fanIn: 1, fanOut: 1, using: &generator) == Tensor.zeros([3]))
    }
}

extension Tensor {
    subscript(_ range: ClosedRange<Int>) -> Tensor { self[range.lowerBound..<(range.upperBound + 1)] }
}
