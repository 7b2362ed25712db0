import Foundation
import TensorCore

/// Two overlapping, procedurally drawn digits per image — a MultiMNIST-style two-task
/// classification problem (Sabour et al., 2017; used as a multi-objective benchmark by Sener &
/// Koltun, 2018): task `left` is the digit drawn towards the top-left, task `right` the one
/// towards the bottom-right.
///
/// Each digit is a polyline glyph from a small stroke font (the `strokes` table, in a unit box,
/// x right, y down), drawn with a random scale (0.85–1.15), slant (±0.25), stroke width (1.0–1.8
/// pixels) and offset (±1.5 pixels), anti-aliased by distance to the strokes. The two glyphs are
/// combined by maximum, like MultiMNIST's overlay. Images `[N, 1, S, S]`, S = `imageSize`
/// (default 28), values in [0, 1]; labels uniform over 0–9, independent between the tasks.
/// **What it shows:** two tasks that compete for the same pixels where the digits overlap — the
/// classic two-task playground for MGDA and Pareto fronts (chapter 11).
public struct MultiDigit: Sendable {
    /// S, the side of the square images in pixels.
    public var imageSize: Int

    /// A generator of S×S images (default 28, as MNIST; S ≥ 20, else it throws `DataGenerationError`).
    public init(imageSize: Int = 28) throws(DataGenerationError) {
        guard imageSize >= 20 else { throw .invalidParameter("MultiDigit imageSize \(imageSize) must be at least 20") }
        self.imageSize = imageSize
    }

    /// The two ten-class tasks.
    public static var tasks: [TaskSpec] {
        let names = (0...9).map(String.init)
        return [TaskSpec(name: "left", kind: .classification(classCount: 10), outputNames: names),
                TaskSpec(name: "right", kind: .classification(classCount: 10), outputNames: names)]
    }

    /// The stroke font: for each digit, polylines of points in the unit box.
    public static let strokes: [[[SIMD2<Float>]]] = [
        [ellipse(centre: SIMD2(0.5, 0.5), radii: SIMD2(0.36, 0.48), pointCount: 12)],
        [[SIMD2(0.3, 0.2), SIMD2(0.55, 0), SIMD2(0.55, 1)]],
        [[SIMD2(0.15, 0.25), SIMD2(0.3, 0.05), SIMD2(0.7, 0.05), SIMD2(0.85, 0.25), SIMD2(0.8, 0.45), SIMD2(0.15, 1),
          SIMD2(0.85, 1)]],
        [[SIMD2(0.15, 0.08), SIMD2(0.8, 0.08), SIMD2(0.45, 0.45), SIMD2(0.8, 0.6), SIMD2(0.8, 0.85), SIMD2(0.55, 1),
          SIMD2(0.15, 0.95)]],
        [[SIMD2(0.7, 1), SIMD2(0.7, 0), SIMD2(0.1, 0.65), SIMD2(0.9, 0.65)]],
        [[SIMD2(0.8, 0), SIMD2(0.2, 0), SIMD2(0.15, 0.45), SIMD2(0.6, 0.4), SIMD2(0.85, 0.65), SIMD2(0.7, 0.95),
          SIMD2(0.15, 0.95)]],
        [[SIMD2(0.75, 0.05), SIMD2(0.35, 0.3), SIMD2(0.15, 0.7), SIMD2(0.3, 0.98), SIMD2(0.7, 0.98), SIMD2(0.85, 0.7),
          SIMD2(0.6, 0.5), SIMD2(0.2, 0.62)]],
        [[SIMD2(0.1, 0), SIMD2(0.9, 0), SIMD2(0.4, 1)]],
        [ellipse(centre: SIMD2(0.5, 0.26), radii: SIMD2(0.3, 0.24), pointCount: 10),
         ellipse(centre: SIMD2(0.5, 0.73), radii: SIMD2(0.36, 0.27), pointCount: 10)],
        [[SIMD2(0.82, 0.35), SIMD2(0.5, 0.52), SIMD2(0.18, 0.35), SIMD2(0.28, 0.05), SIMD2(0.65, 0.02),
          SIMD2(0.82, 0.2), SIMD2(0.82, 0.35), SIMD2(0.65, 1)]],
    ]

