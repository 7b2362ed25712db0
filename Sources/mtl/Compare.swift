import Foundation
import MultiTaskKit

/// `mtl compare`: every balancing method (or those named) on one generated dataset with a
/// multi-head network, over several seeds, against single-task networks: each task's main
/// metric (mean ± standard deviation over seeds), Δm% against STL of the same seed, and the
/// wall time per epoch. Writes `compare.csv` and `delta-m.svg` into --output when given.
let compareCommand = CommandSpec(
    name: "compare",
    summary: "Every balancing method (EW, uncertainty, DWA, RLW, GLS, GradNorm, unitary, MGDA-UB, MGDA, PCGrad, "
        + "Nash-MTL, AdaTask) with a multi-head network against single-task networks, over several seeds: per-task "
        + "metrics, Δm%, seconds per epoch.",
    flags: [
        Flag(name: "dataset", kind: .choice(default: "scenes", choices: SyntheticDataset.allCases.map(\.rawValue)),
             help: "the generated data"),
        Flag(name: "balancers", kind: .text(default: nil, placeholder: "A,B,…"),
             help: "the methods to compare (default: all of " + BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ") + ")"),
        Flag(name: "seeds", kind: .integer(default: 3, range: 1...100), help: "seeds per method (1 with --quick)"),
        Flag(name: "epochs", kind: .integer(default: 12, range: 1...10_000), help: "epochs per run (1 with --quick)"),
        Flag(name: "samples", kind: .integer(default: 2000, range: 20...1_000_000), help: "generated samples (200 with --quick)"),
        Flag(name: "batch-size", kind: .integer(default: 32, range: 1...65_536), help: "samples per batch"),
        Flag(name: "learning-rate", kind: .number(default: 1e-3, range: 1e-8...10), help: "Adam's step size"),
        Flag(name: "width", kind: .integer(default: 16, range: 1...1024), help: "channels or units of the backbone"),
        CommandSpec.threadsFlag,
        Flag(name: "output", kind: .text(default: nil, placeholder: "DIR"), help: "where to write compare.csv and delta-m.svg"),
        Flag(name: "quick", kind: .toggle, help: "1 seed, 1 epoch, 200 samples"),
    ])

