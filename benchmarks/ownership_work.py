"""Ownership's price in work (issue 10 s3): does conserved deliberation move ownership's best value?

A call a manager takes costs the manager's time (``decisions.manager_capacity`` calls a day); a
call the front team takes itself costs nothing.  ``decisions.team_call_work`` (an option, off by
default; pre-registered here at 0.5 person-days = 1 / manager_capacity: the same call costs the
same time whoever takes it) makes a team's own unprecedented call take its work capacity
(sim/model/decisions.py, docs/ODD.md 7.4).

The lever grid's protocol (tests/lever_grid.py: 32 teams in 2 divisions under 2 ("flat") or 4
("deep") manager levels, calm or the pattern tests' SHOCK, 200 days, scores on days 50-200,
replicate i = seed 2000 + i in every arm, so every comparison is paired):

1. ``grid``: ownership 0.2, 0.4, 0.6, 0.8 against 1.0 in the four conditions, at the default
   clarity (0.5) and at clarity 0.2, with the price at its pre-registered 0.5 and knocked out (0);
2. ``ladder``: the price at 0.25, 1 and 2 person-days in the two shock conditions (a
   sensitivity around the pre-registered 0.5);
3. ``mechanism``: in one cell, ownership 0.6 against 1.0: team capacity spent on calls, decision
   latency, escalations, wrong calls, per day, days 50-200;
4. ``confirm``: the two ladder cells that cleared zero at the top of the range (5 person-days, clarity
   0.2) on 20 new seeds (2010-2029), with the knock-out.

Differences are value minus 1.0, signed so that + means the lower value is better (friction
negated), with paired 95% t intervals; '*' marks an interval above zero.

    PYTHONPATH=$PWD nice -n 10 python benchmarks/ownership_work.py --json /tmp/ownership_work.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lever_grid import CONDITIONS, GRID, ROOT, STEPS, WINDOW, cell_scores, run_cell
from patterns_util import Diff, merge

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.work import capacity

DEFAULT = 0.5  # decisions.team_call_work, pre-registered (1 / manager_capacity)
CLARITIES = (None, 0.2)  # None: the default clarity (0.5)
LADDER = (0.25, 0.5, 1.0, 2.0)  # pre-registered levels; --ladder-levels may add the range's top (5)
SHOCKS = ("shock, flat", "shock, deep")
SCORES = (("friction", -1.0), ("satisfaction", 1.0))  # sign: + = the lower lever value is better


def extra(call_work: float, clarity: float | None) -> dict:
    out: dict = {"decisions": {"team_call_work": call_work}}
    if clarity is not None:
        out["levers"] = {"clarity": clarity}
    return out


def key(call_work: float, clarity: float | None, cond: str, value: float) -> str:
    return f"{call_work:g}|{'default' if clarity is None else f'{clarity:g}'}|{cond}|{value:g}"


class Store:
    """Per-seed scores of every cell run, kept in a JSON file so that tables can be reprinted."""

    def __init__(self, path: Path | None, seeds: int):
        self.path, self.seeds = path, seeds
        self.data: dict = json.loads(path.read_text()) if path and path.exists() else {}

    def cell(self, call_work: float, clarity: float | None, cond: str, value: float) -> dict:
        k = key(call_work, clarity, cond, value)
        if k not in self.data or len(self.data[k]["friction"]) < self.seeds:
            t0 = time.perf_counter()
            fr, sat = cell_scores("ownership", value, cond, self.seeds, extra(call_work, clarity))
            self.data[k] = {"friction": fr.tolist(), "satisfaction": sat.tolist()}
            print(f"  {k}: friction {fr.mean():.3f}, satisfaction {sat.mean():.4f} "
                  f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
            self.save()
        return {s: np.array(v[:self.seeds]) for s, v in self.data[k].items()}

    def save(self) -> None:
        if self.path:
            self.path.write_text(json.dumps(self.data))


def fmt(d: Diff, digits: int) -> str:
    lo, hi = d.ci
    f = f"{{:+.{digits}f}}"
    return f"{f.format(d.mean)} [{f.format(lo)}, {f.format(hi)}]{' *' if d.positive() else ''}"


DIGITS = {"friction": 2, "satisfaction": 4}


def grid_table(store: Store, clarity: float | None, conditions: list[str]) -> int:
    """Value minus 1.0 with the price at its default and knocked out, both scores."""
    label = "default clarity (0.5)" if clarity is None else f"clarity {clarity:g}"
    print(f"\n### Ownership value minus 1.0, {label} ({store.seeds} paired seeds; + = the lower value is "
          "better, friction negated; * = 95% interval above zero)")
    print(f"| condition | value | at 1.0: friction / satisfaction (price {DEFAULT:g}) | friction, price {DEFAULT:g} | "
          f"satisfaction, price {DEFAULT:g} | friction, price 0 | satisfaction, price 0 |")
    print("|---|---|---|---|---|---|---|")
    n = 0
    for cond in conditions:
        top = {cw: store.cell(cw, clarity, cond, 1.0) for cw in (DEFAULT, 0.0)}
        for v in (x for x in GRID if x != 1.0):
            row = []
            for cw in (DEFAULT, 0.0):
                cell = store.cell(cw, clarity, cond, v)
                for name, sign in SCORES:
                    row.append(fmt(Diff(sign * cell[name], sign * top[cw][name]), DIGITS[name]))
                    n += 1
            at = f"{top[DEFAULT]['friction'].mean():.2f} / {top[DEFAULT]['satisfaction'].mean():.3f}"
            print(f"| {cond} | {v:g} | {at} | " + " | ".join(row) + " |")
    return n


def price_table(store: Store, clarity: float | None, conditions: list[str]) -> int:
    """What the price does to each comparison: (value - 1.0 with the price) - (value - 1.0 without),
    paired seed by seed (an interaction; + = the price helps the lower value)."""
    label = "default clarity" if clarity is None else f"clarity {clarity:g}"
    print(f"\n### What the price changes in value minus 1.0, {label} (price {DEFAULT:g} minus price 0; + = the "
          "price favours the lower value)")
    print("| condition | value | friction | satisfaction |")
    print("|---|---|---|---|")
    n = 0
    for cond in conditions:
        t_on, t_off = store.cell(DEFAULT, clarity, cond, 1.0), store.cell(0.0, clarity, cond, 1.0)
        for v in (x for x in GRID if x != 1.0):
            on, off = store.cell(DEFAULT, clarity, cond, v), store.cell(0.0, clarity, cond, v)
            row = []
            for name, sign in SCORES:
                a = sign * (on[name] - t_on[name])
                b = sign * (off[name] - t_off[name])
                row.append(fmt(Diff(a, b), DIGITS[name]))
                n += 1
            print(f"| {cond} | {v:g} | " + " | ".join(row) + " |")
    return n


def ladder_table(store: Store, clarity: float | None, levels: list[float], conditions: list[str]) -> int:
    label = "default clarity" if clarity is None else f"clarity {clarity:g}"
    print(f"\n### Break-even ladder of team_call_work, {' and '.join(conditions)}, {label} (a sensitivity: the "
          f"default stays {DEFAULT:g}; + = the lower value is better)")
    print("| team_call_work | condition | value | at 1.0: friction / satisfaction | friction | satisfaction |")
    print("|---|---|---|---|---|---|")
    n = 0
    for cw in levels:
        for cond in conditions:
            top = store.cell(cw, clarity, cond, 1.0)
            for v in (x for x in GRID if x != 1.0):
                cell = store.cell(cw, clarity, cond, v)
                row = [fmt(Diff(sign * cell[name], sign * top[name]), DIGITS[name]) for name, sign in SCORES]
                n += 2
                at = f"{top['friction'].mean():.2f} / {top['satisfaction'].mean():.3f}"
                print(f"| {cw:g} | {cond} | {v:g} | {at} | " + " | ".join(row) + " |")
    return n


MECH = ("call work (person-days/day)", "share of team capacity on calls", "meeting load (person-days/day)",
        "team deliberation: calls + meetings (person-days/day)", "decisions/day", "decision latency (days)",
        "escalations/day", "wrong calls/day", "meetings/day", "mean wait (days)", "friction", "satisfaction")


def mechanism_run(value: float, cond: str, seed: int, call_work: float, clarity: float | None) -> dict:
    spec = merge({"steps": STEPS, "levers": {"ownership": value}}, CONDITIONS[cond], extra(call_work, clarity))
    m = AlignmentModel(params=ModelParams.model_validate(spec), seed=seed)
    acc = dict.fromkeys(("call", "cap", "mload", "dec", "lat", "esc", "err", "meet"), 0.0)
    for day in range(1, STEPS + 1):
        m.step()
        if day <= WINDOW:
            continue
        tk = m.state.tick
        acc["call"] += tk.call_work
        acc["cap"] += float(capacity(m.state, m.params).sum())
        acc["mload"] += float(m.state.meeting_load.sum())  # today's meetings (reset at the start of a step)
        acc["dec"] += tk.decisions
        acc["lat"] += tk.decision_latency_sum
        acc["esc"] += tk.escalations
        acc["err"] += tk.decision_errors
        acc["meet"] += tk.meetings
    s = m.series()
    days = STEPS - WINDOW
    values = (acc["call"] / days, acc["call"] / acc["cap"], acc["mload"] / days, (acc["call"] + acc["mload"]) / days,
              acc["dec"] / days, acc["lat"] / max(acc["dec"], 1.0), acc["esc"] / days, acc["err"] / days,
              acc["meet"] / days, *(float(s[col].to_numpy()[WINDOW:].mean())
                                    for col in ("wait_mean", "friction_index", "satisfaction")))
    return dict(zip(MECH, values, strict=True))


def mechanism(cond: str, seeds: int, clarity: float | None, store: Store) -> None:
    label = "default clarity" if clarity is None else f"clarity {clarity:g}"
    k = f"mechanism|{cond}|{label}"
    if k not in store.data or store.data[k]["seeds"] < seeds or set(store.data[k]["runs"]["0|1"]) != set(MECH):
        runs = {}
        for cw in (DEFAULT, 0.0):
            for v in (0.6, 1.0):
                rows = [mechanism_run(v, cond, ROOT + i, cw, clarity) for i in range(seeds)]
                runs[f"{cw:g}|{v:g}"] = {name: [r[name] for r in rows] for name in MECH}
                print(f"  mechanism {cond} {label} price {cw:g} ownership {v:g} done", file=sys.stderr, flush=True)
        store.data[k] = {"seeds": seeds, "runs": runs}
        store.save()
    runs = store.data[k]["runs"]
    print(f"\n### Mechanism, {cond}, {label}: per day, days {WINDOW}-{STEPS}, means of {seeds} paired seeds")
    print(f"| measure | 0.6, price {DEFAULT:g} | 1.0, price {DEFAULT:g} | 0.6 minus 1.0, price {DEFAULT:g} | "
          "0.6, price 0 | 1.0, price 0 | 0.6 minus 1.0, price 0 |")
    print("|---|---|---|---|---|---|---|")
    for name in MECH:
        cols = []
        for cw in (DEFAULT, 0.0):
            a, b = np.array(runs[f"{cw:g}|0.6"][name]), np.array(runs[f"{cw:g}|1"][name])
            d = Diff(a, b)
            lo, hi = d.ci
            cols += [f"{a.mean():.4g}", f"{b.mean():.4g}", f"{d.mean:+.3g} [{lo:+.3g}, {hi:+.3g}]"]
        print(f"| {name} | " + " | ".join(cols) + " |")


CONFIRM = (("shock, flat", 0.4), ("calm, flat", 0.2))  # cleared zero at team_call_work 5, clarity 0.2
CONFIRM_SEEDS = range(2010, 2030)  # not the screen's seeds


def confirm() -> None:
    print("\n### Confirmation on new seeds 2010-2029 (clarity 0.2; + = the lower value is better)")
    print("| team_call_work | condition | value | friction | satisfaction |")
    print("|---|---|---|---|---|")
    for cw in (5.0, 0.0):
        for cond, v in CONFIRM:
            arms = {}
            for value in (v, 1.0):
                runs = [run_cell("ownership", value, cond, seed, extra(cw, 0.2)) for seed in CONFIRM_SEEDS]
                arms[value] = {name: np.array([r[col].to_numpy()[WINDOW:].mean() for r in runs])
                               for name, col in (("friction", "friction_index"), ("satisfaction", "satisfaction"))}
            row = [fmt(Diff(sign * arms[v][name], sign * arms[1.0][name]), DIGITS[name]) for name, sign in SCORES]
            print(f"| {cw:g} | {cond} | {v:g} | " + " | ".join(row) + " |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="grid,ladder,mechanism")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--conditions", default="", help="conditions, '|'-separated (default: all four)")
    ap.add_argument("--mechanism-cell", default="shock, flat")
    ap.add_argument("--ladder-clarity", type=float, default=None, help="clarity of the ladder (default: 0.5)")
    ap.add_argument("--ladder-levels", default=",".join(f"{x:g}" for x in LADDER), help="team_call_work levels")
    ap.add_argument("--ladder-conditions", default="|".join(SHOCKS), help="conditions of the ladder, '|'-separated")
    ap.add_argument("--json", type=Path, help="keep the per-seed scores here (reused on a rerun)")
    a = ap.parse_args()
    conditions = a.conditions.split("|") if a.conditions else list(CONDITIONS)
    parts = a.parts.split(",")
    store = Store(a.json, a.seeds)
    n = 0
    if "grid" in parts:
        for clarity in CLARITIES:
            n += grid_table(store, clarity, conditions)
            n += price_table(store, clarity, conditions)
    if "ladder" in parts:
        n += ladder_table(store, a.ladder_clarity, [float(x) for x in a.ladder_levels.split(",")],
                          a.ladder_conditions.split("|"))
    if "mechanism" in parts:
        mechanism(a.mechanism_cell, a.seeds, None, store)
        mechanism(a.mechanism_cell, a.seeds, 0.2, store)
    if "confirm" in parts:
        confirm()
    if n:
        print(f"\n{n} paired comparisons; at a one-sided 2.5% level about {0.025 * n:.1f} would clear zero by chance")


if __name__ == "__main__":
    main()
