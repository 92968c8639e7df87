"""The analysis of a results store (the computations behind ``alignsim analyze OUT``): which runs
are complete, the design points with each output's replicate statistics, and the sensitivity indices.
Nothing here writes a file or draws; :mod:`sim.report.sweep_analysis` writes ``OUT/analysis/`` from it.

OUT is a sweep's store or a comparison's (``alignsim compare``): both are the engine's store. For a
comparison, the design points are its scenarios and leverage variants (columns kind, scenario,
level) and the outputs each KPI's mean over the analysis window.

- :func:`load`: reads only the store (manifest, design, runs and metrics parts) and gives a
  :class:`Study`: the per-point table (each design point's parameters and, per output, the mean,
  sd, min, max and count of its replicates, ok runs only) and a :class:`Report` with the counts;
- :func:`sobol_indices`: S1, ST with the half-widths of their 95% bootstrap intervals and, with
  second order, S2 (:func:`SALib.analyze.sobol.analyze`);
- :func:`morris_indices`: mu, mu*, its 95% interval, sigma (:func:`SALib.analyze.morris.analyze`).

Sensitivity indices use the mean over replicates at each design point; every point needs at
least one ok run (else the output is skipped, with a note). The bootstrap is seeded from the
experiment's root seed, so the same store gives the same tables.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.runner import store as engine_store
from sim.runner.manifest import read_manifest
from sim.sweep.designs import problem
from sim.sweep.runner import stored_manifest
from sim.sweep.store import DESIGN, read_metrics, read_runs

COMPARE_FORMAT = "alignsim-compare/2"  # the manifest of an `alignsim compare` store
COMPARE_COLUMNS = ["kind", "scenario", "level"]

RESAMPLES = 1000
ANALYSIS_STREAM = 2  # SeedSequence(root).spawn(3)[2] seeds the bootstrap


@dataclass
class Report:
    folder: Path
    name: str
    kind: str
    total: int
    ok: int
    failed: int
    points: int
    replicates: int
    outputs: list[str]
    indices: pd.DataFrame | None = None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.name}: {self.kind} design, {self.points} points x {self.replicates} replicates; "
                 f"{self.ok + self.failed} of {self.total} runs complete ({self.ok} ok, {self.failed} failed)"]
        if self.indices is not None and not self.indices.empty:
            lines.append(_indices_text(self.indices, self.kind))
        lines += [f"note: {n}" for n in self.notes]
        lines.append(f"wrote {len(self.files)} files to {self.folder}/: {', '.join(self.files)}")
        return "\n".join(lines)


def _indices_text(table: pd.DataFrame, kind: str) -> str:
    lines = []
    if kind == "sobol":
        lines.append("Sobol indices (± half-width of the 95% bootstrap interval):")
        for _, r in table.iterrows():
            lines.append(f"  {r['output']:<28} {r['parameter']:<28} S1 {r['S1']:6.3f} ± {r['S1_conf']:.3f}"
                         f"   ST {r['ST']:6.3f} ± {r['ST_conf']:.3f}")
    else:
        lines.append("Morris elementary effects (mu* ± half-width of its 95% bootstrap interval):")
        for _, r in table.iterrows():
            lines.append(f"  {r['output']:<28} {r['parameter']:<28} mu* {r['mu_star']:9.4g} ± "
                         f"{r['mu_star_conf']:.3g}   sigma {r['sigma']:9.4g}")
    return "\n".join(lines)


# -- loading ------------------------------------------------------------------------------------------
def responses(out: Path, runs: pd.DataFrame, wanted: list[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Wide table: one row per ok run (run_id, point), one column per scalar output label."""
    metrics = read_metrics(out, stats=("final", "mean", "value"))
    label = np.where(metrics["stat"] == "value", metrics["output"], metrics["output"] + "." + metrics["stat"])
    metrics = metrics.assign(label=label)
    available = list(dict.fromkeys(metrics["label"]))
    if wanted:
        unknown = [w for w in wanted if w not in available and w not in set(metrics["output"])]
        if unknown:
            raise InputError(f"--output {unknown[0]}", f"no such output in this store; available: "
                             f"{', '.join(available) or 'none yet'}")
        chosen = [a for a in available if a in wanted or a.rsplit(".", 1)[0] in wanted]
    else:
        chosen = available
    ok = runs.loc[runs["status"] == "ok", ["run_id", "point"]]
    wide = metrics[metrics["label"].isin(chosen)].pivot_table(index="run_id", columns="label", values="value",
                                                              aggfunc="first")
    return ok.merge(wide, left_on="run_id", right_index=True, how="left"), chosen


