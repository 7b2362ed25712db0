import Foundation
import TensorCore

/// Small RGB images of rendered shapes with 18 binary attributes in 8 groups — a stand-in for the
/// eight CelebA attribute groups of the Maximum Roaming paper (Pascal et al., 2021, §5), where
/// each group of attributes is one multi-label task.
///
/// Each image (`[3, S, S]`, S = `imageSize`, default 32, values in [0, 1]) shows one shape, or a
/// pair of copies side by side, on a plain background; the groups and their attributes, with the
/// probability of each attribute being 1:
///
/// | task | attributes (P = 1) | how it is drawn |
/// |---|---|---|
/// | `shape` | circle, square, triangle (¼ each; a diamond is none of them) | the outline of the shape |
/// | `colour` | red, green, blue (4/7 each) | the RGB bits of the shape's colour, never black |
/// | `size` | large (0.35), elongated (0.3) | radius 0.25–0.34·S vs 0.12–0.19·S; 1.4× wider than tall |
/// | `position` | left, top (½ each) | the mean centre of the shapes in the left / top half |
/// | `texture` | striped, hollow (¼ each) | alternate rows dark; only the rim drawn |
/// | `count` | pair (0.3), crowded (0.3) | two copies side by side; four grey distractor dots |
/// | `background` | light (½), noisy (½) | grey 0.75 vs 0.1; pixel noise σ 0.15 vs 0.03 |
/// | `frame` | framed (0.4), frame matches colour (0.2) | a 2-pixel border, in the shape's colour or grey |
///
/// **Related and unrelated groups, by construction:** a pair is always small, so `size` and
/// `count` share information; the frame's colour repeats the shape's, linking `frame` and
/// `colour`; `shape` and `texture` need the same edge features. `position` and `background` are
/// independent of everything else. Generation is seeded: the same seed gives the same images.
public struct AttributeShapes: Sendable {
    /// Side S of the square images.
    public var imageSize: Int
    /// The task groups, in order: shape, colour, size, position, texture, count, background, frame.
    public static let groups: [(name: String, attributes: [String])] = [
        ("shape", ["circle", "square", "triangle"]),
        ("colour", ["red", "green", "blue"]),
        ("size", ["large", "elongated"]),
        ("position", ["left", "top"]),
        ("texture", ["striped", "hollow"]),
        ("count", ["pair", "crowded"]),
        ("background", ["light", "noisy"]),
        ("frame", ["framed", "frameMatchesColour"]),
    ]
    /// The documented probability of each attribute, in the order of `groups` (what the tests check).
    public static let attributeProbabilities: [[Double]] = [
        [0.25, 0.25, 0.25], [4.0 / 7, 4.0 / 7, 4.0 / 7], [0.35, 0.3], [0.5, 0.5],
        [0.25, 0.25], [0.3, 0.3], [0.5, 0.5], [0.4, 0.2],
    ]

    /// A generator of `imageSize`×`imageSize` images (S ≥ 16, else it throws `DataGenerationError`).
    public init(imageSize: Int = 32) throws(DataGenerationError) {
        guard imageSize >= 16 else {
            throw .invalidParameter("AttributeShapes imageSize \(imageSize) must be at least 16")
        }
        self.imageSize = imageSize
    }

    /// The eight multi-label tasks.
    public static var tasks: [TaskSpec] {
        groups.map {
            TaskSpec(name: $0.name, kind: .multiLabel(labelCount: $0.attributes.count), outputNames: $0.attributes)
        }
    }

    /// One image's drawn attributes and geometry (sampled sequentially, rendered in parallel).
    struct Scene: Sendable {
        var shape = 0                     // 0 circle, 1 square, 2 triangle, 3 diamond
        var colour = SIMD4<Float>(0, 0, 0, 0)
        var colourBits = (false, false, false)
        var isLarge = false, isElongated = false, isPair = false, isCrowded = false
        var isStriped = false, isHollow = false, isLight = false, isNoisy = false
        var isFramed = false, frameMatches = false
        var centreX: Float = 0, centreY: Float = 0, radius: Float = 0
        var dots: [(Float, Float)] = []
        var noiseSeed: UInt64 = 0

        var labels: [[Float]] {
            func f(_ b: Bool) -> Float { b ? 1 : 0 }
            return [[f(shape == 0), f(shape == 1), f(shape == 2)],
                    [f(colourBits.0), f(colourBits.1), f(colourBits.2)],
                    [f(isLarge), f(isElongated)],
                    [f(centreX < 0), f(centreY < 0)],     // centre relative to the image centre
                    [f(isStriped), f(isHollow)],
                    [f(isPair), f(isCrowded)],
                    [f(isLight), f(isNoisy)],
                    [f(isFramed), f(isFramed && frameMatches)]]
        }
    }

    /// `sampleCount` images `[N, 3, S, S]` and their eight label tensors (`[N, L_g]`), from `seed`.
    public func dataset(sampleCount: Int, seed: UInt64) -> MultiTaskDataset {
        var generator = SeededGenerator(seed: seed)
        let scenes = (0..<sampleCount).map { _ in sampleScene(using: &generator) }
        let size = imageSize
        let images = Tensor(count: sampleCount, itemShape: [3, size, size]) { index, pixels in
            Self.render(scenes[index], size: size, into: pixels)
        }
        let targets = Self.groups.indices.map { group in
            Tensor(shape: [sampleCount, Self.groups[group].attributes.count],
                   scalars: scenes.flatMap { $0.labels[group] })
        }
        return MultiTaskDataset(tasks: Self.tasks, inputs: images, targets: targets)
    }

