#!/usr/bin/env bash
# The paper's table on the dense scenes (segmentation, depth, normals), in the regime of chapters 12
# and 13's study (`../12-13-scenes/`: DenseScenes, 2,000 scenes, plain dilated trunk of width 16
# without batch normalization, Adam 10⁻³, batches of 32, at most 50 epochs, patience 5, the epoch
# selected on validation), seeds 0–4. The companion of `../09-roaming-table/` (portraits):
#
#   stl@16, multi-head:ew@16, multi-head:mgda-ub@16   copied from `../12-13-scenes/`;
#   multi-head:gradnorm@16, se-mtl@16                 trained here;
#   fixed-partitioning@16+p=0.8, roaming@16+p=0.8+interval=5
#                                                     trained here, at the reference's p = 0.8 and its
#                                                     Δ = ⌊0.1 · 44 batches⌋ + 1 = 5 batches (1,400
#                                                     training scenes in batches of 32); the 16-unit
#                                                     layers need 3 updates, so roaming completes in
#                                                     the first epoch and every selected epoch compares
#                                                     the networks with their updates complete.
# `mtl study` checks that the copied arms' recorded settings match this study's before it trains.
#
# Fixed before any run: the two readings of the portraits table —
#   1. every arm against stl@16, Δm% with its 95% bootstrap CI over the 5 paired seeds (summary.txt);
#   2. every arm against roaming@16+p=0.8+interval=5 (summary-against-roaming.txt): the paper's claim
#      that roaming beats every method of its table is reproduced for an arm when its interval lies
#      below 0, contradicted when above 0, no detectable difference otherwise (six uncorrected
#      intervals).
#
# Resumable, split over processes (one per core, one thread each):
#   run.sh MTL prepare   copies the earlier study's rows into the parts (once, before the first run)
#   run.sh MTL a   seeds 0–1 into part-a/     run.sh MTL b   seeds 2–3 into part-b/
#   run.sh MTL c   seed 4 into part-c/        run.sh MTL join   joins the parts and summarizes
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
part=${2:-join}
roaming=roaming@16+p=0.8+interval=5
arms=stl@16,multi-head:ew@16,multi-head:gradnorm@16,multi-head:mgda-ub@16,se-mtl@16
arms+=,fixed-partitioning@16+p=0.8,$roaming
arguments=(study --dataset scenes --samples 2000 --arms "$arms" --epochs 50 --patience 5 --batch-size 32
           --learning-rate 0.001 --noise-floor off --threads 1)
source=../12-13-scenes
prepare_part() {   # part, first seed, last seed
    mkdir -p "part-$1"
    [ -f "part-$1/runs.csv" ] && { echo "part-$1 already prepared"; return; }
    head -1 "$source/runs.csv" > "part-$1/runs.csv"
    grep -v '^arm\.' "$source/runs.csv.settings" > "part-$1/runs.csv.settings"
    for arm in stl@16 multi-head:ew@16 multi-head:mgda-ub@16; do
        awk -F, -v arm="$arm" -v first="$2" -v last="$3" \
            'NR > 1 && $1 == arm && $2 >= first && $2 <= last' "$source/runs.csv" >> "part-$1/runs.csv"
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
        summarize stl@16 summary.txt                      # reading 1
        summarize "$roaming" summary-against-roaming.txt  # reading 2
        ;;
    *) echo "usage: run.sh MTL prepare|a|b|c|join" >&2; exit 2 ;;
esac
