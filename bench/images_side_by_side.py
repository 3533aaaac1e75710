#!/usr/bin/env python3
"""An image family (vae or diffusion) against the same model in PyTorch, side by side on one machine in one sitting.

Runs build/images_bench --family F (which also dumps its images) and bench/F_pytorch.py on those images,
alternating, --repeat times each, with the same model, data, batch, steps or epochs and thread count, and prints the
medians and the ratios (ouroboros / PyTorch for throughput, PyTorch / ouroboros for a generation's seconds and for
memory). Needs Debian's python3-torch (the same 1.13 release as libtorch-dev) and Fashion-MNIST
(scripts/fetch_fashion_mnist.sh).

    /usr/bin/python3 bench/images_side_by_side.py --family vae [--model steps=400]
    /usr/bin/python3 bench/images_side_by_side.py --family diffusion
        [--repeat 3] [--model ARGS] [--train N] [--test N] [--sample N] [--threads T]
"""
import argparse
import os

import neural_side_by_side

HELDOUT = {"vae": "neg_elbo", "diffusion": "test_loss"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=sorted(HELDOUT), required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default="", help="the model's parameters (vae's measurement used steps=400)")
    ap.add_argument("--train", type=int, default=10000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--binary", default="build/images_bench")
    a = ap.parse_args()
    neural_side_by_side.run(
        a.repeat,
        lambda dump: [a.binary, "--family", a.family, "--model", a.model, "--train", str(a.train), "--test",
                      str(a.test), "--sample", str(a.sample), "--threads", str(a.threads), "--dump", dump],
        os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{a.family}_pytorch.py"),
        ["--sample", str(a.sample), "--threads", str(a.threads)],
        lambda first: (f"model: {a.family}({a.model}); {a.train} training / {a.test} test Fashion-MNIST images; "
                       f"{a.sample} sampled; {a.threads} thread(s); {first['parameters']} parameters; median of "
                       f"{a.repeat} runs"),
        ["train_images_per_s", "sample_images_per_s", "eval_images_per_s"], ["generation_seconds", "peak_rss_mb"],
        [("heldout_loss", HELDOUT[a.family])])


if __name__ == "__main__":
    main()
