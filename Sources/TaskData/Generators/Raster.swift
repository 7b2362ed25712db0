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

    /// Mixes `colour(x, y)` into the pixels whose centres `isInside`, visiting only the clipped box:
    /// p ← (1 − opacity)·p + opacity·colour. Opacity 1 is `paint`; a faint mark keeps what lies under it.
    func blend(box: (x0: Float, y0: Float, x1: Float, y1: Float), opacity: Float, isInside: (Float, Float) -> Bool,
               colour: (Int, Int) -> SIMD4<Float>) {
        let xs = max(0, Int(box.x0.rounded(.down)))..<min(width, Int(box.x1.rounded(.up)) + 1)
        let ys = max(0, Int(box.y0.rounded(.down)))..<min(height, Int(box.y1.rounded(.up)) + 1)
        guard !xs.isEmpty, !ys.isEmpty else { return }
        for y in ys {
            for x in xs where isInside(Float(x) + 0.5, Float(y) + 0.5) {
                let value = colour(x, y)
                for c in 0..<channels {
                    let i = index(c, y, x)
                    pixels[i] += opacity * (value[c] - pixels[i])
                }
            }
        }
    }

    /// Blends the axis-aligned ellipse of centre (x, y) and radii `radiusX`, `radiusY` in one colour.
    func ellipse(x: Float, y: Float, radiusX: Float, radiusY: Float, colour: SIMD4<Float>, opacity: Float = 1) {
        blend(box: (x - radiusX, y - radiusY, x + radiusX, y + radiusY), opacity: opacity,
              isInside: { px, py in
                  let u = (px - x) / radiusX, v = (py - y) / radiusY
                  return u * u + v * v <= 1
              },
              colour: { _, _ in colour })
    }

    /// Blends a pen stroke along the polyline `points`: every pixel within `halfWidth` of one of its
    /// segments, once (so joints are not darker than the rest).
    func stroke(_ points: [(x: Float, y: Float)], halfWidth: Float, colour: SIMD4<Float>, opacity: Float = 1) {
        guard let first = points.first else { return }
        var box = (x0: first.x, y0: first.y, x1: first.x, y1: first.y)
        for point in points {
            box = (min(box.x0, point.x), min(box.y0, point.y), max(box.x1, point.x), max(box.y1, point.y))
        }
        box = (box.x0 - halfWidth, box.y0 - halfWidth, box.x1 + halfWidth, box.y1 + halfWidth)
        let path = points.count == 1 ? [first, first] : points     // one point: a dot
        blend(box: box, opacity: opacity,
              isInside: { px, py in
                  for k in 1..<path.count
                  where distanceToSegment(px, py, path[k - 1].x, path[k - 1].y, path[k].x, path[k].y) <= halfWidth {
                      return true
                  }
                  return false
              },
              colour: { _, _ in colour })
    }

    /// Replaces every scalar by the mean of its 3×3 neighbourhood in its channel (edges use the
    /// neighbours that exist) — a defocus blur.
    func boxBlur() {
        var plane = [Float](repeating: 0, count: height * width)
        for c in 0..<channels {
            for i in plane.indices { plane[i] = pixels[c * height * width + i] }
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0, count: Float = 0
                    for ny in max(0, y - 1)...min(height - 1, y + 1) {
                        for nx in max(0, x - 1)...min(width - 1, x + 1) {
                            sum += plane[ny * width + nx]
                            count += 1
                        }
                    }
                    pixels[index(c, y, x)] = sum / count
                }
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
