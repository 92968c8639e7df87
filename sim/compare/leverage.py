"""Leverage: around one scenario's settings, which CORE lever moves customer friction most.

Design (one factor at a time, paired replicates):

- the base point is a scenario as written (by default the comparison's first, the reference);
- for each CORE lever L (clarity, ownership, resilience, empathy), two variants set the
  organisation-wide level ``levers.L`` to ``base + delta`` and ``base - delta``, clipped to
  [0, 1] (default ``delta = 0.15``); everything else, events included, is unchanged, so a scoped
  lever event still overrides its scope from its day on;
- every variant runs the same K replicates (the first K seeds of the comparison), so replicate i
  of a variant is paired with replicate i of the base;
- the effect of raising L is the paired difference ``F(base + delta) - F(base)`` of the KPI
  (default: customer friction, mean over the analysis window), with its 95% t interval and its
  relative change (delta method); lowering likewise; the local slope is the paired central
  difference ``(F(high) - F(low)) / (high - low)``, reported per 0.1 of the lever;
- levers are ranked by the effect of raising them (most friction removed first): the answer to
  "where to act first". A lever already at 1 cannot be raised (its raise effect is 0 by
  construction and flagged).

Cost: 8 K extra runs (fewer where a lever sits at a bound). It ignores interactions between
levers (one factor at a time); a sweep (issue 5) covers those.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.compare.stats import at_least_minus_one, paired_difference, relative_change, t_interval
from sim.inputs.space import bounds, set_values
from sim.model.params import CORE_LEVERS, ModelParams

DESIGN = ("One lever at a time: each CORE lever's organisation-wide level is moved up and down by the step "
          "(clipped to 0..1), everything else unchanged, events included; each variant runs the same seeds as the "
          "reference's first replicates, so the effect of a move is the paired difference in customer friction over "
          "the window, with its 95% t interval. Levers are ranked by the effect of raising them; the slope is the "
          "paired central difference per +0.1. Interactions between levers are not estimated.")
CORE = CORE_LEVERS  # the levers moved, in table order
DELTA = 0.15
KPI = "friction_index"


def variants(params: ModelParams, delta: float = DELTA) -> list[tuple[str, str, float, ModelParams]]:
    """(lever, direction "+"/"-", level, parameters) for each variant that differs from the base."""
    out = []
    for lever in CORE:
        name = f"levers.{lever}"
        _, lo, hi = bounds(name)
        base = float(getattr(params.levers, lever))
        for direction, level in (("+", min(hi, base + delta)), ("-", max(lo, base - delta))):
            level = round(level, 10)
            if level == base:
                continue
            out.append((lever, direction, level, set_values(params.model_dump(mode="json"), {name: level})))
    return out


def leverage_table(base: pd.DataFrame, runs: pd.DataFrame, levels: dict[str, float], kpi: str = KPI,
                   delta: float = DELTA) -> pd.DataFrame:
    """The ranked leverage table.

    ``base``: the base scenario's per-replicate KPI values (columns ``replicate`` and ``kpi``);
    ``runs``: the variants' values (columns ``lever``, ``direction``, ``level``, ``replicate``,
    ``kpi``); ``levels``: each lever's base level.
    """
    rows = []
    for lever in CORE:
        if lever not in levels:
            continue
        b = float(levels[lever])
        mine = runs[runs["lever"] == lever]
        reps = sorted(mine["replicate"].unique().tolist()) or sorted(base["replicate"].tolist())
        x = base.set_index("replicate").loc[reps, kpi].to_numpy(dtype=float)
        side = {}
        for direction in ("+", "-"):
            run = mine[mine["direction"] == direction].set_index("replicate")
            if run.empty:  # at a bound: the variant is the base itself
                side[direction] = (b, x)
            else:
                side[direction] = (float(run["level"].iloc[0]), run.loc[reps, kpi].to_numpy(dtype=float))
        (high, yh), (low, yl) = side["+"], side["-"]
        up, up_rel = paired_difference(x, yh), at_least_minus_one(relative_change(x, yh))
        down, down_rel = paired_difference(x, yl), at_least_minus_one(relative_change(x, yl))
        slope = t_interval((yh - yl) / (high - low) * 0.1) if high > low else t_interval(np.zeros(len(reps)))
        rows.append({
            "lever": lever, "base": b, "low": low, "high": high, "kpi": kpi, "n": len(reps),
            "raise_diff": up.estimate, "raise_low": up.low, "raise_high": up.high,
            "raise_rel": up_rel.estimate, "raise_rel_low": up_rel.low, "raise_rel_high": up_rel.high,
            "lower_diff": down.estimate, "lower_low": down.low, "lower_high": down.high,
            "lower_rel": down_rel.estimate, "lower_rel_low": down_rel.low, "lower_rel_high": down_rel.high,
            "slope_per_tenth": slope.estimate, "slope_low": slope.low, "slope_high": slope.high,
            "at_max": high <= b, "clear": up.excludes_zero,
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["raise_diff", "lever"], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["delta"] = delta
    return table
