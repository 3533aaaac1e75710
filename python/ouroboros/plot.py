"""Paper-style figures of a run's summary, with matplotlib.

    python3 -m ouroboros.plot RESULTS [--metric M]... [--format png|pdf|svg] [--band se|quantile]
                              [--x generation|KEY] [--generation G]... [--x-scale S] [--y-scale S] [--out FILE]
    ouroboros plot RESULTS ...                  (the same, from the CLI)
    ouroboros.open(RESULTS).plot(metrics=["kl"])  (from Python: returns the matplotlib Figure)

What to draw comes from the experiment's [figure] table (metrics; x: generation or a swept key; generations; x_scale
and y_scale: auto, linear or log; band: se or quantile), which the paper examples set to their paper's axes; options
given here override it.
With a swept key as x (--x lambda): one panel per metric and per value of the other swept keys, the metric at the
chosen generations (default: the last) against the swept values, one line per regime and generation.
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


def _swept_columns(results):
    table = results.points
    return [c for c in table.columns if c not in ("point", "point_id", "label", "config")]


def _band(d, band):
    return (d["mean"] - 2 * d["se"], d["mean"] + 2 * d["se"]) if band == "se" else (d["q05"], d["q95"])


def _draw_series(ax, x, d, colour, label, band, theory_label=None):
    """One series: the mean with its band, the theory dashed and bounds dotted over a shade, where given.
    theory_label: the legend entry of the theory line (default "<label>: theory"; "" for none)."""
    ax.plot(x, d["mean"], color=colour, label=label, marker="o" if len(x) < 12 else None, markersize=3)
    lo, hi = _band(d, band)
    ax.fill_between(x, lo, hi, color=colour, alpha=0.2, linewidth=0)
    if d["theory"].notna().any():
        ax.plot(x, d["theory"], color=colour, linestyle="--",
                label=f"{label}: theory" if theory_label is None else (theory_label or None))
    if d["theory_lo"].notna().any() or d["theory_hi"].notna().any():
        # Bounds: dotted edges (a tight pair is still visible) over a light shade.
        for edge in ("theory_lo", "theory_hi"):
            if d[edge].notna().any():
                ax.plot(x, d[edge], color=colour, linestyle=":", linewidth=1.2,
                        label=f"{label}: bounds" if edge == "theory_lo" or d["theory_lo"].isna().all() else None)
        ax.fill_between(x, d["theory_lo"].fillna(-np.inf), d["theory_hi"].fillna(np.inf), color=colour,
                        alpha=0.12, linewidth=0)


def _settings(results, metrics, band, x, generations, x_scale, y_scale):
    """The drawing settings: arguments given here, else the experiment's [figure] table, else the defaults."""
    declared = _figure_config(results)
    settings = {
        "metrics": metrics or declared.get("metrics") or None,
        "band": band or declared.get("band", "se"),
        "x": x or declared.get("x", "generation"),
        "generations": list(generations or declared.get("generations") or []),
        "x_scale": x_scale or declared.get("x_scale", "auto"),
        "y_scale": y_scale or declared.get("y_scale", "auto"),
    }
    for name in ("x_scale", "y_scale"):
        if settings[name] not in SCALES:
            raise ValueError(f"{name} must be one of {', '.join(SCALES)}, not {settings[name]!r}")
    if settings["band"] not in BANDS:
        raise ValueError(f"band must be one of {', '.join(BANDS)}, not {settings['band']!r}")
    summary = results.summary
    available = list(dict.fromkeys(summary["metric"]))
    chosen = list(settings["metrics"]) if settings["metrics"] else available
    unknown = [m for m in chosen if m not in available]
    if unknown:
        raise ValueError(f"metric {unknown[0]!r} is not in this run's summary (it has: {', '.join(available)})")
    settings["metrics"] = chosen
    if settings["x"] != "generation":
        swept = _swept_columns(results) if summary["point"].nunique() > 1 else []
        match = [k for k in swept if k == settings["x"] or k.endswith("." + settings["x"])]
        if not match:
            raise ValueError(f"x must be 'generation' or a swept key ({', '.join(swept) or 'this run has no sweep'}), "
                             f"not {settings['x']!r}")
        settings["x"] = match[0]
        last = int(summary["generation"].max())
        settings["generations"] = settings["generations"] or [last]
        missing = [g for g in settings["generations"] if g not in set(summary["generation"])]
        if missing:
            raise ValueError(f"generation {missing[0]} is not in this run's summary (generations 0..{last})")
    return settings


