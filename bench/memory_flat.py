#!/usr/bin/python3
"""Shows that ouroboros's memory is flat in the number of generations.

Runs the CLI on workload W2 (bench/w2_gaussian_replace.toml, 100 replicates, trajectories off) with
10^3, 10^4 and 10^5 generations and prints the wall time and peak RSS of each run (os.wait4 on the
child). With trajectories off the engine keeps per-generation summaries only, so the peak RSS should
barely move while the generations grow a hundredfold.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from side_by_side import DEFAULT_BINARY, REPO_DIR, WORKLOADS, check_binary, run_measured

GENERATIONS = (1_000, 10_000, 100_000)
REPLICATES = 100


def measure(binary, generations, threads, out_dir):
    """Runs W2 with the given generation count; returns (wall seconds, peak RSS MiB)."""
    command = [binary, "run", WORKLOADS["w2"].experiment, "--quiet", "--fresh", "--out", out_dir,
               "--set", f"experiment.generations={generations}",
               "--set", f"experiment.replicates={REPLICATES}",
               "--set", "output.trajectories=false"]
    if threads is not None:
        command += ["--threads", threads]
    return run_measured(command, out_dir.with_suffix(".log"))


def parse_args():
    """Parses the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, default=DEFAULT_BINARY,
                        help=f"ouroboros CLI (default {DEFAULT_BINARY.relative_to(REPO_DIR)})")
    parser.add_argument("--threads", type=int, default=None,
                        help="passed to the CLI as --threads (default: the experiment's, 0 = all cores)")
    return parser.parse_args()


def main():
    args = parse_args()
    check_binary(args.binary)
    print(f"W2 (gaussian, replace, n = 100), {REPLICATES} replicates, trajectories off")
    print(f"{'generations':>12}{'wall s':>10}{'peak RSS MiB':>14}")
    with tempfile.TemporaryDirectory(prefix="ouroboros-memory-") as tmp:
        for generations in GENERATIONS:
            out_dir = Path(tmp) / f"g{generations}"
            out_dir.mkdir()
            seconds, rss = measure(args.binary, generations, args.threads, out_dir)
            print(f"{generations:>12}{seconds:>10.3f}{rss:>14.1f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
