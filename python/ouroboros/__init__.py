"""Ouroboros from Python: run an experiment or sweep, and read its results as pandas DataFrames.

    import ouroboros
    r = ouroboros.run("examples/quickstart.toml", out="results/q", experiment__replicates=200)
    r.summary            # DataFrame: regime, generation, metric, mean, sd, se, ci_lo, ci_hi, q05, q50, q95, ...
    r = ouroboros.open("results/q")
    ouroboros.families()  # every family with its typed parameters (name, type, default, allowed, range, help)

A run is the same library call as `ouroboros run`: the same files and results.db in the output directory, the same
resume (run the same experiment again and only the unfinished work units run), the same numbers.
"""
import builtins
import contextlib
import json
import math
import os
import sqlite3

from . import _ouroboros
from ._ouroboros import theory  # theory.suresh2025, theory.gerstgrasser2024: the closed forms, without a run

__version__ = _ouroboros.__version__
__all__ = ["run", "open", "families", "Results", "theory"]


def _toml_value(value, where):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise TypeError(f"{where}: a {type(value).__name__} cannot be written as an experiment value")


def _toml_text(config):
    """A nested dict {section: {key: value}} (sweep keys may hold dots) as TOML text."""
    lines = []
    for section, table in config.items():
        if not isinstance(table, dict):
            raise TypeError(f"config[{section!r}] must be a dict of keys (a TOML table), not a {type(table).__name__}")
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(f"{json.dumps(key)} = {_toml_value(value, f'{section}.{key}')}")
    return "\n".join(lines) + "\n"


def _experiment_text(config):
    """(TOML text, source name) for a path, a TOML string or a nested dict."""
    if isinstance(config, dict):
        return _toml_text(config), "<dict>"
    if isinstance(config, os.PathLike) or (isinstance(config, str) and "\n" not in config and "[" not in config):
        path = os.fspath(config)
        with builtins.open(path, encoding="utf-8") as f:
            return f.read(), path
    if isinstance(config, str):
        return config, "<string>"
    raise TypeError(f"config must be a path, a TOML string or a dict, not a {type(config).__name__}")



def run(config, out=None, threads=None, fresh=False, **overrides):
    """Runs an experiment (a path, a TOML string or a nested dict) and returns its Results.

    out: the output directory (default: the file's output.dir); threads: worker threads (0: one per core);
    fresh: delete an earlier results.db there and start over. overrides: `section__key=value`, as
    `--set section.key=value` (e.g. experiment__samples=100, model__family="gaussian(estimator=mle)", or one
    parameter of a family spec: model__family__estimator="mle").
    Bad input raises ValueError with the CLI's message; Ctrl-C raises KeyboardInterrupt and keeps every finished
    unit in results.db, so calling run() again resumes.
    """
    text, source = _experiment_text(config)
    sets = []
    for name, value in overrides.items():
        if "__" not in name:
            raise TypeError(f"override {name!r}: write section__key (e.g. experiment__samples=100)")
        # model__family__lam=0.1 is --set model.family.lam=0.1 (one parameter of the family spec).
        sets.append(f"{name.replace('__', '.')}={_toml_value(value, name)}")
    report = _ouroboros.run(text, source, sets, None if out is None else os.fspath(out), threads, bool(fresh))
    return Results(report["dir"], report)


def open(path):
    """The Results of an earlier run: its output directory (or its results.db)."""
    path = os.fspath(path)
    if os.path.basename(path) == "results.db":
        path = os.path.dirname(path) or "."
    if not os.path.exists(os.path.join(path, "results.db")):
        raise FileNotFoundError(f"{path}: no results.db (not an Ouroboros output directory)")
    return Results(path)


def families():
    """Every registered family as a dict: name, summary, truth_params and model_params (each parameter's name,
    type, default, computed_default, required, allowed, min, max, min_exclusive, max_exclusive, help), estimators,
    metrics, kernels, weighted_fit, checkpoints, fit_context, fixed_points, resources."""
    return json.loads(_ouroboros.families_json())


class Results:
    """The results of a run, read from its output directory: tables as pandas DataFrames (read on first use)."""

    def __init__(self, directory, report=None):
        self.dir = os.fspath(directory)
        self.report = report or {}
        self._tables = {}

    def __repr__(self):
        return f"ouroboros.Results({self.dir!r})"

    def _query(self, sql):
        import pandas
        db = os.path.join(self.dir, "results.db")
        # Closed at once: an open reader would hold a lock that stops the next run on this store.
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
            return pandas.read_sql_query(sql, connection)

    def _table(self, name, sql):
        if name not in self._tables:
            self._tables[name] = self._query(sql)
        return self._tables[name]

    @property
    def summary(self):
        """One row per (point, regime, generation, metric): the columns of summary.csv."""
        df = self._table("summary", "SELECT * FROM summary")
        # NULL is NaN: a column with no theory at all is read as objects (None) otherwise.
        numeric = ["mean", "sd", "se", "ci_lo", "ci_hi", "q05", "q50", "q95", "theory_lo", "theory", "theory_hi"]
        df[numeric] = df[numeric].astype(float)
        return df

    @property
    def trajectories(self):
        """One row per (point, regime, replicate, generation, metric) when output.trajectories was on."""
        return self._table("trajectories", "SELECT * FROM trajectories ORDER BY rowid")

    @property
    def forgetting(self):
        """One row per (point, regime, replicate, symbol) for families with symbols."""
        return self._table("forgetting", "SELECT * FROM forgetting")

    @property
    def points(self):
        """One row per point: point, point_id, label, config (JSON) and one column per swept key."""
        return self._table("points", "SELECT * FROM points ORDER BY point")

    def plot(self, metrics=None, band=None, path=None, format="png", x_scale=None, y_scale=None, x=None,
             generations=None):
        """The summary as a matplotlib Figure (see ouroboros.plot): one panel per metric and point, one line per
        regime, mean with a band (band="se": +- 2 se; "quantile": q05-q95), theory dashed; with x a swept key, the
        metric at `generations` against the swept values. Saved too if `path`. Arguments left None come from the
        experiment's [figure] table."""
        from .plot import figure, save
        if path is not None:
            save(self, path, format, metrics, band, x_scale, y_scale, x, generations)
        return figure(self, metrics, band, x_scale, y_scale, x, generations)

    def write_report(self, path=None):
        """Writes the self-contained HTML report (see ouroboros.report) and returns its path."""
        from .report import write
        return write(self, path)

    @property
    def manifest(self):
        """manifest.json as a dict."""
        with builtins.open(os.path.join(self.dir, "manifest.json"), encoding="utf-8") as f:
            return json.load(f)
