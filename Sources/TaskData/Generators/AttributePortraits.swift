import Foundation
import TensorCore

// Over 300 lines: the 40-row attribute table and the sampling rules it documents stay together, so
// that a change to one is made to the other; the drawing is in AttributePortraits+Drawing.swift.

/// Small stylized RGB portraits with 40 binary face attributes in 8 multi-label tasks — a stand-in
/// for CelebA, the main benchmark of the Maximum Roaming paper (Pascal et al., 2021, §5), grouped as
/// in its reference code: tasks of 9, 5, 9, 4, 2, 5, 2 and 4 attributes.
///
/// Each image (`[3, S, S]`, S = `imageSize`, default 32, values in [0, 1]) shows a head and
/// shoulders on a background with clutter. The faces are sampled attribute by attribute; P is the
/// probability of each label being 1 (with `labelNoise` 0), "M" means male, "Y" young:
///
/// | task | attribute | P | how it is sampled; how it is drawn |
/// |---|---|---|---|
/// | global | `male` | 0.450 | square jaw, short hair (long hair 0.1 vs 0.8 when female) |
/// | | `young` | 0.700 | when not young: forehead lines and smile folds |
/// | | `paleSkin` | 0.150 | skin tone in a pinkish-white range apart from the others |
/// | | `chubby` | 0.150 | face 14% wider |
/// | | `blurry` | 0.100 | the whole picture 3×3 box-blurred |
/// | | `heavyMakeup` | 0.316 | M 0.03, else 0.55; eye shadow above both eyes |
/// | | `ovalFace` | 0.300 | face 8% narrower and 8% taller |
/// | | `doubleChin` | 0.140 | chubby 0.6, else Y 0.02 / not Y 0.15; a fold line above the chin |
/// | | `attractive` | 0.482 | young, not chubby, no bags under the eyes, not blurry (no own cue) |
/// | eyes | `eyeglasses` | 0.145 | Y 0.1, else 0.25; two frames over the eyes, reaching the eyebrows |
/// | | `narrowEyes` | 0.150 | the eye one pixel tall instead of two or three |
/// | | `bagsUnderEyes` | 0.205 | Y 0.1, else 0.45; a thin dark arc under each eye |
/// | | `archedEyebrows` | 0.293 | M 0.1, else 0.45; each brow bent up in its middle |
/// | | `bushyEyebrows` | 0.179 | M 0.3, else 0.08; brows two pixels thick instead of one |
/// | hair | `bald` | 0.072 | M and Y 0.1, M and not Y 0.3, else 0; no hair, a shine on the scalp |
/// | | `bangs` | 0.186 | 0.2 when not bald; a fringe over the forehead |
/// | | `blackHair` | 0.263 | colour when not bald: gray Y 0.04 / not Y 0.5; else black, blond, |
/// | | `blondHair` | 0.161 | brown or another (auburn, unlabelled) with weights 0.4, 0.08, 0.35, |
/// | | `brownHair` | 0.238 | 0.17 when M and 0.3, 0.3, 0.28, 0.12 otherwise; the colour of hair, |
/// | | `grayHair` | 0.156 | eyebrows and beard (darker) |
/// | | `recedingHairline` | 0.071 | not bald, no bangs: M and Y 0.1, M and not Y 0.4, else 0.04; temples bare |
/// | | `straightHair` | 0.418 | 0.45 when not bald; thin vertical streaks in the hair |
/// | | `wavyHair` | 0.325 | 0.35 when not bald (never straight); wavy streaks in the hair |
/// | mouth | `bigLips` | 0.255 | M 0.2, else 0.3; lips two pixels thick instead of one |
/// | | `mouthOpen` | 0.440 | smiling 0.7, else 0.2; a dark opening between the lips |
/// | | `smiling` | 0.480 | the corners of the mouth raised; teeth when open |
/// | | `lipstick` | 0.416 | M 0.01; else 0.95 with heavy makeup, 0.5 without; red lips |
/// | nose | `bigNose` | 0.240 | M 0.35, else 0.15; longer, wider nostrils and a broad tip |
/// | | `pointyNose` | 0.240 | big nose 0.05, else 0.3; the tip drawn as a sharp angle |
/// | beard | `stubble` | 0.135 | M 0.3, else 0; sparse dark dots on the jaw |
/// | | `goatee` | 0.090 | M 0.2, else 0; a patch on the chin |
/// | | `mustache` | 0.099 | M 0.22, else 0; a thick stroke over the upper lip |
/// | | `noBeard` | 0.707 | none of the other four |
/// | | `sideburns` | 0.090 | M 0.2, else 0; strips of hair in front of the ears |
/// | cheeks | `highCheekbones` | 0.450 | smiling 0.7, else 0.22; a light stroke over a dark one on each cheek |
/// | | `rosyCheeks` | 0.080 | M 0.03; else 0.18 with heavy makeup, 0.05 without; pink patches |
/// | accessories | `earrings` | 0.211 | M 0.04, else 0.35; a gold or silver dot under each ear |
/// | | `hat` | 0.120 | a crown and brim over the top of the head |
/// | | `necklace` | 0.135 | M 0.03, else 0.22; a thin bright arc at the base of the neck |
/// | | `necktie` | 0.118 | M 0.25, else 0.01; a knot and a strip down the shirt |
///
/// Every other draw is independent. **Why the tasks compete for capacity:** every cue is made of
/// the same few primitives — filled ellipses, pen strokes one or two pixels wide, dots, colour
/// patches and streak textures — so the tasks need the same low-level filters, and the cues overlap
/// in the image: hair and its fringe cover the forehead (and its lines), glasses cross the eyes and
/// eyebrows, beard marks sit on the mouth, cheeks and jaw, a hat covers the hair and the hairline.
/// Attributes are also correlated across tasks as in real faces (beards only when male, lipstick
/// and makeup mostly when not, gray hair and bags mostly when old, smiling with high cheekbones),
/// so one task's features help another's, and `attractive` is a conjunction of cues that belong to
/// other tasks.
///
/// **Subtle attributes** (a pixel or two, or a shade): `narrowEyes`, `bagsUnderEyes`,
/// `archedEyebrows`, `bushyEyebrows`, `recedingHairline`, `straightHair` / `wavyHair` (streaks
/// under noise), `bigLips`, `bigNose`, `pointyNose`, `stubble`, `doubleChin`, `highCheekbones`,
/// `rosyCheeks`, `paleSkin` (against brightness jitter; the white of the eyes is the reference),
/// `ovalFace` and `chubby` (against scale jitter), and `attractive` (no cue of its own). Easy ones:
/// `hat`, `eyeglasses`, `bald`, `smiling`, `mouthOpen`, `lipstick`, hair colour and `blurry`.
///
/// **Nuisance** (not labelled), in proportion to `nuisance` (half of these ranges at the default 0.5):
/// the head's position (±7% of S across, ±4% down) and size (±10%), background clutter (up to five
/// rectangles and discs), the brightness (±15%) and colour cast (±5% per channel) of the whole
/// picture; and pixel noise σ = 0.01 + 0.06 × `nuisance`. Always present: random background,
/// clothes and hat colours, skin tones and shades of each hair colour. Generation is seeded: the
/// same seed gives the same images and labels.
public struct AttributePortraits: Sendable {
    /// Side S of the square images (at least 24, so that every cue keeps at least one pixel).
    public var imageSize: Int
    /// The probability that each stored label is flipped, independently, in [0, 0.5) (default 0).
    /// The images do not change with it: the same seed gives the same pictures at every noise level.
    /// A documented probability P becomes P·(1 − 2ε) + ε.
    public var labelNoise: Double
    /// The strength of the unlabelled variation, in [0, 1] (default 0.5): 0 gives a centred head of
    /// fixed size, no clutter, no brightness jitter and noise σ 0.01; 1 doubles the default jitter.
    public var nuisance: Double
    /// The opacity of the facial marks that carry the attributes, in (0, 1] (default 1): eyes, brows,
    /// lines, lips, nose, beard, cheeks, glasses and jewellery. Lower values make every such cue
    /// fainter against the skin; hair, hat and clothes keep their colours.
    public var cueContrast: Double

