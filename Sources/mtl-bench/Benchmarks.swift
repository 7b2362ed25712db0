// `mtl-bench` — the standard workloads (listed in Benchmarks/README.md), one JSON line per measurement:
//
//   {"workload": "gemm_512x512x512", "impl": "multitaskkit", "threads": 2, "ms": 1.62, "gflops": 165.3}
//
// `ms` is the median wall time of one call after warm-up. Benchmarks/README.md compares these lines with
// the same workloads in numpy and PyTorch.
//
//   swift run -c release mtl-bench [--only gemm,conv,autodiff,steps,data,balancers,epoch,parallel] [--threads 1,2]
//                                  [--repeats N]
//                                  [--filter TEXT,…]   (only the workloads whose names contain one of the texts)
//                                  [--wake-up-cost MICROSECONDS]   (the cost model's c, Parallelism.wakeUpCost)

import Foundation
import MultiTaskKit

struct Measurement {
    var workload: String
    var implementation = "multitaskkit"
    var threads: Int
    var milliseconds: Double
    var flops: Double?

    var jsonLine: String {
        var line = "{\"workload\": \"\(workload)\", \"impl\": \"\(implementation)\", \"threads\": \(threads), \"ms\": "
            + "\(String(format: "%.4f", milliseconds))"
        if let flops { line += ", \"gflops\": \(String(format: "%.2f", flops / (milliseconds * 1e-3) / 1e9))" }
        return line + "}"
    }
}

/// Median milliseconds of `repeats` calls after `warmUp` calls.
func timeMedian(warmUp: Int, repeats: Int, _ body: () -> Void) -> Double {
    for _ in 0..<warmUp { body() }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    samples.sort()
    return samples.count % 2 == 1 ? samples[samples.count / 2]
                                  : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
}

func benchmarkGEMM(threads: Int, repeats: Int) -> [Measurement] {
    var generator = SeededGenerator(seed: 0)
    return [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (32, 144, 32768)].map { m, k, n in
        let a = Tensor.uniform([m, k], low: -1, high: 1, using: &generator)
        let b = Tensor.uniform([k, n], low: -1, high: 1, using: &generator)
        var c = [Float](repeating: 0, count: m * n)
        let milliseconds = a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    timeMedian(warmUp: 3, repeats: repeats) {
                        gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, transposeA: false,
                             b: bp.baseAddress!, ldb: n, transposeB: false, c: cp.baseAddress!, ldc: n,
                             accumulate: false)
                    }
                }
            }
        }
        return Measurement(workload: "gemm_\(m)x\(k)x\(n)", threads: threads, milliseconds: milliseconds,
                           flops: 2 * Double(m * n * k))
    }
}

func benchmarkConvolution(threads: Int, repeats: Int) -> [Measurement] {
    var generator = SeededGenerator(seed: 0)
    let input = Tensor.normal([32, 16, 32, 32], using: &generator)
    let weight = Tensor.normal([32, 16, 3, 3], standardDeviation: 0.1, using: &generator)
    let bias = Tensor.zeros([32])
    let flops = 2.0 * 32 * 32 * 32 * 32 * 16 * 9
    var output = Tensor.zeros([1])
    let forward = timeMedian(warmUp: 3, repeats: repeats) {
        output = Tensor.conv2d(input, weight: weight, bias: bias, padding: 1)
    }
    // Forward, then the gradients of sum(output): the output gradient is all ones.
    let ones = Tensor.ones([32, 32, 32, 32])
    var checksum: Float = 0
    let forwardBackward = timeMedian(warmUp: 3, repeats: repeats) {
        output = Tensor.conv2d(input, weight: weight, bias: bias, padding: 1)
        let gradients = Tensor.conv2dBackward(input, weight: weight, outputGradient: ones, padding: 1)
        checksum += gradients.bias!.scalars[0]
    }
    precondition(checksum.isFinite && output.count > 0)
    return [Measurement(workload: "conv3x3_fwd", threads: threads, milliseconds: forward, flops: flops),
            Measurement(workload: "conv3x3_fwd_bwd", threads: threads, milliseconds: forwardBackward, flops: 3 * flops)]
}

