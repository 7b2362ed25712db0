#!/usr/bin/env bash
# The headline comparison of the Maximum Roaming reproduction: roaming against fixed partitioning
# in the reference-like regime, `--preset maximum-roaming` (p = 0.8; Δ = ⌊0.1 · batches per epoch⌋ + 1
# = 4 batches here; a residual trunk of width 16 with batch normalization, batch statistics, before
# every mask; Adam 10⁻³, batches of 64; task-alternating training, random unit selection; at most 40
# epochs), on the generated CelebA stand-in `portraits` (40 attributes in 8 tasks, 3,000 images:
# 2,100 train / 300 validation / 600 test). Roaming completes after (1 − p)·64 ≈ 13 updates of the
# widest layer, 52 batches ≈ 1.6 epochs — well inside the first quarter of any run. 10 paired seeds
# (same split and same initial weights for both arms), each run stopped when 5 epochs bring no better
# validation score, the epoch selected on validation (mean F-score); baseline fixed partitioning,
# with its noise floor (the same arm from other initial weights). Settings fixed before any run.
#
# Resumable, and split over two processes (one per core):
#   run.sh MTL a      seeds 0–4 into part-a/      run.sh MTL b      seeds 5–9 into part-b/
#   run.sh MTL join   joins both runs files here and summarizes the seeds every arm has finished
#                     (--summarize-only: it trains nothing)
# Each finished run appends its row to its runs.csv at once; a rerun skips the runs already there.
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
arguments=(study --dataset portraits --samples 3000 --arms fixed-partitioning@16,roaming@16
           --preset maximum-roaming --patience 5 --threads 1)
case "$part" in
    a) mkdir -p part-a && "$mtl" "${arguments[@]}" --seeds 5 --first-seed 0 --output part-a > /dev/null ;;
    b) mkdir -p part-b && "$mtl" "${arguments[@]}" --seeds 5 --first-seed 5 --output part-b > /dev/null ;;
    join)
        { head -1 part-a/runs.csv; tail -n +2 part-a/runs.csv; tail -n +2 part-b/runs.csv; } > runs.csv
        cp part-a/runs.csv.settings runs.csv.settings
        "$mtl" "${arguments[@]}" --seeds 10 --summarize-only --output . > summary.txt ;;
    *) echo "usage: run.sh [mtl] a|b|join"; exit 2 ;;
esac
echo "done"
