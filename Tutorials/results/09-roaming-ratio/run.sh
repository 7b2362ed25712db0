#!/usr/bin/env bash
# Maximum Roaming against fixed partitioning across the sharing ratio p, in the headline's regime
# (`--preset maximum-roaming` on 3,000 portraits: residual trunk of width 16 with batch normalization
# before every mask, Adam 10⁻³, batches of 64, task-alternating training, Δ = 4 batches), at p = 0.25
# and 0.5 (p = 0.8 is the headline study, `../09-roaming-reference/`), with the budget counted after
# roaming completes (--budget after-roaming: each roaming run's 40 epochs, model selection and early
# stopping, patience 5, start with the epoch in which r(c) reaches 1). Roaming needs
# C − round(p·C) updates of the widest layer (64 channels): 48 at p = 0.25 (192 batches, 5.8 epochs),
# 32 at p = 0.5 (128 batches, 3.9 epochs). 5 paired seeds; settings fixed before any run; the two
# comparisons (roaming − fixed partitioning at each p) are summarized against each p's own baseline.
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL a   seeds 0–2 into part-a/    run.sh MTL b   seeds 3–4 into part-b/
#   run.sh MTL join   joins the parts and writes at-0.25/ and at-0.5/ (each against its own baseline)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
arms=fixed-partitioning@16+p=0.25,roaming@16+p=0.25,fixed-partitioning@16+p=0.5,roaming@16+p=0.5
arguments=(study --dataset portraits --samples 3000 --arms "$arms" --preset maximum-roaming --patience 5
           --budget after-roaming --noise-floor off --threads 1)
run_part() {   # part, seed count, first seed
    mkdir -p "part-$1"
    "$mtl" "${arguments[@]}" --seeds "$2" --first-seed "$3" --output "part-$1" > /dev/null
}
case "$part" in
    a) run_part a 3 0 ;;
    b) run_part b 2 3 ;;
    join)
        for file in runs.csv curves.csv; do
            head -1 part-a/$file > $file
            for p in part-a part-b; do
                if [ -f $p/$file ]; then tail -n +2 $p/$file >> $file; fi
            done
        done
        cp part-a/runs.csv.settings runs.csv.settings
        for ratio in 0.25 0.5; do
            mkdir -p at-$ratio && cp runs.csv runs.csv.settings at-$ratio/
            "$mtl" "${arguments[@]}" --seeds 5 --summarize-only --baseline fixed-partitioning@16+p=$ratio \
                --output at-$ratio > at-$ratio/summary.txt
        done ;;
    *) echo "usage: run.sh [mtl] a|b|join"; exit 2 ;;
esac
echo "done"
