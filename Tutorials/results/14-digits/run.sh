#!/usr/bin/env bash
# The digits study of chapter 14: scikit-learn's digits as exported by Examples/digits/export_digits.py
# (the 1,697 images it keeps; two tasks, the digit and its slant in pixels), single-task networks of
# width 16 against multi-head networks of width 16 and 23 (49,001 parameters, as many as the
# single-task pair's 47,307), with the noise-floor arm; 5 paired seeds, 30 epochs, each run reported
# at its best validation epoch.
#
# Usage: Tutorials/results/14-digits/run.sh DIGITS_FOLDER [OUTPUT] [path to mtl]
#   DIGITS_FOLDER  the export's folder (python3 Examples/digits/export_digits.py --output DIGITS_FOLDER)
#   OUTPUT         the study's directory (default: runs/digits-study); resumable
# The committed runs.csv.settings names the export by absolute path (/tmp/digits) and checksum, so a
# rerun goes into a directory of its own and is compared with this one by its numbers.
set -euo pipefail
digits=${1:?usage: run.sh DIGITS_FOLDER [OUTPUT] [path to mtl]}
output=${2:-runs/digits-study}
mtl=${3:-$(dirname "$0")/../../../.build/release/mtl}
"$mtl" study --inputs "$digits/x.npy" --targets "digit=$digits/digit.npy,slant=$digits/slant.npy" \
    --tasks digit:classification:10,slant:regression --arms stl,multi-head,multi-head@23 \
    --seeds 5 --epochs 30 --output "$output"
