#!/usr/bin/env bash
# What a Maximum Roaming swap costs, in the Δ study's regime (`../09-roaming-interval/`: `--preset
# maximum-roaming` on 3,000 portraits, p = 0.8, residual trunk of width 16 with batch normalization
# before every mask, Adam 10⁻³, batches of 64, Δ = 17 batches, budget counted after roaming completes,
# at most 40 epochs, patience 5), seeds 0–4. Two arms, both trained here:
#
#   roaming@16+interval=17              the Δ study's arm again, now recording each task's loss
#                                       around every swap (`swaps.csv`); training is deterministic,
#                                       so its runs must equal the Δ study's (`join` checks this);
#   roaming@16+interval=17+zero-heads   the head weights that read a trunk-output channel a task has
#                                       never used set to 0 before training, so that each channel
#                                       roaming hands a task enters its head from zero instead of from
#                                       random weights that never got a gradient.
#
# Fixed before any run: three readings, each a 95% bootstrap CI over the 5 seeds —
#   1. the spike: per seed, the mean over the 8 tasks of (mean loss change from step s − 1 to s at the
#      swap steps s) − (the same at the other steps while roaming lasts), for roaming; above 0 → a
#      swap costs a loss spike; containing 0 → no detectable spike;
#   2. zero-heads' spike minus roaming's, paired by seed: below 0 → zeroing the heads shrinks it;
#   3. Δm% of zero-heads against roaming (summary.txt): above 0 → the zeroing improves the result.
# Readings 1 and 2 are printed by notebook 09 from swaps.csv.
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL a   seeds 0–1 into part-a/     run.sh MTL b   seeds 2–3 into part-b/
#   run.sh MTL c   seed 4 into part-c/        run.sh MTL join   joins the parts and summarizes
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
arms=roaming@16+interval=17,roaming@16+interval=17+zero-heads
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
        for file in runs.csv curves.csv swaps.csv; do
            head -1 part-a/$file > $file
            for p in part-a part-b part-c; do
                if [ -f $p/$file ]; then tail -n +2 $p/$file >> $file; fi
            done
        done
        cp part-a/runs.csv.settings runs.csv.settings
        "$mtl" "${arguments[@]}" --seeds 5 --first-seed 0 --summarize-only --baseline roaming@16+interval=17 \
            --output . > summary.txt
        # The rerun equals the Δ study's runs, every column but the seconds (the 5th).
        arm=roaming@16+interval=17
        if diff <(awk -F, -v arm="$arm" '$1 == arm { $5 = ""; print }' runs.csv | sort) \
                <(awk -F, -v arm="$arm" '$1 == arm && $2 <= 4 { $5 = ""; print }' ../09-roaming-interval/runs.csv \
                  | sort); then
            echo "the rerun of $arm equals the Δ study's runs (seconds aside)"
        else
            echo "the rerun of $arm DIFFERS from the Δ study's runs" >&2; exit 1
        fi
        ;;
    *) echo "usage: run.sh MTL a|b|c|join" >&2; exit 2 ;;
esac
