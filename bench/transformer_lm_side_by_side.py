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
import os

import neural_side_by_side


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
    neural_side_by_side.run(
        a.repeat,
        lambda dump: [a.binary, "--model", a.model, "--train", str(a.train), "--heldout", str(a.heldout),
                      "--sample", str(a.sample), "--threads", str(a.threads), "--dump", dump],
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer_lm_pytorch.py"),
        ["--sample", str(a.sample), "--threads", str(a.threads)],
        lambda first: (f"model: {a.model}; {a.train} training / {a.heldout} held-out Brown sentences; {a.sample} "
                       f"sampled; {a.threads} thread(s); {first['parameters']} parameters; median of {a.repeat} runs"),
        ["train_tokens_per_s", "sample_tokens_per_s", "eval_tokens_per_s"], ["generation_seconds", "peak_rss_mb"],
        [("cross_entropy", "cross_entropy (1 epoch)")])


if __name__ == "__main__":
    main()
