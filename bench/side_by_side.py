#!/usr/bin/python3
"""Times the ouroboros CLI against the numpy reference loops on the benchmark workloads.

For each chosen workload (W1: Zipf categorical, W2: Gaussian, W3: linear regression; see bench/README.md)
runs the CLI (`ouroboros run bench/<workload>.toml --quiet --fresh --out <tmpdir>`) and the numpy reference
script as child processes, `--repeat` times each, keeps the minimum wall time of each and the peak RSS of each child
(from os.wait4, so it is that child's own figure), and prints a table. For W1 it also prints the
ouroboros time per alive-symbol-generation, from the support metric in the run's summary.csv.
Run it with Debian's /usr/bin/python3 (the reference scripts need numpy).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_BINARY = REPO_DIR / "build" / "ouroboros"


@dataclass(frozen=True)
class Workload:
    """A benchmark workload: the experiment file the CLI runs and the numpy script that mirrors it."""
    name: str
    experiment: Path
    reference: Path
    counts_alive_symbols: bool  # whether ns per alive-symbol-generation is meaningful (categorical)


WORKLOADS = {
    "w1": Workload("w1", BENCH_DIR / "w1_discrete_replace.toml", BENCH_DIR / "w1_reference.py", True),
    "w2": Workload("w2", BENCH_DIR / "w2_gaussian_replace.toml", BENCH_DIR / "w2_reference.py", False),
    "w3": Workload("w3", BENCH_DIR / "w3_linreg_accumulate.toml", BENCH_DIR / "w3_reference.py", False),
    "w4": Workload("w4", BENCH_DIR / "w4_discrete_until.toml", BENCH_DIR / "w4_reference.py", False),
}


@dataclass(frozen=True)
class Measurement:
    """Wall seconds, peak resident set size in MiB, and the output directory of a child process run."""
    seconds: float
    peak_rss_mib: float
    out_dir: Path


def check_binary(binary):
    """Exits with a clear message when the ouroboros binary is missing or not executable."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        sys.exit(f"error: ouroboros binary not found at {binary}; "
                 "build it with ./scripts/build.sh or pass --binary PATH")


