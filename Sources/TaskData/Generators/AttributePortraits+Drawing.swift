import Foundation
import TensorCore

// Over 300 lines: one short routine per facial feature, in the order they are drawn, so that what
// covers what reads top to bottom; the attributes and their sampling are in AttributePortraits.swift.

/// Drawing one portrait. Every feature is placed in face coordinates (u, v): u across and v down,
/// in units of the face's half-width and half-height, (0, 0) at the face's centre — so the same
/// rules draw every head size and position. Widths of strokes are in pixels, so that a thin cue
/// stays one pixel wide at any size (that is what makes some attributes subtle).
extension AttributePortraits {
    /// Where one head is in the picture: centre (x, y) and half-width / half-height, in pixels.
    struct Head {
        var x: Float, y: Float, halfWidth: Float, halfHeight: Float

        /// The pixel position of face coordinates (u, v).
        @inline(__always)
        func at(_ u: Float, _ v: Float) -> (x: Float, y: Float) { (x + u * halfWidth, y + v * halfHeight) }

        /// The face coordinates of pixel position (x, y).
        @inline(__always)
        func face(_ px: Float, _ py: Float) -> (u: Float, v: Float) { ((px - x) / halfWidth, (py - y) / halfHeight) }
    }

    /// Writes the `[3, S, S]` picture of `face`, back to front: background, shoulders, hair behind
    /// the head, the face and its marks, the hair in front, glasses, hat, jewellery; then blur,
    /// brightness and noise.
    static func render(_ face: Face, size: Int, style: Style, into pixels: UnsafeMutableBufferPointer<Float>) {
        let raster = Raster(channels: 3, height: size, width: size, pixels: pixels)
        let s = Float(size), contrast = style.cueContrast
        let head = Head(x: face.centreX * s, y: face.centreY * s,
                        halfWidth: 0.27 * s * face.scale * (face.isChubby ? 1.14 : 1) * (face.hasOvalFace ? 0.92 : 1),
                        halfHeight: 0.34 * s * face.scale * (face.hasOvalFace ? 1.08 : 1))
        raster.fill(face.background)
        for item in face.clutter {
            let x = item.x * s, y = item.y * s, halfWidth = item.width * s / 2, halfHeight = item.height * s / 2
            if item.isDisc {
                raster.ellipse(x: x, y: y, radiusX: halfWidth, radiusY: halfHeight, colour: item.colour)
            } else {
                raster.paint(box: (x - halfWidth, y - halfHeight, x + halfWidth, y + halfHeight),
                             isInside: { _, _ in true }, colour: { _, _ in item.colour })
            }
        }
        drawBody(face, head: head, raster: raster)
        drawFace(face, head: head, raster: raster, contrast: contrast)
        drawHairInFront(face, head: head, raster: raster)
        drawAccessories(face, head: head, raster: raster, contrast: contrast)
        if face.isBlurry { raster.boxBlur() }
        for c in 0..<3 {
            for i in 0..<(size * size) { pixels[c * size * size + i] *= face.gain[c] }
        }
        var generator = SeededGenerator(seed: face.noiseSeed)
        raster.addNoise(standardDeviation: 0.01 + 0.06 * style.nuisance, using: &generator)
    }

