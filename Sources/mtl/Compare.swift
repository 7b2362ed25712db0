import Foundation
import MultiTaskKit

/// `mtl compare`: every balancing method (or those named) on one generated dataset with a
/// multi-head network, over several seeds, against single-task networks: each task's main
/// metric (mean ± standard deviation over seeds), Δm% against STL of the same seed, and the
/// wall time per epoch. Writes `compare.csv` and `delta-m.svg` into --output when given.
func runCompare(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, valueFlags: ["dataset", "balancers", "seeds", "epochs", "samples", "batch-size", "learning-rate",
                                                      "width", "threads", "output"],
                              switchFlags: ["quick"], command: "compare")
    Parallelism.threadCount = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
    let quick = flags.isSet("quick")
    let dataset = SyntheticDataset(rawValue: try flags.string("dataset", default: "scenes", choices: SyntheticDataset.allCases.map(\.rawValue))!)!
    let seedCount = try flags.integer("seeds", default: quick ? 1 : 3, in: 1...100)
    let epochs = try flags.integer("epochs", default: quick ? 1 : 12, in: 1...10_000)
    let sampleCount = try flags.integer("samples", default: quick ? 200 : 2000, in: 20...1_000_000)
    let batchSize = try flags.integer("batch-size", default: 32, in: 1...65_536)
    let learningRate = Float(try flags.number("learning-rate", default: 1e-3, in: 1e-8...10))
    let width = try flags.integer("width", default: 16, in: 1...1024)
    var methods = BalancingMethod.allCases
    if let list = try flags.string("balancers") {
        methods = try list.split(separator: ",").map { name in
            guard let method = BalancingMethod(rawValue: String(name)) else {
                throw UsageError(description: "--balancers: unknown method '\(name)' (known: \(BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return method
        }
    }
    let output = try flags.string("output").map { URL(fileURLWithPath: $0) }

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
            throw UsageError(description: "cannot write into \(output.path): \(error.localizedDescription)")
        }
        try BarChart(title: "Δm% against single-task (\(dataset.rawValue), \(seedCount) seeds)", yLabel: "Δm%",
                     categories: methods.map(\.rawValue), series: [("Δm%", methods.map { meanAndDeviation(deltas(results[$0]!)).0 })])
            .write(to: output.appendingPathComponent("delta-m.svg"))
        print("\nwrote \(output.path)/{compare.csv, delta-m.svg}")
    }
}
