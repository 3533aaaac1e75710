#!/usr/bin/python3
"""W1's scaling table: wall time and peak memory of the W1 workload (bench/w1_discrete_replace.toml) as the
number of symbols m, the sample size n and the thread count change.

Rows: m in 10^3..10^6 at n = 10^5, then n in 10^3..10^7 at m = 10^4, each on 1 and 2 threads. Every run is
the whole CLI process (`ouroboros run ... --quiet --fresh`) with the workload's other settings (Zipf a = 1.1,
replace, 20 replicates, 1000 generations unless --generations says otherwise), the best of --repeat runs.
Columns: wall seconds, peak RSS (MiB, of the child, from os.wait4), the alive-symbol-generations (the sum over
generations of the mean support, times the replicates) and the wall nanoseconds per alive-symbol-generation.
Every run writes forgetting.csv and the store's forgetting records (one per symbol and replicate: 2 * 10^7 at
m = 10^6) unless `--set output.forgetting=false` says otherwise.
Run it with Debian's /usr/bin/python3 from the repository root after ./scripts/build.sh.
"""

import argparse
import tempfile
from pathlib import Path

from side_by_side import DEFAULT_BINARY, WORKLOADS, alive_symbol_generations, best_of, check_binary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=DEFAULT_BINARY,
                        help="the ouroboros CLI (default build/ouroboros)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the fastest is kept (default 1)")
    parser.add_argument("--generations", type=int, default=1000, help="generations per run (default 1000)")
    parser.add_argument("--replicates", type=int, default=20, help="replicates per run (default 20)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="passed to the CLI as --set (repeatable), e.g. output.forgetting=false")
    args = parser.parse_args()
    if args.repeat < 1 or args.generations < 1 or args.replicates < 1:
        parser.error("--repeat, --generations and --replicates must be at least 1")
    check_binary(args.binary)
    experiment = WORKLOADS["w1"].experiment
    cells = [(m, 100_000) for m in (1_000, 10_000, 100_000, 1_000_000)]
    cells += [(10_000, n) for n in (1_000, 10_000, 1_000_000, 10_000_000)]
    print(f"{'m':>9} {'n':>10} {'threads':>7} {'wall s':>8} {'peak MiB':>9} {'alive-symbol-gens':>18} {'ns each':>8}")
    with tempfile.TemporaryDirectory(prefix="w1_scaling_") as tmp:
        for m, n in cells:
            for threads in (1, 2):
                work = Path(tmp) / f"m{m}_n{n}_t{threads}"
                work.mkdir()

                def command(out_dir, m=m, n=n, threads=threads):
                    return [args.binary, "run", experiment, "--quiet", "--fresh", "--out", out_dir,
                            "--set", f'truth.family="categorical(dist=zipf, m={m}, a=1.1, b=0)"',
                            "--set", f"experiment.samples={n}", "--set", f"experiment.threads={threads}",
                            "--set", f"experiment.generations={args.generations}",
                            "--set", f"experiment.replicates={args.replicates}",
                            *[part for assignment in args.set for part in ("--set", assignment)]]

                run = best_of(args.repeat, command, work)
                alive = alive_symbol_generations(run.out_dir / "summary.csv", "replace", args.replicates)
                print(f"{m:>9} {n:>10} {threads:>7} {run.seconds:>8.3f} {run.peak_rss_mib:>9.1f} {alive:>18.3e} "
                      f"{run.seconds * 1e9 / alive:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