def figure(results, metrics=None, band=None, x_scale=None, y_scale=None, x=None, generations=None):
    """The Figure of a Results object (see the module's help). Arguments left None come from the experiment's
    [figure] table (metrics, band, x, generations, x_scale, y_scale), else every metric, "se", "generation", the
    last generation and "auto"."""
    s = _settings(results, metrics, band, x, generations, x_scale, y_scale)
    if s["x"] != "generation":
        return _figure_against_swept(results, s)
    summary = results.summary
    metrics, band, x_scale, y_scale = s["metrics"], s["band"], s["x_scale"], s["y_scale"]
    points = sorted(summary["point"].unique())
    labels = {}
    if len(points) > 1:
        keys = _swept_columns(results)
        for _, row in results.points.iterrows():
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
                if not d.empty:
                    _draw_series(ax, d["generation"].to_numpy(), d, colours[r % len(colours)], regime, band)
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
    _caption(fig, band)
    return fig


def _caption(fig, band):
    band_text = "mean ± 2 se" if band == "se" else "mean, q05–q95"
    fig.suptitle(f"line and band: {band_text}; dashed: theory; dotted: bounds", fontsize=8)


def _figure_against_swept(results, s):
    """The metric at the chosen generations against a swept value: one panel per metric (rows) and per value of
    the other swept keys (columns), one line per regime and generation."""
    summary, table, key = results.summary, results.points, s["x"]
    others = [k for k in _swept_columns(results) if k != key]
    groups = list(dict.fromkeys(tuple(row[k] for k in others) for _, row in table.iterrows())) if others else [()]
    regimes = list(dict.fromkeys(summary["regime"]))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    series = [(regime, g) for regime in regimes for g in s["generations"]]
    fig, axes = plt.subplots(len(s["metrics"]), len(groups), figsize=(4.2 * len(groups), 3.2 * len(s["metrics"])),
                             squeeze=False, constrained_layout=True)
    x_values = _numeric(table[key])
    for i, metric in enumerate(s["metrics"]):
        for j, group in enumerate(groups):
            ax = axes[i][j]
            in_group = table[np.logical_and.reduce([table[k] == v for k, v in zip(others, group)])] if others else table
            xs = dict(zip(in_group["point"], x_values[in_group.index]))
            rows = summary[(summary["metric"] == metric) & summary["point"].isin(xs.keys())]
            values = np.array(list(xs.values()), dtype=float)
            log_x = (values.min() > 0 and values.max() / values.min() > 100) if s["x_scale"] == "auto" \
                else s["x_scale"] == "log"
            chosen = rows[rows["generation"].isin(s["generations"])]
            log_y = _log_y(chosen["mean"]) if s["y_scale"] == "auto" else s["y_scale"] == "log"
            theory_named = False
            for c, (regime, g) in enumerate(series):
                d = chosen[(chosen["regime"] == regime) & (chosen["generation"] == g)].copy()
                if d.empty:
                    continue
                d["x"] = d["point"].map(xs)
                d = d.sort_values("x")
                label = ", ".join(part for part in (regime if len(regimes) > 1 else "",
                                                    f"generation {g}" if len(s["generations"]) > 1 or g else "") if part)
                # Many series: the theory gets one legend entry (the caption says dashed lines are theory).
                theory_label = None if len(series) <= 2 else ("theory" if not theory_named else "")
                theory_named = theory_named or d["theory"].notna().any()
                _draw_series(ax, d["x"].to_numpy(), d, colours[c % len(colours)], label or regime, s["band"],
                             theory_label)
            if log_y:
                ax.set_yscale("log")
            if log_x:
                ax.set_xscale("log")
            ax.set_xlabel(key.split(".")[-1])
            ax.set_ylabel(metric)
            if others:
                ax.set_title(", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(others, group)), fontsize=9)
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    _caption(fig, s["band"])
    return fig


def _numeric(column):
    """A swept column as numbers where every value is one (else the point order stands in for it)."""
    values = np.asarray(column)
    try:
        return values.astype(float)
    except (TypeError, ValueError):
        return np.arange(len(values), dtype=float)


def save(results, path=None, fmt="png", metrics=None, band=None, x_scale=None, y_scale=None, x=None,
         generations=None):
    """Writes the figure; returns its path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if path is None:
        path = os.path.join(results.dir, "figures", f"summary.{fmt}")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig = figure(results, metrics, band, x_scale, y_scale, x, generations)
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
    parser.add_argument("--x", help="generation, or a swept key (in full or its last part): the metric at the "
                        "chosen generations against the swept values (default: the experiment's figure.x)")
    parser.add_argument("--generation", type=int, action="append", help="with a swept --x: a generation to draw "
                        "(repeat; default: the experiment's figure.generations, else the last)")
    parser.add_argument("--out", help="the file to write (default RESULTS/figures/summary.FORMAT)")
    args = parser.parse_args(argv)
    try:
        path = save(open_results(args.results), args.out, args.format, args.metric, args.band, args.x_scale,
                    args.y_scale, args.x, args.generation)
    except (ValueError, FileNotFoundError) as e:
        print(f"ouroboros plot: {e}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
