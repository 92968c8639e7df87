"""Figures of a comparison (matplotlib ``Figure`` objects: no pyplot, no global state).

- :func:`timeseries_figure`: main KPIs over time, one line per scenario (mean over replicates of
  each replicate's 7-day rolling mean) with its 95% t band, events marked;
- :func:`change_figure`: relative change of the headline KPIs against the reference, with 95%
  intervals;
- :func:`attribution_figure`: friction shares by cause, and friction at the top units;
- :func:`leverage_figure`: effect on the leverage KPI (customer friction) of raising or lowering each CORE lever.

Event markers take any event with ``type``, ``step`` and optionally ``duration`` and ``label``
(shocks, lever changes and named interventions alike).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.compare.stats import t_quantile
from sim.model.kpis import ROLL, SMOOTHED, cause, cause_label, kpi

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
PANELS = ("friction_index", "satisfaction", "wait_mean", "decision_latency", "fatigue", "retention")
HEADLINE = ("friction_index", "wait_mean", "wait_p90", "satisfaction", "retention", "churned", "decision_latency",
            "escalations", "meeting_load", "alignment", "rework_share", "fatigue", "engagement", "attrition")


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


# -- events ----------------------------------------------------------------------------------------
def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def event_text(ev: Any) -> str:
    """A short label: the event's own label, else its type and what it sets, with its scope."""
    label = _get(ev, "label") or ""
    if label:
        return str(label)
    kind = str(_get(ev, "type", "event"))
    if kind == "shock":
        text = f"shock +{_get(ev, 'pressure', 0):g}"
    elif kind == "lever":
        text = f"{_get(ev, 'lever', 'lever')} → {_get(ev, 'value', 0):g}"
    else:
        value = _get(ev, "value")
        text = kind.replace("-", " ") + (f" {value:g}" if isinstance(value, int | float) else "")
    scope = _get(ev, "scope") or {}
    named = _get(scope, "division") or _get(scope, "manager")
    return f"{text} ({named})" if named else text


