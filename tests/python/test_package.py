"""The Python package against the CLI: the same experiment run from Python (as a path, a TOML string or a dict,
with overrides) gives exactly the CLI's records; results open again from disk; bad input is a ValueError naming
the key; Ctrl-C stops a run with KeyboardInterrupt and running it again resumes to the uninterrupted result; the
families carry their typed parameters. Run by CTest (Python.Package) with PYTHONPATH at build/python."""
import contextlib
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import numpy
import numpy.testing

import ouroboros

SOURCE = os.environ.get("OUROBOROS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("OUROBOROS_CLI", os.path.join(SOURCE, "build", "ouroboros"))

EXPERIMENT = {
    "experiment": {"generations": 12, "replicates": 40, "seed": 7, "samples": 20,
                   "regimes": ["replace", "accumulate"]},
    "truth": {"family": "gaussian(mean=1, sd=2)"},
    "model": {"family": "gaussian(estimator=unbiased)"},
    "metrics": {"thresholds": ["sigma > 1"]},
    "output": {"trajectories": True},
}


def rows(db, sql):
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as c:
        return c.execute(sql).fetchall()


class Package(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def cli(self, path, out, *extra):
        subprocess.run([CLI, "run", path, "--quiet", "--out", out, *extra], check=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_dict_string_and_path_equal_the_cli(self):
        text = ouroboros._toml_text(EXPERIMENT)
        path = self.write("e.toml", text)
        self.cli(path, os.path.join(self.dir, "cli"))
        want = rows(os.path.join(self.dir, "cli", "results.db"), "SELECT * FROM summary")
        self.assertEqual(len(want), 2 * 13 * 9)  # 2 regimes x generations 0..12 x (8 metrics + 1 threshold)
        for name, config in [("dict", EXPERIMENT), ("string", text), ("path", path)]:
            r = ouroboros.run(config, out=os.path.join(self.dir, name))
            got = rows(os.path.join(self.dir, name, "results.db"), "SELECT * FROM summary")
            self.assertEqual(got, want, name)
            self.assertEqual(r.report["units_run"], 2)
            df = r.summary
            self.assertEqual(len(df), len(want))
            self.assertEqual(list(df.columns[:4]), ["point", "regime", "generation", "metric"])
            self.assertEqual(len(r.trajectories), 2 * 13 * 40 * 9)  # generations 0..12
        # The CSV file written beside the store is the CLI's, byte for byte.
        for name in ("summary.csv", "trajectories.csv"):
            with open(os.path.join(self.dir, "cli", name), "rb") as a, open(os.path.join(self.dir, "dict", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_overrides_are_sets(self):
        path = self.write("e.toml", ouroboros._toml_text(EXPERIMENT))
        self.cli(path, os.path.join(self.dir, "cli"), "--set", "experiment.samples=35",
                 "--set", 'model.family="gaussian(estimator=mle)"')
        # One parameter of the family spec (model.family.estimator) against the whole spec on the CLI.
        r = ouroboros.run(path, out=os.path.join(self.dir, "py"), experiment__samples=35,
                          model__family__estimator="mle", threads=1)
        self.assertEqual(rows(os.path.join(self.dir, "py", "results.db"), "SELECT * FROM summary"),
                         rows(os.path.join(self.dir, "cli", "results.db"), "SELECT * FROM summary"))
        self.assertEqual(r.manifest["config"]["experiment"]["samples"], 35)

    def test_open_reads_an_earlier_run_and_a_sweep(self):
        sweep = dict(EXPERIMENT, sweep={"experiment.samples": [10, 30]})
        ouroboros.run(sweep, out=os.path.join(self.dir, "s"))
        r = ouroboros.open(os.path.join(self.dir, "s"))
        self.assertEqual(sorted(r.summary["point"].unique()), [0, 1])
        self.assertEqual(list(r.points["experiment.samples"]), [10, 30])
        again = ouroboros.run(sweep, out=os.path.join(self.dir, "s"))
        self.assertEqual(again.report["units_run"], 0)
        self.assertEqual(again.report["units_skipped"], 4)
        with self.assertRaises(FileNotFoundError):
            ouroboros.open(os.path.join(self.dir, "nothing"))

    def test_bad_input_is_a_value_error_naming_the_key(self):
        bad = dict(EXPERIMENT, model={"family": "gaussian(estimator=median)"})
        with self.assertRaisesRegex(ValueError, r"estimator=median' is not one of: mle, unbiased, optimized"):
            ouroboros.run(bad, out=os.path.join(self.dir, "bad"))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "bad")), "nothing is written")
        with self.assertRaisesRegex(ValueError, "experiment.samples"):
            ouroboros.run(EXPERIMENT, out=os.path.join(self.dir, "bad"), experiment__samples=-3)
        with self.assertRaises(TypeError):
            ouroboros.run(EXPERIMENT, samples=3)
        with self.assertRaises(TypeError):
            ouroboros.run(42)

    def test_ctrl_c_stops_cleanly_and_the_run_resumes(self):
        long = dict(EXPERIMENT)
        long["experiment"] = dict(EXPERIMENT["experiment"], generations=3000, replicates=400, threads=1)
        long["output"] = {"trajectories": False}
        long["sweep"] = {"experiment.samples": [10, 20, 30, 40]}
        out = os.path.join(self.dir, "k")
        clean = os.path.join(self.dir, "clean")
        ouroboros.run(long, out=clean)
        timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        start = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            ouroboros.run(long, out=out)
        self.assertLess(time.monotonic() - start, 30)
        timer.join()
        self.assertFalse(os.path.exists(os.path.join(out, "summary.csv")), "no CSV file after an interruption")
        done = rows(os.path.join(out, "results.db"), "SELECT count(*) FROM units WHERE status = 'done'")[0][0]
        self.assertLess(done, 8)
        resumed = ouroboros.run(long, out=out)
        self.assertEqual(resumed.report["units_skipped"], done)
        self.assertEqual(rows(os.path.join(out, "results.db"), "SELECT * FROM summary"),
                         rows(os.path.join(clean, "results.db"), "SELECT * FROM summary"))
        # Python's own handler is back: a later Ctrl-C is Python's KeyboardInterrupt as usual.
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)

    def test_theory_functions_equal_the_runs_theory_columns(self):
        counts = [50, 20, 10, 5, 3, 2, 1]
        cfile = self.write("c.txt", "".join(f"{c}\n" for c in counts))
        r = ouroboros.run({"experiment": {"generations": 30, "replicates": 20, "seed": 1, "samples": 91,
                                          "regimes": ["replace"]},
                           "truth": {"family": f'categorical(file="{cfile}")'}, "model": {"family": "categorical"}},
                          out=os.path.join(self.dir, "c"))
        support = r.summary[r.summary.metric == "support"].set_index("generation")
        for k in (1, 5, 30):
            lo, hi = ouroboros.theory.suresh2025.discrete_alive([c / sum(counts) for c in counts], 91, k)
            self.assertEqual((support.theory_lo[k], support.theory_hi[k]), (lo, hi), k)
        r = ouroboros.run({"experiment": {"generations": 20, "replicates": 20, "seed": 1, "samples": 40,
                                          "regimes": ["replace", "accumulate", "grow"]},
                           "truth": {"family": "linear_regression(d=8, sigma=0.5)"},
                           "model": {"family": "linear_regression"}}, out=os.path.join(self.dir, "l"))
        s = r.summary[(r.summary.metric == "test_error") & (r.summary.generation == 20)].set_index("regime")
        for regime in ("replace", "accumulate", "grow"):
            self.assertAlmostEqual(s.theory[regime],
                                   ouroboros.theory.gerstgrasser2024.test_error(regime, 0.25, 8, 40, 20), delta=1e-12)
        self.assertLess(s.theory["accumulate"], ouroboros.theory.gerstgrasser2024.accumulate_bound(0.25, 8, 40))
        with self.assertRaises(ValueError):
            ouroboros.theory.gerstgrasser2024.test_error("fresh", 1, 8, 40, 3)
        with self.assertRaises(ValueError):
            ouroboros.theory.suresh2025.discrete_alive([0.5, 0.5], 0, 3)

    def test_plot_draws_every_metric_point_and_regime_with_theory(self):
        r = ouroboros.run({"experiment": {"generations": 30, "replicates": 50, "seed": 3, "samples": 40,
                                          "regimes": ["replace", "accumulate", "grow"]},
                           "truth": {"family": "linear_regression(d=8, sigma=0.5)"},
                           "model": {"family": "linear_regression"},
                           "metrics": {"select": ["test_error", "weight_sq_norm"]},
                           "sweep": {"experiment.samples": [20, 40]}}, out=os.path.join(self.dir, "p"))
        fig = r.plot()
        self.assertEqual(len(fig.axes), 2 * 2)  # metrics x points
        first = fig.axes[0]
        self.assertEqual(first.get_ylabel(), "test_error")
        self.assertIn("samples=20", first.get_title())
        solid = [l for l in first.get_lines() if l.get_linestyle() == "-"]
        dashed = [l for l in first.get_lines() if l.get_linestyle() == "--"]
        self.assertEqual(len(solid), 3, "one line per regime")
        self.assertEqual(len(dashed), 3, "test_error has an exact theory in all three regimes")
        # The theory line is the summary's theory column.
        theory = r.summary[(r.summary.metric == "test_error") & (r.summary.point == 0) & (r.summary.regime == "replace")]
        numpy.testing.assert_array_equal(dashed[0].get_ydata(), theory.sort_values("generation").theory)
        with self.assertRaisesRegex(ValueError, "not in this run's summary"):
            r.plot(metrics=["nope"])
        # The CLI draws the same through the package: a PNG file, or exit 2 with the message.
        out = os.path.join(self.dir, "f.png")
        subprocess.run([CLI, "plot", r.dir, "--metric", "test_error", "--out", out], check=True, capture_output=True)
        with open(out, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        bad = subprocess.run([CLI, "plot", r.dir, "--metric", "nope"], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("'nope' is not in this run's summary", bad.stderr)
        svg = subprocess.run([CLI, "plot", r.dir, "--format", "svg", "--band", "quantile"], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.assertTrue(svg.endswith(os.path.join("figures", "summary.svg")) and os.path.getsize(svg) > 1000)

    def test_plotted_series_are_the_summary_for_each_family_type(self):
        cases = {
            "categorical": {"experiment": {"generations": 15, "replicates": 30, "seed": 2, "samples": 50,
                                           "regimes": ["replace", "accumulate"]},
                            "truth": {"family": "categorical(dist=zipf, m=40, a=1.1)"},
                            "model": {"family": "categorical"}},
            "gaussian": EXPERIMENT,
            "bernoulli": {"experiment": {"generations": 20, "replicates": 60, "seed": 4, "samples": 10},
                          "truth": {"family": "bernoulli(p=0.2)"}, "model": {"family": "bernoulli"}},
            "gmm": {"experiment": {"generations": 4, "replicates": 8, "seed": 4, "samples": 60,
                                   "regimes": ["replace", "fresh_mix(real_fraction=0.5)"]},
                    "truth": {"family": "gmm(k=2, d=2)"}, "model": {"family": "gmm"}},
        }
        for name, config in cases.items():
            r = ouroboros.run(config, out=os.path.join(self.dir, name))
            summary = r.summary
            self.assertEqual(str(summary["generation"].dtype), "int64")
            self.assertEqual(str(summary["finite"].dtype), "int64")
            for column in ("mean", "sd", "se", "q05", "q50", "q95", "theory_lo", "theory", "theory_hi"):
                self.assertEqual(str(summary[column].dtype), "float64", column)
            path = os.path.join(self.dir, f"{name}.png")
            fig = r.plot(path=path, x_scale="linear", y_scale="linear")
            self.assertGreater(os.path.getsize(path), 5000, name)
            regimes = list(dict.fromkeys(summary["regime"]))
            metrics = list(dict.fromkeys(summary["metric"]))
            self.assertEqual([a.get_ylabel() for a in fig.axes], metrics)
            for ax, metric in zip(fig.axes, metrics):
                solid = [l for l in ax.get_lines() if l.get_linestyle() == "-"]
                self.assertEqual(len(solid), len(regimes), f"{name} {metric}")
                for line, regime in zip(solid, regimes):
                    want = summary[(summary.metric == metric) & (summary.regime == regime)].sort_values("generation")
                    numpy.testing.assert_array_equal(line.get_xdata(), want["generation"])
                    numpy.testing.assert_array_equal(line.get_ydata(), want["mean"], f"{name} {metric} {regime}")

    def test_figure_table_sets_what_plot_draws(self):
        config = dict(EXPERIMENT, figure={"metrics": ["sigma", "sigma>1"], "x_scale": "log", "y_scale": "log",
                                          "band": "quantile"})
        r = ouroboros.run(config, out=os.path.join(self.dir, "f"))
        fig = r.plot()
        self.assertEqual([a.get_ylabel() for a in fig.axes], ["sigma", "sigma>1"])
        self.assertEqual((fig.axes[0].get_xscale(), fig.axes[0].get_yscale()), ("log", "log"))
        self.assertIn("q05", fig._suptitle.get_text())
        self.assertEqual(r.plot(metrics=["kl"], y_scale="linear").axes[0].get_yscale(), "linear")
        # The figure changes no record: the same store resumes with other figure settings.
        again = ouroboros.run(dict(EXPERIMENT, figure={"y_scale": "linear"}), out=os.path.join(self.dir, "f"))
        self.assertEqual(again.report["units_skipped"], 2)
        with self.assertRaisesRegex(ValueError, "figure.y_scale.*must be auto, linear or log"):
            ouroboros.run(dict(EXPERIMENT, figure={"y_scale": "cubic"}), out=os.path.join(self.dir, "g"))
        with self.assertRaisesRegex(ValueError, "figure.metrics: unknown metric 'nope'"):
            ouroboros.run(dict(EXPERIMENT, figure={"metrics": ["nope"]}), out=os.path.join(self.dir, "g"))

    def test_swept_value_on_the_x_axis(self):
        config = dict(EXPERIMENT, figure={"x": "sd", "generations": [2, 12], "metrics": ["sigma"]},
                      sweep={"truth.family.sd": [1, 2.5, 4], "experiment.samples": [10, 30]})
        r = ouroboros.run(config, out=os.path.join(self.dir, "x"))
        summary, points = r.summary, r.points
        fig = r.plot(x_scale="linear")
        self.assertEqual(len(fig.axes), 2, "one panel per value of the other swept key")
        for ax, samples in zip(fig.axes, [10, 30]):
            self.assertEqual(ax.get_title(), f"samples={samples}")
            self.assertEqual(ax.get_xlabel(), "sd")
            solid = [l for l in ax.get_lines() if l.get_linestyle() == "-"]
            self.assertEqual(len(solid), 4, "one line per regime and generation")
            chosen = points[points["experiment.samples"] == samples]
            for line, (regime, generation) in zip(solid, [(rg, g) for rg in ("replace", "accumulate") for g in (2, 12)]):
                self.assertEqual(line.get_label(), f"{regime}, generation {generation}")
                want = summary[(summary.metric == "sigma") & (summary.regime == regime) &
                               (summary.generation == generation) & summary.point.isin(chosen.point)]
                want = want.merge(chosen, on="point").sort_values("truth.family.sd")
                numpy.testing.assert_array_equal(line.get_xdata(), [1, 2.5, 4])
                numpy.testing.assert_array_equal(line.get_ydata(), want["mean"])
        with self.assertRaisesRegex(ValueError, "x must be 'generation' or a swept key"):
            r.plot(x="mean")
        with self.assertRaisesRegex(ValueError, "generation 13 is not in this run's summary"):
            r.plot(generations=[13])

    def test_report_renders_every_chart_in_a_real_browser(self):
        r = ouroboros.run({"experiment": {"generations": 25, "replicates": 40, "seed": 3, "samples": 40,
                                          "regimes": ["replace", "accumulate"]},
                           "truth": {"family": "linear_regression(d=8, sigma=0.5)"},
                           "model": {"family": "linear_regression"},
                           "metrics": {"select": ["test_error", "weight_sq_norm"]},
                           "sweep": {"experiment.samples": [20, 40]}}, out=os.path.join(self.dir, "r"))
        out = os.path.join(self.dir, "report.html")
        path = subprocess.run([CLI, "report", r.dir, "--out", out], check=True, capture_output=True,
                              text=True).stdout.strip()
        self.assertEqual(path, out)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        self.assertNotIn("src=\"http", page, "self-contained: no script is loaded from the network")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={os.path.join(self.dir, 'chromium')}", "--virtual-time-budget=15000"]
        dom = subprocess.run(["/usr/bin/chromium", *flags, "--dump-dom", "file://" + out], capture_output=True,
                             text=True, timeout=120).stdout
        body = [line for line in dom.split("<body")[1:] if "data-charts" in line[:200]]
        self.assertTrue(body, "the page's body was dumped")
        self.assertIn('data-charts="2"', body[-1][:200], "both charts rendered")
        self.assertIn('data-errors=""', body[-1][:200], "no script error")
        rendered = body[-1]
        self.assertGreaterEqual(rendered.count("<svg"), 2, "one SVG per chart")
        self.assertGreaterEqual(rendered.count('stroke-dasharray="6,4"'), 1, "the theory series is drawn")
        self.assertIn("samples=40", rendered, "the sweep's point menu lists the swept values")
        # A screenshot of what a reader sees, kept as a test artefact.
        shot = os.path.join(os.environ.get("OUROBOROS_ARTEFACTS", self.dir), "report.png")
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        subprocess.run(["/usr/bin/chromium", *flags, "--window-size=1000,1400", f"--screenshot={shot}",
                        "file://" + out], capture_output=True, timeout=120, check=True)
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertEqual(ouroboros.open(r.dir).write_report(os.path.join(self.dir, "again.html")),
                         os.path.join(self.dir, "again.html"))

    def test_families_carry_typed_parameters(self):
        families = {f["name"]: f for f in ouroboros.families()}
        self.assertIn("gaussian", families)
        estimator = next(p for p in families["gaussian"]["model_params"] if p["name"] == "estimator")
        self.assertEqual(estimator["type"], "word")
        self.assertEqual(estimator["allowed"], ["mle", "unbiased", "optimized"])
        self.assertEqual(estimator["default"], "mle")
        sd = next(p for p in families["gaussian"]["truth_params"] if p["name"] == "sd")
        self.assertEqual((sd["type"], sd["min"], sd["min_exclusive"]), ("number", 0, True))
        self.assertTrue(families["categorical"]["fixed_points"])
        listed = subprocess.run([CLI, "families"], capture_output=True, text=True, check=True).stdout
        for name in families:
            self.assertIn(f"{name}: ", listed)


if __name__ == "__main__":
    unittest.main()
