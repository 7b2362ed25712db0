#!/usr/bin/env bash
# The study of chapter 09: Maximum Roaming against fixed partitioning on the attribute shapes
# (8 tasks, 3,000 images), the chapter's settings fixed before any run: width 16, p = 0.5,
# Δ = 10 batches (random selection), Adam 3·10⁻³, batches of 64, task-alternating training (one
# update per task and batch, as the reference code); a multi-head network (no masks) for reference,
# trained both ways: summed (its default, one update per batch) and task-alternating (the masked
# arms' loop; added after the first four arms had run). 5 paired seeds (same data split and same
# initial weights for both masked networks), every run trained until 5 epochs bring no better
# validation score (at most 50), the epoch selected on validation. Baseline: fixed partitioning.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/09-roaming/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" study --dataset shapes --samples 3000 --arms fixed-partitioning@16,roaming@16,multi-head@16,multi-head/alternating@16 \
    --sharing-ratio 0.5 --update-interval 10 \
    --seeds 5 --epochs 50 --patience 5 --batch-size 64 --learning-rate 0.003 --output . > /dev/null
echo "done"
