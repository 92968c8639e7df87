"""Friction attribution: where each scenario's customer friction comes from.

Every unit of customer friction the model books carries its cause and the unit where it arose
(``docs/ODD.md``, friction provenance). From each replicate's provenance over the analysis
window this module computes, per scenario:

- the share of friction by cause (pivot and rework, decision wait and escalation, hand-off across
  a silo, overload and fatigue, misalignment): shares per replicate, then their mean and 95% t
  interval over replicates; the mean shares over causes sum to 1;
- the same by division and by unit, with the friction originated (mean per replicate) and its
  paired relative change from the first scenario, with its 95% interval (replicate i of each
  scenario shares seed i);
- the units where most friction originates (top five per scenario) and how each of them fares in
  every scenario.

Units are matched across scenarios by their org chart id (and name), so scenarios on the same
chart line up; replicates with no friction at all are left out of the shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.compare.stats import at_least_minus_one, relative_change, t_interval
from sim.model.state import CAUSES

TOP = 5
NAN = float("nan")


def window_provenance(prov: pd.DataFrame) -> pd.DataFrame:
    return prov[prov["period"] == "window"]


def _replicates(runs: pd.DataFrame, name: str) -> list[int]:
    return sorted(runs.loc[runs["scenario"] == name, "replicate"].unique().tolist())


def _matrix(prov: pd.DataFrame, by: list[str], name: str, reps: list[int], index: pd.Index | None) -> pd.DataFrame:
    """Friction by ``by`` group (rows) and replicate (columns) for one scenario, zeros filled."""
    mine = prov[prov["scenario"] == name]
    per = mine.groupby([*by, "replicate"], sort=False)["friction"].sum().unstack("replicate")
    per = per.reindex(columns=reps).fillna(0.0)
    if index is not None:
        per = per.reindex(index).fillna(0.0)
    return per


def _summary(prov: pd.DataFrame, runs: pd.DataFrame, by: list[str], scenarios: list[str],
             complete: list | None = None) -> pd.DataFrame:
    """Per scenario and group: share (mean over replicates, interval), friction per replicate, and
    the paired relative change of friction from the first scenario (interval, clear or not)."""
    reps = {name: _replicates(runs, name) for name in scenarios}
    keys = pd.Index(complete, name=by[0]) if complete is not None else None
    if keys is None:  # the union of groups over scenarios, so that a group absent in one counts as 0
        groups = prov[by].drop_duplicates()
        keys = pd.MultiIndex.from_frame(groups) if len(by) > 1 else pd.Index(groups[by[0]], name=by[0])
    mats = {name: _matrix(prov, by, name, reps[name], keys) for name in scenarios}
    ref_name = scenarios[0]
    rows = []
    for name in scenarios:
        mat = mats[name]
        totals = mat.sum(axis=0)
        used = [r for r in reps[name] if totals[r] > 0]
        paired = name != ref_name and reps[name] == reps[ref_name]
        for key in mat.index:
            values = mat.loc[key].to_numpy(dtype=float)
            share = t_interval((mat.loc[key, used] / totals[used]).to_numpy(dtype=float)) if used else None
            row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
            row |= {"scenario": name, "share": share.estimate if share else 0.0,
                    "share_low": share.low if share else NAN, "share_high": share.high if share else NAN,
                    "friction": float(values.mean()) if values.size else 0.0, "n": len(used)}
            if paired:
                ref = mats[ref_name].loc[key].to_numpy(dtype=float)
                rel = at_least_minus_one(relative_change(ref, values))
                row |= {"friction_change": float(values.mean() - ref.mean()), "friction_rel": rel.estimate,
                        "friction_rel_low": rel.low, "friction_rel_high": rel.high, "clear": rel.excludes_zero}
            else:
                row |= {"friction_change": 0.0 if name == ref_name else NAN, "friction_rel": NAN,
                        "friction_rel_low": NAN, "friction_rel_high": NAN, "clear": False}
            rows.append(row)
    return pd.DataFrame(rows)


def cause_shares(prov: pd.DataFrame, runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Share of friction by cause per scenario (every cause listed, in the model's order).

    ``runs``: one row per (scenario, replicate), so that runs without friction count."""
    table = _summary(window_provenance(prov), runs, ["cause"], scenarios, list(CAUSES))
    return table[["scenario", "cause", "share", "share_low", "share_high", "friction", "friction_rel",
                  "friction_rel_low", "friction_rel_high", "clear", "n"]]