    /// The task groups, in order: global, eyes, hair, mouth, nose, beard, cheeks, accessories.
    public static let groups: [(name: String, attributes: [String])] = [
        ("global", ["male", "young", "paleSkin", "chubby", "blurry", "heavyMakeup", "ovalFace", "doubleChin",
                    "attractive"]),
        ("eyes", ["eyeglasses", "narrowEyes", "bagsUnderEyes", "archedEyebrows", "bushyEyebrows"]),
        ("hair", ["bald", "bangs", "blackHair", "blondHair", "brownHair", "grayHair", "recedingHairline",
                  "straightHair", "wavyHair"]),
        ("mouth", ["bigLips", "mouthOpen", "smiling", "lipstick"]),
        ("nose", ["bigNose", "pointyNose"]),
        ("beard", ["stubble", "goatee", "mustache", "noBeard", "sideburns"]),
        ("cheeks", ["highCheekbones", "rosyCheeks"]),
        ("accessories", ["earrings", "hat", "necklace", "necktie"]),
    ]

    /// The documented probability of each attribute, in the order of `groups` (with `labelNoise`
    /// 0; what the tests check). Each follows from the sampling rules in the table above.
    public static let attributeProbabilities: [[Double]] = [
        [0.45, 0.7, 0.15, 0.15, 0.1, 0.316, 0.3, 0.14015, 0.48195],
        [0.145, 0.15, 0.205, 0.2925, 0.179],
        [0.072, 0.1856, 0.263394, 0.161183, 0.238382, 0.15649, 0.07052, 0.4176, 0.3248],
        [0.255, 0.44, 0.48, 0.415625],
        [0.24, 0.24],
        [0.135, 0.09, 0.099, 0.707248, 0.09],
        [0.4504, 0.080325],
        [0.2105, 0.12, 0.1345, 0.118],
    ]

