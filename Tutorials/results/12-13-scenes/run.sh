#!/usr/bin/env bash
# The dense-scenes study of chapters 12 and 13: segmentation, depth and normals (DenseScenes, 2,000
# scenes), three single-task networks (width 16 each) against one multi-head network (width 16)
# with equal weights, uncertainty weighting, MGDA-UB (chapter 13's methods), AdaTask and its
# control ew-shared-lr (EW with Adam at T·η on the shared parameters: AdaTask's step size without
# its per-task accumulators; chapter 12). 5 paired seeds, every run trained until 5 epochs bring
# no better validation score (at most 50), the epoch selected on validation. The settings are the
# chapters' earlier ones, fixed before any run. No noise-floor arm: the single-task networks take
# 9 minutes a seed on one core (every STL run of seed 0 went to the 50-epoch cap), and two of them
# per seed would not fit a session; chapters 00, 06-08 and 10-11 measure the noise floor.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/12-13-scenes/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" study --dataset scenes --samples 2000 \
    --arms stl@16,multi-head:ew@16,multi-head:uncertainty@16,multi-head:mgda-ub@16,multi-head:adatask@16,multi-head:ew-shared-lr@16 \
    --seeds 5 --epochs 50 --patience 5 --batch-size 32 --learning-rate 0.001 --noise-floor off --output . > /dev/null
echo "done"
