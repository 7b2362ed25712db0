import TensorCore
import Autodiff

/// Inverted dropout (Srivastava et al., 2014): in training, each element is zeroed with probability
/// `probability` and the survivors are scaled by 1/(1 − probability), so evaluation (identity) needs
/// no rescaling. The masks come from a seeded `RandomSource`.
///
/// With `dropsWholeChannels` (PyTorch's `Dropout2d`; Tompson et al., 2015) each sample's channels
/// (axis 1) are dropped whole: one draw per (sample, channel), broadcast over the positions of
/// `[N, C, H, W]` — a random, per-sample partition of the units.
public final class Dropout: Module {
    /// p, the probability that an element (or a whole channel) is zeroed in training, in [0, 1).
    public let probability: Float
    /// Whether one draw per (sample, channel) zeroes a whole `[H, W]` map (`Dropout2d`) instead of one element.
    public let dropsWholeChannels: Bool
    let random: RandomSource

    /// A dropout layer; `probability` must lie in [0, 1) (0 makes it the identity). The masks are drawn
    /// from `random`, so a seeded source gives the same masks on every run.
    public init(probability: Float = 0.5, dropsWholeChannels: Bool = false, random: RandomSource = .default) {
        checkPrecondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
        self.dropsWholeChannels = dropsWholeChannels
        self.random = random
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        guard isTraining, probability > 0 else { return input }
        let keep = 1 - probability
        // One draw per element, or per (sample, channel) broadcast over the positions.
        let shape = dropsWholeChannels && input.rank > 2
            ? Array(input.shape.prefix(2)) + Array(repeating: 1, count: input.rank - 2) : input.shape
        let mask = random.withGenerator { generator in
            Tensor(shape: shape,
                   scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextFloat() < keep ? 1 / keep : 0 })
        }
        return input * mask
    }

    public override var summary: String {
        "Dropout(p = \(probability)\(dropsWholeChannels ? ", whole channels" : ""))"
    }
}
