"""GMM fitting by EM and KDE sampling: ouroboros (bench/em_kde_bench.cpp) beside scikit-learn.

Same workloads on both sides:
  gmm_fit    : 10^4 samples in 2-D from 3 equal-weight components (means on a circle of radius 6, sd 1);
               EM with 3 components, full covariances, tol 1e-6 on the mean log-likelihood per sample,
               reg_covar 1e-6, at most 200 iterations. sklearn's time includes its k-means initialisation;
               ours its farthest-point seeding.
  kde_sample : 10^6 samples from a Gaussian KDE on 10^4 centers with bandwidth 0.3.
Run from the repository root with Debian's Python (numpy, scikit-learn):
  /usr/bin/python3 bench/sklearn_side_by_side.py [--binary build/em_kde_bench] [--repeat 5]
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

try:
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity
except ImportError:
    sys.exit("this comparison needs scikit-learn: apt-get install python3-sklearn, then run /usr/bin/python3")


def best_time(function, repeat):
    """Minimum wall time of `repeat` calls, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def mixture_samples(rng, n):
    angles = 2 * np.pi * np.arange(3) / 3
    means = 6 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    labels = rng.integers(0, 3, size=n)
    return means[labels] + rng.standard_normal((n, 2))


def sklearn_times(repeat):
    rng = np.random.default_rng(1)
    x = mixture_samples(rng, 10_000)
    gmm = GaussianMixture(n_components=3, covariance_type="full", tol=1e-6, reg_covar=1e-6, max_iter=200,
                          random_state=0)
    gmm_ms = best_time(lambda: gmm.fit(x), repeat)
    centers = rng.standard_normal((10_000, 1))
    kde = KernelDensity(kernel="gaussian", bandwidth=0.3).fit(centers)
    kde_ms = best_time(lambda: kde.sample(1_000_000, random_state=0), repeat)
    return {"gmm_fit": gmm_ms, "kde_sample": kde_ms, "sklearn_em_iterations": int(gmm.n_iter_)}


def ouroboros_times(binary, repeat):
    result = subprocess.run([binary, f"--benchmark_repetitions={repeat}", "--benchmark_format=json"],
                            check=True, capture_output=True, text=True)
    times = {}
    for b in json.loads(result.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = {"BM_GmmFit": "gmm_fit", "BM_KdeSample": "kde_sample"}[b["run_name"]]
        times[name] = min(times.get(name, float("inf")), b["real_time"])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="build/em_kde_bench", help="the Google Benchmark program")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side; the fastest counts")
    args = parser.parse_args()
    if not Path(args.binary).exists():
        sys.exit(f"{args.binary} not found: build it with ./scripts/build.sh")
    ours = ouroboros_times(args.binary, args.repeat)
    theirs = sklearn_times(args.repeat)
    print(f"{'workload':<12} {'ouroboros ms':>13} {'sklearn ms':>11} {'speed-up':>9}")
    for name in ("gmm_fit", "kde_sample"):
        print(f"{name:<12} {ours[name]:>13.2f} {theirs[name]:>11.2f} {theirs[name] / ours[name]:>8.1f}x")
    print(f"(sklearn's EM ran {theirs['sklearn_em_iterations']} iterations; ouroboros runs on one thread, numpy may use "
          "BLAS threads)")


if __name__ == "__main__":
    main()
