#!/usr/bin/env bash
# The conditioning study of chapter 07: two related regression tasks (RelatedRegression, ρ = 0.5,
# 6,000 samples), single-task networks against the multi-head network and the four task-conditioned
# networks (concatenation, additive, multiplicative, FiLM; one-hot descriptors), all on the backbone
# of width 32, the conditioning entering before a hidden layer with ReLU. 5 paired seeds, every run
# trained until 10 epochs bring no better validation score (at most 100), the epoch selected on
# validation. Settings fixed before any run.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/07-conditioning/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" study --dataset regression --correlation 0.5 --samples 6000 \
    --arms stl@32,multi-head@32,concatenation@32,additive@32,multiplicative@32,film@32 \
    --seeds 5 --epochs 100 --patience 10 --batch-size 64 --learning-rate 0.001 --output . > /dev/null
echo "done"
