import MultiTaskKit

/// Project-specific workloads (no peer): generating the synthetic datasets. Issue bars: 10,000
/// attribute-shape images of 32×32 in well under 2 s, 10,000 portraits in a few seconds. `ms` is
/// for the whole dataset.
func benchmarkDataGeneration(threads: Int, repeats: Int) -> [Measurement] {
    let shapes = try! AttributeShapes()
    let portraits = try! AttributePortraits()
    let scenes = try! DenseScenes()
    let digits = try! MultiDigit()
    let regression = try! RelatedRegression(correlation: 0.5, seed: 1)
    let workloads: [(String, () -> MultiTaskDataset)] = [
        ("data_attribute_shapes_10k", { shapes.dataset(sampleCount: 10_000, seed: 1) }),
        ("data_attribute_portraits_10k", { try! portraits.dataset(sampleCount: 10_000, seed: 1) }),
        ("data_dense_scenes_10k", { scenes.dataset(sampleCount: 10_000, seed: 1) }),
        ("data_multi_digit_10k", { digits.dataset(sampleCount: 10_000, seed: 1) }),
        ("data_related_regression_10k", { regression.dataset(sampleCount: 10_000, seed: 1) }),
    ]
    return workloads.map { name, generate in
        Measurement(workload: name, threads: threads,
                    milliseconds: timeMedian(warmUp: 1, repeats: max(3, repeats / 5)) { _ = generate() })
    }
}
