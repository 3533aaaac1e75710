"""A self-contained HTML report of a run: interactive charts (Vega-Lite, inlined), the manifest, the theory
sources and a table of the last generation, in one file that opens offline.

    python3 -m ouroboros.report RESULTS [--out FILE]
    ouroboros report RESULTS [--out FILE]           (the same, from the CLI)
    ouroboros.open(RESULTS).write_report()          (from Python: returns the path)

One chart per metric: one line per regime (the mean), a band (mean +- 2 se), the theory dashed where the family
gives a value and its bounds dotted; hover a point for its values, click a regime in the legend to show it alone
(shift-click for several), switch the y axis between linear and log, and pick the point of a sweep. The charting
scripts (vega, vega-lite, vega-embed: pinned and checksum-verified by scripts/fetch_vega.sh) are inlined, so the
page needs no network. Written to RESULTS/report.html unless --out names a file.
"""
import argparse
import html
import json
import math
import os
import sys

VEGA_CACHE = "vega-5.33.1-lite-5.23.0-embed-6.29.0"  # the directory scripts/fetch_vega.sh fills
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")


def _vega_dir():
    env = os.environ.get("OUROBOROS_VEGA_DIR")
    if env:
        return env
    try:
        from ._paths import SOURCE_DIR
    except ImportError:
        SOURCE_DIR = os.path.join(os.path.dirname(__file__), "..", "..")
    return os.path.join(SOURCE_DIR, "data", "cache", VEGA_CACHE)


def _scripts():
    directory = _vega_dir()
    out = []
    for name in SCRIPTS:
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing: run scripts/fetch_vega.sh (the setup step does)")
        with open(path, encoding="utf-8") as f:
            out.append(f.read().replace("</script", "<\\/script"))
    return out


