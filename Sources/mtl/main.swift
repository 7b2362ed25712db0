// `mtl` — the MultiTaskKit command-line tool.
//
//   mtl demo [--threads N] [--seed S]    a short tour of what the framework computes, with timings
//   mtl --help                           usage
//
// Errors in the command line print a message on standard error and exit with status 2.

import Foundation
import MultiTaskKit

let usage = """
    mtl — MultiTaskKit command-line tool

    USAGE
      mtl <command> [flags]

    COMMANDS
      demo      A short tour: tensors, broadcasting, the SIMD GEMM against its naive twin,
                and a convolution, with timings on this machine.
                Flags: --threads N (worker threads, default: all cores or $MTL_NUM_THREADS)
                       --seed S    (random seed, default 0)
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
        let flags = try Arguments(Array(arguments.dropFirst()), valueFlags: ["threads", "seed"], command: "demo")
        let threads = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
        let seed = try flags.integer("seed", default: 0, in: 0...Int.max)
        Parallelism.threadCount = threads
        runDemo(seed: UInt64(seed))
    default:
        throw UsageError(description: "unknown command '\(command)' (commands: demo, help)")
    }
} catch let error as UsageError {
    fail(error.description)
} catch {
    fail("\(error)")
}
