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
import os

import neural_side_by_side


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
    neural_side_by_side.run(
        a.repeat,
        lambda dump: [a.binary, "--family", "vae", "--model", a.model, "--train", str(a.train), "--test", str(a.test),
                      "--sample", str(a.sample), "--threads", str(a.threads), "--dump", dump],
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "vae_pytorch.py"),
        ["--sample", str(a.sample), "--threads", str(a.threads)],
        lambda first: (f"model: vae({a.model}); {a.train} training / {a.test} test Fashion-MNIST images; {a.sample} "
                       f"sampled; {a.threads} thread(s); {first['parameters']} parameters; median of {a.repeat} runs"),
        ["train_images_per_s", "sample_images_per_s", "eval_images_per_s"], ["generation_seconds", "peak_rss_mb"],
        [("heldout_loss", "neg_elbo")])


if __name__ == "__main__":
    main()
