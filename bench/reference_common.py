"""Helpers shared by the numpy reference loops (w1_reference.py, w2_reference.py, w3_reference.py)."""

import numpy as np


def run_replicates(simulate, replicates, seed, generations, dtype=float):
    """Runs simulate(rng) for each replicate r with default_rng(seed + r); returns a replicates x (generations + 1)
    array of the tracked quantity, generation 0 first."""
    out = np.empty((replicates, generations + 1), dtype=dtype)
    for rep in range(replicates):
        out[rep] = simulate(np.random.default_rng(seed + rep))
    return out


def report_generations(generations):
    """Returns the generations to print: 0, 1, 10, 100, ... up to the last one, and the last one."""
    shown = [0]
    g = 1
    while g < generations:
        shown.append(g)
        g *= 10
    shown.append(generations)
    return shown
