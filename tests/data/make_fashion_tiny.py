#!/usr/bin/env python3
"""Writes fashion_tiny/: a deterministic stand-in for Fashion-MNIST in the same four IDX files (plain), and
fashion_tiny_gz/: the same files gzip-compressed as the Debian package ships them, so the kernel_ridge tests run without the Debian package. 120 training and 60 test images of
12x12 pixels in 10 classes; each class is a fixed random pattern of bright pixels, each image that pattern
with random per-pixel jitter. Pure Python with its own linear congruential generator, so the bytes do not
depend on any library version. Run from anywhere: python3 tests/data/make_fashion_tiny.py
"""
import gzip
import os
import struct

ROWS = COLS = 12
TRAIN, TEST, CLASSES = 120, 60, 10


class Lcg:
    """Knuth's MMIX 64-bit LCG; the top 32 bits are returned."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (6364136223846793005 * self.state + 1442695040888963407) % (1 << 64)
        return self.state >> 32


def idx(dims, data):
    return struct.pack(">BBBB", 0, 0, 8, len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def main():
    rng = Lcg(20240601)
    prototypes = [[rng.next() % 3 == 0 for _ in range(ROWS * COLS)] for _ in range(CLASSES)]

    def split(count):
        labels = [i % CLASSES for i in range(count)]
        pixels = []
        for label in labels:
            for on in prototypes[label]:
                base = 110 if on else 40
                pixels.append(min(255, base + rng.next() % 121))
        return pixels, labels

    here = os.path.dirname(os.path.abspath(__file__))
    plain, packed = os.path.join(here, "fashion_tiny"), os.path.join(here, "fashion_tiny_gz")
    os.makedirs(plain, exist_ok=True)
    os.makedirs(packed, exist_ok=True)
    for prefix, count in (("train", TRAIN), ("t10k", TEST)):
        pixels, labels = split(count)
        for name, data in ((f"{prefix}-images-idx3-ubyte", idx([count, ROWS, COLS], pixels)),
                           (f"{prefix}-labels-idx1-ubyte", idx([count], labels))):
            with open(os.path.join(plain, name), "wb") as f:
                f.write(data)
            with open(os.path.join(packed, name + ".gz"), "wb") as f:
                f.write(gzip.compress(data, mtime=0))  # mtime 0: the same bytes on every run


if __name__ == "__main__":
    main()