    /// Shoulders, collar, long hair falling behind the head, the neck, the hair around the top of
    /// the head, and the ears.
    static func drawBody(_ face: Face, head: Head, raster: Raster) {
        let centre = head.at(0, 2.05)
        raster.ellipse(x: centre.x, y: centre.y, radiusX: 1.8 * head.halfWidth, radiusY: 0.85 * head.halfHeight,
                       colour: face.clothes)
        if face.hasLongHair {
            let top = head.at(-1.2, -0.3), bottom = head.at(1.2, 1.3)
            raster.paint(box: (top.x, top.y, bottom.x, bottom.y), isInside: { _, _ in true },
                         colour: { x, y in hairColour(face, x, y) })
        }
        let neckTop = head.at(-0.36, 0.6), neckBottom = head.at(0.36, 1.3)
        raster.paint(box: (neckTop.x, neckTop.y, neckBottom.x, neckBottom.y), isInside: { _, _ in true },
                     colour: { _, _ in face.skin * 0.9 })
        if face.hasCollar {
            raster.stroke([head.at(-0.42, 1.2), head.at(0, 1.42), head.at(0.42, 1.2)], halfWidth: 0.6,
                          colour: SIMD4(0.95, 0.95, 0.95, 0))
        }
        if !face.isBald {
            // A cap slightly larger than the face, down to the ears: what shows around the face.
            let cap = head.at(0, -0.08), earLevel = head.at(0, 0.1).y
            raster.paint(box: (cap.x - 1.1 * head.halfWidth, cap.y - 1.04 * head.halfHeight,
                               cap.x + 1.1 * head.halfWidth, earLevel),
                         isInside: { x, y in
                             let u = (x - cap.x) / (1.1 * head.halfWidth), v = (y - cap.y) / (1.04 * head.halfHeight)
                             return u * u + v * v <= 1
                         },
                         colour: { x, y in hairColour(face, x, y) })
        }
        for side: Float in [-1, 1] {
            let ear = head.at(side, 0.02)
            raster.ellipse(x: ear.x, y: ear.y, radiusX: 0.13 * head.halfWidth, radiusY: 0.2 * head.halfHeight,
                           colour: face.skin * 0.92)
        }
    }

    /// Whether face coordinates (u, v) are on the face: an ellipse, its lower half squarer when male.
    @inline(__always)
    static func isOnFace(_ u: Float, _ v: Float, isMale: Bool) -> Bool {
        isMale && v > 0 ? u * u * u * u + v * v <= 1 : u * u + v * v <= 1
    }

    /// The skin and every mark drawn on it: age lines, chin fold, cheeks, stubble, eyes and brows,
    /// nose, mouth, mustache and goatee.
    static func drawFace(_ face: Face, head: Head, raster: Raster, contrast: Float) {
        let male = face.isMale
        raster.paint(box: (head.x - 1.0 * head.halfWidth, head.y - head.halfHeight,
                           head.x + 1.0 * head.halfWidth, head.y + head.halfHeight),
                     isInside: { x, y in
                         let (u, v) = head.face(x, y)
                         return isOnFace(u, v, isMale: male)
                     },
                     colour: { _, _ in face.skin })
        let fold = face.skin * 0.7
        if face.isBald {
            let shine = head.at(0.25, -0.72)
            raster.ellipse(x: shine.x, y: shine.y, radiusX: 0.2 * head.halfWidth, radiusY: 0.1 * head.halfHeight + 0.3,
                           colour: SIMD4(repeating: 1), opacity: 0.35)
        }
        if !face.isYoung {
            for v: Float in [-0.5, -0.42] {
                raster.stroke([head.at(-0.3, v), head.at(0.3, v)], halfWidth: 0.4, colour: fold,
                              opacity: 0.8 * contrast)
            }
            for side: Float in [-1, 1] {
                raster.stroke([head.at(0.24 * side, 0.3), head.at(0.38 * side, 0.56)], halfWidth: 0.4, colour: fold,
                              opacity: 0.8 * contrast)
            }
        }
        if face.hasDoubleChin {
            raster.stroke([head.at(-0.3, 0.84), head.at(0, 0.93), head.at(0.3, 0.84)], halfWidth: 0.45, colour: fold,
                          opacity: 0.85 * contrast)
        }
        for side: Float in [-1, 1] {
            if face.hasHighCheekbones {
                let highlight = face.skin + (SIMD4(1, 1, 1, 0) - face.skin) * 0.5
                raster.stroke([head.at(0.44 * side, 0.14), head.at(0.74 * side, 0)], halfWidth: 0.55,
                              colour: highlight, opacity: contrast)
                raster.stroke([head.at(0.44 * side, 0.27), head.at(0.74 * side, 0.13)], halfWidth: 0.5,
                              colour: fold, opacity: contrast)
            }
            if face.hasRosyCheeks {
                let cheek = head.at(0.52 * side, 0.3)
                raster.ellipse(x: cheek.x, y: cheek.y, radiusX: 0.17 * head.halfWidth,
                               radiusY: 0.1 * head.halfHeight + 0.3, colour: SIMD4(0.95, 0.42, 0.48, 0),
                               opacity: 0.55 * contrast)
            }
        }
        let beard = face.hair * 0.65
        if face.hasStubble {
            let seed = face.noiseSeed
            raster.blend(box: (head.x - head.halfWidth, head.y + 0.25 * head.halfHeight,
                               head.x + head.halfWidth, head.y + head.halfHeight),
                         opacity: 0.55 * contrast,
                         isInside: { x, y in
                             let (u, v) = head.face(x, y)
                             return v > 0.25 && isOnFace(u, v, isMale: male) && pixelHash(Int(x), Int(y), seed) < 0.45
                         },
                         colour: { _, _ in beard })
        }
        drawEyes(face, head: head, raster: raster, contrast: contrast)
        drawNose(face, head: head, raster: raster, contrast: contrast)
        drawMouth(face, head: head, raster: raster, contrast: contrast)
        if face.hasMustache {
            raster.stroke([head.at(-0.36, 0.52), head.at(0, 0.43), head.at(0.36, 0.52)], halfWidth: 0.85,
                          colour: beard, opacity: 0.95 * contrast)
        }
        if face.hasGoatee {
            let chin = head.at(0, 0.8)
            raster.ellipse(x: chin.x, y: chin.y, radiusX: 0.2 * head.halfWidth, radiusY: 0.12 * head.halfHeight + 0.3,
                           colour: beard, opacity: 0.95 * contrast)
        }
    }