func fail(_ message: String) -> Never {
    writeToStandardError("""
        mtl-bench: \(message)
        usage: mtl-bench [--only gemm,conv,autodiff,steps,data,balancers,epoch,parallel] [--threads 1,2] [--repeats N] \
        [--filter TEXT,…] [--wake-up-cost MICROSECONDS]

        """)
    exit(2)
}

@main
struct Benchmarks {
    static func main() {
        var only: Set<String> = ["gemm", "conv", "autodiff", "steps"]
        var threadCounts = [1, 2]
        var repeats = 15
        var filters: [String]?
        var arguments = Array(CommandLine.arguments.dropFirst())[...]
        while let flag = arguments.popFirst() {
            if flag == "--help" || flag == "-h" { fail("runs the standard workloads and prints JSON lines") }
            guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--only":
                only = Set(value.split(separator: ",").map(String.init))
                let known: Set<String> = ["gemm", "conv", "autodiff", "steps", "data", "balancers", "epoch", "parallel"]
                guard only.isSubset(of: known) else {
                    fail("--only: unknown workload group(s) \(only.subtracting(known).sorted())")
                }
            case "--threads":
                let parsed = value.split(separator: ",").map { Int($0) }
                guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    fail("--threads: expected a list like 1,2, got '\(value)'")
                }
                threadCounts = parsed.map { $0! }
            case "--repeats":
                guard let count = Int(value), count >= 1 else {
                    fail("--repeats: expected a positive integer, got '\(value)'")
                }
                repeats = count
            case "--wake-up-cost":
                guard let microseconds = Double(value), microseconds >= 0, microseconds.isFinite else {
                    fail("--wake-up-cost: expected microseconds ≥ 0, got '\(value)'")
                }
                Parallelism.wakeUpCost = microseconds * 1e-6
            case "--filter":
                filters = value.split(separator: ",").map(String.init)
                guard filters?.isEmpty == false else { fail("--filter: expected texts like mlp,mmoe, got '\(value)'") }
            default:
                fail("unknown flag '\(flag)'")
            }
        }
        /// Whether `--filter` keeps the workload (every workload without it). The groups other than
        /// the training and expert steps are timed in full and filtered when printed.
        func wanted(_ workload: String) -> Bool { filters?.contains { workload.contains($0) } ?? true }
        for threads in threadCounts {
            Parallelism.threadCount = threads
            var measurements: [Measurement] = []
            if only.contains("gemm") { measurements += benchmarkGEMM(threads: threads, repeats: repeats) }
            if only.contains("conv") { measurements += benchmarkConvolution(threads: threads, repeats: repeats) }
            if only.contains("steps") {
                measurements += benchmarkTrainingSteps(threads: threads, repeats: repeats, wanted: wanted)
                measurements += benchmarkExpertSteps(threads: threads, repeats: repeats, wanted: wanted)
                measurements += benchmarkBranchingSteps(threads: threads, repeats: repeats, wanted: wanted)
            }
            if only.contains("balancers") { measurements += benchmarkBalancerSteps(threads: threads, repeats: repeats) }
            if only.contains("data") { measurements += benchmarkDataGeneration(threads: threads, repeats: repeats) }
            if only.contains("parallel") {
                measurements += benchmarkParallelOverhead(threads: threads, repeats: repeats)
            }
            if only.contains("epoch") {
                measurements += benchmarkEpochs(threads: threads, repeats: repeats, wanted: wanted)
            }
            if only.contains("autodiff") {
                measurements += benchmarkAutodiffOverhead(threads: threads, repeats: repeats * 7)
            }
            for measurement in measurements where wanted(measurement.workload) { print(measurement.jsonLine) }
        }
    }
}
