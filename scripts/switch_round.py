#!/usr/bin/python3
"""The round at which bs_staircase (or bs_spike) switches, from summary.csv.

    scripts/switch_round.py RESULTS_DIR [--metric switched]

The metric is 1 once the model has switched (collapsed), and the switch is absorbing under accumulate (the
pool keeps the sample that caused it), so its mean at round k is P(tau <= k), tau the switch round. Prints,
per regime, P(tau <= G) over the horizon G and the restricted mean E[min(tau, G+1)] = 1 + sum_{k=1}^{G}
(1 - P(tau <= k)), and the median round when P(tau <= G) >= 1/2. Standard library only.
"""
import argparse
import csv
import os
from collections import defaultdict


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="an output directory of `ouroboros run`")
    parser.add_argument("--metric", default="switched", help="the 0/1 switch metric (bs_spike: collapsed)")
    args = parser.parse_args()
    cdf = defaultdict(dict)  # regime -> generation -> P(tau <= generation)
    with open(os.path.join(args.results, "summary.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["metric"] == args.metric and int(row["generation"]) >= 1:
                cdf[row["regime"]][int(row["generation"])] = float(row["mean"])
    print("regime,horizon,p_switched,restricted_mean_round,median_round")
    for regime in sorted(cdf):
        p = cdf[regime]
        horizon = max(p)
        restricted = 1 + sum(1 - p[k] for k in range(1, horizon + 1))
        median = next((k for k in range(1, horizon + 1) if p[k] >= 0.5), "")
        print(f"{regime},{horizon},{p[horizon]:.4f},{restricted:.3f},{median}")


if __name__ == "__main__":
    main()