def run_measured(command, log_path):
    """Runs command as a child, its stdout and stderr going to log_path; returns (wall seconds, peak RSS MiB).

    The child is reaped with os.wait4, whose rusage is that child's own (ru_maxrss is in KiB on Linux).
    Exits with the child's output when it fails.
    """
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen([str(part) for part in command], stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        output = Path(log_path).read_text(errors="replace")
        sys.exit(f"error: command failed with status {process.returncode}: "
                 f"{' '.join(str(part) for part in command)}\n{output}")
    return seconds, usage.ru_maxrss / 1024.0


def best_of(repeat, make_command, work_dir):
    """Runs make_command(out_dir) `repeat` times, each with a fresh, empty out_dir.

    Returns a Measurement with the minimum wall time, the largest peak RSS over the runs, and the
    fastest run's output directory.
    """
    runs = []
    for attempt in range(repeat):
        out_dir = work_dir / f"run{attempt}"
        out_dir.mkdir(parents=True)
        seconds, rss = run_measured(make_command(out_dir), work_dir / f"run{attempt}.log")
        runs.append(Measurement(seconds, rss, out_dir))
    fastest = min(runs, key=lambda run: run.seconds)
    return Measurement(fastest.seconds, max(run.peak_rss_mib for run in runs), fastest.out_dir)


def alive_symbol_generations(summary_csv, regime, replicates):
    """Sums over generations the mean support (metric "support") of regime, times the replicate count."""
    with open(summary_csv, newline="") as handle:
        total = sum(float(row["mean"]) for row in csv.DictReader(handle)
                    if row["metric"] == "support" and row["regime"] == regime)
    return total * replicates


def manifest_wall_seconds(out_dir):
    """Returns the engine's own wall time from out_dir/manifest.json, or None when it is not there."""
    manifest = out_dir / "manifest.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text()).get("wall_seconds")


def bench_workload(workload, args, work_dir):
    """Times one workload both ways; returns a dict of the figures the table and notes print."""
    experiment = tomllib.loads(workload.experiment.read_text())["experiment"]
    generations = experiment["generations"] // 10 if args.quick else experiment["generations"]
    replicates = experiment["replicates"]

    def ouroboros_command(out_dir):
        command = [args.binary, "run", workload.experiment, "--quiet", "--fresh", "--out", out_dir]
        if args.quick:
            command += ["--set", f"experiment.generations={generations}"]
        if args.threads is not None:
            command += ["--threads", args.threads]
        for assignment in args.set:
            command += ["--set", assignment]
        return command

    def numpy_command(_out_dir):
        return [sys.executable, workload.reference, "--generations", generations, "--replicates", replicates,
                "--seed", experiment["seed"], "--n", experiment["samples"]]

    ours = best_of(args.repeat, ouroboros_command, work_dir / workload.name / "ouroboros")
    theirs = best_of(args.repeat, numpy_command, work_dir / workload.name / "numpy")
    result = {"workload": workload.name, "generations": generations, "replicates": replicates,
              "ours": ours, "theirs": theirs}
    if workload.counts_alive_symbols:
        result["alive"] = alive_symbol_generations(ours.out_dir / "summary.csv", experiment["regimes"][0],
                                                   replicates)
        result["engine_seconds"] = manifest_wall_seconds(ours.out_dir)
    return result


def print_table(results):
    """Prints one row per workload, then the W1 per alive-symbol-generation figures."""
    header = (f"{'workload':<9}{'generations':>12}{'replicates':>11}{'ouroboros s':>13}{'numpy s':>11}"
              f"{'speed-up':>10}{'ouroboros RSS MiB':>19}{'numpy RSS MiB':>15}")
    print(header)
    print("-" * len(header))
    for r in results:
        ours, theirs = r["ours"], r["theirs"]
        print(f"{r['workload']:<9}{r['generations']:>12}{r['replicates']:>11}{ours.seconds:>13.3f}"
              f"{theirs.seconds:>11.3f}{theirs.seconds / ours.seconds:>9.1f}x"
              f"{ours.peak_rss_mib:>19.1f}{theirs.peak_rss_mib:>15.1f}")
    for r in results:
        if "alive" not in r:
            continue
        print(f"\n{r['workload']}: {r['alive']:.4g} alive-symbol-generations; ouroboros "
              f"{r['ours'].seconds * 1e9 / r['alive']:.2f} ns per alive-symbol-generation (process wall time)",
              end="")
        if r["engine_seconds"] is not None:
            print(f", {r['engine_seconds'] * 1e9 / r['alive']:.2f} ns (manifest wall_seconds)", end="")
        print()


def parse_args():
    """Parses the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", nargs="?", choices=[*WORKLOADS, "all"], default="all",
                        help="workload to run (default all)")
    parser.add_argument("--binary", type=Path, default=DEFAULT_BINARY,
                        help=f"ouroboros CLI (default {DEFAULT_BINARY.relative_to(REPO_DIR)})")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the fastest counts (default 3)")
    parser.add_argument("--threads", type=int, default=None,
                        help="passed to the CLI as --threads (default: the experiment's, 0 = all cores)")
    parser.add_argument("--quick", action="store_true", help="smoke run: a tenth of the generations")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="passed to the CLI as --set (repeatable), e.g. 'metrics.select=[\"mean\",\"sigma\"]'")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main():
    args = parse_args()
    check_binary(args.binary)
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    with tempfile.TemporaryDirectory(prefix="ouroboros-bench-") as tmp:
        results = [bench_workload(WORKLOADS[name], args, Path(tmp)) for name in names]
    print_table(results)


if __name__ == "__main__":
    main()
