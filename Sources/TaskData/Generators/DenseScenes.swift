import Foundation
import TensorCore

/// Rendered 3-D scenes with per-pixel targets — semantic segmentation, depth and surface normals —
/// a small stand-in for the NYUv2 / CityScapes settings of MTAN (Liu et al., 2019) and the Maximum
/// Roaming paper.
///
/// A pinhole camera looks along +z at a back wall (depth 6–10) standing on a floor whose horizon
/// lies in the upper half of the image; one to three spheres and boxes (front faces) stand between
/// them. Each pixel gets the nearest surface (a z-buffer), so objects occlude each other.
///
/// Targets, for an image of H×W = `imageSize`² (default 32):
/// - `segmentation` `[N, H, W]`: 0 wall, 1 floor, 2 sphere, 3 box (`denseSegmentation(classCount: 4)`);
/// - `depth` `[N, 1, H, W]`: distance along the view axis, in world units (≈ 0.8–10);
/// - `normals` `[N, 3, H, W]`: unit surface normals in camera coordinates (x right, y down, z away
///   from the camera; surfaces face the camera, so n_z < 0). Trained with the cosine loss.
///
/// The image `[N, 3, H, W]` is each surface's colour, shaded by a random light (Lambertian:
/// 0.35 + 0.65·max(0, −n·l)), dimmed with depth (so depth has a cue beyond perspective), plus noise
/// σ = 0.02. **What it shows:** three dense tasks that share geometry — depth and normals are
/// closely related (normals are the depth map's slope), segmentation less so (chapter 13).
public struct DenseScenes: Sendable {
    /// Side of the square images.
    public var imageSize: Int
    /// The segmentation class names.
    public static let classNames = ["wall", "floor", "sphere", "box"]

    /// A generator of `imageSize`×`imageSize` scenes; throws `DataGenerationError` below 8 pixels.
    public init(imageSize: Int = 32) throws(DataGenerationError) {
        guard imageSize >= 8 else { throw .invalidParameter("DenseScenes imageSize \(imageSize) must be at least 8") }
        self.imageSize = imageSize
    }

    /// The three dense tasks: segmentation, depth and normals.
    public static var tasks: [TaskSpec] {
        [TaskSpec(name: "segmentation", kind: .denseSegmentation(classCount: 4), outputNames: classNames),
         TaskSpec(name: "depth", kind: .denseRegression(channelCount: 1)),
         TaskSpec(name: "normals", kind: .denseRegression(channelCount: 3), loss: .cosine, metrics: [.meanAngleError])]
    }

    struct Object: Sendable {
        var isSphere: Bool
        var centreX: Float, centreY: Float     // in normalized image coordinates [−1, 1]
        var depth: Float, worldRadius: Float
        var colour: SIMD4<Float>
    }

    struct Scene: Sendable {
        var horizon: Float                     // image y of the horizon, in [−1, 1]
        var wallDepth: Float
        var cameraHeight: Float
        var wallColour: SIMD4<Float>, floorColour: SIMD4<Float>
        var light: SIMD4<Float>                // unit direction the light travels
        var objects: [Object]
        var noiseSeed: UInt64
    }

    static let focalLength: Float = 1.2

    /// `sampleCount` scenes: images `[N, 3, H, W]` and the targets above, from `seed`.
    public func dataset(sampleCount: Int, seed: UInt64) -> MultiTaskDataset {
        var generator = SeededGenerator(seed: seed)
        let scenes = (0..<sampleCount).map { _ in Self.sampleScene(using: &generator) }
        let size = imageSize
        // One buffer per sample holding image (3), segmentation (1), depth (1) and normals (3).
        let rendered = Tensor(count: sampleCount, itemShape: [8, size, size]) { index, pixels in
            Self.render(scenes[index], size: size, into: pixels)
        }
        let images = rendered.sliced(0..<3, alongAxis: 1)
        let segmentation = rendered.sliced(3..<4, alongAxis: 1).reshaped(to: [sampleCount, size, size])
        let depth = rendered.sliced(4..<5, alongAxis: 1)
        let normals = rendered.sliced(5..<8, alongAxis: 1)
        return MultiTaskDataset(tasks: Self.tasks, inputs: images, targets: [segmentation, depth, normals])
    }