    /// Checks and stores the knobs; each must lie in the range its documentation gives.
    public init(imageSize: Int = 32, labelNoise: Double = 0, nuisance: Double = 0.5,
                cueContrast: Double = 1) throws(DataGenerationError) {
        guard imageSize >= 24 else {
            throw .invalidParameter("AttributePortraits imageSize \(imageSize) must be at least 24")
        }
        guard labelNoise >= 0 && labelNoise < 0.5 else {
            throw .invalidParameter("AttributePortraits labelNoise \(labelNoise) must lie in [0, 0.5)")
        }
        guard nuisance >= 0 && nuisance <= 1 else {
            throw .invalidParameter("AttributePortraits nuisance \(nuisance) must lie in [0, 1]")
        }
        guard cueContrast > 0 && cueContrast <= 1 else {
            throw .invalidParameter("AttributePortraits cueContrast \(cueContrast) must lie in (0, 1]")
        }
        self.imageSize = imageSize
        self.labelNoise = labelNoise
        self.nuisance = nuisance
        self.cueContrast = cueContrast
    }

    /// The eight multi-label tasks, named after the groups, with the attributes as output names.
    public static var tasks: [TaskSpec] {
        groups.map {
            TaskSpec(name: $0.name, kind: .multiLabel(labelCount: $0.attributes.count), outputNames: $0.attributes)
        }
    }

