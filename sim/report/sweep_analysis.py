"""``alignsim analyze OUT``: writes ``OUT/analysis/`` (replacing an earlier analysis) from the
analysis of a results store (:mod:`sim.sweep.analysis`, which computes; this module writes and draws).

- ``points.csv``: each design point's parameters and, per output, the mean, sd, min, max and
  count of its replicates (ok runs only); for a comparison's store, that is all;
- Sobol designs: ``sobol.csv`` (output, parameter, S1, S1_conf, ST, ST_conf; ``*_conf`` is the
  half-width of the 95% bootstrap interval) and, with second order, ``sobol_s2.csv``; one bar
  plot per output;
- Morris designs: ``morris.csv`` (mu, mu*, its 95% interval, sigma) and a mu*-sigma plot per output;
- every design: ``response-<output>.png``, the output against each parameter;
- grid designs: ``heatmap-<output>[-<x>-x-<y>].png``, the mean output over each pair of
  parameters.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd

from sim.report import sweep_plots as plots
from sim.sweep.analysis import Report, Study, flat_points, load, morris_indices, sobol_indices

MAX_HEATMAP_PAIRS = 6

__all__ = ["MAX_HEATMAP_PAIRS", "Report", "analyze", "slug"]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", text).replace("@", "_in_")


def analyze(out: str | Path, outputs: list[str] | None = None) -> Report:
    """Analyse the sweep (or comparison) stored in ``out``; write ``out/analysis/`` (replacing an
    earlier analysis)."""
    out = Path(out)
    study = load(out, outputs)
    _replace_analysis(out, study.report, lambda tmp: _write(tmp, study))
    return study.report


def _save(fig, folder: Path, name: str, files: list[str]) -> None:
    fig.savefig(folder / name, dpi=100)
    files.append(name)


def _heatmaps(points: pd.DataFrame, names: list[str], outputs: list[str], folder: Path, files: list[str]) -> None:
    pairs = list(itertools.combinations(range(len(names)), 2))[:MAX_HEATMAP_PAIRS]
    for output in outputs:
        for i, j in pairs:
            x, y = names[i], names[j]
            frame = pd.DataFrame({"x": points[(x, "")], "y": points[(y, "")], "v": points[(output, "mean")]})
            grid = frame.pivot_table(index="y", columns="x", values="v", aggfunc="mean")
            averaged = [n for n in names if n not in (x, y)]
            suffix = "" if len(names) == 2 else f"-{slug(x)}-x-{slug(y)}"
            _save(plots.heatmap(grid, x, y, output, averaged), folder, f"heatmap-{slug(output)}{suffix}.png", files)


def _csv(table, folder: Path, name: str, files: list[str]) -> None:
    table.to_csv(folder / name, index=False, lineterminator="\n")
    files.append(name)


def _indices(report: Report, table, kind: str, plot, folder: Path) -> None:
    """Keep a sensitivity table on the report and write it with one figure per output."""
    report.indices = table
    if not table.empty:
        _csv(table, folder, f"{kind}.csv", report.files)
        for output in dict.fromkeys(table["output"]):
            _save(plot(table, output), folder, f"{kind}-{slug(output)}.png", report.files)


def _write(folder: Path, study: Study) -> None:
    report, info, points, names, bounds = study.report, study.info, study.points, study.names, study.bounds
    kind, files, outputs = report.kind, report.files, report.outputs
    _csv(flat_points(points), folder, "points.csv", files)
    if kind == "compare":
        return
    if kind == "sobol":
        table, pairs = sobol_indices(info, names, bounds, study.means(), report.notes)
        _indices(report, table, "sobol", plots.sobol_bars, folder)
        if not pairs.empty:
            _csv(pairs, folder, "sobol_s2.csv", files)
    elif kind == "morris":
        x = study.design.sort_values("point")[names].to_numpy(dtype=float)
        table = morris_indices(info, names, bounds, x, study.means(), report.notes)
        _indices(report, table, "morris", plots.morris_screen, folder)
    observed = points.dropna(subset=[(o, "mean") for o in outputs], how="all")
    for output in outputs:
        _save(plots.response(observed.dropna(subset=[(output, "mean")]), names, output), folder,
              f"response-{slug(output)}.png", files)
    if kind == "grid" and len(names) >= 2:
        _heatmaps(observed, names, outputs, folder, files)


def _replace_analysis(out: Path, report: Report, fill) -> None:
    """Write ``out/analysis/`` into a temporary sibling with ``fill``, then swap it into place."""
    tmp = out / f".analysis.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        fill(tmp)
        old = out / f".analysis.old-{os.getpid()}-{time.time_ns()}"
        if report.folder.exists():
            os.replace(report.folder, old)
        os.replace(tmp, report.folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
