#!/usr/bin/env bash
# A confirmatory test of FINDINGS row 71 (a hypothesis from the Δ study, `../09-roaming-interval/`): in
# the headline's regime (`--preset maximum-roaming` on 3,000 portraits: p = 0.8, residual trunk of width
# 16 with batch normalization before every mask, Adam 10⁻³, batches of 64, task-alternating training),
# Maximum Roaming with a slow interval, Δ = 17 batches (0.52 epoch), beats fixed partitioning, with the
# budget counted after roaming completes (--budget after-roaming, 40 epochs, patience 5). Fresh seeds
# 5–14 (the Δ study used 0–4, which suggested the hypothesis), 10 paired seeds; the one comparison —
# roaming@16+interval=17 against fixed-partitioning@16, Δm% with its 95% bootstrap CI — and its reading
# are fixed before any run: confirmed if the interval excludes 0 upwards, refuted if downwards,
# otherwise no detectable difference.
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL a   seeds 5–9 into part-a/     run.sh MTL b   seeds 10–14 into part-b/
#   run.sh MTL join   joins the parts and summarizes the seeds both arms have finished
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
arguments=(study --dataset portraits --samples 3000 --arms fixed-partitioning@16,roaming@16+interval=17
           --preset maximum-roaming --patience 5 --budget after-roaming --noise-floor off --threads 1)
run_part() {   # part, seed count, first seed
    mkdir -p "part-$1"
    "$mtl" "${arguments[@]}" --seeds "$2" --first-seed "$3" --output "part-$1" > /dev/null
}
case "$part" in
    a) run_part a 5 5 ;;
    b) run_part b 5 10 ;;
    join)
        for file in runs.csv curves.csv; do
            head -1 part-a/$file > $file
            for p in part-a part-b; do
                if [ -f $p/$file ]; then tail -n +2 $p/$file >> $file; fi
            done
        done
        cp part-a/runs.csv.settings runs.csv.settings
        "$mtl" "${arguments[@]}" --seeds 10 --first-seed 5 --summarize-only --output . > summary.txt ;;
    *) echo "usage: run.sh [mtl] a|b|join"; exit 2 ;;
esac
echo "done"
