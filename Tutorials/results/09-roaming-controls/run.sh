#!/usr/bin/env bash
# Controls for what drives Maximum Roaming, in the Δ study's regime (`../09-roaming-interval/`:
# `--preset maximum-roaming` on 3,000 portraits, p = 0.8, residual trunk of width 16 with batch
# normalization before every mask, Adam 10⁻³, batches of 64, budget counted after roaming completes
# for roaming arms and over the whole run for the others: 40 epochs, patience 5), seeds 0–4. The Δ
# study's own roaming@16+interval=17 and fixed-partitioning@16 runs of those seeds are copied in by
# `prepare` (training is deterministic, that study's recheck/ reran it bit for bit, and `mtl study`
# checks that the copied arms' recorded settings match before it trains anything).
#
#   fixed-partitioning@16+dropout=0.25   regularization alone: fixed partitioning with whole-channel
#                                        dropout at 0.25, roaming's turnover at Δ = 17 (each task
#                                        swaps 13 of its 51 active units in the widest layer, 0.25);
#   roaming/summed@16+interval=17        summed training (one update per batch on Σ_t L_t, each task
#                                        through its own masks) instead of task-alternating;
#   multi-head@16, multi-head@16+dropout=0.25   full sharing, without and with the same dropout.
#
# Fixed before any run: five comparisons, Δm% with its 95% bootstrap CI over the 5 paired seeds (five
# uncorrected intervals: one may exclude 0 by chance), each read as FINDINGS reads a claim —
#   1. roaming@16+interval=17 against fixed-partitioning@16+dropout=0.25: above 0 → roaming adds
#      something that channel dropout at its turnover does not; containing 0 or below → dropout
#      explains what roaming does here (the "regularization" reading);
#   2. fixed-partitioning@16+dropout=0.25 against fixed-partitioning@16: does the dropout help at all;
#   3. roaming/summed@16+interval=17 against roaming@16+interval=17: summed against task-alternating;
#   4. multi-head@16+dropout=0.25 against multi-head@16: dropout under full sharing;
#   5. fixed-partitioning@16 against multi-head@16: partitioning against full sharing.
# Each comparison is the study's summary rerun with `--baseline` set to its second arm.
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL prepare   copies the Δ study's rows into the parts (once, before the first run)
#   run.sh MTL a   seeds 0–1 into part-a/     run.sh MTL b   seeds 2–3 into part-b/
#   run.sh MTL c   seed 4 into part-c/        run.sh MTL join   joins the parts and summarizes
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
copied=(roaming@16+interval=17 fixed-partitioning@16)
arms=roaming@16+interval=17,fixed-partitioning@16,fixed-partitioning@16+dropout=0.25
arms+=,roaming/summed@16+interval=17,multi-head@16,multi-head@16+dropout=0.25
arguments=(study --dataset portraits --samples 3000 --arms "$arms" --preset maximum-roaming --patience 5
           --budget after-roaming --noise-floor off --threads 1)
source=../09-roaming-interval
prepare_part() {   # part, first seed, last seed
    mkdir -p "part-$1"
    [ -f "part-$1/runs.csv" ] && { echo "part-$1 already prepared"; return; }
    for file in runs.csv curves.csv; do
        head -1 "$source/$file" > "part-$1/$file"
        for arm in "${copied[@]}"; do
            awk -F, -v arm="$arm" -v first="$2" -v last="$3" \
                'NR > 1 && $1 == arm && $2 >= first && $2 <= last' "$source/$file" >> "part-$1/$file"
        done
    done
    grep -v '^arm\.' "$source/runs.csv.settings" > "part-$1/runs.csv.settings"
    for arm in "${copied[@]}"; do
        grep -F "arm.$arm=" "$source/runs.csv.settings" | head -1 >> "part-$1/runs.csv.settings"
    done
}
run_part() {   # part, seed count, first seed
    "$mtl" "${arguments[@]}" --seeds "$2" --first-seed "$3" --output "part-$1" > /dev/null
}
summarize() {   # baseline arm, output file
    "$mtl" "${arguments[@]}" --seeds 5 --first-seed 0 --summarize-only --baseline "$1" --output . > "$2"
}
case "$part" in
    prepare) prepare_part a 0 1; prepare_part b 2 3; prepare_part c 4 4 ;;
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
        summarize fixed-partitioning@16+dropout=0.25 summary-against-dropout.txt   # comparison 1
        summarize fixed-partitioning@16 summary-against-fixed.txt                  # 2
        summarize roaming@16+interval=17 summary-against-roaming.txt               # 3
        summarize multi-head@16 summary-against-multi-head.txt                     # 4 and 5
        ;;
    *) echo "usage: run.sh [mtl] prepare|a|b|c|join"; exit 2 ;;
esac
echo "done"
