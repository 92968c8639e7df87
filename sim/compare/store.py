"""The saved results of a comparison: the engine's store (:mod:`sim.runner.store`) plus the report.

Layout of a comparison's directory::

    manifest.json            what ran: scenarios (resolved parameters), root seed, every
                             replicate's seed and spawn key, steps, window, leverage design,
                             versions, git revision, sessions (timings, executor), status
    runs/part-NNNNNN.parquet one row per run: run_id, point, replicate, seed, spawn_key, status,
                             error, timings, worker, kind ("scenario" or "leverage"), scenario
                             (or leverage variant, "clarity+"), level (a variant's lever level)
    metrics/part-NNNNNN.parquet      per run, every KPI's mean over the analysis window
                             (stat "mean", step_from and step_to the window): what ``alignsim
                             analyze`` reads
    tables/series/part-NNNNNN.parquet      per run, every KPI per step (run_id, step, KPIs...)
    tables/units/part-NNNNNN.parquet       per scenario run, the unit table at the end
    tables/provenance/part-NNNNNN.parquet  per scenario run, friction by (period, cause, unit);
                             period "run" (whole run) or "window" (the analysis window)
    tables/handoffs/part-NNNNNN.parquet    per scenario run, per dependency edge (front team ->
                             back team) and period: hand-offs made and the friction booked at them
    report.html, *.csv, *.png   derived: rebuilt by ``alignsim report``

Runs are committed in parts as they finish (the runs part last, as the commit mark), so a
comparison killed part way resumes with ``alignsim compare ... --resume``. :func:`load` gives the
tables the report reads (:class:`Saved`), in run order, with the scenario, replicate and seed in
front; the leverage table (each KPI over the window per leverage run) is computed from the
variants' series. The report is written by replacing the directory with a complete copy
(:func:`rewrite`), so report and data never disagree.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.compare.runner import LEVERAGE, PER_RUN_TABLES, RUNS_SCHEMA, SCENARIO
from sim.errors import InputError
from sim.runner.folders import replace_atomically
from sim.runner.manifest import check_out_dir as check_folder
from sim.runner.manifest import read_manifest as read_format
from sim.runner.store import METRICS, RUNS, TABLES, read_run_table, read_runs

FORMAT = "alignsim-compare/2"
MANIFEST = "manifest.json"
FORMAT_1, DATA_1 = "alignsim-compare/1", "data"  # before the engine: whole tables in data/*.parquet
STORE = (MANIFEST, RUNS, METRICS, TABLES, "analysis", DATA_1)  # what a rebuild of the report keeps
KEYS = ("scenario", "replicate", "seed")


@dataclass
class Saved:
    """A comparison as saved: its manifest and tables (``leverage`` is None without leverage)."""

    manifest: dict[str, Any]
    series: pd.DataFrame
    units: pd.DataFrame
    provenance: pd.DataFrame
    leverage: pd.DataFrame | None
    handoffs: pd.DataFrame | None = None  # per scenario run: hand-offs and their friction per edge, by period

    @property
    def scenarios(self) -> list[str]:
        return [s["name"] for s in self.manifest["scenarios"]]

    @property
    def window(self) -> tuple[int, int]:
        a, b = self.manifest["window"]
        return int(a), int(b)


def read_manifest(run_dir: Path, older: bool = False) -> dict[str, Any] | None:
    """The manifest of the comparison in ``run_dir`` (with ``older``, also one of format 1), else None."""
    info = read_format(run_dir, FORMAT, MANIFEST)
    return read_format(run_dir, FORMAT_1, MANIFEST) if info is None and older else info


def _load_format_1(folder: Path, info: dict[str, Any]) -> Saved:
    """A comparison written before the engine: its tables whole in data/*.parquet."""
    tables: dict[str, pd.DataFrame | None] = {}
    for name in ("series", "units", "provenance", "leverage"):
        path = folder / DATA_1 / f"{name}.parquet"
        if not path.is_file():
            if name == "leverage":
                tables[name] = None
                continue
            raise InputError(str(path), "missing; the run directory is incomplete, run `alignsim compare` again")
        try:
            tables[name] = pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise InputError(str(path), f"cannot be read ({' '.join(str(exc).split())[:120]})") from None
    return Saved(manifest=info, **tables)  # type: ignore[arg-type]


def _keyed(table: pd.DataFrame, runs: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``table`` (run_id first) restricted to ``kind``'s runs, with scenario, replicate and seed in front."""
    keys = runs.loc[runs["kind"] == kind, ["run_id", *KEYS]]
    if table.empty:
        return pd.DataFrame()
    merged = keys.merge(table, on="run_id", how="inner", sort=False, validate="one_to_many")
    merged = merged.sort_values("run_id", kind="stable").drop(columns="run_id")
    return merged.reset_index(drop=True)


def leverage_values(manifest: dict[str, Any], series: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Each KPI over the window for each leverage run: lever, direction, level, replicate, seed, KPIs."""
    from sim.compare.stats import replicate_values

    if not manifest.get("leverage"):
        return None
    lev = _keyed(series, runs, LEVERAGE)
    if lev.empty:
        return pd.DataFrame(columns=["lever", "direction", "level", "replicate", "seed"])
    levels = dict(zip(runs["scenario"], runs["level"], strict=True))
    a, b = manifest["window"]
    values = replicate_values(lev, (int(a), int(b)), keys=KEYS)
    variant = values.pop("scenario")
    values.insert(0, "level", variant.map(levels))
    values.insert(0, "direction", variant.str[-1])
    values.insert(0, "lever", variant.str[:-1])
    return values


def completed_runs(folder: Path) -> pd.DataFrame:
    return read_runs(folder, RUNS_SCHEMA)


def load(run_dir: str | Path) -> Saved:
    """The comparison saved in ``run_dir``; InputError (one line) if it is not one or is incomplete."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise InputError(str(folder), "no such directory; give the --out directory of an `alignsim compare` run")
    info = read_manifest(folder, older=True)
    if info is None:
        raise InputError(str(folder), f"not an `alignsim compare` run directory (no {MANIFEST} of format {FORMAT})")
    if info["format"] == FORMAT_1:
        return _load_format_1(folder, info)
    try:
        runs = completed_runs(folder)
        tables = {name: read_run_table(folder, name) for name in PER_RUN_TABLES}
    except (OSError, ValueError) as exc:
        raise InputError(str(folder), f"cannot be read ({' '.join(str(exc).split())[:120]})") from None
    expected = info.get("runs")
    if expected is not None and (len(runs) != expected or (runs["status"] != "ok").any()):
        ok = int((runs["status"] == "ok").sum())
        raise InputError(str(folder), f"incomplete: {ok} of {expected} runs complete; finish it with the same "
                         "`alignsim compare` command and --resume")
    return Saved(manifest=info, series=_keyed(tables["series"], runs, SCENARIO),
                 units=_keyed(tables["units"], runs, SCENARIO), provenance=_keyed(tables["provenance"], runs, SCENARIO),
                 leverage=leverage_values(info, tables["series"], runs),
                 handoffs=_keyed(tables["handoffs"], runs, SCENARIO))


def is_compare_dir(path: Path) -> bool:
    return read_manifest(path, older=True) is not None


def check_out_dir(out_dir: str | Path) -> Path:
    """Raise InputError unless ``out_dir`` may receive a comparison: absent, empty, or an
    earlier comparison (which is then replaced, or resumed with --resume)."""
    return check_folder(out_dir, is_compare_dir, "exists and holds files that are not an `alignsim compare` run; "
                        "choose another output directory or empty it")


def rewrite(run_dir: str | Path, fill) -> Path:
    """Rebuild ``run_dir``'s derived files atomically: a copy of its manifest and store goes into
    a fresh sibling, ``fill(folder)`` writes the rest, and the copy replaces the original."""
    src = Path(run_dir).absolute()

    def copy_then_fill(folder: Path) -> None:
        for name in STORE:
            if (src / name).is_dir():
                shutil.copytree(src / name, folder / name)
            elif (src / name).is_file():
                shutil.copy2(src / name, folder / name)
        fill(folder)

    out = check_out_dir(src).absolute()
    replace_atomically(out, str(run_dir), copy_then_fill)
    return out
