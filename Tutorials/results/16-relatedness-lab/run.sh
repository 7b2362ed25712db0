#!/bin/sh
# The relatedness lab of chapter 16: three task-affinity estimators (Taskonomy AHP, gradient cosine,
# lookahead) on six regression tasks in two blocks (ρ within, 0 across), ten seeds, at ρ = 0.8 (this
# folder) and ρ = 0.3 (rho-0.3/); and the same estimators on `shapes`, whose related pairs are known by
# construction (shapes-lab.csv, this folder only). Resumable: lab.csv and shapes-lab.csv get one row per
# finished (seed, estimator); a rerun skips them. One thread, niced; about a minute per ρ, and 1 to
# 3.5 minutes per seed on shapes.
set -e
cd "$(dirname "$0")/../../.."
swift build -c release --product 16-task-relationships
out=Tutorials/results/16-relatedness-lab
MTL_NUM_THREADS=1 nice -n 19 .build/release/16-task-relationships --output $out > $out/output.txt
MTL_NUM_THREADS=1 nice -n 19 .build/release/16-task-relationships --correlation 0.3 --output $out/rho-0.3 \
    > $out/rho-0.3/output.txt
