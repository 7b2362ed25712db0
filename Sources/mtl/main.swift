// `mtl` — the MultiTaskKit command-line tool.
//
//   mtl demo [--threads N] [--seed S] [--quick]   STL vs multi-head vs Maximum Roaming on generated data
//   mtl train [flags]                             one architecture on a generated dataset or your own
//   mtl eval --checkpoint PATH                    a trained run's test results
//   mtl predict --checkpoint PATH --inputs FILE --output FILE   a trained run's predictions for new inputs
//   mtl export --checkpoint PATH --output FILE    a run's weights as safetensors
//   mtl import --checkpoint PATH --weights FILE --output DIR   safetensors weights as a new checkpoint
//   mtl compare [flags]                           every balancing method against single-task networks
//   mtl study [flags]                             architectures and methods over paired seeds, with CIs
//   mtl tour                                      what the tensor core computes, with timings
//   mtl relations [flags]                         which tasks should learn together (affinities, sources, groups)
//   mtl --help, mtl <command> --help              usage
//
// Errors in the command line, in files and in data print a message on standard error and exit
// with status 2; a failed write to standard output exits with status 2 too.

#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import MultiTaskKit

/// Every command's flag table (its usage text comes from it).
let commands: [CommandSpec] = [demoCommand, trainCommand, evalCommand, predictCommand, exportCommand, importCommand,
                               compareCommand, studyCommand, tourCommand, relationsCommand]

let usage = """
    mtl — MultiTaskKit command-line tool

    USAGE
      mtl <command> [flags]
      mtl <command> --help     the command's flags, defaults and ranges

    COMMANDS
    \(commands.map { wrapped($0.summary, after: "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0)) }
        .joined(separator: "\n"))
      help      Show this text (also: --help, -h).

    ENVIRONMENT
      MTL_NUM_THREADS   default number of worker threads for the kernels (1...\(Parallelism.maximumThreadCount)).
    """

func fail(_ message: String) -> Never {
    writeToStandardError("mtl: \(message)\nRun 'mtl --help' for usage.\n")
    exit(2)
}

/// Flushes standard output; a failed write (a full disk, a closed pipe) is an error, not silence.
func finishStandardOutput() {
    if fflush(stdout) != 0 || ferror(stdout) != 0 {
        writeToStandardError("mtl: cannot write to standard output: \(InputFile.reason(errno))\n")
        exit(2)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, !["help", "--help", "-h"].contains(command) else {
    print(usage)
    finishStandardOutput()
    exit(0)
}

do {
    let rest = Array(arguments.dropFirst())
    switch command {
    case "demo":
        let flags = try Arguments(rest, spec: demoCommand)
        Parallelism.threadCount = try flags.threadCount()
        try runDemo(seed: UInt64(flags.integer("seed")!), quick: flags.isSet("quick"))
    case "tour":
        let flags = try Arguments(rest, spec: tourCommand)
        Parallelism.threadCount = try flags.threadCount()
        runTour(seed: UInt64(flags.integer("seed")!))
    case "train":
        try runTrain(rest)
    case "eval":
        try runEval(rest)
    case "predict":
        try runPredict(rest)
    case "export":
        try runExport(rest)
    case "import":
        try runImport(rest)
    case "compare":
        try runCompare(rest)
    case "study":
        try runStudyCommand(rest)
    case "relations":
        try runRelations(rest)
    default:
        throw UsageError(description: "unknown command '\(excerpt(command))' (commands: "
                         + "\(commands.map(\.name).joined(separator: ", ")), help)")
    }
} catch let help as HelpRequest {
    print(help.usage)
} catch let error as UsageError {
    fail(error.description)
} catch {
    fail("\(error)")
}
finishStandardOutput()
