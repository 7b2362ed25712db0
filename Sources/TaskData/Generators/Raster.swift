import Foundation
import TensorCore

/// Small drawing helpers shared by the image generators. Pixel (x, y) covers [x, x+1) × [y, y+1);
/// shapes are tested at pixel centres (x + ½, y + ½). Images are channels-first `[C, H, W]`.
struct Raster {
    let channels: Int, height: Int, width: Int
    let pixels: UnsafeMutableBufferPointer<Float>

    /// The index of channel c at row y, column x.
    @inline(__always) func index(_ channel: Int, _ y: Int, _ x: Int) -> Int { (channel * height + y) * width + x }

    /// Sets every pixel to `colour` (one value per channel, up to four).
    func fill(_ colour: SIMD4<Float>) {
        for c in 0..<channels {
            for i in 0..<(height * width) { pixels[c * height * width + i] = colour[c] }
        }
    }

    /// Sets the pixels whose centres `isInside` to `colour(x, y)`, visiting only the clipped box.
    func paint(box: (x0: Float, y0: Float, x1: Float, y1: Float), isInside: (Float, Float) -> Bool,
               colour: (Int, Int) -> SIMD4<Float>) {
        let xs = max(0, Int(box.x0.rounded(.down)))..<min(width, Int(box.x1.rounded(.up)) + 1)
        let ys = max(0, Int(box.y0.rounded(.down)))..<min(height, Int(box.y1.rounded(.up)) + 1)
        guard !xs.isEmpty, !ys.isEmpty else { return }
        for y in ys {
            for x in xs where isInside(Float(x) + 0.5, Float(y) + 0.5) {
                let value = colour(x, y)
                for c in 0..<channels { pixels[index(c, y, x)] = value[c] }
            }
        }
    }

    /// Adds N(0, σ²) noise to every scalar, then clamps to [0, 1].
    func addNoise(standardDeviation: Float, using generator: inout SeededGenerator) {
        for i in pixels.indices {
            pixels[i] = min(1, max(0, pixels[i] + standardDeviation * generator.nextNormal()))
        }
    }
}

/// The distance from point p to the segment a–b.
@inline(__always)
func distanceToSegment(_ px: Float, _ py: Float, _ ax: Float, _ ay: Float, _ bx: Float, _ by: Float) -> Float {
    let dx = bx - ax, dy = by - ay
    let lengthSquared = dx * dx + dy * dy
    let t = lengthSquared > 0 ? min(1, max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared)) : 0
    let ex = px - (ax + t * dx), ey = py - (ay + t * dy)
    return (ex * ex + ey * ey).squareRoot()
}
