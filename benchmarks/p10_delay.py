"""Trace of P10's decision delay: where a decision's days are spent, deep against flat.

Runs the conditions of ``tests/test_patterns.py::test_p10_*`` (32 teams, 2 divisions, resilience 0.2,
ownership 0.05, pressure 1, noise 0.1; depth 4 against depth 2) over paired seeds and, by wrapping
the day's decision step (``sim.model.service.decide``) without drawing any random number, records
for every decision settled from day ``--start`` on:

- its kind: within precedent (height -1), the front team's own right (0), an unclear call (height
  >= 1, drawn), a wrong call's referral (set by ``settle``), a sign-off (``approvals.py``);
- its latency (days in DECISION, as ``decision_latency`` counts it) and the days it spent at each
  level of the tree, waiting to climb (no right there) or waiting to be taken (right there);
- per manager level: the calls waiting there per manager each day and the calls it settled per
  day against its capacity (utilisation).

Also prints the decision_latency KPI as the test reads it (the mean of the daily means from day
50), and, for each kind, the deep-minus-flat paired difference of its mean latency (95% t interval).

    PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python benchmarks/p10_delay.py --seeds 8
    ... --set decisions.error_max=0   (dotted parameter overrides, several allowed)
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from patterns_util import Diff, merge

import sim.model.model as model_module
import sim.model.service as service
from sim.model.decisions import decision_capacity
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.state import DECISION, NONE

BASE = {"org": {"teams": 32, "divisions": 2}, "pressure": {"baseline": 1.0, "noise": 0.1},
        "levers": {"resilience": 0.2, "ownership": 0.05}}
KINDS = ("precedent", "own", "unclear", "referral", "signoff")


class Trace:
    """Per run: decisions by kind and the days spent per level."""

    def __init__(self, start: int):
        self.start = start
        self.day = 0
        self.params = None
        self.referral = None  # per request slot: its next decision is a wrong call's referral
        self.kind_at_entry = None
        self.lat = defaultdict(list)  # kind -> latencies
        self.at_right = defaultdict(list)  # kind -> settled where the right sits (else by a meeting below it)
        self.climbed = defaultdict(list)  # kind -> levels between holder team and the unit that settled it
        self.days_at = defaultdict(lambda: defaultdict(float))  # kind -> level -> days (waiting to climb or taken)
        self.wait_held = defaultdict(float)  # level -> request-days waiting where the right sits
        self.held_days = defaultdict(float)  # kind -> days waiting where the right sits (attention, capacity)
        self.climb_days = defaultdict(float)  # kind -> days below the right (escalating, meeting, bounced)
        self.served_level = defaultdict(float)  # level -> decisions settled there (all kinds)
        self.cap_level = defaultdict(float)  # level -> manager decision capacity summed over days
        self.n_units = {}
        self.censored = []  # calls abandoned while waiting in DECISION (customer reneged or left): days waited
        self.censored_kind = []

    def settled(self) -> list[float]:
        return [x for k in KINDS for x in self.lat[k]]

    def wrap_churn(self, erode_and_churn):
        def traced(st, params, rng):
            q = np.flatnonzero(st.stage == DECISION)
            erode_and_churn(st, params, rng)
            if self.day < self.start:
                return
            gone = q[st.stage[q] == NONE]
            self.censored.extend((st.age[gone] - st.dec_since[gone] + 1.0).tolist())
            self.censored_kind.extend(np.where(st.dec_team[gone] >= 0, 4, np.where(
                self.referral[gone], 3, np.where(st.dec_height[gone] < 0, 0,
                                                  np.where(st.dec_height[gone] == 0, 1, 2)))).tolist())
            self.referral[gone] = False

        return traced

    def wrap(self, decide):
        def traced(st, params, rng):
            if self.referral is None or self.referral.size != st.stage.size:
                self.referral = np.zeros(st.stage.size, dtype=bool)
                self.kind_at_entry = np.full(st.stage.size, -9, dtype=np.int64)
            q = np.flatnonzero(st.stage == DECISION)
            loc = st.loc[q].copy()
            front = np.where(st.dec_team[q] >= 0, st.dec_team[q], st.req_team[q])
            signoff = st.dec_team[q] >= 0
            height = st.dec_height[q].copy()
            holds = (st.level[st.team_unit[front]] - st.level[loc]) >= height
            decide(st, params, rng)
            if self.day < self.start:
                self.referral[q[st.stage[q] != DECISION]] = False
                self._mark_referrals(st, q)
                return
            kind = np.where(signoff, 4, np.where(self.referral[q], 3,
                                                 np.where(height < 0, 0, np.where(height == 0, 1, 2))))
            lv = st.level[loc]
            for k in range(5):
                for level in np.unique(lv[kind == k]).tolist():
                    self.days_at[KINDS[k]][level] += float(((kind == k) & (lv == level)).sum())
            for k in range(5):
                self.held_days[KINDS[k]] += float((holds & (kind == k)).sum())
                self.climb_days[KINDS[k]] += float((~holds & (kind == k)).sum())
            for level in np.unique(lv[holds]).tolist():
                self.wait_held[level] += float((holds & (lv == level)).sum())
            done = st.stage[q] != DECISION
            r = q[done]
            latency = st.age[r] - st.dec_since[r] + 1.0
            climbed = st.level[st.team_unit[front[done]]] - st.level[loc[done]]
            for k in range(5):
                m = kind[done] == k
                self.lat[KINDS[k]].extend(latency[m].tolist())
                self.climbed[KINDS[k]].extend(climbed[m].tolist())
                self.at_right[KINDS[k]].extend(holds[done][m].tolist())
            for level in np.unique(lv[done]).tolist():
                self.served_level[level] += float((lv[done] == level).sum())
            cap = decision_capacity(st, params)
            for level, units in enumerate(st.by_level):
                mgr = units[~st.is_team[units]]
                if mgr.size:
                    self.cap_level[level] += float(cap[mgr].sum())
                    self.n_units[level] = mgr.size
            self.referral[r] = False
            self._mark_referrals(st, q)

        return traced

    def _mark_referrals(self, st, q):
        # a settled call sent back to its front team still needing a decision: a wrong call's referral
        back = q[(st.stage[q] != DECISION) & st.needs_decision[q]]
        self.referral[back] = True


def run_one(spec: dict, seed: int, start: int, steps: int):
    trace = Trace(start)
    original = service.decide
    service.decide = trace.wrap(original)
    original_churn = model_module.erode_and_churn
    model_module.erode_and_churn = trace.wrap_churn(original_churn)
    original_step = AlignmentModel.step

    def step(model):
        trace.day = model.steps
        original_step(model)

    AlignmentModel.step = step
    try:
        m = AlignmentModel(params=ModelParams.model_validate(merge({"steps": steps}, spec)), seed=seed)
        m.run()
    finally:
        service.decide = original
        model_module.erode_and_churn = original_churn
        AlignmentModel.step = original_step
    return m.series(), trace


def dotted(pairs: list[str]) -> dict:
    out: dict = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        low = value.lower()
        node[parts[-1]] = True if low == "true" else False if low == "false" else float(value)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--root", type=int, default=1000)
    ap.add_argument("--start", type=int, default=50)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--set", nargs="*", default=[], help="dotted overrides, e.g. decisions.error_max=0")
    ap.add_argument("--deep", default="depth=4", help="the deep arm, e.g. depth=4 (dotted overrides, comma-separated)")
    ap.add_argument("--flat", default="depth=2", help="the flat arm, e.g. depth=2,decisions.manager_capacity=5.64")
    a = ap.parse_args()
    extra = dotted(a.set)
    orgs = {}
    for name, text in (("deep", a.deep), ("flat", a.flat)):  # "depth=4,decisions.manager_capacity=5"
        pairs = [kv if "." in kv.split("=")[0] else "org." + kv for kv in text.split(",")]
        orgs[name] = dotted(pairs)
        if "depth" in orgs[name].get("org", {}):
            orgs[name]["org"]["depth"] = int(orgs[name]["org"]["depth"])
    res = {name: [run_one(merge(BASE, extra, org), a.root + i, a.start, a.steps) for i in range(a.seeds)]
           for name, org in orgs.items()}
    print(f"seeds {a.root}..{a.root + a.seeds - 1}, days {a.start}-{a.steps}, overrides {extra or 'none'}")
    kpi = {n: np.array([s["decision_latency"].to_numpy()[a.start:].mean() for s, _ in res[n]]) for n in res}
    print(f"decision_latency KPI (test's measure): deep - flat {Diff(kpi['deep'], kpi['flat'])}")
    for col in ("completed", "approvals_waiting", "priority_churn"):
        v = {n: np.array([s[col].to_numpy()[a.start:].mean() for s, _ in res[n]]) for n in res}
        print(f"{col}: deep {v['deep'].mean():.3f}, flat {v['flat'].mean():.3f} (means from day {a.start})")
    pooled = {n: np.array([np.mean(t.settled()) for _, t in res[n]]) for n in res}
    print(f"pooled mean latency per decision: deep - flat {Diff(pooled['deep'], pooled['flat'])}")
    for n in res:
        print(f"\n== {n}: per run means over {a.seeds} seeds")
        tot = np.array([sum(len(t.lat[k]) for k in KINDS) for _, t in res[n]], dtype=float)
        for k in KINDS[:4]:  # no sign-offs in these charts
            cnt = np.array([len(t.lat[k]) for _, t in res[n]], dtype=float)
            lat = np.array([np.mean(t.lat[k]) if t.lat[k] else np.nan for _, t in res[n]])
            clb = np.array([np.mean(t.climbed[k]) if t.climbed[k] else np.nan for _, t in res[n]])
            right = np.array([np.mean(t.at_right[k]) if t.at_right[k] else np.nan for _, t in res[n]])
            share_days = np.array([sum(t.days_at[k].values()) for _, t in res[n]]) / np.array(
                [sum(sum(t.days_at[j].values()) for j in KINDS) for _, t in res[n]])
            per_day = np.mean(cnt) / (a.steps - a.start)
            print(f"  {k:9s} share of decisions {np.mean(cnt / tot):.3f}  per day {per_day:6.2f}"
                  f"  latency {np.nanmean(lat):6.2f}  levels climbed {np.nanmean(clb):4.2f}"
                  f"  share of decision-days {np.mean(share_days):.3f}  settled at the right {np.nanmean(right):.2f}")
        cens = np.array([len(t.censored) for _, t in res[n]], dtype=float)
        cens_days = np.array([np.mean(t.censored) if t.censored else np.nan for _, t in res[n]])
        print(f"  abandoned while waiting for a call: {np.mean(cens) / (a.steps - a.start):.2f} per day "
              f"({np.mean(cens / (cens + tot)):.3f} of calls ended), "
              f"after {np.nanmean(cens_days):.2f} days in DECISION")
        levels = sorted(res[n][0][1].n_units)
        print("  level units | waiting per unit/day (all kinds) | waiting where right sits | settled/day/unit | "
              "capacity/day/unit | utilisation")
        days = a.steps - a.start + 1
        for level in levels:
            nu = res[n][0][1].n_units[level]
            waiting = np.mean([sum(t.days_at[k].get(level, 0.0) for k in KINDS) for _, t in res[n]]) / days / nu
            held = np.mean([t.wait_held.get(level, 0.0) for _, t in res[n]]) / days / nu
            served = np.mean([t.served_level.get(level, 0.0) for _, t in res[n]]) / days / nu
            cap = np.mean([t.cap_level.get(level, 0.0) for _, t in res[n]]) / days / nu
            print(f"  {level:5d} {nu:5d} | {waiting:8.2f} | {held:8.2f} | {served:6.3f} | {cap:5.2f} "
                  f"| {served / cap:5.2f}")
        team_level = max(levels) + 1
        for k in ("unclear", "referral"):
            per = {lv: np.mean([t.days_at[k].get(lv, 0.0) / max(len(t.lat[k]), 1) for _, t in res[n]])
                   for lv in range(team_level + 1)}
            print(f"  {k}: days per decision spent at level " + ", ".join(f"{lv}: {d:.2f}" for lv, d in per.items()))
    both = {n: np.array([np.mean(t.settled() + t.censored) for _, t in res[n]]) for n in res}
    print(f"\nlatency counting abandoned calls at their days so far (a lower bound): deep - flat "
          f"{Diff(both['deep'], both['flat'])}")
    print("\n== deep - flat, days per settled call of a kind: below the right (climbing) | where the right sits")
    for k in ("unclear", "referral"):
        for part, store in (("climbing", "climb_days"), ("at the right", "held_days")):
            d = np.array([getattr(t, store)[k] / max(len(t.lat[k]), 1) for _, t in res["deep"]])
            f = np.array([getattr(t, store)[k] / max(len(t.lat[k]), 1) for _, t in res["flat"]])
            print(f"  {k:9s} {part:12s} {Diff(d, f)}")
    print("\n== deep - flat, mean latency per kind (paired over seeds)")
    for k in KINDS[2:4]:
        d = np.array([np.mean(t.lat[k]) if t.lat[k] else np.nan for _, t in res["deep"]])
        f = np.array([np.mean(t.lat[k]) if t.lat[k] else np.nan for _, t in res["flat"]])
        ok = ~np.isnan(d) & ~np.isnan(f)
        if ok.sum() > 2:
            print(f"  {k:9s} {Diff(d[ok], f[ok])}")


if __name__ == "__main__":
    main()
