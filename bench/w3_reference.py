#!/usr/bin/env python3
"""Numpy baseline for workload W3: linear regression under accumulation with a fixed design.

Each replicate draws X (n x d, rows N(0, I)) once and w* ~ N(0, I/d). Generation 1 labels X by w*, later
generations relabel the same X by the previous fit, each with fresh N(0, sigma^2) noise; every generation
appends its n labelled rows to the pool and refits with np.linalg.pinv on the whole pool, as the public
follow-up code of Gerstgrasser et al. (KoyejoLab-Collapse-or-Thrive) does. Records ||w_k - w*||^2, prints its
mean over replicates beside sigma^2 d/(n-d-1) sum_{i<=k} 1/i^2 at a few generations, then the wall time.
bench/side_by_side.py times it against ouroboros.
"""

import argparse
import time

import numpy as np

from reference_common import report_generations, run_replicates


def simulate_replicate(n, d, sigma, generations, rng):
    """Runs one replicate; returns ||w_k - w*||^2 for k = 0..generations."""
    w_star = rng.normal(0.0, 1.0 / np.sqrt(d), d)
    x = rng.normal(size=(n, d))
    errors = np.empty(generations + 1)
    errors[0] = 0.0
    w = w_star
    pool_x, pool_y = [], []
    for generation in range(1, generations + 1):
        y = x @ w + rng.normal(0.0, sigma, n)
        pool_x.append(x)
        pool_y.append(y)
        w = np.linalg.pinv(np.vstack(pool_x)) @ np.concatenate(pool_y)
        errors[generation] = np.sum((w - w_star) ** 2)
    return errors


def parse_args():
    """Parses the command line; the defaults are workload W3."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="rows T of the fixed design (default 1000)")
    parser.add_argument("--d", type=int, default=32, help="dimension (default 32)")
    parser.add_argument("--sigma", type=float, default=1.0, help="label noise sd (default 1)")
    parser.add_argument("--generations", type=int, default=50, help="generations (default 50)")
    parser.add_argument("--replicates", type=int, default=100, help="replicates (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="replicate r uses default_rng(seed + r) (default 1)")
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.perf_counter()
    errors = run_replicates(lambda rng: simulate_replicate(args.n, args.d, args.sigma, args.generations, rng),
                            args.replicates, args.seed, args.generations)
    wall = time.perf_counter() - start

    mean_error = errors.mean(axis=0)
    per_fit = args.sigma ** 2 * args.d / (args.n - args.d - 1)
    print(f"W3 numpy reference: n={args.n} d={args.d} sigma={args.sigma} generations={args.generations} "
          f"replicates={args.replicates} seed={args.seed}")
    for generation in report_generations(args.generations):
        theory = per_fit * sum(1.0 / i ** 2 for i in range(1, generation + 1))
        print(f"  generation {generation:>4}: mean test error {mean_error[generation]:.6g} (theory {theory:.6g})")
    print(f"wall seconds: {wall:.3f}")


if __name__ == "__main__":
    main()