def event_marks(scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct events over the scenarios' parameters: step, duration (or None), text and the
    scenarios (indices) that have it, by step."""
    marks: dict[tuple, dict[str, Any]] = {}
    for i, s in enumerate(scenarios):
        for ev in s.get("params", {}).get("events", []):
            step = _get(ev, "step")
            if step is None:
                continue
            duration = _get(ev, "duration")
            text = event_text(ev)
            key = (int(step), duration, text, str(_get(ev, "type")))
            marks.setdefault(key, {"step": int(step), "duration": duration, "text": text, "in": []})["in"].append(i)
    return sorted(marks.values(), key=lambda m: (m["step"], m["text"]))


def _mark(axes: list[Axes], marks: list[dict[str, Any]], n: int, steps: int, label_axes: list[Axes]) -> None:
    for m in marks:
        everywhere = len(m["in"]) == n
        color = "0.3" if everywhere else COLORS[m["in"][0] % len(COLORS)]
        span = "#f0a030" if everywhere else color
        for ax in axes:
            ax.axvline(m["step"], color=color, ls="--", lw=0.8, zorder=0)
            if m["duration"]:
                ax.axvspan(m["step"], min(m["step"] + m["duration"], steps), color=span, alpha=0.1, lw=0, zorder=0)
        for ax in label_axes:
            ax.text(m["step"], 0.98, f" {m['text']}", transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="left", fontsize=7, color=color)


# -- time series -----------------------------------------------------------------------------------
def band(series: pd.DataFrame, column: str, smooth: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(steps, mean, low, high) over the replicates of one scenario's series, each replicate
    smoothed first (``smooth``: ``raw``, ``mean`` or ``sum`` over ``ROLL`` days)."""
    wide = series.pivot(index="step", columns="replicate", values=column).sort_index().astype(float)
    if smooth != "raw":
        rolled = wide.rolling(ROLL, min_periods=1)
        wide = rolled.mean() if smooth == "mean" else rolled.sum()
    arr = wide.to_numpy()
    n = arr.shape[1]
    mean = arr.mean(axis=1)
    if n >= 2:
        half = t_quantile(n) * arr.std(axis=1, ddof=1) / np.sqrt(n)
    else:
        half = np.zeros_like(mean)
    return wide.index.to_numpy(), mean, mean - half, mean + half


def timeseries_figure(series: pd.DataFrame, scenarios: list[str], manifest: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(14, 7.8), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True)
    steps = int(manifest["steps"])
    for ax, col in zip(axes.flat, PANELS, strict=True):
        k = kpi(col)
        ax.set_title(f"{k.chart_title} ({k.axis_unit}){SMOOTHED[k.smooth]}", fontsize=9)
        if col not in series:
            ax.text(0.5, 0.5, "not reported", transform=ax.transAxes, ha="center")
            continue
        for i, name in enumerate(scenarios):
            mine = series[series["scenario"] == name]
            x, mean, low, high = band(mine, col, k.smooth)
            color = COLORS[i % len(COLORS)]
            ax.fill_between(x, low, high, color=color, alpha=0.2, lw=0)
            ax.plot(x, mean, color=color, lw=1.4, label=name)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes[1]:
        ax.set_xlabel("day", fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="upper right", framealpha=0.85)
    a, b = manifest["window"]
    if a > 1:
        for ax in axes.flat:
            ax.axvspan(0, a, facecolor="none", edgecolor="0.75", hatch="//", lw=0, zorder=0)
    _mark(list(axes.flat), event_marks(manifest["scenarios"]), len(scenarios), steps, list(axes[0]))
    fig.suptitle(f"Mean over {manifest['replicates']} replicates with 95% band; analysis window days {a}-{b} "
                 "(earlier days hatched)", fontsize=10)
    return fig


# -- changes -----------------------------------------------------------------------------------------
SIGNIFICANCE = (("clearly better", "#1b7a1b"), ("clearly worse", "#c0392b"), ("clearly changed (neither better "
                "nor worse)", "#1f5fa8"), ("no clear difference", "#8a8f98"))
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")
LINEAR_LIMIT = 150.0  # % : beyond this a symmetric log axis keeps one extreme change from squashing the rest
LOG_FROM = 10.0  # % : the symmetric log axis is linear within ±LOG_FROM


def significance(row: Any) -> str:
    """The colour class of a change: clearly better, clearly worse, clearly changed, or no clear difference."""
    if not bool(row["clear"]):
        return "no clear difference"
    if not row["better"]:
        return SIGNIFICANCE[2][0]
    return "clearly better" if row["rel"] * row["better"] > 0 else "clearly worse"


def _percent(x: float, _pos: Any = None) -> str:
    if x == 0:
        return "0"
    return f"{x:+,.0f}%".replace("-", "−")


def draw_changes(ax: Axes, kpi_table: pd.DataFrame, scenarios: list[str], kpis: tuple[str, ...] = HEADLINE,
                 fontsize: float = 8, compact: bool = False) -> bool:
    """Relative change of ``kpis`` against the first scenario, each later scenario with its own
    marker, coloured by significance, with its 95% interval; a symmetric log axis (linear within
    ±10%) when a change exceeds ±150%. Returns False when there is nothing to draw."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    others = scenarios[1:]
    rows = kpi_table[kpi_table["kpi"].isin(kpis) & kpi_table["scenario"].isin(others)]
    rows = rows[np.isfinite(rows["rel"].astype(float))]
    if rows.empty:
        return False
    shown = [k for k in kpis if k in set(rows["kpi"])]
    y = np.arange(len(shown))[::-1]
    width = 0.8 / len(others)
    colours = dict(SIGNIFICANCE)
    used: set[str] = set()
    extreme = 0.0
    for j, name in enumerate(others):
        mine = rows[rows["scenario"] == name].set_index("kpi")
        for yi, k in zip(y, shown, strict=True):
            if k not in mine.index:
                continue
            r = mine.loc[k]
            pos = yi + (len(others) - 1) / 2 * width - j * width
            sig = significance(r)
            used.add(sig)
            color = colours[sig]
            lo, hi = 100 * float(r["rel_low"]), 100 * float(r["rel_high"])
            if np.isfinite(lo):
                ax.plot([lo, hi], [pos, pos], color=color, lw=2, solid_capstyle="butt")
                extreme = max(extreme, abs(lo), abs(hi))
            ax.plot(100 * float(r["rel"]), pos, MARKERS[j % len(MARKERS)], color=color, ms=6, mec="white", mew=0.6)
            extreme = max(extreme, abs(100 * float(r["rel"])))
    ax.axvline(0, color="0.2", lw=0.8)
    labels = kpi_table.drop_duplicates("kpi").set_index("kpi")["label"]
    ax.set_yticks(y, [labels[k] for k in shown], fontsize=fontsize)
    scale = "linear scale"
    if extreme > LINEAR_LIMIT:
        ax.set_xscale("symlog", linthresh=LOG_FROM, linscale=1.0)
        scale = f"symmetric log scale: linear within ±{LOG_FROM:g}%, logarithmic beyond"
        ax.set_xlim(-100 - 5, max(extreme * 1.3, 200))
    ax.xaxis.set_major_formatter(FuncFormatter(_percent))
    if compact:
        scale = "log beyond ±10%" if extreme > LINEAR_LIMIT else "linear"
        ax.set_xlabel(f"change against {scenarios[0]} (%), 95% interval\n(axis {scale})", fontsize=fontsize)
    else:
        ax.set_xlabel(f"change against {scenarios[0]} (%), 95% interval ({scale})", fontsize=fontsize)
    ax.grid(axis="x", alpha=0.3)
    ax.tick_params(labelsize=fontsize)
    handles = [Line2D([], [], color=c, lw=2, marker="o", ms=5, label=lbl) for lbl, c in SIGNIFICANCE if lbl in used]
    if len(others) > 1:
        handles += [Line2D([], [], color="0.25", lw=0, marker=MARKERS[j % len(MARKERS)], ms=6, label=name)
                    for j, name in enumerate(others)]
    where = dict(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2) if compact else dict(
        loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.legend(handles=handles, fontsize=fontsize - 1, frameon=False, title_fontsize=fontsize - 1,
              title="colour: significance" + ("; marker: scenario" if len(others) > 1 else ""), **where)
    return True


def change_figure(kpi_table: pd.DataFrame, scenarios: list[str]) -> Figure | None:
    others = scenarios[1:]
    n = len([k for k in HEADLINE if k in set(kpi_table["kpi"])])
    fig = Figure(figsize=(10.5, (0.3 + 0.14 * len(others)) * max(n, 3) + 1.4), layout="constrained")
    ax = fig.subplots()
    if not draw_changes(ax, kpi_table, scenarios):
        return None
    who = others[0] if len(others) == 1 else ", ".join(others)
    ax.set_title(f"{who} against {scenarios[0]}", fontsize=9)
    return fig


# -- attribution ---------------------------------------------------------------------------------------
def attribution_figure(causes: pd.DataFrame, top: pd.DataFrame, scenarios: list[str]) -> Figure:
    fig = Figure(figsize=(14, 0.5 * max(len(scenarios), 3) + 3.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1, 1.3))
    y = np.arange(len(scenarios))[::-1]
    start = np.zeros(len(scenarios))
    for key in causes["cause"].drop_duplicates():
        mine = causes[causes["cause"] == key].set_index("scenario").reindex(scenarios)
        share = mine["share"].fillna(0.0).to_numpy()
        left.barh(y, 100 * share, left=100 * start, color=found.colour if (found := cause(key)) else "0.6",
                  label=cause_label(key))
        for yi, s0, s in zip(y, start, share, strict=True):
            if s >= 0.06:
                left.text(100 * (s0 + s / 2), yi, f"{100 * s:.0f}%", ha="center", va="center", fontsize=8,
                          color="white")
        start += share
    left.set_yticks(y, scenarios, fontsize=8)
    left.set_xlim(0, 100)
    left.set_xlabel("share of customer friction (%)", fontsize=8)
    left.set_title("Where friction comes from: causes", fontsize=9)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    units = top.drop_duplicates("id")[["id", "unit_name"]]
    yy = np.arange(len(units))[::-1]
    width = 0.8 / len(scenarios)
    for j, name in enumerate(scenarios):
        mine = top[top["scenario"] == name].set_index("id").reindex(units["id"])
        right.barh(yy + (len(scenarios) - 1) / 2 * width - j * width, mine["friction"].fillna(0.0), height=width,
                   color=COLORS[j % len(COLORS)], label=name)
    right.set_yticks(yy, [n if len(n) <= 38 else n[:36] + "…" for n in units["unit_name"]], fontsize=8)
    right.set_xlabel("friction originated in the window (friction units, mean per replicate)", fontsize=8)
    right.set_title("Where friction comes from: the units where most originates", fontsize=9)
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    return fig


# -- leverage ----------------------------------------------------------------------------------------------
def leverage_figure(table: pd.DataFrame, scenario: str, delta: float, label: str) -> Figure:
    """Effect on the leverage KPI (``label``) of raising and lowering each lever, with 95% intervals."""
    fig = Figure(figsize=(9, 0.55 * len(table) + 1.6), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(table))[::-1]
    for sign, prefix, color, off in (("+", "raise", "#2ca02c", 0.18), ("-", "lower", "#d62728", -0.18)):
        mean = 100 * table[f"{prefix}_rel"].to_numpy(dtype=float)
        lo = 100 * table[f"{prefix}_rel_low"].to_numpy(dtype=float)
        hi = 100 * table[f"{prefix}_rel_high"].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)])
        ax.barh(y + off, mean, height=0.34, color=color, alpha=0.75, xerr=err, capsize=3,
                label=f"{prefix} by {delta:g} ({sign})")
    ax.axvline(0, color="0.2", lw=0.8)
    ax.set_yticks(y, [f"{r.lever} (now {r.base:.2f})" for r in table.itertuples()], fontsize=8)
    ax.set_xlabel(f"change in {label} (%), 95% interval", fontsize=8)
    ax.set_title(f"Leverage around {scenario}: each CORE lever moved by ±{delta:g}, ranked by the effect of "
                 "raising it", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    return fig
