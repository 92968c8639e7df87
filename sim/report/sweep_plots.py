"""Figures of a sweep's analysis: index bars, Morris screening, response plots and grid heatmaps.

Built with :class:`matplotlib.figure.Figure` directly (no pyplot, no global state); each function
returns a Figure that the caller saves.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.model.kpis import kpi

MAX_ERRORBARS = 400  # beyond this many points a response plot shows means only


def describe(output: str) -> str:
    """An output as its KPI's label and unit (``col`` or ``col.stat``; other outputs as named)."""
    column, _, stat = output.partition(".")
    k = kpi(column)
    if k is None:
        return output
    return f"{k.label}{f' ({stat})' if stat else ''}, {k.unit}"


def sobol_bars(table: pd.DataFrame, output: str) -> Figure:
    """First-order and total indices of one output, with their bootstrap 95% intervals."""
    rows = table[table["output"] == output]
    y = np.arange(len(rows))
    fig = Figure(figsize=(7, 1.2 + 0.5 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order S1", capsize=3)
    ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total ST", capsize=3)
    ax.set_yticks(y, rows["parameter"])
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("Sobol index (bars: 95% bootstrap interval)")
    ax.set_title(f"Sobol indices of {output}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def morris_screen(table: pd.DataFrame, output: str) -> Figure:
    """Morris screening: mu* (importance) against sigma (non-linearity and interactions)."""
    rows = table[table["output"] == output]
    fig = Figure(figsize=(6.5, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=3)
    for _, r in rows.iterrows():
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), textcoords="offset points", xytext=(5, 4),
                    fontsize="small")
    top = float(max(rows["mu_star"].max(), rows["sigma"].max(), 1e-12))
    ax.plot([0, top], [0, top], ls=":", color="grey", lw=1, label="sigma = mu*")
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (sd of elementary effects)")
    ax.set_title(f"Morris screening of {output}")
    ax.legend(fontsize="small")
    return fig


def response(points: pd.DataFrame, names: list[str], output: str) -> Figure:
    """``output`` against each parameter: the mean over replicates, bars from min to max."""
    n = len(names)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(4.5 * cols, 3.4 * rows), layout="constrained")
    mean, lo, hi = points[(output, "mean")], points[(output, "min")], points[(output, "max")]
    spread = bool((hi - lo).abs().max() > 0) and len(points) <= MAX_ERRORBARS
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, k + 1)
        x = points[(name, "")]
        if spread:
            ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], fmt="o", ms=3, lw=0.8, capsize=2, alpha=0.7)
        else:
            ax.plot(x, mean, "o", ms=2.5, alpha=0.6)
        ax.set_xlabel(name)
        ax.set_ylabel(describe(output), fontsize="small")
    note = "; bars: min to max over replicates" if spread else ""
    fig.suptitle(f"{output} against each parameter (mean over replicates{note})")
    return fig


def heatmap(grid: pd.DataFrame, x: str, y: str, output: str, averaged: list[str]) -> Figure:
    """Mean ``output`` over a grid of two parameters (``grid``: rows y levels, columns x levels)."""
    fig = Figure(figsize=(6.5, 5.2), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    values = grid.to_numpy(dtype=float)
    if values.size <= 144:
        middle = np.nanmean(values)
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize="x-small",
                        color="white" if v < middle else "black")
    fig.colorbar(image, ax=ax, label=describe(output))
    extra = f" (averaged over {', '.join(averaged)})" if averaged else ""
    ax.set_title(f"mean {output} over replicates{extra}", fontsize="medium")
    return fig