    /// Eye shadow, bags, the eyes (white and iris) and the eyebrows.
    static func drawEyes(_ face: Face, head: Head, raster: Raster, contrast: Float) {
        // A narrow eye is one pixel tall at any size; an open one two or three.
        let eyeHalfHeight: Float = face.hasNarrowEyes ? 0.55 : max(1.05, 0.11 * head.halfHeight)
        let brow = face.hair * 0.65
        for side: Float in [-1, 1] {
            let eye = head.at(0.38 * side, -0.08)
            if face.hasHeavyMakeup {
                raster.ellipse(x: eye.x, y: eye.y - eyeHalfHeight - 0.5, radiusX: 0.22 * head.halfWidth, radiusY: 0.9,
                               colour: face.shadowColour, opacity: 0.6 * contrast)
            }
            if face.hasBags {
                let below = eye.y + eyeHalfHeight + 0.9, reach = 0.2 * head.halfWidth
                raster.stroke([(eye.x - reach, below - 0.3), (eye.x, below + 0.3), (eye.x + reach, below - 0.3)],
                              halfWidth: 0.45, colour: face.skin * SIMD4(0.72, 0.62, 0.7, 0),
                              opacity: 0.8 * contrast)
            }
            raster.ellipse(x: eye.x, y: eye.y, radiusX: 0.2 * head.halfWidth, radiusY: eyeHalfHeight,
                           colour: SIMD4(0.95, 0.95, 0.95, 0), opacity: contrast)
            raster.ellipse(x: eye.x, y: eye.y, radiusX: 0.5 + 0.05 * head.halfWidth, radiusY: eyeHalfHeight,
                           colour: SIMD4(0.12, 0.08, 0.06, 0), opacity: contrast)
            let points = face.hasArchedEyebrows
                ? [head.at(0.16 * side, -0.26), head.at(0.42 * side, -0.4), head.at(0.66 * side, -0.28)]
                : [head.at(0.18 * side, -0.3), head.at(0.64 * side, -0.3)]
            raster.stroke(points, halfWidth: face.hasBushyEyebrows ? 1 : 0.5, colour: brow, opacity: contrast)
        }
    }

    /// The nose: a shading stroke (straight, or a sharp angle when pointy) and two nostrils; a big
    /// nose is longer, with a broad light tip and nostrils set wider apart.
    static func drawNose(_ face: Face, head: Head, raster: Raster, contrast: Float) {
        let length: Float = face.hasBigNose ? 0.38 : 0.24, spread: Float = face.hasBigNose ? 0.2 : 0.09
        let shadow = face.skin + (SIMD4(0.12, 0.06, 0.04, 0) - face.skin) * 0.5
        if face.hasBigNose {
            let tip = head.at(0, length - 0.04)
            let highlight = face.skin + (SIMD4(1, 1, 1, 0) - face.skin) * 0.35
            raster.ellipse(x: tip.x, y: tip.y, radiusX: 0.22 * head.halfWidth, radiusY: 0.07 * head.halfHeight + 0.3,
                           colour: highlight, opacity: contrast)
        }
        let bridge = face.hasPointyNose
            ? [head.at(-0.02, 0), head.at(0.22, length + 0.02), head.at(0, length + 0.06)]
            : [head.at(0.05, 0), head.at(0.05, length)]
        raster.stroke(bridge, halfWidth: face.hasBigNose ? 0.75 : 0.45, colour: shadow, opacity: contrast)
        for side: Float in [-1, 1] {
            let nostril = head.at(spread * side, length + 0.05)
            let radius: Float = face.hasBigNose ? 0.7 : 0.5
            raster.ellipse(x: nostril.x, y: nostril.y, radiusX: radius, radiusY: radius, colour: shadow * 0.7,
                           opacity: contrast)
        }
    }

