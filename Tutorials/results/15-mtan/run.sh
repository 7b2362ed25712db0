#!/usr/bin/env bash
# MTAN (Liu et al., CVPR 2019) against a multi-head network on the same trunk, each with Dynamic
# Weight Average (the balancer MTAN's paper trains it with) and with equal weights: `shapes`
# (AttributeShapes, 8 attribute tasks, 1,000 images split 70/10/20), plain trunk of width 8, Adam
# 3·10⁻³, batches of 16, 8 epochs, the epoch selected on validation; 5 paired seeds per study, with
# the noise-floor arm (the multi-head baseline again with other initialization seeds).
#
# A small, short regime chosen for cost before any MTAN run: an MTAN run of 8 epochs takes about a
# minute on one core (its 8 attention chains cost many times the trunk). The learning rate and
# batch size were picked on the multi-head network alone, before any MTAN run: of the four tried on
# seed 0 (1e-3/32, 3e-3/32, 1e-2/64, 3e-3/16), 3e-3/16 is the one with which it learns every task to
# a test F-score of at least 0.3 (with the defaults, 1e-3/64, three tasks stay near 0, and Δm%'s
# terms relative to a baseline near 0 explode).
#
# Ran on commit cdf1782 of branch mtan before its rebase onto main (the MTAN code of d3ff218 here), one
# thread, nice 19.
# Resumable: each study's runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/15-mtan/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
for balancer in dwa ew; do
    mkdir -p "$balancer"
    "$mtl" study --dataset shapes --samples 1000 --arms "multi-head:$balancer@8,mtan:$balancer@8" \
        --seeds 5 --epochs 8 --batch-size 16 --learning-rate 0.003 --threads 1 --output "$balancer" > /dev/null
done
echo "done"
