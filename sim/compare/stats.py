"""Per-KPI statistics of a comparison: means and 95% t intervals over replicates, differences
from the first (reference) scenario paired by replicate, relative changes.

Method (stated in every report by :func:`method_text`):

- Each replicate gives one number per KPI: the mean over the analysis window (levels and rates),
  the total over the window (counts), or the value on the window's last day (retention,
  headcount), as each KPI declares in :mod:`sim.model.kpis`.
- Mean and 95% interval over the n replicates: Student's t interval, ``mean ± t(0.975, n-1) ·
  s / sqrt(n)``.
- Difference from the reference: replicate i of every scenario ran with the same seed (common
  random numbers), so the differences ``d_i = y_i - x_i`` are paired; their mean and t interval
  (n - 1 degrees of freedom) give the difference and its 95% interval. Pairing removes the
  run-to-run noise the two scenarios share, so the interval is narrower than an unpaired one
  (:func:`welch_interval`, kept for comparison) whenever the replicates are positively correlated.
- Relative change ``R - 1`` with ``R = mean(y) / mean(x)``; its interval by the delta method for
  a ratio of paired means: ``se(R) = sd(y_i - R x_i) / (sqrt(n) · mean(x))``, with the same t
  quantile. Undefined (NaN) when the reference mean is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # Student t quantile; much lighter to import than scipy.stats

from sim.model.kpis import CAUSE_KPIS, COMPARED, Kpi

LEVEL = 0.95


def kpis_for(columns: list[str]) -> list[Kpi]:
    """The compared KPIs (:data:`sim.model.kpis.COMPARED`) present among ``columns``, then one
    ``friction_<cause>`` KPI per cause column present."""
    present = set(columns)
    return [k for k in (*COMPARED, *CAUSE_KPIS) if k.column in present]


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    n: int

    @property
    def excludes_zero(self) -> bool:
        return bool(np.isfinite(self.low) and (self.low > 0 or self.high < 0))


def t_quantile(n: int, level: float = LEVEL) -> float:
    """The two-sided Student t quantile for ``n`` values (``n - 1`` degrees of freedom); NaN below 2."""
    return float(stdtrit(n - 1, 0.5 + level / 2)) if n >= 2 else float("nan")


def t_interval(x, level: float = LEVEL) -> Interval:
    """Mean of ``x`` with its Student t interval (NaN bounds for fewer than 2 values)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    mean = float(x.mean()) if n else float("nan")
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), n)
    half = t_quantile(n, level) * float(x.std(ddof=1)) / np.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def paired_difference(reference, other, level: float = LEVEL) -> Interval:
    """Mean of ``other - reference`` over paired replicates, with its t interval."""
    x, y = np.asarray(reference, dtype=float), np.asarray(other, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired samples need the same length, got {x.size} and {y.size}")
    return t_interval(y - x, level)


def welch_interval(reference, other, level: float = LEVEL) -> Interval:
    """Unpaired (Welch) interval of ``mean(other) - mean(reference)``; for comparison only."""
    x, y = np.asarray(reference, dtype=float), np.asarray(other, dtype=float)
    nx, ny = x.size, y.size
    diff = float(y.mean() - x.mean())
    if nx < 2 or ny < 2:
        return Interval(diff, float("nan"), float("nan"), min(nx, ny))
    vx, vy = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    se = np.sqrt(vx + vy)
    if se == 0:
        return Interval(diff, diff, diff, min(nx, ny))
    df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    half = float(stdtrit(df, 0.5 + level / 2)) * se
    return Interval(diff, diff - half, diff + half, min(nx, ny))


def relative_change(reference, other, level: float = LEVEL) -> Interval:
    """``mean(other) / mean(reference) - 1`` with its delta-method t interval (paired replicates)."""
    x, y = np.asarray(reference, dtype=float), np.asarray(other, dtype=float)
    n = x.size
    mx = float(x.mean()) if n else 0.0
    if n == 0 or mx == 0:
        return Interval(float("nan"), float("nan"), float("nan"), n)
    ratio = float(y.mean()) / mx
    if n < 2:
        return Interval(ratio - 1, float("nan"), float("nan"), n)
    z = y - ratio * x
    half = t_quantile(n, level) * float(z.std(ddof=1)) / (np.sqrt(n) * abs(mx))
    return Interval(ratio - 1, ratio - 1 - half, ratio - 1 + half, n)


def at_least_minus_one(rel: Interval) -> Interval:
    """A relative change of a quantity that cannot be negative (every KPI of the model) is at
    least -100%: clip the symmetric delta-method interval there."""
    if rel.low < -1:
        return Interval(rel.estimate, -1.0, max(rel.high, -1.0), rel.n)
    return rel


# -- per-replicate KPI values ----------------------------------------------------------------------
def replicate_values(series: pd.DataFrame, window: tuple[int, int], keys: tuple[str, ...] = ("scenario", "replicate"),
                     kpis: list[Kpi] | None = None) -> pd.DataFrame:
    """One row per run (``keys``) and one column per KPI: the run's summary over ``window``
    (first and last day, inclusive)."""
    kpis = kpis if kpis is not None else kpis_for(list(series.columns))
    start, end = window
    inside = series[(series["step"] >= start) & (series["step"] <= end)]
    groups = inside.sort_values([*keys, "step"]).groupby(list(keys), sort=False)
    out = {}
    for k in kpis:
        col = groups[k.column]
        out[k.column] = {"mean": col.mean, "total": col.sum, "final": col.last}[k.how]()
    return pd.DataFrame(out).reset_index()


def kpi_table(values: pd.DataFrame, scenarios: list[str], kpis: list[Kpi]) -> pd.DataFrame:
    """The KPI table: per KPI and scenario, mean and interval; for scenarios after the first,
    the paired difference from the first and the relative change, each with its interval."""
    rows = []
    ref_name = scenarios[0]
    ref = values[values["scenario"] == ref_name].sort_values("replicate")
    for k in kpis:
        for name in scenarios:
            run = values[values["scenario"] == name].sort_values("replicate")
            level = t_interval(run[k.column])
            row = {"kpi": k.column, "label": k.label, "unit": k.unit, "summary": k.how, "better": k.better,
                   "scenario": name, "n": level.n, "mean": level.estimate, "ci_low": level.low,
                   "ci_high": level.high, "reference": ref_name}
            if name != ref_name:
                if list(run["replicate"]) != list(ref["replicate"]):
                    raise ValueError(f"scenario {name!r} and {ref_name!r} have different replicates; cannot pair")
                diff = paired_difference(ref[k.column], run[k.column])
                rel = relative_change(ref[k.column], run[k.column])
                rel = at_least_minus_one(rel)
                row |= {"diff": diff.estimate, "diff_low": diff.low, "diff_high": diff.high,
                        "rel": rel.estimate, "rel_low": rel.low, "rel_high": rel.high,
                        "clear": rel.excludes_zero if np.isfinite(rel.estimate) else diff.excludes_zero}
            else:
                row |= dict.fromkeys(("diff", "diff_low", "diff_high", "rel", "rel_low", "rel_high"), np.nan)
                row["clear"] = False
            rows.append(row)
    return pd.DataFrame(rows)


def method_text(n: int, window: tuple[int, int]) -> str:
    """One paragraph stating the method and n, for reports and tables."""
    return (f"Each scenario ran {n} replicate{'s' if n != 1 else ''}; replicate i of every scenario used the "
            f"same seed (common random numbers). Each KPI is summarised per replicate over days "
            f"{window[0]}-{window[1]} (mean, total or last-day value). Intervals are 95% Student t intervals "
            f"over replicates (n = {n}, {max(n - 1, 0)} degrees of freedom); differences from the first scenario "
            "are paired by replicate; relative changes use the delta method for a ratio of paired means.")
