"""Paper-style figures of a run's summary, with matplotlib.

    python3 -m ouroboros.plot RESULTS [--metric M]... [--format png|pdf|svg] [--band se|quantile] [--out FILE]
    ouroboros plot RESULTS ...                  (the same, from the CLI)
    ouroboros.open(RESULTS).plot(metrics=["kl"])  (from Python: returns the matplotlib Figure)

What to draw comes from the experiment's [figure] table (metrics, x_scale and y_scale: auto, linear or log, band:
se or quantile), which the paper examples set to their paper's axes; options given here override it.
One panel per metric (rows) and per point of a sweep (columns, labelled by the swept values), one line per regime:
the mean over replicates with a band (mean +- 2 se by default, or the q05-q95 band of the replicates), the theory
as a dashed line where the family gives a value, and bounds (theory_lo, theory_hi) as dotted edges of a shaded
region. A metric
whose means from generation 1 on are all positive and span more than two decades gets a log y axis, a run of more
than 200 generations a log x axis (scale "auto"); a log axis leaves generation 0 (the truth) out. The figure goes to RESULTS/figures/summary.<format>
unless --out names a file.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BANDS = ("se", "quantile")
FORMATS = ("png", "pdf", "svg")
SCALES = ("auto", "linear", "log")


def _figure_config(results):
    """The experiment's [figure] table (metrics, x_scale, y_scale, band), from the manifest."""
    manifest = results.manifest
    config = manifest.get("config") or (manifest.get("points") or [{}])[0].get("config", {})
    return config.get("figure", {})


def _log_y(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return v.size > 0 and v.min() > 0 and v.max() / v.min() > 100


def figure(results, metrics=None, band=None, x_scale=None, y_scale=None):
    """The Figure of a Results object (see the module's help). Arguments left None come from the experiment's
    [figure] table (metrics, band, x_scale, y_scale), else every metric, "se" and "auto"."""
    declared = _figure_config(results)
    metrics = metrics or declared.get("metrics") or None
    band = band or declared.get("band", "se")
    x_scale = x_scale or declared.get("x_scale", "auto")
    y_scale = y_scale or declared.get("y_scale", "auto")
    for name, value in (("x_scale", x_scale), ("y_scale", y_scale)):
        if value not in SCALES:
            raise ValueError(f"{name} must be one of {', '.join(SCALES)}, not {value!r}")
    if band not in BANDS:
        raise ValueError(f"band must be one of {', '.join(BANDS)}, not {band!r}")
    summary = results.summary
    available = list(dict.fromkeys(summary["metric"]))
    metrics = list(metrics) if metrics else available
    unknown = [m for m in metrics if m not in available]
    if unknown:
        raise ValueError(f"metric {unknown[0]!r} is not in this run's summary (it has: {', '.join(available)})")
    points = sorted(summary["point"].unique())
    labels = {}
    if len(points) > 1:
        table = results.points
        keys = [c for c in table.columns if c not in ("point", "point_id", "label", "config")]
        for _, row in table.iterrows():
            labels[row["point"]] = ", ".join(f"{k.split('.')[-1]}={row[k]}" for k in keys)
    regimes = list(dict.fromkeys(summary["regime"]))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(len(metrics), len(points), figsize=(4.2 * len(points), 3.2 * len(metrics)),
                             squeeze=False, constrained_layout=True)
    for i, metric in enumerate(metrics):
        for j, point in enumerate(points):
            ax = axes[i][j]
            rows = summary[(summary["metric"] == metric) & (summary["point"] == point)]
            # Scales from generations >= 1: generation 0 is the truth, where a distance is 0 (or 1e-16).
            body = rows[rows["generation"] > 0]
            log_x = rows["generation"].max() > 200 if x_scale == "auto" else x_scale == "log"
            log_y = _log_y(body["mean"]) if y_scale == "auto" else y_scale == "log"
            if log_x or log_y:
                rows = body
            for r, regime in enumerate(regimes):
                d = rows[rows["regime"] == regime].sort_values("generation")
                if d.empty:
                    continue
                colour = colours[r % len(colours)]
                x = d["generation"].to_numpy()
                ax.plot(x, d["mean"], color=colour, label=regime)
                lo, hi = ((d["mean"] - 2 * d["se"], d["mean"] + 2 * d["se"]) if band == "se" else (d["q05"], d["q95"]))
                ax.fill_between(x, lo, hi, color=colour, alpha=0.2, linewidth=0)
                if d["theory"].notna().any():
                    ax.plot(x, d["theory"], color=colour, linestyle="--", label=f"{regime}: theory")
                if d["theory_lo"].notna().any() or d["theory_hi"].notna().any():
                    # Bounds: dotted edges (a tight pair is still visible) over a light shade.
                    for edge in ("theory_lo", "theory_hi"):
                        if d[edge].notna().any():
                            ax.plot(x, d[edge], color=colour, linestyle=":", linewidth=1.2,
                                    label=f"{regime}: bounds" if edge == "theory_lo" or d["theory_lo"].isna().all() else None)
                    ax.fill_between(x, d["theory_lo"].fillna(-np.inf), d["theory_hi"].fillna(np.inf), color=colour,
                                    alpha=0.12, linewidth=0)
            if log_y:
                ax.set_yscale("log")
            if log_x:
                ax.set_xscale("log")
            ax.set_xlabel("generation")
            ax.set_ylabel(metric)
            if labels:
                ax.set_title(labels.get(point, f"point {point}"), fontsize=9)
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=8)
    band_text = "mean ± 2 se" if band == "se" else "mean, q05–q95"
    fig.suptitle(f"line and band: {band_text}; dashed: theory; dotted: bounds", fontsize=8)
    return fig


def save(results, path=None, fmt="png", metrics=None, band=None, x_scale=None, y_scale=None):
    """Writes the figure; returns its path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if path is None:
        path = os.path.join(results.dir, "figures", f"summary.{fmt}")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig = figure(results, metrics, band, x_scale, y_scale)
    fig.savefig(path, format=fmt, dpi=120)
    plt.close(fig)
    return path


def main(argv=None):
    from . import open as open_results
    parser = argparse.ArgumentParser(prog="ouroboros plot", description="Figures of a run's summary.")
    parser.add_argument("results", help="an output directory of `ouroboros run`")
    parser.add_argument("--metric", action="append", help="a metric to plot (repeat; default: every metric)")
    parser.add_argument("--format", default="png", choices=FORMATS)
    parser.add_argument("--band", choices=BANDS, help="se: mean +- 2 se; quantile: q05-q95 (default: the "
                        "experiment's figure.band, else se)")
    parser.add_argument("--x-scale", choices=SCALES, help="default: the experiment's figure.x_scale, else auto")
    parser.add_argument("--y-scale", choices=SCALES, help="default: the experiment's figure.y_scale, else auto")
    parser.add_argument("--out", help="the file to write (default RESULTS/figures/summary.FORMAT)")
    args = parser.parse_args(argv)
    try:
        path = save(open_results(args.results), args.out, args.format, args.metric, args.band, args.x_scale,
                    args.y_scale)
    except (ValueError, FileNotFoundError) as e:
        print(f"ouroboros plot: {e}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
