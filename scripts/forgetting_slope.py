#!/usr/bin/env python3
"""Forgetting time against original count, with a fitted log-log slope, from an ouroboros forgetting.csv.

For each regime, the words (or symbols) are grouped by original count c (exact counts up to 10, then
logarithmic bins; `rows` counts (word, replicate) rows). Words still alive at the horizon are right-censored,
so the statistic per group is the median forgetting generation, defined only where more than half of the
group was forgotten; groups past that point are left out. A regime that forgot nothing gets one line. The
slope is the least-squares fit of log(median forgetting generation) on log(mean c) over the groups kept (at
least 3). Suresh et al. (AISTATS 2025, Corollary 1) predict linear forgetting for the multinomial
(categorical) model: slope 1, median about 2c/ln 2 generations for large c.

Usage: python3 scripts/forgetting_slope.py results/<experiment>/forgetting.csv
"""
import csv
import math
import sys
from collections import defaultdict

import numpy as np


def bin_of(c):
    return c if c <= 10 else 10 + math.ceil(4 * math.log2(c / 10))


def main(path):
    groups = defaultdict(lambda: defaultdict(list))  # regime -> bin -> [(count, forgotten_at or inf)]
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            c = float(row["original_count"])
            if c <= 0:
                continue  # absent from the real data: never alive
            t = float(row["forgotten_at"]) if row["forgotten_at"] else math.inf
            groups[row["regime"]][bin_of(c)].append((c, t))
    for regime, bins in groups.items():
        if not any(math.isfinite(t) for rows in bins.values() for _, t in rows):
            print(f"regime {regime}: no word with a positive original count was forgotten")
            continue
        print(f"regime {regime}")
        print(f"  {'count':>10} {'rows':>7} {'forgotten':>9} {'median_gen':>10}")
        xs, ys = [], []
        for b in sorted(bins):
            rows = bins[b]
            counts = np.array([c for c, _ in rows])
            times = np.array([t for _, t in rows])
            forgotten = np.isfinite(times).mean()
            median = float(np.median(times))
            label = f"{counts.min():g}" if counts.min() == counts.max() else f"{counts.min():g}-{counts.max():g}"
            shown = f"{median:g}" if math.isfinite(median) else "censored"
            print(f"  {label:>10} {len(rows):>7} {forgotten:>9.3f} {shown:>10}")
            if forgotten > 0.5 and math.isfinite(median):
                xs.append(math.log(counts.mean()))
                ys.append(math.log(median))
        if len(xs) >= 3:
            slope, intercept = np.polyfit(xs, ys, 1)
            print(f"  slope {slope:.3f} (log median forgetting generation on log count; {len(xs)} groups), "
                  f"intercept {intercept:.3f}")
        else:
            print("  slope: fewer than 3 groups with more than half forgotten (run more generations)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
