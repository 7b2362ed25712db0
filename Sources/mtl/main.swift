// `mtl` — the MultiTaskKit command-line tool.
//
//   mtl demo [--threads N] [--seed S] [--quick]   STL vs multi-head vs Maximum Roaming on generated data
//   mtl train [flags]                             one architecture on one generated dataset
//   mtl eval --checkpoint PATH                    a trained run's test results
//   mtl compare [flags]                           every balancing method against single-task networks
//   mtl tour                                      what the tensor core computes, with timings
//   mtl --help                                    usage
//
// Errors in the command line print a message on standard error and exit with status 2.

import Foundation
import MultiTaskKit

let usage = """
    mtl — MultiTaskKit command-line tool

    USAGE
      mtl <command> [flags]

    COMMANDS
      demo      A small multi-task experiment on generated attribute-shape images: single-task
                networks, a multi-head network and Maximum Roaming, compared per task (F-score)
                and by Δm% against single-task. About a minute on two cores.
                Flags: --threads N, --seed S (default 0), --quick (a smaller smoke run)
      train     Train one architecture on one generated dataset; writes log, SVG plots and a
                checkpoint into --output, and diagnostics.jsonl (task weights, per-task gradient
                norms and cosines, AdaTask's dominance) per epoch.
                Flags: --dataset shapes|scenes|digits|regression (default shapes)
                       --architecture stl|multi-head|concatenation|additive|multiplicative|film|
                                      soft-sharing|cross-stitch|roaming|fixed-partitioning
                                      (default multi-head)
                       --sharing-ratio P (0.5)  --update-interval STEPS (0.1 epoch)
                       --selection random|least-aligned  --mode summed|alternating|groups
                       --group-size K (groups mode, 1)
                       --balancer ew|uncertainty|dwa|rlw|gls|gradnorm|unitary|mgda-ub|mgda|
                                  pcgrad|nash-mtl|adatask (default ew; summed and groups modes)
                       --epochs N (5)  --batch-size B (64)  --learning-rate LR (0.001)
                       --samples N (3000)  --correlation RHO (regression, 0.5)  --width W (16)
                       --seed S (0)  --threads N  --output DIR (mtl-run)  --log-format csv|jsonl
                       --resume (continue from DIR/model.mtlckpt)  --quiet
      eval      Evaluate a checkpoint written by `mtl train` on its test split.
                Flags: --checkpoint PATH, --threads N
      compare   Every balancing method (EW, uncertainty, DWA, RLW, GLS, GradNorm, unitary, MGDA-UB,
                MGDA, PCGrad, Nash-MTL, AdaTask) with a multi-head network against single-task
                networks, over several seeds: per-task metrics, Δm%, seconds per epoch.
                Flags: --dataset (scenes)  --balancers a,b,…  --seeds N (3)  --epochs N (12)
                       --samples N (2000)  --batch-size B (32)  --learning-rate LR (0.001)
                       --width W (16)  --threads N  --output DIR (compare.csv, delta-m.svg)
                       --quick (1 seed, 1 epoch, 200 samples)
      tour      A tour of the tensor core: broadcasting, the SIMD GEMM against its naive twin,
                a convolution, with timings. Flags: --threads N, --seed S
      help      Show this text (also: --help, -h).

    ENVIRONMENT
      MTL_NUM_THREADS   default number of worker threads for the kernels.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mtl: \(message)\nRun 'mtl --help' for usage.\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, !["help", "--help", "-h"].contains(command) else {
    print(usage)
    exit(0)
}

do {
    switch command {
    case "demo":
        let flags = try Arguments(Array(arguments.dropFirst()), valueFlags: ["threads", "seed"], switchFlags: ["quick"], command: "demo")
        Parallelism.threadCount = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
        let seed = try flags.integer("seed", default: 0, in: 0...Int.max)
        try runDemo(seed: UInt64(seed), quick: flags.isSet("quick"))
    case "tour":
        let flags = try Arguments(Array(arguments.dropFirst()), valueFlags: ["threads", "seed"], command: "tour")
        Parallelism.threadCount = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
        let seed = try flags.integer("seed", default: 0, in: 0...Int.max)
        runTour(seed: UInt64(seed))
    case "train":
        try runTrain(Array(arguments.dropFirst()))
    case "eval":
        try runEval(Array(arguments.dropFirst()))
    case "compare":
        try runCompare(Array(arguments.dropFirst()))
    default:
        throw UsageError(description: "unknown command '\(command)' (commands: demo, train, eval, compare, tour, help)")
    }
} catch let error as UsageError {
    fail(error.description)
} catch {
    fail("\(error)")
}
