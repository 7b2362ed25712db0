#!/usr/bin/env bash
# Two ablations of Maximum Roaming in the Δ study's regime (`../09-roaming-interval/`: `--preset
# maximum-roaming` on 3,000 portraits, p = 0.8, residual trunk of width 16 with batch normalization
# before every mask, Adam 10⁻³, batches of 64, task-alternating training, budget counted after roaming
# completes: 40 epochs, patience 5), at Δ = 17 batches (0.52 epoch), seeds 0–4, against the Δ study's
# own roaming@16+interval=17 runs of those seeds (copied in by `prepare`: training is deterministic,
# and that study's recheck/ reran it bit for bit; the copied arm's settings must match, which
# `mtl study` checks before any run).
#
#   +reset-moments   a swap cost: when a roaming update activates a unit for a task, zero the Adam
#                    moments of that unit's weights (`RoamingMomentReset`), so that it does not step
#                    on another task's gradient history;
#   +unconstrained   the "maximum" part: every Δ, swap an active unit for any inactive one, visited or
#                    not (random re-partitioning; the budget starts after as many updates as the
#                    constrained arm needs to finish).
#
# Fixed before any run: two comparisons, each Δm% against roaming@16+interval=17 with its 95%
# bootstrap CI over the 5 paired seeds. Reset moments: above 0 → the carried moments cost accuracy;
# below 0 → they help; containing 0 → no detectable cost. Unconstrained: below 0 → the visited
# constraint matters (the paper's "maximum" part reproduced); above 0 → refuted; containing 0 → no
# detectable difference.
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL prepare   copies the baseline rows into the parts (once, before the first run)
#   run.sh MTL a   seeds 0–1 into part-a/     run.sh MTL b   seeds 2–3 into part-b/
#   run.sh MTL c   seed 4 into part-c/        run.sh MTL join   joins the parts and summarizes
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
baseline=roaming@16+interval=17
arms=$baseline,$baseline+reset-moments,$baseline+unconstrained
arguments=(study --dataset portraits --samples 3000 --arms "$arms" --baseline "$baseline"
           --preset maximum-roaming --patience 5 --budget after-roaming --noise-floor off --threads 1)
source=../09-roaming-interval
prepare_part() {   # part, first seed, last seed
    mkdir -p "part-$1"
    [ -f "part-$1/runs.csv" ] && { echo "part-$1 already prepared"; return; }
    for file in runs.csv curves.csv; do
        head -1 "$source/$file" > "part-$1/$file"
        awk -F, -v arm="$baseline" -v first="$2" -v last="$3" \
            'NR > 1 && $1 == arm && $2 >= first && $2 <= last' "$source/$file" >> "part-$1/$file"
    done
    grep -v '^arm\.' "$source/runs.csv.settings" > "part-$1/runs.csv.settings"
    grep "^arm\.$baseline=" "$source/runs.csv.settings" | head -1 >> "part-$1/runs.csv.settings"
}
run_part() {   # part, seed count, first seed
    "$mtl" "${arguments[@]}" --seeds "$2" --first-seed "$3" --output "part-$1" > /dev/null
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
        "$mtl" "${arguments[@]}" --seeds 5 --first-seed 0 --summarize-only --output . > summary.txt ;;
    *) echo "usage: run.sh [mtl] prepare|a|b|c|join"; exit 2 ;;
esac
echo "done"