    func sampleScene(using generator: inout SeededGenerator) -> Scene {
        var scene = Scene()
        let s = Float(imageSize)
        scene.shape = generator.nextInt(below: 4)
        var bits = 0
        while bits == 0 { bits = generator.nextInt(below: 8) }   // seven colours, never black
        scene.colourBits = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0)
        scene.colour = SIMD4(scene.colourBits.0 ? 0.95 : 0.05, scene.colourBits.1 ? 0.95 : 0.05,
                             scene.colourBits.2 ? 0.95 : 0.05, 0)
        scene.isPair = generator.nextFloat() < 0.3
        scene.isLarge = !scene.isPair && generator.nextFloat() < 0.5
        scene.isElongated = generator.nextFloat() < 0.3
        let texture = generator.nextInt(below: 4)
        scene.isStriped = texture == 1
        scene.isHollow = texture == 2
        scene.isCrowded = generator.nextFloat() < 0.3
        scene.isLight = generator.nextFloat() < 0.5
        scene.isNoisy = generator.nextFloat() < 0.5
        scene.isFramed = generator.nextFloat() < 0.4
        scene.frameMatches = generator.nextFloat() < 0.5
        scene.radius = s * (scene.isLarge ? generator.nextFloat(in: 0.25..<0.34) : generator.nextFloat(in: 0.12..<0.19))
        // The mean centre, relative to the image centre, uniform where everything stays inside
        // the 3-pixel margin (a symmetric range, so left/top are ½ each).
        let halfWidth = scene.radius * (scene.isElongated ? 1.4 : 1)
            + (scene.isPair ? scene.radius * (scene.isElongated ? 1.4 : 1) + 1 : 0)
        let halfHeight = scene.radius / (scene.isElongated ? 1.4 : 1)
        let rangeX = max(0.5, s / 2 - 3 - halfWidth), rangeY = max(0.5, s / 2 - 3 - halfHeight)
        scene.centreX = generator.nextFloat(in: -rangeX..<rangeX)
        scene.centreY = generator.nextFloat(in: -rangeY..<rangeY)
        if scene.isCrowded {
            scene.dots = (0..<4).map { _ in
                (generator.nextFloat(in: 3..<(s - 4)), generator.nextFloat(in: 3..<(s - 4)))
            }
        }
        scene.noiseSeed = generator.next()
        return scene
    }

    /// The shape's level function: ≤ 1 inside, homogeneous of degree 1 in (u, v), so the level
    /// sets are scaled copies of the outline (a rim is `0.6 < level ≤ 1`).
    @inline(__always)
    static func level(shape: Int, _ u: Float, _ v: Float) -> Float {
        switch shape {
        case 0: return (u * u + v * v).squareRoot()
        case 1: return max(abs(u), abs(v)) / 0.85
        case 2: return max(1.8 * abs(u) - v, v / 0.8)     // apex up at v = −1, base at v = 0.8
        default: return (abs(u) + abs(v)) / 1.1
        }
    }

    static func render(_ scene: Scene, size: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let raster = Raster(channels: 3, height: size, width: size, pixels: pixels)
        let s = Float(size)
        let background: Float = scene.isLight ? 0.75 : 0.1
        raster.fill(SIMD4(repeating: background))
        if scene.isFramed {
            let frameColour = scene.frameMatches ? scene.colour : SIMD4<Float>(0.5, 0.5, 0.5, 0)
            raster.paint(box: (0, 0, s, s), isInside: { x, y in x < 2 || y < 2 || x > s - 2 || y > s - 2 },
                         colour: { _, _ in frameColour })
        }
        for (dotX, dotY) in scene.dots {
            raster.paint(box: (dotX, dotY, dotX + 2, dotY + 2), isInside: { _, _ in true },
                         colour: { _, _ in SIMD4(repeating: 0.5) })
        }
        let radiusX = scene.radius * (scene.isElongated ? 1.4 : 1),
            radiusY = scene.radius / (scene.isElongated ? 1.4 : 1)
        let offsets: [Float] = scene.isPair ? [-(radiusX + 0.5), radiusX + 0.5] : [0]
        let dark = scene.colour * 0.3
        for offset in offsets {
            let centreX = s / 2 + scene.centreX + offset, centreY = s / 2 + scene.centreY
            raster.paint(box: (centreX - radiusX, centreY - radiusY, centreX + radiusX, centreY + radiusY),
                         isInside: { x, y in
                             let level = Self.level(shape: scene.shape, (x - centreX) / radiusX,
                                                    (y - centreY) / radiusY)
                             return level <= 1 && (!scene.isHollow || level > 0.6)
                         },
                         colour: { _, y in scene.isStriped && y % 2 == 1 ? dark : scene.colour })
        }
        var generator = SeededGenerator(seed: scene.noiseSeed)
        raster.addNoise(standardDeviation: scene.isNoisy ? 0.15 : 0.03, using: &generator)
    }
}
