import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 01's exercises (`Exercises/Student/Chapter01.swift`).
@Suite("Exercises01: tensors")
struct Exercises01 {
    let chapter: any Chapter01Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter01Student.self, reference: Chapter01Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter01Student.self, reference: nil)
        #endif
    }

    /// A random shape of rank 0…4, sizes 1…4.
    static func randomShape(_ generator: inout SeededGenerator, rank: Int? = nil) -> [Int] {
        (0..<(rank ?? generator.nextInt(below: 5))).map { _ in 1 + generator.nextInt(below: 4) }
    }

    @Test("01.1 strides: the chapter's example, and Tensor.strides(of:) with offsets on random shapes")
    func strides() throws {
        #expect(try chapter.strides(of: [3, 4, 5]) == [20, 5, 1])
        #expect(try chapter.strides(of: []) == [])
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<50 {
            let shape = Self.randomShape(&generator)
            let strides = try chapter.strides(of: shape)
            #expect(strides == Tensor.strides(of: shape), "shape \(shape)")
            // Element (i₀, …) of arange sits at Σ iₖ·sₖ and holds that value.
            let x = Tensor.arange(to: Float(shape.reduce(1, *))).reshaped(to: shape)
            let index = shape.map { generator.nextInt(below: $0) }
            let offset = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(Int(x.scalar(at: index)) == offset, "shape \(shape), index \(index)")
        }
    }

    @Test("01.2 broadcast shapes: the chapter's examples, and the library's addition on random shapes")
    func broadcastShape() throws {
        #expect(try chapter.broadcastShape([5, 1, 4], [3, 1]) == [5, 3, 4])
        #expect(try chapter.broadcastShape([2, 3], [3, 1]) == nil)
        #expect(try chapter.broadcastShape([4, 1, 3], [2, 1]) == [4, 2, 3])
        #expect(try chapter.broadcastShape([], [2]) == [2])
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<60 {
            let output = Self.randomShape(&generator)
            // Operands that fit `output`: some axes set to 1, some leading axes dropped.
            func operand() -> [Int] {
                Array(output.map { generator.nextFloat() < 0.4 ? 1 : $0 }.dropFirst(generator.nextInt(below: 2)))
            }
            let (a, b) = (operand(), operand())
            let shape = try chapter.broadcastShape(a, b)
            #expect(shape == (Tensor.zeros(a) + Tensor.zeros(b)).shape, "\(a) and \(b)")
            // Sizes that differ and are both above 1 are incompatible.
            if let axis = a.indices.last(where: { a[$0] > 1 }) {
                var c = a
                c[axis] += 1
                #expect(try chapter.broadcastShape(a, c) == nil, "\(a) and \(c)")
            }
        }
    }

    @Test("01.3 broadcast offsets: every element of a broadcast sum reads the scalar the offset names")
    func broadcastOffset() throws {
        #expect(try chapter.broadcastOffset(of: [1, 2], inputShape: [3], outputShape: [2, 3]) == 2)
        #expect(try chapter.broadcastOffset(of: [1, 2], inputShape: [2, 1], outputShape: [2, 3]) == 1)
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<40 {
            let output = Self.randomShape(&generator, rank: 1 + generator.nextInt(below: 4))
            let thinned = output.map { generator.nextFloat() < 0.4 ? 1 : $0 }
            let input = Array(thinned.dropFirst(generator.nextInt(below: 2)))
            let operand = Tensor.arange(to: Float(input.reduce(1, *))).reshaped(to: input)
            let stretched = operand + Tensor.zeros(output)
            let outputStrides = Tensor.strides(of: output)
            for flat in 0..<stretched.count {
                let index = outputStrides.indices.map { flat / outputStrides[$0] % output[$0] }
                let offset = try chapter.broadcastOffset(of: index, inputShape: input, outputShape: output)
                #expect(Float(offset) == stretched[flat: flat], "input \(input) → \(output) at \(index)")
            }
        }
    }
}
