#!/usr/bin/env bash
# The getting-started study of chapter 00: eight attribute-group tasks on generated shape images
# (3,000 images, 32×32), single-task networks against hard sharing (a multi-head network) and soft
# sharing (λ = 10⁻³), all of width 16, Adam 3·10⁻³, 5 paired seeds, every run trained until 5 epochs
# bring no better validation score (at most 30), the epoch selected on validation (per task for the
# single-task networks). The chapter's earlier settings, with selection instead of a fixed 4 epochs.
#
# Resumable: runs.csv gets one row per finished run, and a rerun skips those.
# Usage: Tutorials/results/00-getting-started/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
"$mtl" study --dataset shapes --samples 3000 --arms stl@16,multi-head@16,soft-sharing@16~0.001 \
    --seeds 5 --epochs 30 --patience 5 --batch-size 64 --learning-rate 0.003 --output . > /dev/null
echo "done"
