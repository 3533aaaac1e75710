#!/usr/bin/env python3
"""Numpy baseline for workload W2: Gaussian collapse under full replacement.

Each generation draws n samples from N(mu, sigma^2), then refits mu by the sample mean and sigma by the
sample standard deviation (ddof = 1), starting from the truth N(0, 1). Records sigma per generation and
prints its mean over replicates at a few generations, then the total wall time. This is the per-sample
loop a researcher would write by hand; bench/side_by_side.py times it against ouroboros.
"""

import argparse
import time

import numpy as np

from reference_common import report_generations, run_replicates


def simulate_replicate(n, generations, rng):
    """Runs one replicate; returns the fitted sigma per generation (index 0 is the truth's sigma = 1)."""
    sigmas = np.empty(generations + 1)
    mu, sigma = 0.0, 1.0
    sigmas[0] = sigma
    for generation in range(1, generations + 1):
        x = rng.normal(mu, sigma, n)
        mu = x.mean()
        sigma = x.std(ddof=1)
        sigmas[generation] = sigma
    return sigmas


def parse_args():
    """Parses the command line; the defaults are workload W2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="samples per generation (default 100)")
    parser.add_argument("--generations", type=int, default=10_000, help="generations (default 10^4)")
    parser.add_argument("--replicates", type=int, default=100, help="replicates (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="replicate r uses default_rng(seed + r) (default 1)")
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.perf_counter()
    sigmas = run_replicates(lambda rng: simulate_replicate(args.n, args.generations, rng),
                            args.replicates, args.seed, args.generations)
    wall = time.perf_counter() - start

    mean_sigma = sigmas.mean(axis=0)
    print(f"W2 numpy reference: n={args.n} generations={args.generations} "
          f"replicates={args.replicates} seed={args.seed}")
    for generation in report_generations(args.generations):
        print(f"  generation {generation:>7}: mean sigma {mean_sigma[generation]:.6g}")
    print(f"wall seconds: {wall:.3f}")


if __name__ == "__main__":
    main()
