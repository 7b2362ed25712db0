// Exercises for chapter 17, "Transfer and supervision" (Tutorials/17-transfer-and-supervision.md).
// Fill in the bodies of `Chapter17Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises17
import MultiTaskKit

/// The exercises of chapter 17: a partially labelled task's loss, discriminative learning rates, gradual
/// unfreezing, and the depth → normals map of a cross-task consistency loss.
public protocol Chapter17Exercises {
    /// **17.1 A task's loss on its labelled samples** (chapter 17, partially labelled tasks; `LabelMask`).
    ///
    ///     L_t = Σ_n M_{n,t} ℓ_{n,t} / max(1, Σ_n M_{n,t})
    ///
    /// the mean of task t's per-sample losses over the samples labelled for it, and 0 (not 0/0 = NaN) when
    /// the batch holds none.
    ///
    /// - Parameters:
    ///   - sampleLosses: ℓ_{·,t}, the task's loss on each of the B samples of the batch, `[B]`. An unlabelled
    ///     sample's loss was computed from a placeholder target and may be anything, NaN included.
    ///   - labelled: M_{·,t}, whether each sample is labelled for the task (B values).
    /// - Returns: L_t, one value. Its gradient reaches the labelled samples only: an unlabelled sample's
    ///   ∂L_t/∂ℓ_{n,t} is exactly 0, even when ℓ_{n,t} is NaN.
    /// - Hint: 0 · NaN = NaN, so multiplying by the mask is not enough: `gathering(_:)` the labelled rows.
    static func maskedLoss(sampleLosses: Variable, labelled: [Bool]) throws -> Variable

    /// **17.2 Discriminative learning rates** (chapter 17, fine-tuning; Howard & Ruder, ACL 2018, §3.2).
    ///
    ///     η_l = η · ξ^(L − l),   l = 1 … L
    ///
    /// with block 1 at the input and block L (the heads) at the output: the heads train at η, each block
    /// below at ξ times the rate of the block above.
    ///
    /// - Parameters:
    ///   - blocks: the parameters of the network's L blocks, from the input to the output.
    ///   - learningRate: η.
    ///   - decay: ξ in (0, 1].
    /// - Returns: one `ParameterGroup` per block, in order, with rate η_l (an empty block still counts as a
    ///   level). A parameter listed in two blocks belongs to the first only: an optimizer must not step it
    ///   twice.
    /// - Hint: `ObjectIdentifier(parameter)` tells parameters apart.
    static func discriminativeGroups(blocks: [[Parameter]], learningRate: Float, decay: Float) throws
        -> [ParameterGroup]

    /// **17.3 Gradual unfreezing** (chapter 17, fine-tuning; Howard & Ruder, ACL 2018, §3.3).
    ///
    ///     trainable blocks in epoch e (from 0) = the top min(L, 1 + ⌊e / k⌋)
    ///
    /// Blocks are numbered from the input (0) to the output (L − 1): the heads train first, and one more block
    /// below them every k epochs. With k = nil nothing is ever unfrozen: only the top block trains
    /// ("head-only" fine-tuning).
    ///
    /// - Parameters:
    ///   - blockCount: L ≥ 1.
    ///   - unfreezeInterval: k ≥ 1, or nil.
    ///   - epoch: e ≥ 0.
    /// - Returns: the blocks that train in epoch e, ascending.
    static func trainableBlocks(blockCount: Int, unfreezeInterval: Int?, epoch: Int) throws -> [Int]

    /// **17.4 Depth → surface normals** (chapter 17, cross-task consistency; the map `DepthToNormals`).
    ///
    /// A pinhole camera of focal length f sees, at normalized image coordinates (x, y) and depth z, the point
    /// P = (x z / f, y z / f, z); the cross product of its tangents gives the normal, facing the camera:
    ///
    ///     n ∝ ( f z_x,  f z_y,  −(z + x z_x + y z_y) ),      n̂ = n / ‖n‖
    ///
    /// at the centre of pixel (r, c), for r < H − 1 and c < W − 1, with
    /// x = (c + 0.5)/W · 2 − 1, y = (r + 0.5)/H · 2 − 1, z = z[r, c], and the forward differences
    /// z_x = (z[r, c+1] − z[r, c]) / (2/W), z_y = (z[r+1, c] − z[r, c]) / (2/H).
    ///
    /// - Parameters:
    ///   - depth: `[N, 1, H, W]`, H, W ≥ 2, positive.
    ///   - focalLength: f > 0.
    /// - Returns: the unit normals `[N, 3, H−1, W−1]` (channels x, y, z), made of `Variable` operations so
    ///   that a loss on them reaches the depth.
    /// - Hint: `sliced(_:alongAxis:)` gives z and its right and lower neighbours as `[N, 1, H−1, W−1]`; x and y
    ///   are constant tensors of shape `[1, 1, H−1, W−1]` that broadcast; then
    ///   `Variable.concatenating(_:alongAxis: 1)`, and divide by the length (`squared`, `sum(alongAxis: 1,
    ///   keepingDimensions: true)`, `squareRoot`).
    static func depthToNormals(_ depth: Variable, focalLength: Float) throws -> Variable
}

/// Your solutions to chapter 17's exercises: replace each `throw` with your code.
public enum Chapter17Student: Chapter17Exercises {
    public static func maskedLoss(sampleLosses: Variable, labelled: [Bool]) throws -> Variable {
        throw ExerciseError.notDone("17.1 maskedLoss")
    }

    public static func discriminativeGroups(blocks: [[Parameter]], learningRate: Float, decay: Float) throws
        -> [ParameterGroup] {
        throw ExerciseError.notDone("17.2 discriminativeGroups")
    }

    public static func trainableBlocks(blockCount: Int, unfreezeInterval: Int?, epoch: Int) throws -> [Int] {
        throw ExerciseError.notDone("17.3 trainableBlocks")
    }

    public static func depthToNormals(_ depth: Variable, focalLength: Float) throws -> Variable {
        throw ExerciseError.notDone("17.4 depthToNormals")
    }
}
