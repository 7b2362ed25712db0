#!/usr/bin/env bash
# The Δ sweep, the r(c) curve and random against least-aligned selection of the Maximum Roaming
# reproduction, in the headline's regime (`--preset maximum-roaming` on 3,000 portraits: p = 0.8,
# residual trunk of width 16 with batch normalization before every mask, Adam 10⁻³, batches of 64,
# task-alternating training), with the budget counted **after roaming completes** (--budget
# after-roaming): each roaming run trains until its progress r(c) reaches 1, and its 40 epochs,
# model selection and early stopping (patience 5) start with that epoch — the same budget after
# roaming for every Δ. An epoch is 33 batches, so Δ = 1, 2, 4, 7 and 17 batches are 0.03, 0.06,
# 0.12, 0.21 and 0.52 epochs (the issue's 1 step, 0.05, 0.1, 0.2 and 0.5 epoch, rounded to whole
# batches; 4 is the preset's ⌊0.1 · 33⌋ + 1). Roaming completes after 13 updates of the widest layer
# (64 channels, 51 per task): 13 to 221 batches, 0.4 to 6.7 epochs. Δ = 17 resolves the curve of F
# against r(c) (one point per epoch) and is where random and least-aligned selection are compared;
# fixed partitioning (no roaming: its budget is the whole run) is the baseline and the curve's
# control. curves.csv holds every epoch of every run. 5 paired seeds; settings fixed before any run.
#
# Resumable, and split over processes (one per core, one thread each):
#   run.sh MTL a   seeds 0–1 into part-a/     run.sh MTL b   seeds 2–3 into part-b/
#   run.sh MTL c   seed 4 into part-c/        run.sh MTL join   joins the parts here and summarizes
#                                                                the seeds every arm has finished
# Each finished run appends its row to its part's runs.csv (and its epochs to curves.csv) at once;
# a rerun skips the runs already there.
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
arms=fixed-partitioning@16,roaming@16+interval=17,roaming@16+interval=17+least-aligned
arms+=,roaming@16+interval=1,roaming@16+interval=2,roaming@16+interval=4,roaming@16+interval=7
arguments=(study --dataset portraits --samples 3000 --arms "$arms" --preset maximum-roaming --patience 5
           --budget after-roaming --noise-floor off --threads 1)
run_part() {   # part, seed count, first seed
    mkdir -p "part-$1"
    "$mtl" "${arguments[@]}" --seeds "$2" --first-seed "$3" --output "part-$1" > /dev/null
}
case "$part" in
    a) run_part a 2 0 ;;
    b) run_part b 2 2 ;;
    c) run_part c 1 4 ;;
    join)
        for file in runs.csv curves.csv; do
            head -1 part-a/$file > $file
            for p in part-a part-b part-c; do
                if [ -f $p/$file ]; then tail -n +2 $p/$file >> $file; fi
            done
        done
        cp part-a/runs.csv.settings runs.csv.settings
        "$mtl" "${arguments[@]}" --seeds 5 --summarize-only --output . > summary.txt
        # The same runs against the paper's floor, Δ = 0.05 epoch (2 batches), into against-floor/.
        mkdir -p against-floor && cp runs.csv runs.csv.settings against-floor/
        "$mtl" "${arguments[@]}" --seeds 5 --summarize-only --baseline roaming@16+interval=2 \
            --output against-floor > against-floor/summary.txt ;;
    *) echo "usage: run.sh [mtl] a|b|c|join"; exit 2 ;;
esac
echo "done"
