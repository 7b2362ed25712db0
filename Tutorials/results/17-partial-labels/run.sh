#!/usr/bin/env bash
# Learning from few labels (issue 19, item 3): `regression` (RelatedRegression, two tasks), task 0
# keeping a falling fraction of its training labels (1, 0.3, 0.1, 0.05; task 1 keeps all of them;
# validation and test stay fully labelled), a multi-head network (`multi-head`, equal weights)
# against single-task networks (`stl`, the baseline), at task correlation ρ = 0.8 (`rho-0.8/`) and
# ρ = 0 as the control (`rho-0/`). 3,000 samples split 70/10/20, width 16, Adam 10⁻³, batches of
# 64, at most 30 epochs, each run reported at its best validation epoch (per task for STL); 20 paired
# seeds (seed s: the same data, split, kept labels and initial weights for both arms). The regime is
# `mtl study`'s default for `regression`, chosen before any run; no noise-floor arm (the paired
# intervals are the statistic here, and the curve has 8 studies).
#
# A second regime, `long-rho-*/`: the same with at most 150 epochs and patience 15. Added after the
# first regime's runs were found selected at the 30-epoch cap (most of them were still improving),
# before looking at how that changes the arms' difference: a check that the curve is not an artefact
# of a budget too short for the slower-learning arm.
#
# Resumable: each fraction's runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/17-partial-labels/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
seeds=${SEEDS:-20}
for rho in 0.8 0; do
    mkdir -p "rho-$rho"
    nice -n 19 "$mtl" study --dataset regression --correlation "$rho" --arms stl,multi-head \
        --labelled-fractions 1,0.3,0.1,0.05 --labelled-task task0 --noise-floor off \
        --seeds "$seeds" --epochs 30 --threads 1 --output "rho-$rho" > "rho-$rho/stdout.txt"
done
for rho in 0.8 0; do
    mkdir -p "long-rho-$rho"
    nice -n 19 "$mtl" study --dataset regression --correlation "$rho" --arms stl,multi-head \
        --labelled-fractions 1,0.3,0.1,0.05 --labelled-task task0 --noise-floor off \
        --seeds "$seeds" --epochs 150 --patience 15 --threads 1 --output "long-rho-$rho" > "long-rho-$rho/stdout.txt"
done
echo "done"
