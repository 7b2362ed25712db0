#!/usr/bin/env bash
# The sharing-regime study of chapter 06: single-task networks (width 8, 1,778 parameters for both
# tasks) against a multi-head network of the same budget (width 15, 1,787 parameters) on
# RelatedRegression, for each task correlation ρ and data size, 20 paired seeds each, every run
# trained until 20 epochs bring no better validation score (at most 300), the epoch selected on
# validation. The grid was fixed before any run.
#
# Resumable: each cell's runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/06-sharing-regime/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
for samples in 150 500 2000; do
    for rho in 1.0 0.8 0.5 0.2 0.0; do
        "$mtl" study --dataset regression --correlation "$rho" --samples "$samples" \
            --arms stl@8,multi-head@15 --seeds 20 --epochs 300 --patience 20 --batch-size 32 \
            --learning-rate 0.001 --output "rho-$rho-samples-$samples" > /dev/null
        echo "done: rho $rho, $samples samples"
    done
done
