#!/usr/bin/env bash
# The loss-balancing study of chapter 10: RelatedRegression (ρ = 0.5, 6,000 samples) with task 0's
# targets multiplied by 10 (its squared error ~100× task 1's). Single-task networks (width 32)
# against a multi-head network (width 32) with each loss-weighting method of the chapter, 10 paired
# seeds, every run trained until 10 epochs bring no better validation score (at most 100), the
# epoch selected on validation. The methods and settings are the chapter's earlier ones, fixed
# before any run.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/10-balancing/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" study --dataset regression --correlation 0.5 --samples 6000 --scale-task 0:10 \
    --arms stl@32,multi-head:ew@32,multi-head:uncertainty@32,multi-head:dwa@32,multi-head:rlw@32,multi-head:gls@32,multi-head:gradnorm@32,multi-head:unitary@32 \
    --seeds 10 --epochs 100 --patience 10 --batch-size 64 --learning-rate 0.001 --output . > /dev/null
echo "done"
