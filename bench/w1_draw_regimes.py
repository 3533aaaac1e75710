#!/usr/bin/python3
"""How W1's conditional binomials split between inversion (mean < 16) and BTRD (mean >= 16).

Replays W1's process (Zipf(1.1) over m = 10^4 symbols, n = 10^5, replace, 1000 generations) with numpy, one
replicate, and counts the conditional binomials of a chain over the alive symbols by their mean, as
a single chain in the order of the symbols (the truth's most probable first) would meet them.
  /usr/bin/python3 bench/w1_draw_regimes.py [--seed 1]
"""
import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    m, a, n, generations, switch = 10_000, 1.1, 100_000, 1000, 16.0
    p = np.arange(1, m + 1, dtype=float) ** -a
    p /= p.sum()
    counts = rng.multinomial(n, p)
    alive_total = inversion = btrd = 0
    for _ in range(1, generations):
        alive = counts[counts > 0].astype(float)
        alive_total += alive.size
        # Draw i takes Binomial(remaining trials, w_i / remaining weight); its mean is the smaller of the two tails.
        before = np.concatenate(([0.0], np.cumsum(alive)[:-1]))
        remaining = n - before
        q = alive / remaining
        mean = remaining * np.minimum(q, 1.0 - q)
        btrd += int(np.sum(mean >= switch))
        inversion += int(np.sum(mean < switch))
        counts = rng.multinomial(n, counts / n)
    print(f"alive-symbol-generations {alive_total}, BTRD {btrd} ({btrd / alive_total:.1%}), "
          f"inversion {inversion} ({inversion / alive_total:.1%})")


if __name__ == "__main__":
    main()
