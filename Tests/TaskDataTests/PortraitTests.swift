import Foundation
import Testing
import TensorCore
import TaskData

/// Chapter 09 data — `AttributePortraits`, the CelebA stand-in: seeded, its documented statistics
/// and cross-task rules hold, its knobs do what they say. (That its tasks are learnable is checked
/// in `LearnabilityTests`.)
@Suite("Attribute portraits")
struct PortraitTests {
    /// The labels of one dataset as Booleans, `[group][sample][attribute]`.
    static func labels(of data: MultiTaskDataset) -> [[[Bool]]] {
        data.targets.enumerated().map { group, target in
            let count = AttributePortraits.groups[group].attributes.count
            return (0..<data.count).map { n in (0..<count).map { target.scalars[n * count + $0] == 1 } }
        }
    }

    /// The column of `attribute` in its group, and the group's index.
    static func locate(_ attribute: String) -> (group: Int, column: Int) {
        for (group, entry) in AttributePortraits.groups.enumerated() {
            if let column = entry.attributes.firstIndex(of: attribute) { return (group, column) }
        }
        preconditionFailure("no attribute \(attribute)")
    }

    @Test("same seed → same data at 1 and 2 threads; nuisance and contrast change pictures, not labels")
    func determinism() throws {
        let saved = Parallelism.threadCount
        defer { Parallelism.threadCount = saved }
        let portraits = try AttributePortraits()
        Parallelism.threadCount = 1
        let first = try portraits.dataset(sampleCount: 64, seed: 7)
        Parallelism.threadCount = 2
        let again = try portraits.dataset(sampleCount: 64, seed: 7)
        let other = try portraits.dataset(sampleCount: 64, seed: 8)
        #expect(first.inputs == again.inputs && first.targets == again.targets, "seed 7 gave two datasets")
        #expect(first.inputs != other.inputs && first.targets != other.targets, "seeds 7 and 8 gave the same data")
        let plain = try AttributePortraits(nuisance: 0).dataset(sampleCount: 64, seed: 7)
        let faint = try AttributePortraits(cueContrast: 0.4).dataset(sampleCount: 64, seed: 7)
        #expect(plain.targets == first.targets && faint.targets == first.targets, "a knob changed the labels")
        #expect(plain.inputs != first.inputs && faint.inputs != first.inputs, "a knob left the pictures alone")
    }

