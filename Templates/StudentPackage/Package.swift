// swift-tools-version: 6.0
//
// A student's package on top of MultiTaskKit: copy this folder, rename the targets, and change the
// dependency's path to where your MultiTaskKit clone is (or use a branch or revision of a git URL —
// not a version: SwiftPM refuses versioned dependencies that use unsafe flags, as MultiTaskKit does).
import PackageDescription

/// MultiTaskKit's own flags apply to its targets in a path, branch or revision dependency. These are
/// for *your* targets, which need them only for vector code of their own (SIMD types, square roots
/// in loops): without a target CPU, Swift compiles for baseline x86-64 (no FMA, no AVX2), and
/// without `-fno-math-errno` a square root cannot be vectorized. Remove them if you build for
/// another machine than the one you run on. (Unsafe flags are fine here: this is a root package.)
let nativeCPU: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno"]),
]

let package = Package(
    name: "StudentPackage",
    dependencies: [
        .package(name: "MultiTaskKit", path: "../.."),
    ],
    targets: [
        .target(name: "StudentLayers", dependencies: [.product(name: "MultiTaskKit", package: "MultiTaskKit")],
                swiftSettings: nativeCPU),
        .testTarget(name: "StudentLayersTests",
                    dependencies: ["StudentLayers", .product(name: "MultiTaskKitTesting", package: "MultiTaskKit")],
                    swiftSettings: nativeCPU),
    ]
)