    /// `sampleCount` portraits `[N, 3, S, S]` and their eight label tensors (`[N, L_g]`), from `seed`;
    /// throws for a negative count.
    public func dataset(sampleCount: Int, seed: UInt64) throws(DataGenerationError) -> MultiTaskDataset {
        guard sampleCount >= 0 else {
            throw .invalidParameter("AttributePortraits sampleCount \(sampleCount) must not be negative")
        }
        var generator = SeededGenerator(seed: seed)
        // Flips come from their own stream, so the pictures are the same at every label noise.
        var flips = SeededGenerator(seed: generator.next())
        let faces = (0..<sampleCount).map { _ in sampleFace(using: &generator) }
        let size = imageSize, style = Style(nuisance: Float(nuisance), cueContrast: Float(cueContrast))
        let images = Tensor(count: sampleCount, itemShape: [3, size, size]) { index, pixels in
            Self.render(faces[index], size: size, style: style, into: pixels)
        }
        var labels = Self.groups.map { [Float](repeating: 0, count: sampleCount * $0.attributes.count) }
        let flipThreshold = Float(labelNoise)
        for (sample, face) in faces.enumerated() {
            for (group, values) in face.labels.enumerated() {
                for (attribute, value) in values.enumerated() {
                    let flipped = flips.nextFloat() < flipThreshold ? !value : value
                    labels[group][sample * values.count + attribute] = flipped ? 1 : 0
                }
            }
        }
        let targets = Self.groups.indices.map { group in
            Tensor(shape: [sampleCount, Self.groups[group].attributes.count], scalars: labels[group])
        }
        return MultiTaskDataset(tasks: Self.tasks, inputs: images, targets: targets)
    }

    /// The colour of a head of hair, or none for a bald head (`other` is auburn, which no label names).
    enum HairColour: Sendable { case none, black, blond, brown, gray, other }
    /// The streaks in the hair.
    enum HairTexture: Sendable { case plain, straight, wavy }

    /// One portrait: its attributes and the unlabelled appearance it is drawn with (sampled
    /// sequentially from the seed, rendered in parallel).
    struct Face: Sendable {
        var isMale = false, isYoung = false, hasPaleSkin = false, isChubby = false, isBlurry = false
        var hasHeavyMakeup = false, hasOvalFace = false, hasDoubleChin = false
        var hasEyeglasses = false, hasNarrowEyes = false, hasBags = false
        var hasArchedEyebrows = false, hasBushyEyebrows = false
        var hairColour = HairColour.none, hairTexture = HairTexture.plain
        var hasBangs = false, hasRecedingHairline = false
        var hasBigLips = false, isMouthOpen = false, isSmiling = false, hasLipstick = false
        var hasBigNose = false, hasPointyNose = false
        var hasStubble = false, hasGoatee = false, hasMustache = false, hasSideburns = false
        var hasHighCheekbones = false, hasRosyCheeks = false
        var hasEarrings = false, hasHat = false, hasNecklace = false, hasNecktie = false

        // Unlabelled appearance. Positions are fractions of the image side.
        var hasLongHair = false, hasCollar = false
        var centreX: Float = 0.5, centreY: Float = 0.44, scale: Float = 1
        var skin = SIMD4<Float>(), hair = SIMD4<Float>(), background = SIMD4<Float>(), clothes = SIMD4<Float>()
        var hatColour = SIMD4<Float>(), frameColour = SIMD4<Float>(), shadowColour = SIMD4<Float>()
        var jewelColour = SIMD4<Float>(), tieColour = SIMD4<Float>(), lipColour = SIMD4<Float>()
        var clutter: [(x: Float, y: Float, width: Float, height: Float, isDisc: Bool, colour: SIMD4<Float>)] = []
        var gain = SIMD4<Float>(1, 1, 1, 1)
        var noiseSeed: UInt64 = 0

        var isBald: Bool { hairColour == .none }
        var isAttractive: Bool { isYoung && !isChubby && !hasBags && !isBlurry }
        var hasNoBeard: Bool { !(hasStubble || hasGoatee || hasMustache || hasSideburns) }

        /// The 40 labels, grouped as `AttributePortraits.groups`.
        var labels: [[Bool]] {
            [[isMale, isYoung, hasPaleSkin, isChubby, isBlurry, hasHeavyMakeup, hasOvalFace, hasDoubleChin,
              isAttractive],
             [hasEyeglasses, hasNarrowEyes, hasBags, hasArchedEyebrows, hasBushyEyebrows],
             [isBald, hasBangs, hairColour == .black, hairColour == .blond, hairColour == .brown,
              hairColour == .gray, hasRecedingHairline, hairTexture == .straight, hairTexture == .wavy],
             [hasBigLips, isMouthOpen, isSmiling, hasLipstick],
             [hasBigNose, hasPointyNose],
             [hasStubble, hasGoatee, hasMustache, hasNoBeard, hasSideburns],
             [hasHighCheekbones, hasRosyCheeks],
             [hasEarrings, hasHat, hasNecklace, hasNecktie]]
        }
    }

