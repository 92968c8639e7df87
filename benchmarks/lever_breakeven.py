"""Break-even prices of the levers: how large must a lever's price be before 1.0 stops being best?

A sensitivity analysis of the lever prices of issue 10 section 3, whose magnitudes are partly
assumptions (sim/model/params.py).  For each lever, its price parameter(s) are raised along a
ladder within their allowed ranges (the default first); at each price level the lever is run at
``--values`` and 1.0 under the lever grid's four conditions (tests/lever_grid.py: 32 teams, calm or
shock x flat or deep, 200 days, scores on days 50-200, replicate i = seed 2000 + i in every cell, so
the comparisons are paired), and the paired difference value minus 1.0 is printed for friction and
satisfaction, signed so that + means the lower value is better (friction negated), with its 95% t
interval; '*' marks an interval above zero (a break-even reached).  The price levels are
counterfactual magnitudes, not defaults: nothing here changes the model.

    PYTHONPATH=$PWD nice -n 10 python benchmarks/lever_breakeven.py --lever empathy --seeds 6
    PYTHONPATH=$PWD nice -n 10 python benchmarks/lever_breakeven.py --lever ownership --levels 'rework 5' \\
        --conditions 'shock, flat' --seeds 12
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lever_grid import CONDITIONS, cell_scores
from patterns_util import Diff, merge

# price ladders, each level a set of parameter overrides within the parameters' allowed ranges
# (sim/model/params.py); the first level of each ladder is the default
LADDERS: dict[str, dict[str, dict]] = {
    "empathy": {  # managers.empathy_time: share of a manager's decision time per unit of empathy (0-1)
        f"empathy_time {t:g}": {"managers": {"empathy_time": t}} for t in (0.3, 0.5, 0.7, 0.8, 0.9, 1.0)
    },
    "ownership": {  # a wrong call: its chance (error_max, error_misfit, 0-1) and its rework (0-5)
        "default (max 0.8, misfit 0.5, rework 1)": {},
        "max 1, misfit 1": {"decisions": {"error_max": 1.0, "error_misfit": 1.0}},
        "rework 2.5": {"decisions": {"error_rework": 2.5}},
        "rework 5": {"decisions": {"error_rework": 5.0}},
        "max 1, misfit 1, rework 5": {"decisions": {"error_max": 1.0, "error_misfit": 1.0, "error_rework": 5.0}},
    },
    "customer_bar": {  # an exception: its work (person-days, 0-20) and its inconsistency (0-1)
        "default (work 1, inconsistency 0.3)": {},
        "work 5": {"decisions": {"exception_work": 5.0}},
        "work 10": {"decisions": {"exception_work": 10.0}},
        "work 20": {"decisions": {"exception_work": 20.0}},
        "work 20, inconsistency 1": {"decisions": {"exception_work": 20.0, "exception_inconsistency": 1.0}},
    },
}
SCORES = (("friction", -1.0), ("satisfaction", 1.0))  # sign: + = the lower lever value is better


def screen(lever: str, levels: list[str], conditions: list[str], values: list[float], seeds: int,
           extra: dict | None = None) -> dict:
    """Scores per (price level, condition, lever value): friction and satisfaction arrays over seeds;
    ``extra`` overrides are applied at every level (e.g. another lever held at a value)."""
    out: dict = {}
    for level in levels:
        for cond in conditions:
            for v in [*values, 1.0]:
                fr, sat = cell_scores(lever, v, cond, seeds, merge(LADDERS[lever][level], extra or {}))
                out.setdefault(level, {}).setdefault(cond, {})[v] = {"friction": fr.tolist(),
                                                                     "satisfaction": sat.tolist()}
                print(f"  {lever} | {level} | {cond} | {v:g}: friction {fr.mean():.3f}, "
                      f"satisfaction {sat.mean():.4f}", file=sys.stderr, flush=True)
    return out


def table(lever: str, out: dict, seeds: int) -> int:
    """Prints the paired differences; returns how many comparisons were made."""
    n = 0
    print(f"\n## {lever}: lever value minus 1.0, paired over {seeds} seeds (+ = the lower value is better; "
          "friction negated); '*' = 95% interval above zero")
    print("| price level | condition | value | at 1.0: friction / satisfaction | friction: better by | "
          "satisfaction: better by |")
    print("|---|---|---|---|---|---|")
    for level, conds in out.items():
        for cond, cells in conds.items():
            top = cells[1.0]
            for v in (x for x in cells if x != 1.0):
                row = []
                for key, sign in SCORES:
                    d = Diff(sign * np.array(cells[v][key]), sign * np.array(top[key]))
                    lo, hi = d.ci
                    row.append(f"{d.mean:+.3g} [{lo:+.3g}, {hi:+.3g}]{' *' if d.positive() else ''}")
                    n += 1
                base = f"{np.mean(top['friction']):.2f} / {np.mean(top['satisfaction']):.3f}"
                print(f"| {level} | {cond} | {v:g} | {base} | {row[0]} | {row[1]} |")
    print(f"\n{n} paired comparisons; at a one-sided 2.5% level about {0.025 * n:.1f} would clear zero by chance")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lever", choices=sorted(LADDERS), required=True)
    ap.add_argument("--levels", default="", help="price levels to run, '|'-separated (default: the whole ladder)")
    ap.add_argument("--conditions", default="", help="conditions, '|'-separated (default: all four)")
    ap.add_argument("--values", default="0.6,0.8", help="lever values compared with 1.0")
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--set", default="{}", help="extra parameter overrides at every level, as JSON")
    ap.add_argument("--json", type=Path, help="save the scores")
    a = ap.parse_args()
    levels = a.levels.split("|") if a.levels else list(LADDERS[a.lever])
    conditions = a.conditions.split("|") if a.conditions else list(CONDITIONS)
    for name, known in (("price level", LADDERS[a.lever]), ("condition", CONDITIONS)):
        bad = [x for x in (levels if name == "price level" else conditions) if x not in known]
        if bad:
            ap.error(f"unknown {name} {bad}; known: {list(known)}")
    values = [float(x) for x in a.values.split(",")]
    out = screen(a.lever, levels, conditions, values, a.seeds, json.loads(a.set))
    table(a.lever, out, a.seeds)
    if a.json:
        a.json.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
