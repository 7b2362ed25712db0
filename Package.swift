// swift-tools-version: 6.0
//
// MultiTaskKit — a pure-Swift framework for learning and teaching multi-task learning.
// No package dependencies: only the Swift toolchain (stdlib, Foundation, Dispatch, Swift Testing).
import Foundation
import PackageDescription

/// The numeric kernels need the build machine's vector instructions. Without a target CPU, Swift
/// compiles for baseline x86-64 (SSE2, no FMA) and every `SIMD8<Float>.addingProduct` becomes eight
/// calls to `fmaf()` — the GEMM falls from ~90 to ~0.5 GFLOP/s (see `Benchmarks/README.md`).
/// `-target-cpu native` is an *unsafe flag*: fine for a root package that users clone and build
/// on their own machine, but SwiftPM refuses it in a versioned dependency. A project that depends
/// on MultiTaskKit by version should pass `-Xswiftc -target-cpu -Xswiftc native` itself.
///
/// `-Xcc -fno-math-errno`: Swift's `Float.squareRoot()` calls the C library's `sqrtf`, which may set
/// `errno` — and a call that may write `errno` cannot be vectorized, so `SIMD8<Float>.squareRoot()`
/// became eight scalar square roots (78% of an Adam step's instructions). Without `errno` the call
/// is LLVM's `sqrt` intrinsic, one `vsqrtps` per vector; results are unchanged (MultiTaskKit never
/// reads `errno`; √ of a negative number is NaN either way).
let nativeCPU: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno"]),
]

/// The notebooks, as text: `swift run -c release NN-name` runs `Notebooks/NN-name/main.swift` top
/// to bottom.
let notebooks = [
    "00-getting-started", "01-tensors", "02-loops-to-simd", "03-convolution", "04-autodiff",
    "05-modules-and-training", "06-multi-task-basics", "07-conditioning", "08-soft-sharing", "09-maximum-roaming",
    "10-balancing-losses", "11-multi-objective", "12-task-dominance", "13-dense-prediction", "14-extending",
    "15-learning-to-share", "16-task-relationships", "17-transfer-and-supervision",
]
let layers = ["TensorCore", "Autodiff", "NeuralNetworks", "TaskData", "MultiTask"]

/// The exercises' reference solutions are optional: a course that hands the exercises out without them
/// deletes `Exercises/Solutions`, and the grading suites then grade the student's code by default.
/// (SwiftPM caches this file's evaluation: in a checkout built before, deleting or restoring the folder
/// needs `swift package purge-cache` once.)
let hasExerciseSolutions = FileManager.default.fileExists(atPath: Context.packageDirectory + "/Exercises/Solutions")

let package = Package(
    name: "MultiTaskKit",
    products: [
        .library(name: "MultiTaskKit", targets: ["MultiTaskKit"]),
        // Test helpers for your own package's tests: `isClose`, `checkModuleGradients`, `expectSharingContract`.
        .library(name: "MultiTaskKitTesting", targets: ["MultiTaskKitTesting"]),
        .executable(name: "mtl", targets: ["mtl"]),
        .executable(name: "mtl-bench", targets: ["mtl-bench"]),
    ],
    targets: [
        // Layer 1: tensors, the seeded RNG and the kernels (naive + SIMD + parallel).
        .target(name: "TensorCore", swiftSettings: nativeCPU),
        // Layer 2: reverse-mode automatic differentiation, per-task gradients, gradcheck.
        .target(name: "Autodiff", dependencies: ["TensorCore"], swiftSettings: nativeCPU),
        // Layer 3: modules, layers, losses, optimizers, schedules, checkpoints.
        .target(name: "NeuralNetworks", dependencies: ["TensorCore", "Autodiff"], swiftSettings: nativeCPU),
        // Layer 3′ (beside NeuralNetworks): task specs, datasets, batching, task sampling, the
        // synthetic generators and the .npy/CSV/IDX loaders. (Autodiff: a task's custom loss is a
        // function of `Variable`s.)
        .target(name: "TaskData", dependencies: ["TensorCore", "Autodiff"], swiftSettings: nativeCPU),
        // Layer 4: sharing architectures (Maximum Roaming), balancing, the trainer, metrics, plots.
        .target(name: "MultiTask", dependencies: ["TensorCore", "Autodiff", "NeuralNetworks", "TaskData"],
                swiftSettings: nativeCPU),
        // The umbrella: `import MultiTaskKit` brings every layer.
        .target(name: "MultiTaskKit", dependencies: layers.map { .target(name: $0) }, swiftSettings: nativeCPU),
        // Swift Testing helpers, public so a student's package can use them (imports Testing).
        .target(name: "MultiTaskKitTesting", dependencies: ["TensorCore", "Autodiff", "NeuralNetworks", "MultiTask"],
                swiftSettings: nativeCPU),
        // The command-line tool (`mtl demo`, ...).
        .executableTarget(name: "mtl", dependencies: ["MultiTaskKit"], swiftSettings: nativeCPU),
        // Benchmarks printing one JSON line per workload (Benchmarks/README.md).
        .executableTarget(name: "mtl-bench", dependencies: ["MultiTaskKit"], swiftSettings: nativeCPU),
    ] + notebooks.map { name in
        .executableTarget(name: name, dependencies: ["MultiTaskKit"], path: "Notebooks/\(name)",
                          swiftSettings: nativeCPU)
    } + [
        // The shared test helpers: MultiTaskKitTesting re-exported, and `randomScalars`.
        .target(name: "TestSupport", dependencies: ["TensorCore", "MultiTaskKitTesting"], path: "Tests/TestSupport",
                swiftSettings: nativeCPU),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"], swiftSettings: nativeCPU),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"], swiftSettings: nativeCPU),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "TestSupport"],
                    swiftSettings: nativeCPU),
        // (and chapter 14's notebook, whose public types `ExtendingTests` checks: module `_4_extending`)
        .testTarget(name: "MultiTaskTests", dependencies: ["MultiTask", "TestSupport", "14-extending"],
                    swiftSettings: nativeCPU),
        .testTarget(name: "TaskDataTests", dependencies: ["TaskData", "NeuralNetworks", "TestSupport"],
                    swiftSettings: nativeCPU),
        // Runs the built `mtl` executable as a user would (status codes, messages, run directories).
        .testTarget(name: "CommandLineTests", dependencies: ["MultiTaskKit"], swiftSettings: nativeCPU),
        // Graded exercises (README, "Exercises"): the stubs a student fills, and one grading suite per chapter;
        // `MTL_GRADE=student` grades the stubs instead of the reference solutions (below).
        .target(name: "Exercises", dependencies: ["MultiTaskKit"], path: "Exercises/Student",
                swiftSettings: nativeCPU),
        .testTarget(name: "ExerciseTests", dependencies: ["Exercises", "MultiTaskKitTesting"]
                        + (hasExerciseSolutions ? ["ExerciseSolutions"] : []),
                    swiftSettings: nativeCPU + (hasExerciseSolutions ? [.define("EXERCISE_SOLUTIONS")] : [])),
    ] + (hasExerciseSolutions ? [
        .target(name: "ExerciseSolutions", dependencies: ["Exercises", "MultiTaskKit"], path: "Exercises/Solutions",
                swiftSettings: nativeCPU),
    ] : [])
)