def division_shares(prov: pd.DataFrame, runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Share and friction by division per scenario, divisions by their share in the first scenario."""
    win = window_provenance(prov)
    table = _summary(win, runs, ["division"], scenarios)
    if table.empty:
        return table
    table["division"] = table["division"].replace("", "(executive)")
    first = table[table["scenario"] == scenarios[0]].set_index("division")["share"]
    order_div = {d: i for i, d in enumerate(first.sort_values(ascending=False).index)}
    order_scn = {s: i for i, s in enumerate(scenarios)}
    table = table.sort_values(["division", "scenario"],
                              key=lambda c: c.map(order_div if c.name == "division" else order_scn))
    cols = ["division", "scenario", "share", "share_low", "share_high", "friction", "friction_change",
            "friction_rel", "friction_rel_low", "friction_rel_high", "clear", "n"]
    return table[cols].reset_index(drop=True)


def unit_shares(prov: pd.DataFrame, runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Share and friction by unit per scenario, with the unit's main cause there."""
    win = window_provenance(prov)
    table = _summary(win, runs, ["id", "unit_name", "division"], scenarios)
    if table.empty:
        return table.assign(main_cause=pd.Series(dtype=str))
    causes = (win.groupby(["scenario", "id", "cause"])["friction"].sum().reset_index()
              .sort_values(["friction", "cause"], ascending=[False, True]).drop_duplicates(["scenario", "id"])
              .rename(columns={"cause": "main_cause"})[["scenario", "id", "main_cause"]])
    table = table.merge(causes, on=["scenario", "id"], how="left")
    table["main_cause"] = table["main_cause"].fillna("")
    return table


def top_units(units: pd.DataFrame, scenarios: list[str], k: int = TOP) -> pd.DataFrame:
    """The ``k`` units with the largest friction share in each scenario, and how each of them
    fares in every scenario: one row per (unit, scenario), with its rank there (1 = most
    friction), its share, friction per replicate, the change of friction from the first scenario
    (absolute, and relative with its paired interval), and the scenarios where it is in the top."""
    if units.empty:
        return units.assign(rank=pd.Series(dtype=int), top_in=pd.Series(dtype=str))
    ranked = units.copy()
    ranked["rank"] = (ranked.sort_values(["share", "id"], ascending=[False, True]).groupby("scenario").cumcount() + 1)
    chosen: list[str] = []
    tops: dict[str, list[str]] = {}
    for name in scenarios:
        mine = ranked[ranked["scenario"] == name].sort_values("rank")
        mine = mine[mine["friction"] > 0]
        tops[name] = list(mine["id"].head(k))
        chosen += [u for u in tops[name] if u not in chosen]
    rows = ranked[ranked["id"].isin(chosen)].copy()
    rows["top_in"] = rows["id"].map({u: ", ".join(s for s in scenarios if u in tops[s]) for u in chosen})
    order_unit = {u: i for i, u in enumerate(chosen)}
    order_scn = {s: i for i, s in enumerate(scenarios)}
    rows = rows.sort_values(["id", "scenario"], key=lambda c: c.map(order_unit if c.name == "id" else order_scn))
    cols = ["id", "unit_name", "division", "scenario", "rank", "share", "share_low", "share_high", "friction",
            "friction_change", "friction_rel", "friction_rel_low", "friction_rel_high", "clear", "main_cause",
            "top_in", "n"]
    return rows[cols].reset_index(drop=True).astype({"rank": np.int64})
