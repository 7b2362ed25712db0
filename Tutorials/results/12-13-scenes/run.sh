#!/usr/bin/env bash
# The task-dominance study of chapter 12: segmentation, depth and normals (DenseScenes, 2,000
# scenes), single-task networks against a multi-head network (width 16) with EW, AdaTask and the
# control ew-shared-lr (EW with Adam at T·η on the shared parameters: AdaTask's step size without
# its per-task accumulators), 5 paired seeds, every run trained until 5 epochs bring no better
# validation score (at most 30), the epoch selected on validation. Settings fixed before any run.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/12-task-dominance/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" compare --dataset scenes --balancers ew,adatask,ew-shared-lr --samples 2000 \
    --seeds 5 --epochs 30 --patience 5 --batch-size 32 --learning-rate 0.001 --width 16 --output . > /dev/null
echo "done"
