#!/usr/bin/env python3
"""Numpy baseline for workload W1: Zipf categorical collapse under full replacement.

The truth is p_i proportional to 1 / (i + b)^a for i = 1..m. Each generation draws n samples from the
current model (one multinomial draw) and refits it by maximum likelihood (p = counts / n), so a symbol
that draws no sample is lost for good. Records the support size (symbols with p_i > 0) of every
generation's model and prints its mean over replicates at a few generations, then the total wall time.
This is the loop a researcher would write by hand; bench/side_by_side.py times it against ouroboros.
"""

import argparse
import time

import numpy as np

from reference_common import report_generations, run_replicates


def zipf_probabilities(m, a, b):
    """Returns the Zipf(a, b) distribution over m symbols: p_i proportional to 1 / (i + b)^a, i = 1..m."""
    weights = 1.0 / (np.arange(1, m + 1, dtype=np.float64) + b) ** a
    return weights / weights.sum()


def simulate_replicate(p0, n, generations, rng):
    """Runs one replicate; returns the support size per generation (index 0 is the truth)."""
    support = np.empty(generations + 1, dtype=np.int64)
    support[0] = np.count_nonzero(p0)
    p = p0
    for generation in range(1, generations + 1):
        counts = rng.multinomial(n, p)
        p = counts / n
        support[generation] = np.count_nonzero(counts)
    return support


def parse_args():
    """Parses the command line; the defaults are workload W1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=10_000, help="number of symbols (default 10^4)")
    parser.add_argument("--a", type=float, default=1.1, help="Zipf exponent (default 1.1)")
    parser.add_argument("--b", type=float, default=0.0, help="Zipf offset (default 0)")
    parser.add_argument("--n", type=int, default=100_000, help="samples per generation (default 10^5)")
    parser.add_argument("--generations", type=int, default=1000, help="generations (default 1000)")
    parser.add_argument("--replicates", type=int, default=20, help="replicates (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="replicate r uses default_rng(seed + r) (default 1)")
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.perf_counter()
    p0 = zipf_probabilities(args.m, args.a, args.b)
    support = run_replicates(lambda rng: simulate_replicate(p0, args.n, args.generations, rng),
                             args.replicates, args.seed, args.generations, dtype=np.int64)
    wall = time.perf_counter() - start

    mean_support = support.mean(axis=0)
    print(f"W1 numpy reference: m={args.m} a={args.a} b={args.b} n={args.n} "
          f"generations={args.generations} replicates={args.replicates} seed={args.seed}")
    for generation in report_generations(args.generations):
        print(f"  generation {generation:>7}: mean support {mean_support[generation]:.2f}")
    print(f"wall seconds: {wall:.3f}")


if __name__ == "__main__":
    main()
