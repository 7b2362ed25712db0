#!/usr/bin/env bash
# Chapter 17's fine-tuning study: pretrain a multi-head network on `shapes` (AttributeShapes, 8
# attribute tasks, 2,000 images split 70/10/20, 8 epochs, its best validation epoch kept), then train
# on a small `portraits` set (AttributePortraits, 8 face-attribute tasks, 600 images split 70/10/20)
# from scratch or from that pretrained trunk (the heads always new: --init-map trunk.=trunk.):
#   multi-head                          from scratch (the baseline)
#   multi-head+full                     every parameter trains from the first epoch
#   multi-head+head-only                the pretrained trunk frozen, only the heads train
#   multi-head+gradual=1                gradual unfreezing: heads, then one more trunk stage per epoch
#   multi-head+gradual=1+decay=0.385    the same with discriminative rates η_l = η·ξ^(L−l), ξ = 1/2.6
#   multi-head+full+decay=0.385         full fine-tuning with those discriminative rates (added after the
#                                       first five arms had run, to separate the rates from the unfreezing)
#   multi-head re-init                  the noise floor: the baseline again with other initialization seeds
# Plain trunk of width 16, Adam 10⁻³ for every arm and both phases, batches of 32 when fine-tuning (64
# when pretraining), at most 12 epochs, each run reported at its best validation epoch; 10 paired seeds:
# seed s fine-tunes the network pretrained with seed s (which also starts the scratch arm's weights
# from the same draw as that pretraining did). Settings chosen for cost before the study's first
# fine-tuning run (a first choice, 1,200 portraits and 15 epochs, would have taken over an hour of wall
# time on the loaded 2-core machine and was stopped during pretraining); nothing was tuned on results.
#
# Resumable: a pretraining run continues from its checkpoint (a finished one is skipped), and the
# study's runs.csv gets one row per finished run, which a rerun skips.
# Usage: Tutorials/results/17-fine-tuning/run.sh [path to mtl]   (default: .build/release/mtl)
set -euo pipefail
cd "$(dirname "$0")"
mtl=${1:-../../../.build/release/mtl}
seeds=10
for seed in $(seq 0 $((seeds - 1))); do
    dir="pretrain/seed-$seed"
    # Finished: skipped. Interrupted: resumed from its checkpoint. Otherwise (a fresh clone holds only
    # the logs, not the checkpoints): trained again, the same run bit for bit.
    [ -f "$dir/finished" ] && [ -f "$dir/best.mtlckpt" ] && continue
    how=(--overwrite)
    [ -f "$dir/model.mtlckpt" ] && [ ! -f "$dir/finished" ] && how=(--resume)
    nice -n 19 "$mtl" train --dataset shapes --samples 2000 --epochs 8 --width 16 --seed "$seed" --threads 1 \
        --output "$dir" --quiet "${how[@]}" > /dev/null
    touch "$dir/finished"
done
nice -n 19 "$mtl" study --dataset portraits --samples 600 --seeds "$seeds" --epochs 12 --batch-size 32 \
    --width 16 --threads 1 --init-from "pretrain/seed-{seed}/best.mtlckpt" --init-map "trunk.=trunk." \
    --arms "multi-head,multi-head+full,multi-head+head-only,multi-head+gradual=1,multi-head+gradual=1+decay=0.385,\
multi-head+full+decay=0.385" \
    --output . > study.log
echo "done"
