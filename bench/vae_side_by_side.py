#!/usr/bin/env python3
"""vae against the same network in PyTorch, side by side on one machine in one sitting.

Runs build/images_bench (which also dumps its images) and bench/vae_pytorch.py on those images, alternating, --repeat
times each, with the same model, data, batch, steps and thread count, and prints the medians and the ratios
(ouroboros / PyTorch for throughput, PyTorch / ouroboros for a generation's seconds and for memory). Needs Debian's
python3-torch (the same 1.13 release as libtorch-dev) and Fashion-MNIST (scripts/fetch_fashion_mnist.sh).

    /usr/bin/python3 bench/vae_side_by_side.py [--repeat 3] [--model ARGS] [--train N] [--test N] [--sample N]
                                               [--threads T]
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
    ap.add_argument("--model", default="steps=400")
    ap.add_argument("--train", type=int, default=10000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--binary", default="build/images_bench")
    a = ap.parse_args()
    runs = {"ouroboros": [], "pytorch": []}
    with tempfile.TemporaryDirectory() as dump:
        for r in range(a.repeat):
            cpp = subprocess.run([a.binary, "--model", a.model, "--train", str(a.train), "--test", str(a.test),
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
    print(f"model: vae({a.model}); {a.train} training / {a.test} test Fashion-MNIST images; {a.sample} sampled; "
          f"{a.threads} thread(s); {runs['ouroboros'][0]['parameters']} parameters; median of {a.repeat} runs")
    print(f"{'':24}{'ouroboros':>12}{'PyTorch':>12}{'ratio':>8}")
    for key, better in [("train_images_per_s", "higher"), ("sample_images_per_s", "higher"),
                        ("eval_images_per_s", "higher"), ("generation_seconds", "lower"), ("peak_rss_mb", "lower")]:
        o, p = med["ouroboros"][key], med["pytorch"][key]
        ratio = o / p if better == "higher" else p / o
        print(f"{key:24}{o:12.1f}{p:12.1f}{ratio:8.2f}")
    for key in ("neg_elbo", "fd"):
        print(f"{key:24}{med['ouroboros'][key]:12.2f}{med['pytorch'][key]:12.2f}")


if __name__ == "__main__":
    main()
