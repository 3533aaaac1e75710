#!/usr/bin/env python3
"""Numpy baseline for workload W4: a uniform categorical under full replacement, run until one symbol is left.

Kazdan, Schaeffer et al.'s discrete experiment as their public loop does it: each iteration draws n samples
from the current model with np.random.choice, refits p = bincount / n, and stops once the entropy of p is
below 1e-8 (one symbol left). Prints the mean number of iterations to that point and the total wall time.
bench/side_by_side.py times it against ouroboros with experiment.until = "support <= 1".
"""

import argparse
import time

import numpy as np


def iterations_to_fixation(m, n, cap, rng):
    """Runs one replicate; returns the first iteration whose model has entropy below 1e-8 (cap if none)."""
    p = np.full(m, 1.0 / m)
    for iteration in range(1, cap + 1):
        samples = rng.choice(m, size=n, p=p)
        p = np.bincount(samples, minlength=m) / n
        alive = p[p > 0]
        if -(alive * np.log(alive)).sum() < 1e-8:
            return iteration
    return cap


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=1000, help="symbols (default 1000)")
    parser.add_argument("--n", type=int, default=1000, help="samples per iteration (default 1000)")
    parser.add_argument("--replicates", type=int, default=100, help="replicates (default 100)")
    parser.add_argument("--generations", type=int, default=100_000, help="iterations at most (default 10^5)")
    parser.add_argument("--seed", type=int, default=1, help="replicate r uses default_rng(seed + r) (default 1)")
    args = parser.parse_args()
    start = time.perf_counter()
    counts = [iterations_to_fixation(args.m, args.n, args.generations, np.random.default_rng(args.seed + r))
              for r in range(args.replicates)]
    wall = time.perf_counter() - start
    print(f"W4 numpy reference: m={args.m} n={args.n} replicates={args.replicates} seed={args.seed}")
    print(f"  iterations to one symbol: mean {np.mean(counts):.1f}, max {max(counts)}")
    print(f"wall seconds: {wall:.3f}")


if __name__ == "__main__":
    main()