    static func sampleScene(using generator: inout SeededGenerator) -> Scene {
        func colour() -> SIMD4<Float> {
            SIMD4(generator.nextFloat(in: 0.2..<1), generator.nextFloat(in: 0.2..<1),
                  generator.nextFloat(in: 0.2..<1), 0)
        }
        let wallDepth = generator.nextFloat(in: 6..<10)
        let horizon = generator.nextFloat(in: -0.5 ..< -0.1)
        let cameraHeight = generator.nextFloat(in: 1 ..< 1.6)
        let lightX = generator.nextFloat(in: -0.6..<0.6), lightY = generator.nextFloat(in: 0.2..<0.8)
        let lightNorm = (lightX * lightX + lightY * lightY + 1).squareRoot()
        let wallColour = colour(), floorColour = colour()
        var objects: [Object] = []
        for _ in 0..<(1 + generator.nextInt(below: 3)) {
            let nearness = generator.nextFloat()
            let depth = 2.5 + (wallDepth - 3.5) * nearness * nearness     // more near objects than far
            let worldRadius = generator.nextFloat(in: 0.6..<1.2)
            // Objects rest on the floor: their centre is worldRadius above it.
            let centreY = focalLength * (cameraHeight - worldRadius) / depth + horizon
            objects.append(Object(isSphere: generator.nextFloat() < 0.5,
                                  centreX: generator.nextFloat(in: -0.8..<0.8), centreY: centreY,
                                  depth: depth, worldRadius: worldRadius, colour: colour()))
        }
        return Scene(horizon: horizon, wallDepth: wallDepth, cameraHeight: cameraHeight,
                     wallColour: wallColour, floorColour: floorColour,
                     light: SIMD4(lightX, lightY, 1, 0) / lightNorm,
                     objects: objects, noiseSeed: generator.next())
    }

    /// Writes the 8 planes (RGB, class, depth, normal x/y/z) of one scene.
    static func render(_ scene: Scene, size: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        let plane = size * size
        var generator = SeededGenerator(seed: scene.noiseSeed)
        for row in 0..<size {
            let y = (Float(row) + 0.5) / Float(size) * 2 - 1
            for column in 0..<size {
                let x = (Float(column) + 0.5) / Float(size) * 2 - 1
                // The wall, or the floor where it is nearer: floor depth f·h / (y − horizon).
                var depth = scene.wallDepth
                var normal = SIMD4<Float>(0, 0, -1, 0)
                var surfaceClass: Float = 0
                var colour = scene.wallColour
                if y > scene.horizon {
                    let floorDepth = focalLength * scene.cameraHeight / (y - scene.horizon)
                    if floorDepth < depth {
                        depth = floorDepth; normal = SIMD4(0, -1, 0, 0); surfaceClass = 1; colour = scene.floorColour
                    }
                }
                for object in scene.objects {
                    let screenRadius = focalLength * object.worldRadius / object.depth
                    let dx = (x - object.centreX) / screenRadius, dy = (y - object.centreY) / screenRadius
                    if object.isSphere {
                        let squared = dx * dx + dy * dy
                        guard squared < 1 else { continue }
                        let dz = (1 - squared).squareRoot()
                        let surfaceDepth = object.depth - object.worldRadius * dz
                        if surfaceDepth < depth {
                            depth = surfaceDepth; normal = SIMD4(dx, dy, -dz, 0); surfaceClass = 2;
                            colour = object.colour
                        }
                    } else {
                        guard abs(dx) < 0.9, abs(dy) < 0.9 else { continue }
                        let surfaceDepth = object.depth - 0.9 * object.worldRadius
                        if surfaceDepth < depth {
                            depth = surfaceDepth; normal = SIMD4(0, 0, -1, 0); surfaceClass = 3; colour = object.colour
                        }
                    }
                }
                let shade = 0.35 + 0.65 * max(0, -(normal * scene.light).sum())
                let dimming = 1 - 0.05 * depth
                let pixel = row * size + column
                for channel in 0..<3 {
                    let value = colour[channel] * shade * dimming + 0.02 * generator.nextNormal()
                    pixels[channel * plane + pixel] = min(1, max(0, value))
                }
                pixels[3 * plane + pixel] = surfaceClass
                pixels[4 * plane + pixel] = depth
                for axis in 0..<3 { pixels[(5 + axis) * plane + pixel] = normal[axis] }
            }
        }
    }
}
