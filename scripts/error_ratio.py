#!/usr/bin/python3
"""error(T)/error(1) for the Barzilai & Shamir Appendix G examples (NeurIPS 2025).

    scripts/error_ratio.py RESULTS_DIR [--generations 10,50,100]

error(k) is the mean over replicates of |theta_k - theta_0| at round k, per regime; the ratio divides it by
error(1), the error of the fit on the real data alone. It reads the `error` metric from summary.csv: power and
exponential |theta_k - theta_0|, the Gaussian |(M_k, S_k) - (mu_0, sigma_0)| (theta = (mu, sigma)).
Prints one line per regime: the regime, error(1), then error(T)/error(1) for each T asked for. For a sweep
(summary.csv with a `point` column) one line per point and regime, led by the point and its swept values
(points.csv).
Standard library only.
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def from_summary(path):
    errors = defaultdict(dict)  # regime (or (point, regime) in a sweep) -> generation -> mean error
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["metric"] == "error":
                key = (int(row["point"]), row["regime"]) if "point" in row else row["regime"]
                errors[key][int(row["generation"])] = float(row["mean"])
    return errors


def point_labels(results):
    """point -> its swept values joined by commas (CSV-quoted), from points.csv of a sweep."""
    with open(os.path.join(results, "points.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0][2:]
    out = {}
    for row in rows[1:]:
        out[int(row[0])] = ",".join('"' + v.replace('"', '""') + '"' if "," in v else v for v in row[2:])
    return header, out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="an output directory of `ouroboros run`")
    parser.add_argument("--generations", default="10,50,100", help="rounds T, comma-separated (default 10,50,100)")
    args = parser.parse_args()
    rounds = [int(t) for t in args.generations.split(",")]
    errors = from_summary(os.path.join(args.results, "summary.csv"))
    if not errors:
        sys.exit(f"{args.results}: no `error` metric in summary.csv")
    sweep = os.path.exists(os.path.join(args.results, "points.csv"))
    keys, labels = point_labels(args.results) if sweep else ([], {})
    print(",".join(["point", *keys] if sweep else []) + ("," if sweep else "") + "regime,error_1," +
          ",".join(f"ratio_{t}" for t in rounds))
    for key in sorted(errors):
        e = errors[key]
        if 1 not in e or any(t not in e for t in rounds):
            sys.exit(f"{args.results}: {key} lacks round 1 or one of {rounds}")
        ratios = [e[t] / e[1] if e[1] > 0 else math.nan for t in rounds]
        lead = f"{key[0]},{labels[key[0]]},{key[1]}" if sweep else key
        print(f"{lead},{e[1]:.6g}," + ",".join(f"{r:.4f}" for r in ratios))


if __name__ == "__main__":
    main()