    /// The knobs the renderer needs, as Floats.
    struct Style: Sendable {
        var nuisance: Float, cueContrast: Float
    }

    /// Draws one face's attributes by the rules of the table, then its appearance.
    func sampleFace(using generator: inout SeededGenerator) -> Face {
        func chance(_ probability: Float) -> Bool { generator.nextFloat() < probability }
        var face = Face()
        face.isMale = chance(0.45)
        face.isYoung = chance(0.7)
        let male = face.isMale, young = face.isYoung
        face.hasPaleSkin = chance(0.15)
        face.isChubby = chance(0.15)
        face.isBlurry = chance(0.1)
        face.hasHeavyMakeup = chance(male ? 0.03 : 0.55)
        face.hasOvalFace = chance(0.3)
        face.hasDoubleChin = chance(face.isChubby ? 0.6 : young ? 0.02 : 0.15)

        face.hasEyeglasses = chance(young ? 0.1 : 0.25)
        face.hasNarrowEyes = chance(0.15)
        face.hasBags = chance(young ? 0.1 : 0.45)
        face.hasArchedEyebrows = chance(male ? 0.1 : 0.45)
        face.hasBushyEyebrows = chance(male ? 0.3 : 0.08)

        let isBald = male && chance(young ? 0.1 : 0.3)
        if !isBald {
            if chance(young ? 0.04 : 0.5) {
                face.hairColour = .gray
            } else {
                let weights: [Float] = male ? [0.4, 0.08, 0.35, 0.17] : [0.3, 0.3, 0.28, 0.12]
                var draw = generator.nextFloat(), choice = 0
                while choice < 3 && draw >= weights[choice] { draw -= weights[choice]; choice += 1 }
                face.hairColour = [HairColour.black, .blond, .brown, .other][choice]
            }
            face.hasBangs = chance(0.2)
            face.hasRecedingHairline = !face.hasBangs && chance(male ? (young ? 0.1 : 0.4) : 0.04)
            let texture = generator.nextFloat()
            face.hairTexture = texture < 0.45 ? .straight : texture < 0.8 ? .wavy : .plain
            face.hasLongHair = chance(male ? 0.1 : 0.8)
        }

        face.isSmiling = chance(0.48)
        face.isMouthOpen = chance(face.isSmiling ? 0.7 : 0.2)
        face.hasBigLips = chance(male ? 0.2 : 0.3)
        face.hasLipstick = chance(male ? 0.01 : face.hasHeavyMakeup ? 0.95 : 0.5)

        face.hasBigNose = chance(male ? 0.35 : 0.15)
        face.hasPointyNose = chance(face.hasBigNose ? 0.05 : 0.3)

        if male {
            face.hasStubble = chance(0.3)
            face.hasGoatee = chance(0.2)
            face.hasMustache = chance(0.22)
            face.hasSideburns = chance(0.2)
        }

        face.hasHighCheekbones = chance(face.isSmiling ? 0.7 : 0.22)
        face.hasRosyCheeks = chance(male ? 0.03 : face.hasHeavyMakeup ? 0.18 : 0.05)

        face.hasEarrings = chance(male ? 0.04 : 0.35)
        face.hasHat = chance(0.12)
        face.hasNecklace = chance(male ? 0.03 : 0.22)
        face.hasNecktie = chance(male ? 0.25 : 0.01)
        face.hasCollar = face.hasNecktie || chance(0.3)

        sampleAppearance(of: &face, using: &generator)
        return face
    }

