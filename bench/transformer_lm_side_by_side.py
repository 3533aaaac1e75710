#!/usr/bin/env python3
"""transformer_lm against the same network in PyTorch, side by side on one machine in one sitting.

Runs build/transformer_lm_bench (which also dumps its token data) and bench/transformer_lm_pytorch.py on that data,
alternating, --repeat times each, with the same model, data, batch and thread count, and prints the medians and the
ratios (ouroboros / PyTorch for throughput, PyTorch / ouroboros for a generation's seconds). Needs Debian's
python3-torch (the same 1.13 release as libtorch-dev: apt-get install python3-torch) and the Brown corpus
(scripts/fetch_brown.sh).

    /usr/bin/python3 bench/transformer_lm_side_by_side.py [--repeat 3] [--model ARGS] [--train N] [--heldout N]
                                                          [--sample N] [--threads T]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default="vocab=1024, layers=2, d_model=128, heads=4, context=128")
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--heldout", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--binary", default="build/transformer_lm_bench")
    a = ap.parse_args()
    runs = {"ouroboros": [], "pytorch": []}
    with tempfile.TemporaryDirectory() as dump:
        for r in range(a.repeat):
            cpp = subprocess.run([a.binary, "--model", a.model, "--train", str(a.train), "--heldout", str(a.heldout),
                                  "--sample", str(a.sample), "--threads", str(a.threads), "--dump", dump],
                                 check=True, capture_output=True, text=True)
            runs["ouroboros"].append(json.loads(cpp.stdout))
            py = subprocess.run([sys.executable, __file__.replace("side_by_side", "pytorch"), dump,
                                 "--sample", str(a.sample), "--threads", str(a.threads)],
                                check=True, capture_output=True, text=True)
            runs["pytorch"].append(json.loads(py.stdout))
            print(f"run {r + 1}/{a.repeat} done", file=sys.stderr)
    med = {side: {k: statistics.median(run[k] for run in rs) for k in rs[0] if isinstance(rs[0][k], float)}
           for side, rs in runs.items()}
    print(f"model: {a.model}; {a.train} training / {a.heldout} held-out Brown sentences; {a.sample} sampled; "
          f"{a.threads} thread(s); {runs['ouroboros'][0]['parameters']} parameters; median of {a.repeat} runs")
    print(f"{'':24}{'ouroboros':>12}{'PyTorch':>12}{'ratio':>8}")
    for key, better in [("train_tokens_per_s", "higher"), ("sample_tokens_per_s", "higher"),
                        ("eval_tokens_per_s", "higher"), ("generation_seconds", "lower"), ("peak_rss_mb", "lower")]:
        o, p = med["ouroboros"][key], med["pytorch"][key]
        ratio = o / p if better == "higher" else p / o
        print(f"{key:24}{o:12.1f}{p:12.1f}{ratio:8.2f}")
    print(f"{'cross_entropy (1 epoch)':24}{med['ouroboros']['cross_entropy']:12.3f}{med['pytorch']['cross_entropy']:12.3f}")


if __name__ == "__main__":
    main()