def _number(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def _spec(metric, points, labels):
    """The Vega-Lite spec of one metric's chart; the page adds the metric's rows as its data when it draws it."""
    point_param = {"name": "point", "value": points[0]}
    if len(points) > 1:
        point_param["bind"] = {"input": "select", "options": points, "labels": [labels[p] for p in points],
                               "name": "point: "}
    y = {"field": "mean", "type": "quantitative", "title": metric, "scale": {"type": "linear", "zero": False}}
    x = {"field": "generation", "type": "quantitative"}
    colour = {"field": "regime", "type": "nominal"}
    shown = {"param": "regimes", "empty": True}
    tooltip = [{"field": f, "type": t} for f, t in [("regime", "nominal"), ("generation", "quantitative"),
                                                    ("mean", "quantitative"), ("se", "quantitative"),
                                                    ("q05", "quantitative"), ("q95", "quantitative"),
                                                    ("theory", "quantitative"), ("theory_lo", "quantitative"),
                                                    ("theory_hi", "quantitative")]]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 520, "height": 260,
        "params": [point_param],
        "transform": [{"filter": "datum.point == point"}],
        "encoding": {"x": x, "color": colour},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.2},
             "encoding": {"y": {"field": "lo", "type": "quantitative", "scale": y["scale"]}, "y2": {"field": "hi"},
                          "opacity": {"condition": dict(shown, value=0.2), "value": 0}}},
            {"mark": {"type": "line", "point": {"size": 12}},
             "params": [{"name": "regimes", "select": {"type": "point", "fields": ["regime"]}, "bind": "legend"}],
             "encoding": {"y": y, "tooltip": tooltip,
                          "opacity": {"condition": dict(shown, value=1), "value": 0.1}}},
            {"mark": {"type": "line", "strokeDash": [6, 4]},
             "transform": [{"filter": "isValid(datum.theory)"}],
             "encoding": {"y": {"field": "theory", "type": "quantitative"},
                          "opacity": {"condition": dict(shown, value=1), "value": 0.1}}},
            {"mark": {"type": "line", "strokeDash": [2, 3]},
             "transform": [{"filter": "isValid(datum.theory_lo)"}],
             "encoding": {"y": {"field": "theory_lo", "type": "quantitative"},
                          "opacity": {"condition": dict(shown, value=1), "value": 0.1}}},
            {"mark": {"type": "line", "strokeDash": [2, 3]},
             "transform": [{"filter": "isValid(datum.theory_hi)"}],
             "encoding": {"y": {"field": "theory_hi", "type": "quantitative"},
                          "opacity": {"condition": dict(shown, value=1), "value": 0.1}}},
        ],
    }


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
.chart {{ margin: 1em 0 2em 0; }}
table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
th {{ background: #f0f0f0; }}
pre {{ background: #f7f7f7; padding: 0.5em; max-height: 24em; overflow: auto; font-size: 12px; }}
</style>
{scripts}
</head><body data-charts="0" data-errors="">
<h1>{title}</h1>
<p>{subtitle}</p>
<h2>Charts</h2>
<p>Mean over replicates (line) with mean &plusmn; 2 se (band); theory dashed, bounds dotted. Hover for values;
click a regime in the legend to show it alone (shift-click for several); the menu under each chart sets its y
scale{sweep_note}.</p>
{charts}
<h2>Theory sources</h2>
{sources}
<h2>Last generation</h2>
{table}
<h2>Manifest</h2>
<pre>{manifest}</pre>
<script>
window.addEventListener("error", function (e) {{ document.body.dataset.errors += (e.message || "error") + ";"; }});
const rows = {rows};
const specs = {specs};
let rendered = 0;
function draw(i) {{
  const spec = JSON.parse(JSON.stringify(specs[i].spec));
  const scale = document.getElementById("scale-" + i).value;
  for (const layer of spec.layer) if (layer.encoding.y.scale) layer.encoding.y.scale.type = scale;
  if (scale === "log") spec.transform.push({{"filter": "datum.mean > 0 && datum.lo > 0"}});
  spec.data = {{"values": rows.filter(function (d) {{ return d.metric === specs[i].metric; }})}};
  return vegaEmbed("#chart-" + i, spec, {{renderer: "svg", actions: false}});
}}
Promise.all(specs.map(function (s, i) {{ return draw(i).then(function () {{ rendered += 1; }}); }}))
  .then(function () {{ document.body.dataset.charts = String(rendered); }})
  .catch(function (e) {{ document.body.dataset.errors += String(e) + ";"; }});
</script>
</body></html>
"""


def write(results, path=None):
    """Writes the report of a Results object; returns its path."""
    summary = results.summary
    manifest = results.manifest
    metrics = list(dict.fromkeys(summary["metric"]))
    points = [int(p) for p in sorted(summary["point"].unique())]
    labels = {p: f"point {p}" for p in points}
    if len(points) > 1:
        table = results.points
        keys = [c for c in table.columns if c not in ("point", "point_id", "label", "config")]
        for _, row in table.iterrows():
            labels[int(row["point"])] = ", ".join(f"{k}={row[k]}" for k in keys)
    rows = []
    for r in summary.itertuples(index=False):
        mean, se = _number(r.mean), _number(r.se)
        rows.append({"point": int(r.point), "regime": r.regime, "generation": int(r.generation), "metric": r.metric,
                     "mean": mean, "se": se, "q05": _number(r.q05), "q95": _number(r.q95),
                     "lo": None if mean is None or se is None else mean - 2 * se,
                     "hi": None if mean is None or se is None else mean + 2 * se,
                     "theory": _number(r.theory), "theory_lo": _number(r.theory_lo),
                     "theory_hi": _number(r.theory_hi)})
    specs = [{"metric": m, "spec": _spec(m, points, labels)} for m in metrics]
    charts = "\n".join(
        f'<div class="chart"><h3>{html.escape(m)}</h3><div id="chart-{i}"></div>'
        f'<label>y scale <select id="scale-{i}" onchange="draw({i})"><option>linear</option><option>log</option>'
        f"</select></label></div>" for i, m in enumerate(metrics))
    cited = summary[summary["theory_source"].notna()][["metric", "regime", "theory_kind", "theory_source"]]
    cited = cited.drop_duplicates()
    sources = ("<p>No theory value in this run.</p>" if cited.empty else cited.to_html(index=False, escape=True))
    last = summary[summary["generation"] == summary.groupby(["point", "regime"])["generation"].transform("max")]
    table = last[["point", "regime", "generation", "metric", "mean", "se", "q05", "q50", "q95", "theory"]]
    title = f"Ouroboros report: {os.path.basename(os.path.abspath(results.dir))}"
    subtitle = html.escape(f"ouroboros {manifest.get('ouroboros_version', '?')} ({manifest.get('git_commit', '?')}), "
                           f"{len(points)} point(s), {len(metrics)} metric(s), "
                           f"regimes: {', '.join(dict.fromkeys(summary['regime']))}")
    page = PAGE.format(
        title=html.escape(title), subtitle=subtitle,
        scripts="\n".join(f"<script>{s}</script>" for s in _scripts()),
        sweep_note="; the menu above it picks the point of the sweep" if len(points) > 1 else "",
        charts=charts, sources=sources, table=table.to_html(index=False, escape=True, float_format="%.6g"),
        manifest=html.escape(json.dumps(manifest, indent=2)),
        rows=json.dumps(rows).replace("</", "<\\/"), specs=json.dumps(specs).replace("</", "<\\/"))
    if path is None:
        path = os.path.join(results.dir, "report.html")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


def main(argv=None):
    from . import open as open_results
    parser = argparse.ArgumentParser(prog="ouroboros report", description="A self-contained HTML report of a run.")
    parser.add_argument("results", help="an output directory of `ouroboros run`")
    parser.add_argument("--out", help="the file to write (default RESULTS/report.html)")
    args = parser.parse_args(argv)
    try:
        print(write(open_results(args.results), args.out))
    except (ValueError, FileNotFoundError) as e:
        print(f"ouroboros report: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