    /// The mouth: one lip line when closed, or lips around a dark opening (teeth when smiling);
    /// smiling raises the corners.
    static func drawMouth(_ face: Face, head: Head, raster: Raster, contrast: Float) {
        let centre = head.at(0, 0.58), reach = 0.32 * head.halfWidth
        let lift: Float = face.isSmiling ? 0.09 * head.halfHeight : 0
        let sag: Float = face.isSmiling ? 0.03 * head.halfHeight : 0
        let lip: Float = face.hasBigLips ? 1 : 0.5
        func line(at y: Float) -> [(x: Float, y: Float)] {
            [(centre.x - reach, y - lift), (centre.x, y + sag), (centre.x + reach, y - lift)]
        }
        if face.isMouthOpen {
            let gap = 0.08 * head.halfHeight + 0.5
            raster.ellipse(x: centre.x, y: centre.y + sag, radiusX: 0.85 * reach, radiusY: gap,
                           colour: SIMD4(0.2, 0.04, 0.05, 0), opacity: contrast)
            if face.isSmiling {
                let teeth = centre.y + sag - 0.4
                raster.stroke([(centre.x - 0.55 * reach, teeth), (centre.x + 0.55 * reach, teeth)],
                              halfWidth: 0.45, colour: SIMD4(0.95, 0.95, 0.92, 0), opacity: contrast)
            }
            for y in [centre.y - gap - lip + 0.5, centre.y + gap + lip - 0.5] {
                raster.stroke(line(at: y), halfWidth: lip, colour: face.lipColour, opacity: contrast)
            }
        } else {
            raster.stroke(line(at: centre.y), halfWidth: lip, colour: face.lipColour, opacity: contrast)
        }
    }

    /// The hairline over the forehead: at v = −0.6 in the middle, lower towards the temples; a
    /// receding one climbs at the temples; a fringe comes down to about v = −0.38.
    @inline(__always)
    static func hairline(_ face: Face, u: Float, column: Int) -> Float {
        let side = abs(u)
        var line = -0.6 + 0.25 * side * side
        if face.hasRecedingHairline { line = -0.62 - 0.3 * min(1, max(0, (side - 0.2) / 0.4)) }
        if face.hasBangs {
            // A jagged fringe: each column's tip 0–0.05 lower.
            line = max(line, -0.42 + 0.05 * pixelHash(column, 0, face.noiseSeed))
        }
        return line
    }

    /// The hair over the forehead (drawn over the brows' surroundings, under the glasses and hat),
    /// and the sideburns.
    static func drawHairInFront(_ face: Face, head: Head, raster: Raster) {
        guard !face.isBald else {
            if face.hasSideburns { drawSideburns(face, head: head, raster: raster) }
            return
        }
        let male = face.isMale
        raster.paint(box: (head.x - head.halfWidth, head.y - head.halfHeight, head.x + head.halfWidth, head.y),
                     isInside: { x, y in
                         let (u, v) = head.face(x, y)
                         return isOnFace(u, v, isMale: male) && v < hairline(face, u: u, column: Int(x))
                     },
                     colour: { x, y in hairColour(face, x, y) })
        if face.hasSideburns { drawSideburns(face, head: head, raster: raster) }
    }

    /// Strips of hair (beard-coloured when bald) in front of the ears.
    static func drawSideburns(_ face: Face, head: Head, raster: Raster) {
        for side: Float in [-1, 1] {
            raster.stroke([head.at(0.92 * side, -0.45), head.at(0.92 * side, 0.25)], halfWidth: 0.75,
                          colour: face.hair * 0.8)
        }
    }

