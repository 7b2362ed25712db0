import TensorCore
import Autodiff

/// A layer that can compute only some of its output units, and read only some of its input
/// channels, with the same results as computing everything and zeroing the rest.
///
/// Output unit c of a `Linear` layer is one neuron (a column of W); of a `Conv2D`, one filter (an
/// output channel). A caller that will multiply most outputs by zero (a task mask) asks for the
/// others only; a caller that knows most *input* channels are zero leaves them out:
///
///     y = layer(x, computing: [0, 3], reading: [1, 2])
///     // == layer(x with every channel outside {1, 2} zeroed), with outputs outside {0, 3} zeroed
///
/// The subsets are arguments of the call — the layer holds no routing state, and its plain
/// `callAsFunction(_:)` stays the textbook forward pass. The work drops to about
/// |outputs|/C · |inputs|/C_in of the full layer.
public protocol UnitSubsetComputing: Module {
    /// C, the number of output units.
    var outputUnitCount: Int { get }
    /// The weights as one row per output unit, `[C, fan-in]` — what a unit "looks at", for
    /// selection rules that compare units (a copy).
    var unitFilters: Tensor { get }
    /// The forward pass computing only the units `outputs` (the others are zero in the result),
    /// reading only the input channels `inputs` (the others are taken to be zero). `nil` means all.
    func callAsFunction(_ input: Variable, computing outputs: [Int]?, reading inputs: [Int]?) -> Variable
    /// The parameters that hold the output units' values, each with the axis that indexes the
    /// units (for work on one unit's weights, e.g. its optimizer state).
    var unitParameters: [(parameter: Parameter, unitAxis: Int)] { get }
}

extension Linear: UnitSubsetComputing {
    /// `outputCount`: a linear layer's units are its output features.
    public var outputUnitCount: Int { outputCount }

    /// W `[inputCount, outputCount]` along axis 1, b along axis 0.
    public var unitParameters: [(parameter: Parameter, unitAxis: Int)] {
        [(weight, 1)] + (bias.map { [($0, 0)] } ?? [])
    }

    /// W transposed: `[outputCount, inputCount]`.
    public var unitFilters: Tensor { weight.value.transposed() }

    /// Inputs `[B, inputCount]` only (other ranks compute everything): with `inputs` the columns of
    /// x and the rows of W are gathered; with `outputs` the columns of W and entries of b, and the
    /// result is scattered back into `[B, outputCount]`.
    public func callAsFunction(_ input: Variable, computing outputs: [Int]?, reading inputs: [Int]?) -> Variable {
        guard input.rank == 2 else { return self(input) }
        checkPrecondition(input.shape[1] == inputCount,
                          "Linear(\(inputCount) → \(outputCount)): input \(input.shape) "
                            + "does not end in \(inputCount)")
        var input = input, weight: Variable = self.weight, bias: Variable? = self.bias
        if let inputs, inputs.count < inputCount {
            input = input.gathering(inputs, alongAxis: 1)
            weight = weight.gathering(inputs, alongAxis: 0)
        }
        guard let outputs, outputs.count < outputCount else {
            return bias.map { Variable.affine(input, weight: weight, bias: $0) } ?? input • weight
        }
        let columns = weight.gathering(outputs, alongAxis: 1)
        let selected = bias.map { Variable.affine(input, weight: columns,
                                                  bias: $0.gathering(outputs)) } ?? input • columns
        return selected.scattering(outputs, into: outputCount, alongAxis: 1)
    }
}

extension Conv2D: UnitSubsetComputing {
    /// F: a convolution's units are its filters (output channels).
    public var outputUnitCount: Int { weight.shape[0] }

    /// The filters `[F, C, K, K]` along axis 0, b along axis 0.
    public var unitParameters: [(parameter: Parameter, unitAxis: Int)] {
        [(weight, 0)] + (bias.map { [($0, 0)] } ?? [])
    }

    /// The filters flattened: `[F, C·K·K]`.
    public var unitFilters: Tensor { weight.value.reshaped(to: [weight.shape[0],
                                                                weight.value.count / weight.shape[0]]) }

    /// With `inputs` the input channels and the filters' matching slices are gathered; with
    /// `outputs` only those filters run, and their channels are scattered back into `[N, F, Ho, Wo]`.
    public func callAsFunction(_ input: Variable, computing outputs: [Int]?, reading inputs: [Int]?) -> Variable {
        var input = input, kernel: Variable = weight, bias: Variable? = self.bias
        if let inputs, inputs.count < weight.shape[1] {
            input = input.gathering(inputs, alongAxis: 1)
            kernel = kernel.gathering(inputs, alongAxis: 1)
        }
        guard let outputs, outputs.count < weight.shape[0] else {
            return Variable.conv2d(input, weight: kernel, bias: bias, stride: stride, padding: padding,
                                   dilation: dilation)
        }
        kernel = kernel.gathering(outputs)
        bias = bias?.gathering(outputs)
        return Variable.conv2d(input, weight: kernel, bias: bias, stride: stride, padding: padding, dilation: dilation)
            .scattering(outputs, into: weight.shape[0], alongAxis: 1)
    }
}