def point_table(wide: pd.DataFrame, design: pd.DataFrame, names: list[str], outputs: list[str]) -> pd.DataFrame:
    """Per design point: parameters, then (output, mean/sd/min/max/n) over its ok replicates."""
    stats = wide.groupby("point")[outputs].agg(["mean", "std", "min", "max", "count"])
    params = design.set_index("point")[names]
    params.columns = pd.MultiIndex.from_tuples([(n, "") for n in names])
    return params.join(stats, how="left")


def flat_points(points: pd.DataFrame) -> pd.DataFrame:
    flat = points.copy()
    flat.columns = [a if not b else f"{a}:{ {'std': 'sd', 'count': 'n'}.get(b, b)}" for a, b in flat.columns]
    return flat.reset_index()


# -- indices ------------------------------------------------------------------------------------------
def _bootstrap_seed(root: int) -> int:
    return int(np.random.SeedSequence(root, spawn_key=(ANALYSIS_STREAM,)).generate_state(1)[0])


def _usable(y: np.ndarray, output: str, notes: list[str]) -> bool:
    missing = int(np.isnan(y).sum())
    if missing:
        notes.append(f"{output}: {missing} of {len(y)} design points have no ok run, so no indices "
                     "(resume the sweep, or fix the failing runs)")
        return False
    if float(np.ptp(y)) == 0.0:
        notes.append(f"{output}: the same value at every design point, so no indices")
        return False
    return True


