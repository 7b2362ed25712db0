#!/usr/bin/env bash
# Chapter 06's second regime: the setting of chapter 08 (width 32, 6,000 samples), where the
# multi-head network beats STL at ρ = 0.5 (see results/08-soft-sharing), at other task
# correlations: does the advantage shrink, or turn negative, as the tasks drift apart? STL
# against the multi-head network, 10 paired seeds, each run trained until 10 epochs bring no better
# validation score (at most 100). The ρ = 0.5 cell is chapter 08's study (same arms, seeds, settings).
#
# Resumable: each cell's runs.csv gets one row per finished run, and a rerun skips those.
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
for rho in 0.0 1.0; do
    "$mtl" study --dataset regression --correlation "$rho" --samples 6000 --arms stl@32,multi-head@32 \
        --seeds 10 --epochs 100 --patience 10 --batch-size 64 --learning-rate 0.001 --output "rho-$rho" > /dev/null
    echo "done: rho $rho"
done
