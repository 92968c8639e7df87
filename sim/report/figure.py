"""The KPI figure (a 2x3 grid over time) and the KPI summary table of one run.

Both read only the run's series (one row per step, a ``step`` column plus KPI columns); a KPI
column the model does not report is skipped, so new or renamed columns never break a report.
Figures are built with :class:`matplotlib.figure.Figure` directly: no pyplot, no backend switch,
no global state (``fig.savefig`` renders with Agg).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.model.kpis import COMPARED, FRICTION_CAUSES, ROLL, SMOOTHED, kpi


def _steps(series: pd.DataFrame) -> pd.Series:
    return series["step"] if "step" in series else pd.Series(range(len(series)), index=series.index)


def _name(col: str) -> str:
    """A KPI's label with its unit on axes and how the chart smooths it."""
    k = kpi(col)
    return f"{k.chart_title} ({k.axis_unit}{SMOOTHED[k.smooth]})" if k else col


def _plot(ax: Axes, x: pd.Series, series: pd.DataFrame, col: str, **style: Any) -> list:
    """Plot one KPI if present, smoothed as it declares (raw, rolling mean or rolling sum)."""
    if col not in series:
        return []
    y = series[col].astype(float)
    k = kpi(col)
    smooth = k.smooth if k else "raw"
    if smooth != "raw":
        rolled = y.rolling(ROLL, min_periods=1)
        y = rolled.mean() if smooth == "mean" else rolled.sum()
    return ax.plot(x, y, label=_name(col), lw=1.3, **style)


def _legend(ax: Axes, handles: list) -> None:
    if handles:
        ax.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="best", framealpha=0.8)


def _event_text(ev: Any) -> tuple[int, int, str]:
    """(step, duration, label) of a scenario event (a params event object or a dict)."""
    get = ev.get if isinstance(ev, dict) else (lambda k, d=None: getattr(ev, k, d))
    step, kind, label = int(get("step", 0)), get("type", ""), get("label", "") or ""
    if kind == "shock":
        return step, int(get("duration", 1)), label or f"shock +{get('pressure', 0):g}"
    scope = get("scope", None)
    where = ""
    if scope is not None:
        sget = scope.get if isinstance(scope, dict) else (lambda k, d=None: getattr(scope, k, d))
        named = sget("division", None) or sget("manager", None)
        where = f" ({named})" if named else ""
    return step, 0, label or f"{get('lever', 'lever')} → {get('value', 0):g}{where}"


def _mark_events(axes: Sequence[Axes], events: Iterable[Any], label_axes: Sequence[Axes]) -> None:
    for ev in events:
        step, duration, text = _event_text(ev)
        for ax in axes:
            ax.axvline(step, color="0.35", ls="--", lw=0.8, zorder=0)
            if duration:
                ax.axvspan(step, step + duration, color="tab:red", alpha=0.07, lw=0, zorder=0)
        for ax in label_axes:
            ax.text(step, 0.98, f" {text}", transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="left", fontsize=7, color="0.25")


def _friction(ax: Axes, x: pd.Series, series: pd.DataFrame) -> None:
    causes = [c for c in FRICTION_CAUSES if c.column in series]
    if causes:
        smooth = series[[c.column for c in causes]].astype(float).rolling(ROLL, min_periods=1).mean()
        ax.stackplot(x, smooth.T.to_numpy(), labels=[c.label for c in causes], colors=[c.colour for c in causes],
                     alpha=0.85)
    _plot(ax, x, series, "friction_index", color="black")
    total = kpi("friction_index")
    ax.set_title(f"{total.chart_title} by cause ({ROLL}-day mean)", fontsize=9)
    ax.set_ylabel(total.axis_unit, fontsize=8)
    ax.legend(fontsize=6, loc="upper left", framealpha=0.8)


def _pair(ax: Axes, x: pd.Series, series: pd.DataFrame, left: str, right: str, title: str, twin: bool) -> None:
    """Two KPIs on one panel, the second on a twin y axis when ``twin``."""
    handles = _plot(ax, x, series, left, color="tab:blue")
    other = ax.twinx() if twin else ax
    handles += _plot(other, x, series, right, color="tab:orange")
    if twin:
        ax.set_ylabel(_name(left), fontsize=8, color="tab:blue")
        other.set_ylabel(_name(right), fontsize=8, color="tab:orange")
        other.tick_params(labelsize=7)
    ax.set_title(title, fontsize=9)
    _legend(ax, handles)