def sobol_indices(info: dict[str, Any], names, bounds, y_by_output: dict[str, np.ndarray],
                  notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from SALib.analyze import sobol

    second = bool(info["design"].get("second_order", True))
    rows, pairs = [], []
    for output, y in y_by_output.items():
        if not _usable(y, output, notes):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sobol.analyze(problem(names, bounds), y, calc_second_order=second, num_resamples=RESAMPLES,
                               conf_level=0.95, seed=_bootstrap_seed(info["root_seed"]))
        for j, name in enumerate(names):
            rows.append({"output": output, "parameter": name, "S1": si["S1"][j], "S1_conf": si["S1_conf"][j],
                         "ST": si["ST"][j], "ST_conf": si["ST_conf"][j]})
        if second:
            for i, j in itertools.combinations(range(len(names)), 2):
                pairs.append({"output": output, "parameter_1": names[i], "parameter_2": names[j],
                              "S2": si["S2"][i, j], "S2_conf": si["S2_conf"][i, j]})
    return pd.DataFrame(rows), pd.DataFrame(pairs)


def morris_indices(info: dict[str, Any], names, bounds, x: np.ndarray, y_by_output: dict[str, np.ndarray],
                   notes: list[str]) -> pd.DataFrame:
    from SALib.analyze import morris

    rows = []
    for output, y in y_by_output.items():
        if not _usable(y, output, notes):
            continue
        mi = morris.analyze(problem(names, bounds), x, y, num_resamples=RESAMPLES, conf_level=0.95,
                            num_levels=int(info["design"].get("levels", 4)), seed=_bootstrap_seed(info["root_seed"]))
        for j, name in enumerate(names):
            rows.append({"output": output, "parameter": name, "mu": mi["mu"][j], "mu_star": mi["mu_star"][j],
                         "mu_star_conf": mi["mu_star_conf"][j], "sigma": mi["sigma"][j]})
    return pd.DataFrame(rows)



# -- loading a store ----------------------------------------------------------------------------------
@dataclass
class Study:
    """What the analysis of one store works on: its manifest, the design points (``points``, one row
    per point: parameters, then (output, mean/sd/min/max/count) columns), the parameter names and
    bounds, and the :class:`Report` with its counts and notes."""

    info: dict[str, Any]
    report: Report
    points: pd.DataFrame
    names: list[str]
    bounds: list[tuple[float, float]]
    design: pd.DataFrame

    def means(self) -> dict[str, np.ndarray]:
        """Per output, the mean over replicates at each design point, in point order (NaN where none)."""
        return {o: self.points[(o, "mean")].reindex(range(self.report.points)).to_numpy(dtype=float)
                for o in self.report.outputs}


def load(out: str | Path, outputs: list[str] | None = None) -> Study:
    """The sweep (or comparison) stored in ``out``, ready to analyse (InputError if nothing can be)."""
    out = Path(out)
    compared = read_manifest(out, COMPARE_FORMAT)
    if compared is not None:
        return load_comparison(out, compared, outputs)
    info = stored_manifest(out)
    params = info["design"]["parameters"]
    names, bounds = [p["name"] for p in params], [(p["low"], p["high"]) for p in params]
    runs = read_runs(out)
    design = pd.read_parquet(out / DESIGN)
    wide, chosen = responses(out, runs, outputs)
    report = Report(folder=out / "analysis", name=info["experiment"]["name"], kind=info["design"]["kind"],
                    total=int(info["runs"]), ok=int((runs["status"] == "ok").sum()),
                    failed=int((runs["status"] == "failed").sum()), points=int(info["design"]["points"]),
                    replicates=int(info["design"]["replicates"]), outputs=chosen)
    check_complete(out, report, len(runs), "the sweep", "alignsim sweep --resume")
    if not chosen:
        raise InputError(str(out), "has no single-number outputs to analyse (only time series); query its "
                         "metrics table directly (docs/sweeps.md)")
    points = point_table(wide, design, names, chosen)
    return Study(info=info, report=report, points=points, names=names, bounds=bounds, design=design)


def check_complete(out: Path, report: Report, stored: int, what: str, resume: str) -> None:
    """InputError if no run succeeded; a note if some are missing."""
    if report.ok == 0:
        raise InputError(str(out), f"has no successful run yet ({stored} of {report.total} runs stored); "
                         "nothing to analyse")
    if report.ok + report.failed < report.total:
        report.notes.append(f"{what} is incomplete ({report.ok + report.failed} of {report.total} runs); "
                            f"{resume} finishes it")


def load_comparison(out: Path, info: dict[str, Any], outputs: list[str] | None = None) -> Study:
    """A comparison's store: per scenario or leverage variant, each KPI's window mean over the
    replicates (mean, sd, min, max, n); its kind is ``compare`` and it has no parameter bounds."""
    runs = engine_store.read_runs(out)
    design = runs[["point", *COMPARE_COLUMNS]].drop_duplicates("point").sort_values("point")
    wide, chosen = responses(out, runs, outputs)
    report = Report(folder=out / "analysis", name=" vs ".join(s["name"] for s in info["scenarios"]), kind="compare",
                    total=int(info["runs"]), ok=int((runs["status"] == "ok").sum()),
                    failed=int((runs["status"] == "failed").sum()), points=len(design),
                    replicates=int(info["replicates"]), outputs=chosen)
    check_complete(out, report, len(runs), "the comparison", "alignsim compare ... --resume")
    points = point_table(wide, design, COMPARE_COLUMNS, chosen)
    return Study(info=info, report=report, points=points, names=list(COMPARE_COLUMNS), bounds=[], design=design)
