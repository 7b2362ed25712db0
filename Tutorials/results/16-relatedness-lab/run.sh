#!/bin/sh
# The relatedness lab of chapter 16: three task-affinity estimators (Taskonomy AHP, gradient cosine,
# lookahead) on six regression tasks in two blocks (ρ = 0.8 within, 0 across), ten seeds. Resumable:
# lab.csv gets one row per finished (seed, estimator); a rerun skips them. One thread, niced.
set -e
cd "$(dirname "$0")/../../.."
swift build -c release --product 16-task-relationships
MTL_NUM_THREADS=1 nice -n 19 .build/release/16-task-relationships --output Tutorials/results/16-relatedness-lab \
    | tee Tutorials/results/16-relatedness-lab/output.txt