    /// The colour of the hair at pixel (x, y): its colour, with thin streaks (columns) when straight
    /// or wavy bands when wavy — lighter on dark hair, darker on light hair.
    @inline(__always)
    static func hairColour(_ face: Face, _ x: Int, _ y: Int) -> SIMD4<Float> {
        let isStreak: Bool
        switch face.hairTexture {
        case .plain: return face.hair
        case .straight: isStreak = x % 3 == 0
        case .wavy:
            let wave = Float(y) + 1.2 * Float(sin(0.9 * Double(x)))
            isStreak = (wave + 12).truncatingRemainder(dividingBy: 3) < 1.2
        }
        guard isStreak else { return face.hair }
        let luminance = (face.hair[0] + face.hair[1] + face.hair[2]) / 3
        let target: SIMD4<Float> = luminance > 0.5 ? SIMD4(0, 0, 0, 0) : SIMD4(1, 1, 1, 0)
        return face.hair + (target - face.hair) * 0.22
    }

    /// Glasses, hat, earrings, necklace and necktie.
    static func drawAccessories(_ face: Face, head: Head, raster: Raster, contrast: Float) {
        if face.hasEyeglasses {
            let frame = face.frameColour, opacity = 0.95 * contrast
            for side: Float in [-1, 1] {
                let inner = 0.11 * side, outer = 0.65 * side
                raster.stroke([head.at(inner, -0.28), head.at(outer, -0.28), head.at(outer, 0.08), head.at(inner, 0.08),
                               head.at(inner, -0.28)], halfWidth: 0.45, colour: frame, opacity: opacity)
                raster.stroke([head.at(outer, -0.2), head.at(0.98 * side, -0.18)], halfWidth: 0.4, colour: frame,
                              opacity: opacity)
            }
            raster.stroke([head.at(-0.11, -0.14), head.at(0.11, -0.14)], halfWidth: 0.4, colour: frame,
                          opacity: opacity)
        }
        if face.hasHat {
            // The crown: the top of an ellipse, cut off at the brim.
            let crown = head.at(0, -0.85), brim = head.at(0, -0.55).y
            let radiusX = 1.05 * head.halfWidth, radiusY = 0.55 * head.halfHeight
            raster.paint(box: (crown.x - radiusX, crown.y - radiusY, crown.x + radiusX, brim),
                         isInside: { x, y in
                             let u = (x - crown.x) / radiusX, v = (y - crown.y) / radiusY
                             return u * u + v * v <= 1
                         },
                         colour: { _, _ in face.hatColour })
            raster.stroke([head.at(-1.3, -0.55), head.at(1.3, -0.55)], halfWidth: 0.06 * head.halfHeight + 0.4,
                          colour: face.hatColour * 0.8)
        }
        if face.hasEarrings {
            for side: Float in [-1, 1] {
                let lobe = head.at(side, 0.25)
                raster.ellipse(x: lobe.x, y: lobe.y, radiusX: 0.8, radiusY: 0.8, colour: face.jewelColour,
                               opacity: contrast)
            }
        }
        if face.hasNecklace {
            let points = stride(from: Float(-1), through: 1, by: 0.5).map { t in
                head.at(0.42 * t, 1.1 + 0.14 * (1 - t * t))
            }
            raster.stroke(points, halfWidth: 0.5, colour: face.jewelColour, opacity: contrast)
        }
        if face.hasNecktie {
            let knot = head.at(0, 1.4)
            raster.ellipse(x: knot.x, y: knot.y, radiusX: 0.12 * head.halfWidth + 0.3,
                           radiusY: 0.06 * head.halfHeight + 0.3, colour: face.tieColour, opacity: contrast)
            raster.stroke([knot, (knot.x, Float(raster.height) + 1)], halfWidth: 0.16 * head.halfWidth,
                          colour: face.tieColour, opacity: contrast)
        }
    }

    /// A pseudo-random value in [0, 1) for pixel (x, y) under `seed` (for stubble and the fringe):
    /// the same inputs always give the same value, without a generator to thread through.
    @inline(__always)
    static func pixelHash(_ x: Int, _ y: Int, _ seed: UInt64) -> Float {
        var h = seed ^ (UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15)
            ^ (UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F)
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return Float(h >> 40) * (1.0 / 16_777_216.0)
    }
}
