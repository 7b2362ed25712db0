#!/usr/bin/env bash
# The multi-objective study of chapter 11: two overlapping digits (MultiDigit, 3,000 images),
# single-task networks against a multi-head CNN (width 16) with EW, MGDA-UB, MGDA, PCGrad and
# Nash-MTL, 5 paired seeds, every run trained until 5 epochs bring no better validation score
# (at most 30), the epoch selected on validation. The methods are the chapter's earlier ones; the
# settings were fixed before any run.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/11-multi-objective/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" compare --dataset digits --balancers ew,mgda-ub,mgda,pcgrad,nash-mtl --samples 3000 \
    --seeds 5 --epochs 30 --patience 5 --batch-size 64 --learning-rate 0.001 --width 16 --output . > /dev/null
echo "done"