    /// The unlabelled part of a face: colours, position, clutter and photometric jitter.
    func sampleAppearance(of face: inout Face, using generator: inout SeededGenerator) {
        func uniform(_ low: Float, _ high: Float) -> Float { generator.nextFloat(in: low..<high) }
        func colour(_ low: Float, _ high: Float) -> SIMD4<Float> {
            SIMD4(uniform(low, high), uniform(low, high), uniform(low, high), 0)
        }
        let strength = Float(nuisance)
        // Skin: a tone between dark and light brown; pale skin in a pinkish-white range beyond it.
        let dark = SIMD4<Float>(0.36, 0.22, 0.14, 0), light = SIMD4<Float>(0.88, 0.72, 0.58, 0)
        let pale = SIMD4<Float>(0.98, 0.9, 0.86, 0)
        face.skin = face.hasPaleSkin ? light + (pale - light) * uniform(0.75, 1)
                                     : dark + (light - dark) * uniform(0, 1)
        let shade = uniform(0.85, 1.12)
        switch face.hairColour {
        case .black: face.hair = SIMD4(0.07, 0.06, 0.06, 0) + SIMD4(repeating: uniform(0, 0.06))
        case .blond: face.hair = SIMD4(0.88, 0.76, 0.44, 0) * min(1.05, shade)
        case .brown: face.hair = SIMD4(0.42, 0.25, 0.12, 0) * shade
        case .gray: face.hair = SIMD4(0.66, 0.66, 0.68, 0) * shade
        case .other: face.hair = SIMD4(0.62, 0.22, 0.1, 0) * shade
        case .none: face.hair = SIMD4(0.25, 0.17, 0.1, 0)    // the colour of eyebrows and beard only
        }
        face.background = colour(0.1, 0.95)
        face.clothes = colour(0.05, 0.9)
        face.hatColour = colour(0.05, 0.9)
        face.frameColour = generator.nextFloat() < 0.7 ? SIMD4(repeating: uniform(0.02, 0.25))
                                                       : SIMD4(0.8, 0.66, 0.3, 0)
        face.shadowColour = [SIMD4<Float>(0.5, 0.25, 0.55, 0), SIMD4(0.3, 0.4, 0.75, 0),
                             SIMD4(0.45, 0.28, 0.2, 0)][generator.nextInt(below: 3)]
        face.jewelColour = [SIMD4<Float>(0.98, 0.82, 0.3, 0), SIMD4(0.88, 0.88, 0.92, 0),
                            SIMD4(0.98, 0.96, 0.9, 0)][generator.nextInt(below: 3)]
        face.tieColour = colour(0.05, 0.9)
        face.lipColour = face.hasLipstick ? SIMD4(0.8, 0.06, 0.16, 0) * uniform(0.85, 1.1)
                                          : face.skin * SIMD4(0.78, 0.58, 0.58, 0)
        face.centreX = 0.5 + jitter(0.07, strength, &generator)
        face.centreY = 0.44 + jitter(0.04, strength, &generator)
        face.scale = 1 + jitter(0.1, strength, &generator)
        // Five clutter shapes are always drawn from the stream and the first few kept, so the stream
        // (and with it every label) is the same at every nuisance strength.
        let clutterCount = Int((5 * strength * generator.nextFloat()).rounded())
        let clutter = (0..<5).map { _ in
            (x: uniform(0, 1), y: uniform(0, 1), width: uniform(0.08, 0.3), height: uniform(0.08, 0.3),
             isDisc: generator.nextFloat() < 0.5, colour: colour(0, 1))
        }
        face.clutter = Array(clutter.prefix(clutterCount))
        let brightness = 1 + jitter(0.15, strength, &generator)
        face.gain = SIMD4(brightness * (1 + jitter(0.05, strength, &generator)),
                          brightness * (1 + jitter(0.05, strength, &generator)),
                          brightness * (1 + jitter(0.05, strength, &generator)), 1)
        face.noiseSeed = generator.next()
    }

    /// A uniform draw in ±`amplitude`·`strength` (0 without nuisance, but always one draw, so the
    /// stream — and every later face — is the same at every strength).
    func jitter(_ amplitude: Float, _ strength: Float, _ generator: inout SeededGenerator) -> Float {
        strength * generator.nextFloat(in: -amplitude..<amplitude)
    }
}
