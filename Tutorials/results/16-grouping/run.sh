#!/bin/sh
# Does the chosen grouping pay? On the blocks data of the relatedness lab (six regression tasks, two
# blocks, ρ = 0.8 within, 0 across): one multi-head network for all tasks (the baseline), single-task
# networks, one multi-head network per chosen group ({0,1,2} {3,4,5}: what every estimator's best two
# groups were on seed 0 of the lab), and per random group of the same sizes (TaskGrouping.random(sizes:
# [3, 3], seed: 16) = {0,3,5} {1,2,4}), 10 paired seeds, with the protocol of `mtl study`. About equal
# parameter budgets: single-task networks of width 16 (11,430 parameters), the all-in-one network of
# width 64 (11,014), each group's network of width 38 (10,874 for the two). Up to 200 epochs, patience
# 20. Resumable (runs.csv); one thread, niced.
set -e
cd "$(dirname "$0")/../../.."
swift build -c release --product mtl
nice -n 19 .build/release/mtl study --dataset blocks --correlation 0.8 --samples 2000 --seeds 10 --epochs 200 \
    --patience 20 --arms multi-head@64,stl@16,multi-head@38+groups=0.1.2/3.4.5,multi-head@38+groups=0.3.5/1.2.4 \
    --threads 1 \
    --output Tutorials/results/16-grouping | tee Tutorials/results/16-grouping/output.txt