    @Test("shapes, task names and group sizes 9, 5, 9, 4, 2, 5, 2, 4; pixels in [0, 1]", arguments: [24, 32, 40])
    func shapes(size: Int) throws {
        let data = try AttributePortraits(imageSize: size, nuisance: 1).dataset(sampleCount: 50, seed: 3)
        #expect(data.inputs.shape == [50, 3, size, size])
        #expect(data.tasks.map(\.name) == ["global", "eyes", "hair", "mouth", "nose", "beard", "cheeks",
                                           "accessories"])
        #expect(data.tasks.map(\.outputCount) == [9, 5, 9, 4, 2, 5, 2, 4])
        #expect(data.tasks.map(\.outputNames) == AttributePortraits.groups.map(\.attributes))
        #expect(Set(AttributePortraits.groups.flatMap(\.attributes)).count == 40, "40 distinct attribute names")
        for (task, target) in zip(data.tasks, data.targets) {
            #expect(target.shape == [50, task.outputCount], "\(task.name): targets \(target.shape)")
            #expect(target.scalars.allSatisfy { $0 == 0 || $0 == 1 }, "\(task.name): a label not 0 or 1")
        }
        let low = data.inputs.min().scalar, high = data.inputs.max().scalar
        #expect(low >= 0 && high <= 1, "pixels in [\(low), \(high)]")
    }

    @Test("every attribute's frequency within 0.03 of its documented probability, itself in [0.05, 0.95]")
    func marginals() throws {
        let count = 4000
        let data = try AttributePortraits().dataset(sampleCount: count, seed: 11)
        for (group, target) in data.targets.enumerated() {
            let names = AttributePortraits.groups[group].attributes
            #expect(AttributePortraits.attributeProbabilities[group].count == names.count)
            for (a, name) in names.enumerated() {
                let ones = (0..<count).reduce(0.0) { $0 + Double(target.scalars[$1 * names.count + a]) }
                let frequency = ones / Double(count)
                let documented = AttributePortraits.attributeProbabilities[group][a]
                #expect(abs(frequency - documented) < 0.03, "\(name): frequency \(frequency), documented \(documented)")
                #expect(documented >= 0.05 && documented <= 0.95, "\(name): documented \(documented) is too extreme")
            }
        }
    }

    @Test("the cross-task rules of the table hold: beards, hair, attractive, makeup, lipstick, gray, cheekbones")
    func correlations() throws {
        let data = try AttributePortraits().dataset(sampleCount: 3000, seed: 12)
        let labels = Self.labels(of: data)
        func value(_ attribute: String, _ n: Int) -> Bool {
            let (group, column) = Self.locate(attribute)
            return labels[group][n][column]
        }
        /// P(attribute | condition) over the samples meeting the condition.
        func rate(_ attribute: String, where condition: (Int) -> Bool) -> Double {
            let chosen = (0..<data.count).filter(condition)
            return Double(chosen.filter { value(attribute, $0) }.count) / Double(max(1, chosen.count))
        }
        let beards = ["stubble", "goatee", "mustache", "sideburns"]
        let colours = ["blackHair", "blondHair", "brownHair", "grayHair"]
        for n in 0..<data.count {
            let anyBeard = beards.contains { value($0, n) }
            #expect(value("male", n) || !anyBeard, "portrait \(n): a beard attribute but not male")
            #expect(value("noBeard", n) == !anyBeard, "portrait \(n): noBeard is not the complement")
            #expect(colours.filter { value($0, n) }.count <= 1, "portrait \(n): two hair colours")
            #expect(!(value("straightHair", n) && value("wavyHair", n)), "portrait \(n): straight and wavy")
            if value("bald", n) {
                let hairLabels = colours + ["bangs", "recedingHairline", "straightHair", "wavyHair"]
                #expect(!hairLabels.contains { value($0, n) }, "portrait \(n): bald with a hair attribute")
            }
            let attractive = value("young", n) && !value("chubby", n) && !value("bagsUnderEyes", n)
                && !value("blurry", n)
            #expect(value("attractive", n) == attractive, "portrait \(n): attractive is not its conjunction")
        }
        let makeupMale = rate("heavyMakeup") { value("male", $0) }
        let makeupFemale = rate("heavyMakeup") { !value("male", $0) }
        #expect(makeupMale < 0.08 && makeupFemale > 0.45, "heavy makeup: male \(makeupMale), female \(makeupFemale)")
        let lipstickMale = rate("lipstick") { value("male", $0) }
        let lipstickFemale = rate("lipstick") { !value("male", $0) }
        #expect(lipstickMale < 0.04 && lipstickFemale > 0.65,
                "lipstick: male \(lipstickMale), female \(lipstickFemale)")
        let grayOld = rate("grayHair") { !value("young", $0) }, grayYoung = rate("grayHair") { value("young", $0) }
        #expect(grayOld > grayYoung + 0.3, "gray hair: old \(grayOld), young \(grayYoung)")
        let cheekbonesSmiling = rate("highCheekbones") { value("smiling", $0) },
            cheekbonesNot = rate("highCheekbones") { !value("smiling", $0) }
        #expect(cheekbonesSmiling > cheekbonesNot + 0.3,
                "high cheekbones: smiling \(cheekbonesSmiling), not \(cheekbonesNot)")
    }

    @Test("label noise 0.1 flips 10% ± 0.6% of the labels and leaves the pictures alone")
    func labelNoise() throws {
        let clean = try AttributePortraits().dataset(sampleCount: 2000, seed: 13)
        let noisy = try AttributePortraits(labelNoise: 0.1).dataset(sampleCount: 2000, seed: 13)
        #expect(clean.inputs == noisy.inputs, "label noise changed the pictures")
        var flipped = 0, total = 0
        for (a, b) in zip(clean.targets, noisy.targets) {
            flipped += zip(a.scalars, b.scalars).filter { $0 != $1 }.count
            total += a.count
        }
        let share = Double(flipped) / Double(total)
        #expect(total == 2000 * 40 && abs(share - 0.1) < 0.006, "\(flipped) of \(total) labels flipped (\(share))")
    }

    @Test("bad knob values throw errors that name the knob")
    func invalidKnobs() throws {
        let cases: [(String, () throws(DataGenerationError) -> AttributePortraits)] = [
            ("imageSize", { () throws(DataGenerationError) in try AttributePortraits(imageSize: 23) }),
            ("labelNoise", { () throws(DataGenerationError) in try AttributePortraits(labelNoise: -0.1) }),
            ("labelNoise", { () throws(DataGenerationError) in try AttributePortraits(labelNoise: 0.5) }),
            ("labelNoise", { () throws(DataGenerationError) in try AttributePortraits(labelNoise: .nan) }),
            ("nuisance", { () throws(DataGenerationError) in try AttributePortraits(nuisance: 1.5) }),
            ("nuisance", { () throws(DataGenerationError) in try AttributePortraits(nuisance: -0.1) }),
            ("cueContrast", { () throws(DataGenerationError) in try AttributePortraits(cueContrast: 0) }),
            ("cueContrast", { () throws(DataGenerationError) in try AttributePortraits(cueContrast: 1.1) }),
        ]
        for (knob, make) in cases {
            do {
                _ = try make()
                Issue.record("a bad \(knob) was accepted")
            } catch {
                #expect(error.description.contains(knob), "\(knob): message \(error.description)")
            }
        }
        #expect(throws: DataGenerationError.self) { try AttributePortraits().dataset(sampleCount: -1, seed: 0) }
    }
}
