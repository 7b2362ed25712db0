#!/usr/bin/env bash
# Chapter 15's Learning to Branch study: on --dataset blocks (six RelatedRegression tasks in two blocks
# of three, correlation 0.8 within a block, 0 across; 3,000 samples), does the searched tree put
# tasks of one block on a deeper common path than tasks of different blocks? 20 seeds (data, weights
# and Gumbel noise from one seed each), each an `mtl train --architecture ltb` run with the default
# search (20 epochs, one node per task in each of the two inner layers, hard Gumbel-softmax, logits at
# Adam 0.01, weights at 0.001), then the tree retrained for 1 epoch (the tree is what is measured here).
# Every setting was fixed before the first run. A paired control draws a uniformly random tree of the
# same search space per seed (analyze.py).
#
# Resumable: trees.csv gets one row per finished seed, and a rerun skips those.
# Usage: Tutorials/results/15-ltb-blocks/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
seeds=${SEEDS:-20}
[ -f trees.csv ] || echo "seed,tree" > trees.csv
for seed in $(seq 0 $((seeds - 1))); do
    if grep -q "^$seed," trees.csv; then continue; fi
    dir=$(mktemp -d)
    nice -n 19 "$mtl" train --dataset blocks --correlation 0.8 --samples 3000 --architecture ltb --width 16 \
        --search-epochs 20 --epochs 1 --seed "$seed" --threads 1 --quiet --output "$dir/run" > /dev/null
    tree=$(grep '"phase": "search"' "$dir/run/diagnostics.jsonl" | tail -1 | sed 's/.*"tree":"\([^"]*\)".*/\1/')
    echo "$seed,\"$tree\"" >> trees.csv
    rm -rf "$dir"
    echo "done: seed $seed ($tree)"
done
python3 analyze.py trees.csv > summary.md
cat summary.md
