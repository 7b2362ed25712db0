#!/usr/bin/env python3
"""Export scikit-learn's handwritten digits as the files `mtl train` reads: .npy arrays and a CSV table.

The data: 1,797 images of 8×8 pixels, each pixel 0…16 (the ink counted in a 4×4 block of a 32×32 scan), written
by 13 people: the test part of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and
C. Kaynak, 1998). scikit-learn ships it inside its package (`sklearn.datasets.load_digits`), so nothing is
downloaded. scikit-learn is needed by this script only, never by MultiTaskKit.

Two tasks per image:

    digit  the digit written, 0…9: classification, 10 classes (the dataset's label).
    slant  how far the handwriting leans, in pixels: the slope b of the least-squares line x = a + b·y through
           the ink (every pixel's position weighted by its value, the moments μ11/μ02 that deskewing uses),
           times the image's height of 8 pixels, so that it reads as the horizontal shift from the bottom row
           to the top; positive leans right. A regression task.

The slant is computed from the pixels here: a derived task, made for teaching. It is not a function of the
digit, though: two 7s lean differently, and the class explains only about half of the slant's variance (the
script prints the share).

Files written into --output (default: digits):

    x.npy            [1697, 1, 8, 8] float32   the images (a convolutional trunk in `mtl train`)
    digit.npy        [1697] int64              the digit of each image
    slant.npy        [1697] float32            the slant of each image, in pixels
    digits.csv       1697 rows: r0c0 … r7c7 (the 64 pixels, row by row), digit, slant (an MLP trunk)
    x_new.npy, digit_new.npy, slant_new.npy, digits-new.csv
                     the same for 100 images held out (a seeded draw): "new" images for `mtl predict`,
                     which no split of the training run sees

    python3 -m pip install numpy scikit-learn                  # in a virtual environment of your choice
    python3 Examples/digits/export_digits.py                   # into ./digits
    python3 Examples/digits/export_digits.py --output /tmp/d   # elsewhere

Then `mtl train --inputs digits/x.npy --targets digit=digits/digit.npy,slant=digits/slant.npy …`
(README.md and chapter 14 give the commands and the results).
"""

import argparse
import os
import sys

import numpy as np

HELD_OUT = 100      # images kept apart for `mtl predict`
HEIGHT = 8          # pixels: the slant is the shift over the image's height


def slant_in_pixels(images):
    """The slant of each [8, 8] image: −8 · μ11 / μ02, the slope of x on y through the ink times the height.

    Rows (y) count downward, so a stroke whose top is to the right has x falling as y grows (μ11 < 0);
    the minus sign makes a right lean positive.
    """
    ys, xs = np.mgrid[0:HEIGHT, 0:images.shape[2]]
    ink = images.astype(np.float64)
    total = ink.sum(axis=(1, 2))
    x_mean = (ink * xs).sum(axis=(1, 2)) / total
    y_mean = (ink * ys).sum(axis=(1, 2)) / total
    dx = xs[None] - x_mean[:, None, None]
    dy = ys[None] - y_mean[:, None, None]
    mu11 = (ink * dx * dy).sum(axis=(1, 2)) / total
    mu02 = (ink * dy * dy).sum(axis=(1, 2)) / total
    return (-HEIGHT * mu11 / mu02).astype(np.float32)


def share_explained_by(values, classes):
    """R² of predicting `values` by their class's mean: the share of their variance the class explains."""
    means = np.array([values[classes == k].mean() for k in range(classes.max() + 1)])
    return 1 - (values - means[classes]).var() / values.var()


def write_csv(path, images, digits, slants):
    """A header row, then per image its 64 pixels (whole numbers), its digit and its slant."""
    header = [f"r{row}c{column}" for row in range(HEIGHT) for column in range(images.shape[2])]
    with open(path, "w") as file:
        file.write(",".join(header + ["digit", "slant"]) + "\n")
        for image, digit, slant in zip(images, digits, slants):
            pixels = ",".join(str(int(value)) for value in image.ravel())
            file.write(f"{pixels},{int(digit)},{slant:.6g}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default="digits", help="the folder to write into (default: digits)")
    arguments = parser.parse_args()
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("export_digits.py: needs scikit-learn (pip install scikit-learn); it brings the digits with it")

    data = load_digits()
    images = data.images.astype(np.float32)             # [1797, 8, 8], whole numbers 0…16
    digits = data.target.astype(np.int64)                # [1797], 0…9
    slants = slant_in_pixels(images)
    order = np.random.default_rng(0).permutation(len(digits))
    kept, new = np.sort(order[HELD_OUT:]), np.sort(order[:HELD_OUT])

    os.makedirs(arguments.output, exist_ok=True)
    for suffix, rows in (("", kept), ("_new", new)):
        np.save(os.path.join(arguments.output, f"x{suffix}.npy"), images[rows][:, None])   # [N, 1, 8, 8]
        np.save(os.path.join(arguments.output, f"digit{suffix}.npy"), digits[rows])
        np.save(os.path.join(arguments.output, f"slant{suffix}.npy"), slants[rows])
        name = "digits.csv" if suffix == "" else "digits-new.csv"
        write_csv(os.path.join(arguments.output, name), images[rows], digits[rows], slants[rows])

    print(f"export_digits.py: {len(kept)} images for training and {len(new)} new ones in {arguments.output}/")
    print(f"  slant: mean {slants[kept].mean():+.3f} px, deviation {slants[kept].std():.3f} px; "
          f"the digit explains {100 * share_explained_by(slants[kept], digits[kept]):.0f}% of its variance")


if __name__ == "__main__":
    main()
