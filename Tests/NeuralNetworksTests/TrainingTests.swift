import Testing
import TensorCore
import Autodiff
import NeuralNetworks

/// Chapter 05 — small networks learn.
@Suite("Training small networks")
struct TrainingTests {
    @Test("a 2-layer MLP learns XOR")
    func xor() {
        let random = RandomSource(seed: 1)
        let model = Sequential(Linear(inputCount: 2, outputCount: 8, random: random), Tanh(),
                               Linear(inputCount: 8, outputCount: 1, random: random))
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor([[0], [1], [1], [0]])
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.05)
        for _ in 0..<500 {
            let loss = binaryCrossEntropy(logits: model(Variable(x)), targets: y)
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        let predictions = model(Variable(x)).value.scalars.map { $0 > 0 ? Float(1) : 0 }
        #expect(predictions == y.scalars)
    }

    @Test("a small CNN learns a 2-class synthetic image task to at least 95% test accuracy")
    func smallCNN() {
        // Class 0: a bright horizontal bar; class 1: a vertical bar; random positions and noise.
        var generator = SeededGenerator(seed: 2)
        func makeImages(_ count: Int) -> (Tensor, [Int]) {
            var pixels = [Float](repeating: 0, count: count * 12 * 12)
            var labels: [Int] = []
            for n in 0..<count {
                let label = generator.nextInt(below: 2)
                labels.append(label)
                let position = generator.nextInt(below: 8) + 2, start = generator.nextInt(below: 4)
                for k in start..<(start + 7) {
                    let (row, column) = label == 0 ? (position, k) : (k, position)
                    pixels[n * 144 + row * 12 + column] = 1
                }
                for i in 0..<144 { pixels[n * 144 + i] += 0.3 * generator.nextNormal() }
            }
            return (Tensor(shape: [count, 1, 12, 12], scalars: pixels), labels)
        }
        let (trainImages, trainLabels) = makeImages(256)
        let (testImages, testLabels) = makeImages(200)
        let random = RandomSource(seed: 3)
        let model = Sequential(Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, random: random),
                               ReLU(), MaxPool2D(kernelSize: 2),
                               Conv2D(inputChannels: 8, outputChannels: 8, kernelSize: 3, padding: 1, random: random),
                               ReLU(), GlobalAvgPool(), Linear(inputCount: 8, outputCount: 2, random: random))
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        for epoch in 0..<12 {
            for batch in stride(from: 0, to: 256, by: 32) {
                let loss = crossEntropy(logits: model(Variable(trainImages[batch..<(batch + 32)])),
                                        targets: Array(trainLabels[batch..<(batch + 32)]))
                optimizer.zeroGradients()
                loss.backward()
                optimizer.step()
            }
            _ = epoch
        }
        let predictions = withoutGradients { model(Variable(testImages)) }.value.argmax(alongAxis: 1)
        let accuracy = Double(zip(predictions, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
        #expect(accuracy >= 0.95, "test accuracy \(accuracy)")
    }
}
