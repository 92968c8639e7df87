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

NOT_CAUSES = ("friction_index", "friction_seen")
ROLL = 7  # days of the rolling windows that smooth daily counts


def _steps(series: pd.DataFrame) -> pd.Series:
    return series["step"] if "step" in series else pd.Series(range(len(series)), index=series.index)


def _plot(ax: Axes, x: pd.Series, series: pd.DataFrame, col: str, label: str, how: str = "raw",
          **style: Any) -> list:
    """Plot one KPI if present: raw, rolling mean or rolling sum over ``ROLL`` days."""
    if col not in series:
        return []
    y = series[col].astype(float)
    if how == "mean":
        y = y.rolling(ROLL, min_periods=1).mean()
    elif how == "sum":
        y = y.rolling(ROLL, min_periods=1).sum()
    return ax.plot(x, y, label=label, lw=1.3, **style)


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
    causes = [c for c in series.columns if c.startswith("friction_") and c not in NOT_CAUSES]
    if causes:
        smooth = series[causes].astype(float).rolling(ROLL, min_periods=1).mean()
        ax.stackplot(x, smooth.T.to_numpy(), labels=[c.removeprefix("friction_").replace("_", " ")
                                                     for c in causes], alpha=0.75)
    _plot(ax, x, series, "friction_index", "friction index", "mean", color="black")
    ax.set_title(f"Customer friction by cause ({ROLL}-day mean)", fontsize=9)
    ax.set_ylabel("friction units / 100 customers", fontsize=8)
    ax.legend(fontsize=6, loc="upper left", framealpha=0.8)


def _pair(ax: Axes, x: pd.Series, series: pd.DataFrame, left: tuple, right: tuple, title: str) -> None:
    """Two KPIs on one panel, the second on a twin y axis when ``right`` says so."""
    handles = _plot(ax, x, series, left[0], left[1], left[2], color="tab:blue")
    other = ax.twinx() if right[3] else ax
    handles += _plot(other, x, series, right[0], right[1], right[2], color="tab:orange")
    if right[3]:
        ax.set_ylabel(left[1], fontsize=8, color="tab:blue")
        other.set_ylabel(right[1], fontsize=8, color="tab:orange")
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
    _pair(axes[0, 1], x, series, ("satisfaction", "satisfaction", "raw"),
          ("retention", "retention", "raw", False), "Customers: satisfaction and retention")
    axes[0, 1].set_ylim(0, 1.02)
    _pair(axes[0, 2], x, series, ("pivots", f"pivots ({ROLL}-day sum)", "sum"),
          ("alignment", "alignment", "raw", True), "Leadership: pivots and alignment")
    _pair(axes[1, 0], x, series, ("escalations", f"escalations ({ROLL}-day mean)", "mean"),
          ("decision_latency", f"decision latency (days, {ROLL}-day mean)", "mean", True),
          "Decisions: escalations and latency")
    _pair(axes[1, 1], x, series, ("fatigue", "fatigue", "raw"),
          ("engagement", "engagement", "raw", False), "People: fatigue and engagement")
    axes[1, 1].set_ylim(0, 1.02)
    _pair(axes[1, 2], x, series, ("effort", f"effort ({ROLL}-day mean)", "mean"),
          ("value", f"value ({ROLL}-day mean)", "mean", False), "Work: effort and value (person-days/day)")
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
    """The KPI summary of a run as ``(kpi, value)`` rows.

    Levels are means over the last ``window`` days (or the whole run when shorter); counts are
    totals over the run; retention and headcount are final values. Step 0 (the initial state) is
    left out. KPIs the series lacks are skipped.
    """
    run = series[series["step"] > 0] if "step" in series else series
    if run.empty:
        run = series
    n = min(window, len(run))
    tail = run.tail(n)
    rows: list[tuple[str, float]] = []

    def add(label: str, col: str, how: str) -> None:
        if col not in run:
            return
        values = (tail if how == "mean" else run)[col].astype(float)
        value = {"mean": values.mean(), "total": values.sum(), "final": values.iloc[-1]}[how]
        rows.append((label, float(value)))

    mean = f"({n}-day mean)"
    add(f"friction index {mean}", "friction_index", "mean")
    add(f"wait, mean, days {mean}", "wait_mean", "mean")
    add(f"wait, p90, days {mean}", "wait_p90", "mean")
    add(f"satisfaction {mean}", "satisfaction", "mean")
    add("retention (final)", "retention", "final")
    add("customers churned (total)", "churned", "total")
    add("customers lost, share of the base (final)", "customers_lost_share", "final")
    if "customers_lost_share" in run and float(run["customers_lost_share"].iloc[-1]) > COLLAPSE_SHARE:
        rows.append((f"COLLAPSE: over {COLLAPSE_SHARE:.0%} of the customers lost; the KPIs above are survivors'",
                     float(run["customers_lost_share"].iloc[-1])))
    add("pivots (total)", "pivots", "total")
    add(f"alignment {mean}", "alignment", "mean")
    add("escalations (total)", "escalations", "total")
    add(f"decision latency, days {mean}", "decision_latency", "mean")
    add(f"meeting load, share {mean}", "meeting_load", "mean")
    add(f"fatigue {mean}", "fatigue", "mean")
    add(f"engagement {mean}", "engagement", "mean")
    add("attrition, leavers (total)", "attrition", "total")
    add("headcount (final)", "headcount", "final")
    add("effort, person-days (total)", "effort", "total")
    add("value, person-days (total)", "value", "total")
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