def kpi_figure(series: pd.DataFrame, title: str, events: Iterable[Any] | None = None) -> Figure:
    """A 2x3 grid of the main KPIs over time, with the scenario's events marked.

    ``events``: the scenario's ``params.events`` (shocks are shaded over their duration, lever
    changes drawn as dashed lines, each labelled). Save with ``fig.savefig("kpis.png")``.
    """
    fig = Figure(figsize=(15, 8.5), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True)
    x = _steps(series)
    _friction(axes[0, 0], x, series)
    _pair(axes[0, 1], x, series, "satisfaction", "retention", "Customers: satisfaction and retention", False)
    axes[0, 1].set_ylim(0, 1.02)
    _pair(axes[0, 2], x, series, "pivots", "alignment", "Leadership: pivots and alignment", True)
    _pair(axes[1, 0], x, series, "escalations", "decision_latency", "Decisions: escalations and latency", True)
    _pair(axes[1, 1], x, series, "fatigue", "engagement", "People: fatigue and engagement", False)
    axes[1, 1].set_ylim(0, 1.02)
    _pair(axes[1, 2], x, series, "effort", "value", "Work: effort and value", False)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes[1]:
        ax.set_xlabel("day", fontsize=8)
    _mark_events(list(axes.flat), events or (), list(axes[0]))
    fig.suptitle(title, fontsize=11)
    return fig


# -- summary table ------------------------------------------------------------------------------------
COLLAPSE_SHARE = 0.25  # a run that loses more of its customer base is flagged in the summary (issue 11)


def summary_table(series: pd.DataFrame, window: int = 30) -> list[tuple[str, float]]:
    """The KPI summary of a run as ``(kpi, value)`` rows: every compared KPI of
    :mod:`sim.model.kpis`, in table order.

    Levels are means over the last ``window`` days (or the whole run when shorter); counts are
    totals over the run; retention and headcount are final values (as each KPI declares). Step 0
    (the initial state) is left out. KPIs the series lacks are skipped.
    """
    run = series[series["step"] > 0] if "step" in series else series
    if run.empty:
        run = series
    n = min(window, len(run))
    tail = run.tail(n)
    rows: list[tuple[str, float]] = []
    suffix = {"mean": f" ({n}-day mean)", "total": " (total)", "final": ""}  # final labels say "(last day)"
    for k in COMPARED:
        if k.column not in run:
            continue
        values = (tail if k.how == "mean" else run)[k.column].astype(float)
        value = {"mean": values.mean(), "total": values.sum(), "final": values.iloc[-1]}[k.how]
        rows.append((k.label + suffix[k.how], float(value)))
    lost = float(run["customers_lost_share"].iloc[-1]) if "customers_lost_share" in run else 0.0
    if lost > COLLAPSE_SHARE:
        rows.append((f"COLLAPSE: over {COLLAPSE_SHARE:.0%} of the customer base lost; the KPIs above are survivors'",
                     lost))
    if "effort" in run and "value" in run:
        effort = float(run["effort"].sum())
        rows.append(("value / effort", float(run["value"].sum()) / effort if effort > 0 else 0.0))
    return rows


def _fmt(label: str, value: float) -> str:
    """Totals and headcounts as (whole) numbers with thousands separators; levels to 3 decimals."""
    if label.endswith("(total)") or label.startswith("headcount"):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return f"{value:,.3f}"


def format_summary(rows: Sequence[tuple[str, float]]) -> str:
    """``rows`` of :func:`summary_table` as aligned text, one KPI a line."""
    width = max((len(k) for k, _ in rows), default=0)
    values = [_fmt(k, v) for k, v in rows]
    vwidth = max((len(v) for v in values), default=0)
    return "\n".join(f"{k:<{width}}  {v:>{vwidth}}" for (k, _), v in zip(rows, values, strict=True))