func runCompare(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: compareCommand)
    Parallelism.threadCount = try flags.threadCount()
    let quick = flags.isSet("quick")
    let dataset = SyntheticDataset(rawValue: flags.string("dataset")!)!
    let seedCount = flags.integer("seeds", default: quick ? 1 : nil)!
    let epochs = flags.integer("epochs", default: quick ? 1 : nil)!
    let sampleCount = flags.integer("samples", default: quick ? 200 : nil)!
    let batchSize = flags.integer("batch-size")!
    let learningRate = Float(flags.number("learning-rate")!)
    let width = flags.integer("width")!
    let bytes = Double(sampleCount) * Double(dataset.floatsPerSample) * 4
    guard bytes <= Double(maximumDatasetBytes) else {
        throw UsageError(description: String(format: "--samples %d of %@ would take %.1f GiB, more than the %d GiB mtl generates",
                                             sampleCount, dataset.rawValue, bytes / 1_073_741_824.0, maximumDatasetBytes >> 30))
    }
    var methods = BalancingMethod.allCases
    if let list = flags.string("balancers") {
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        methods = try names.map { name in
            guard let method = BalancingMethod(rawValue: name) else {
                let known = BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError(description: name.isEmpty ? "--balancers: an empty name in '\(excerpt(list))' (known: \(known))"
                                                           : "--balancers: unknown method '\(excerpt(name))' (known: \(known))")
            }
            return method
        }
        guard Set(methods).count == methods.count else { throw UsageError(description: "--balancers: a method is named twice") }
    }
    let output = flags.string("output").map { URL(fileURLWithPath: $0) }

    print("comparing \(methods.count) balancing methods on \(dataset.rawValue): \(sampleCount) samples, \(epochs) epochs, \(seedCount) seed(s), multi-head width \(width), Adam lr \(learningRate), \(Parallelism.threadCount) thread(s)")
    var stl: [ExperimentResult] = []
    var results: [BalancingMethod: [ExperimentResult]] = [:]
    var tasks: [TaskSpec] = []
    for seed in 0..<UInt64(seedCount) {
        let data = try dataset.make(sampleCount: sampleCount, seed: seed, correlation: 0.5)
        tasks = data.train.tasks
        let options = ArchitectureOptions(width: width, seed: seed)
        stl.append(try runExperiment(.singleTask, data: data, options: options, epochs: epochs, batchSize: batchSize,
                                     learningRate: learningRate, showsProgress: false))
        for method in methods {
            let result = try runExperiment(.multiHead, data: data, options: options, epochs: epochs, batchSize: batchSize,
                                           learningRate: learningRate, balancing: method, showsProgress: false)
            results[method, default: []].append(result)
            print(String(format: "  seed %d %@: %.2f s per epoch", seed, method.rawValue, result.secondsPerEpoch))
        }
    }

    func meanAndDeviation(_ values: [Double]) -> (Double, Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1) : 0
        return (mean, variance.squareRoot())
    }
    func deltas(_ runs: [ExperimentResult]) -> [Double] {
        zip(runs, stl).map { run, baseline in
            deltaM(multiTask: run.test.map { [$0.mainMetric: $0.mainValue] }, singleTask: baseline.test.map { [$0.mainMetric: $0.mainValue] })
        }
    }
    let columns = tasks.map { "\($0.name) \($0.metrics[0].rawValue)\($0.metrics[0].higherIsBetter ? " ↑" : " ↓")" }
    print("\nTest split, mean ± sd over \(seedCount) seed(s); Δm% against single-task networks of the same seed (> 0: better).")
    print("columns: " + columns.joined(separator: " | "))
    var csv = "method," + tasks.map { "\($0.name)_\($0.metrics[0].rawValue)" }.joined(separator: ",") + ",delta_m,delta_m_sd,seconds_per_epoch\n"
    var rows: [(String, [ExperimentResult], [Double])] = [("stl", stl, Array(repeating: 0, count: seedCount))]
    rows += methods.map { ($0.rawValue, results[$0]!, deltas(results[$0]!)) }
    for (name, runs, delta) in rows {
        var line = name.padding(toLength: 12, withPad: " ", startingAt: 0)
        var csvLine = name
        for task in tasks.indices {
            let (mean, deviation) = meanAndDeviation(runs.map { $0.test[task].mainValue })
            line += String(format: "  %8.4f ± %-7.4f", mean, deviation)
            csvLine += String(format: ",%.6f", mean)
        }
        let (delta, deltaDeviation) = meanAndDeviation(delta)
        let seconds = meanAndDeviation(runs.map(\.secondsPerEpoch)).0
        line += name == "stl" ? "   Δm%    —          " : String(format: "   Δm%% %+7.2f ± %-5.2f", delta, deltaDeviation)
        line += String(format: "  %.2f s/epoch", seconds)
        csvLine += String(format: ",%.4f,%.4f,%.4f\n", delta, deltaDeviation, seconds)
        print(line)
        csv += csvLine
    }
    if let output {
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try writeAtomically(Data(csv.utf8), to: output.appendingPathComponent("compare.csv"))
        } catch {
            throw UsageError(description: "cannot write into \(output.path): \(InputFile.reason(of: error))")
        }
        try BarChart(title: "Δm% against single-task (\(dataset.rawValue), \(seedCount) seeds)", yLabel: "Δm%",
                     categories: methods.map(\.rawValue), series: [("Δm%", methods.map { meanAndDeviation(deltas(results[$0]!)).0 })])
            .write(to: output.appendingPathComponent("delta-m.svg"))
        print("\nwrote \(output.path)/{compare.csv, delta-m.svg}")
    }
}