    static func ellipse(centre: SIMD2<Float>, radii: SIMD2<Float>, pointCount: Int) -> [SIMD2<Float>] {
        (0...pointCount).map { i in
            let angle = Float(i) / Float(pointCount) * 2 * .pi
            return centre + radii * SIMD2(Float(cos(Double(angle))), Float(sin(Double(angle))))
        }
    }

    struct Glyph: Sendable {
        var digit: Int
        var originX: Float, originY: Float, width: Float, height: Float, slant: Float, strokeWidth: Float
    }

    /// `sampleCount` images `[N, 1, S, S]` with labels `[N]` for `left` and `right`, from `seed`.
    public func dataset(sampleCount: Int, seed: UInt64) -> MultiTaskDataset {
        var generator = SeededGenerator(seed: seed)
        let s = Float(imageSize)
        let glyphs: [(Glyph, Glyph)] = (0..<sampleCount).map { _ in
            func glyph(cornerX: Float, cornerY: Float) -> Glyph {
                let scale = generator.nextFloat(in: 0.85..<1.15)
                return Glyph(digit: generator.nextInt(below: 10),
                             originX: cornerX + generator.nextFloat(in: -1.5..<1.5),
                             originY: cornerY + generator.nextFloat(in: -1.5..<1.5),
                             width: 0.4 * s * scale, height: 0.58 * s * scale,
                             slant: generator.nextFloat(in: -0.25..<0.25),
                             strokeWidth: generator.nextFloat(in: 1..<1.8))
            }
            return (glyph(cornerX: 0.16 * s, cornerY: 0.1 * s), glyph(cornerX: 0.44 * s, cornerY: 0.32 * s))
        }
        let size = imageSize
        let images = Tensor(count: sampleCount, itemShape: [1, size, size]) { index, pixels in
            for i in pixels.indices { pixels[i] = 0 }
            Self.draw(glyphs[index].0, size: size, into: pixels)
            Self.draw(glyphs[index].1, size: size, into: pixels)
        }
        return MultiTaskDataset(tasks: Self.tasks, inputs: images,
                                targets: [Tensor(glyphs.map { Float($0.0.digit) }),
                                          Tensor(glyphs.map { Float($0.1.digit) })])
    }

    /// Draws one glyph by maximum into a `[S, S]` image: intensity 1 within half the stroke width
    /// of a stroke, falling linearly to 0 one pixel further out.
    static func draw(_ glyph: Glyph, size: Int, into pixels: UnsafeMutableBufferPointer<Float>) {
        // Map the unit box to pixels, slanting x by the height above the baseline.
        let segments: [(SIMD2<Float>, SIMD2<Float>)] = strokes[glyph.digit].flatMap { line in
            let points = line.map { p in
                SIMD2(glyph.originX + (p.x + glyph.slant * (1 - p.y)) * glyph.width, glyph.originY + p.y * glyph.height)
            }
            return zip(points, points.dropFirst()).map { ($0, $1) }
        }
        let reach = glyph.strokeWidth / 2 + 1
        let x0 = max(0, Int(glyph.originX - abs(glyph.slant) * glyph.width - reach))
        let x1 = min(size, Int(glyph.originX + (1 + abs(glyph.slant)) * glyph.width + reach) + 1)
        let y0 = max(0, Int(glyph.originY - reach)), y1 = min(size, Int(glyph.originY + glyph.height + reach) + 1)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                let px = Float(x) + 0.5, py = Float(y) + 0.5
                var distance = Float.infinity
                for (a, b) in segments { distance = min(distance, distanceToSegment(px, py, a.x, a.y, b.x, b.y)) }
                let intensity = min(1, max(0, 1 - (distance - glyph.strokeWidth / 2)))
                pixels[y * size + x] = max(pixels[y * size + x], intensity)
            }
        }
    }
}
