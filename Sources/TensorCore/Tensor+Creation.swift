// Ways to make a tensor. Everything random takes a `SeededGenerator`, so the same seed always
// gives the same tensor.

extension Tensor {
    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let count = Tensor.checkedElementCount(of: shape, "Tensor(repeating:shape:)")
        self.init(shape: shape, scalars: [Float](repeating: value, count: count))
    }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
    /// Every scalar equal to `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }
    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `[start, start + step, …]` up to but excluding `end` (as `numpy.arange`).
    public static func arange(from start: Float = 0, to end: Float, step: Float = 1) -> Tensor {
        checkPrecondition(step != 0, "arange: step must not be 0")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<count).map { start + Float($0) * step })
    }

    /// `count` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(from start: Float, to end: Float, count: Int) -> Tensor {
        checkPrecondition(count >= 1, "linspace: count \(count) must be at least 1")
        if count == 1 { return Tensor([start]) }
        let step = (end - start) / Float(count - 1)
        return Tensor((0..<count).map { start + Float($0) * step })
    }

    /// The `size × size` identity matrix.
    public static func eye(_ size: Int) -> Tensor {
        var result = zeros([size, size])
        for i in 0..<size { result.scalars[i * size + i] = 1 }
        return result
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout SeededGenerator) -> Tensor {
        checkPrecondition(low <= high, "uniform: low \(low) exceeds high \(high)")
        let count = Tensor.checkedElementCount(of: shape, "Tensor.uniform")
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = low + (high - low) * generator.nextFloat() }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Normal samples with the given mean and standard deviation (Box–Muller, see `SeededGenerator`).
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              using generator: inout SeededGenerator) -> Tensor {
        let count = Tensor.checkedElementCount(of: shape, "Tensor.normal")
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = mean + standardDeviation * generator.nextNormal() }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Uniform samples in `[low, high)` from a fresh generator seeded with `seed`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return uniform(shape, low: low, high: high, using: &generator)
    }

    /// Normal samples from a fresh generator seeded with `seed`.
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return normal(shape, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }

    /// One-hot rows: for class indices `[i₀, i₁, …]`, a `[count, classCount]` matrix with 1 at `(k, iₖ)`.
    public static func oneHot(_ indices: [Int], classCount: Int) -> Tensor {
        var result = zeros([indices.count, classCount])
        for (row, index) in indices.enumerated() {
            checkPrecondition(index >= 0 && index < classCount, "oneHot: index \(index) outside 0..<\(classCount)")
            result.scalars[row * classCount + index] = 1
        }
        return result
    }
}
