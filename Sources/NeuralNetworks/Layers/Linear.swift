import TensorCore
import Autodiff

/// A fully connected layer: `y = x · W + b`.
///
/// Shapes: x `[…, inputCount]` → y `[…, outputCount]`; W `[inputCount, outputCount]`, b `[outputCount]`.
/// (W is stored input-major, the transpose of PyTorch's `[out, in]`, so the forward pass is one
/// GEMM with no transposed operand.)
///
/// Default initialization as PyTorch's `nn.Linear`: W and b uniform in ±1/√inputCount (Kaiming
/// uniform with a = √5).
public final class Linear: Module {
    /// W `[inputCount, outputCount]`, stored input-major so the forward pass is `x · W`.
    public let weight: Parameter
    /// b `[outputCount]`, added to every row; nil for a layer created with `bias: false`.
    public let bias: Parameter?
    /// The size of the last input axis.
    public let inputCount: Int
    /// The size of the last output axis (the number of units).
    public let outputCount: Int

    /// A layer `[…, inputCount] → […, outputCount]`; W drawn by `weightInitializer` with `random`, b
    /// (when `bias`) uniform in ±1/√inputCount.
    public init(inputCount: Int, outputCount: Int, bias: Bool = true,
                weightInitializer: Initializer = .kaimingUniform(negativeSlope: Float(5).squareRoot()),
                random: RandomSource = .default) {
        checkPrecondition(inputCount > 0 && outputCount > 0,
                          "Linear: sizes \(inputCount) → \(outputCount) must be positive")
        self.inputCount = inputCount
        self.outputCount = outputCount
        let bound = 1 / Float(inputCount).squareRoot()
        (weight, self.bias) = random.withGenerator { generator in
            (Parameter(weightInitializer.make([inputCount, outputCount], fanIn: inputCount, fanOut: outputCount,
                                              using: &generator)),
             bias ? Parameter(Tensor.uniform([outputCount], low: -bound, high: bound, using: &generator)) : nil)
        }
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition(input.shape.last == inputCount,
                          "Linear(\(inputCount) → \(outputCount)): input \(input.shape) "
                            + "does not end in \(inputCount)")
        if let bias, input.shape.count == 2 { return Variable.affine(input, weight: weight, bias: bias) }
        let product = input • weight
        return bias.map { product + $0 } ?? product
    }

    public override var summary: String { "Linear(\(inputCount) → \(outputCount)\(bias == nil ? ", no bias" : ""))" }
}
