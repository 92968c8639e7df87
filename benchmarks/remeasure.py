"""Re-measure, on the current model, every problem listed in the "Why" sections of issues 10 and 11.

Each section repeats the issue's own experiment (same scenario, same day, same quantity) over paired
seeds (replicate i of every arm uses the same seed) and prints a markdown table: means, and paired
differences as mean [95% t interval].  A report: it asserts nothing (the claims are tested in
tests/test_remeasure_*.py and the tests named in docs/validation.md).

    PYTHONPATH=$PWD nice -n 10 python benchmarks/remeasure.py                # every section, seeds 1-10
    PYTHONPATH=$PWD nice -n 10 python benchmarks/remeasure.py --only dose windup --seeds 20

Sections: dose (issue 10 #1), windup (#2), calm and empathy (#5), then issue 11's bullets: surge,
churn, approvals, burnout, drift, chain.  One process, no workers (the machine is shared).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from patterns_util import Diff, merge

from sim.api import bundled_scenarios, load_scenario
from sim.model.model import AlignmentModel
from sim.model.params import THEMES, ModelParams
from sim.model.state import distance


def build(name: str, seed: int, extra: dict | None = None, add: list | None = None,
          shock_noise: float | None = None) -> AlignmentModel:
    """A model of bundled scenario ``name``: parameters ``extra`` deep-merged over the file's, events
    ``add`` appended to the file's, and the file's shocks' noise set to ``shock_noise`` if given."""
    sc = load_scenario(name)
    base = sc.params.model_dump()
    events = list(base.get("events") or [])
    if shock_noise is not None:
        events = [{**e, "noise": shock_noise} if e["type"] == "shock" else e for e in events]
    base["events"] = events + list(add or [])
    params = ModelParams.model_validate(merge(base, extra or {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AlignmentModel(params=params, graph=sc.graph, seed=seed)


def run(m: AlignmentModel) -> AlignmentModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.run()
    return m


def series(name: str, seed: int, extra: dict | None = None, add: list | None = None):
    return run(build(name, seed, extra, add)).series()


def ci(d: Diff, fmt: str = "+.3g") -> str:
    lo, hi = d.ci
    return f"{d.mean:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"


def window(df, col: str, a: int, b: int) -> float:
    """Mean of ``col`` over days a..b (rows with a <= step <= b)."""
    return float(df[(df.step >= a) & (df.step <= b)][col].mean())


# ------------------------------------------------------------------------------------ issue 10, #1
DOSES = (None, 0.001, 0.01, 0.1, 0.3, 0.6)


def pivot_dose(seeds, doses=DOSES, steps: int = 200) -> dict:
    """`baseline`, a forced pivot of each size toward theme 0 on day 100; per seed, over days
    101-130: alignment (mean, lowest day), inconsistent answers, friction index."""
    out = {}
    for s in doses:
        add = [] if s is None else [{"type": "pivot", "step": 100, "strength": s, "theme": THEMES[0]}]
        rows = []
        for seed in seeds:
            df = series("baseline", seed, {"steps": steps}, add)
            w = df[(df.step >= 101) & (df.step <= 130)]
            rows.append([w.alignment.mean(), w.alignment.min(), w.inconsistent_rate.mean(), w.friction_index.mean()])
        out[s] = np.array(rows)
    return out


def section_dose(seeds) -> None:
    out = pivot_dose(seeds)
    ctl = out[None]
    print(f"\n### Issue 10 #1: pivot-size dose-response (`baseline`, forced pivot toward {THEMES[0]!r} on day 100, "
          f"days 101-130, {len(seeds)} paired seeds)\n")
    print("| pivot size | alignment (mean) | alignment (lowest day) | inconsistent answers | ratio to no pivot "
          "| friction (30 days) | alignment minus no pivot | inconsistent minus no pivot | friction minus no pivot |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, a in out.items():
        ratio = a[:, 2].mean() / ctl[:, 2].mean()
        diffs = ("—", "—", "—") if s is None else tuple(ci(Diff(a[:, k], ctl[:, k])) for k in (0, 2, 3))
        print(f"| {'none' if s is None else s} | {a[:, 0].mean():.3f} | {a[:, 1].mean():.3f} | {a[:, 2].mean():.4f} "
              f"| {ratio:.2f} | {a[:, 3].mean():.2f} | " + " | ".join(diffs) + " |")


# ------------------------------------------------------------------------------------ issue 10, #2
NOISE_OFF = {"pressure": {"noise": 0.0, "noise_gain": 0.0, "need_drift": 0.0}}


def windup_run(seed: int, extra: dict | None = None, shock_noise: float | None = None) -> dict:
    """`overreacting-leadership` over 365 days, day by day: the intent's distance from the need at
    day 365, clipped reviews, and the leadership's pivots after day 200 (its reviews' and the
    canary's), with their sizes (the intent's total-variation change on the day)."""
    m = build("overreacting-leadership", seed, extra, shock_noise=shock_noise)
    st = m.state
    sizes, late_review, late_canary = [], 0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for day in range(1, m.params.steps + 1):
            before = st.reading[0].copy()
            canary_before = m.canary.pivots_total
            m.step()
            if day > 200 and st.tick.pivots:
                canary = m.canary.pivots_total - canary_before
                late_canary += canary
                late_review += st.tick.pivots - canary
                sizes.append(float(distance(st.reading[0], before)))
    df = m.series()
    return {"distance": float(distance(st.reading[0], st.need)), "intent": np.round(st.reading[0], 3).tolist(),
            "need": np.round(st.need, 3).tolist(), "clipped": int(st.clipped), "late_review": late_review,
            "late_canary": late_canary, "sizes": sizes, "pivots": int(df.pivots.sum()),
            "friction_late": window(df, "friction_index", 201, 365)}


WINDUP_ARMS = {
    "as the scenario is": ({}, None),
    "signal noise and need drift off (pressure.noise, noise_gain, need_drift and the shock's noise 0)":
        (NOISE_OFF, 0.0),
    "the same, canary off (the review's pivots alone: windup)": (merge(NOISE_OFF, {"canary": {"enabled": False}}), 0.0),
}


def section_windup(seeds) -> None:
    print(f"\n### Issue 10 #2: windup (`overreacting-leadership`, 365 days, {len(seeds)} seeds "
          f"{seeds[0]}-{seeds[-1]})\n")
    print("| arm | intent at day 365 (seed {0}) | need (seed {0}) | TV distance intent to need, mean (max) "
          "| clipped reviews | pivots in the year | review pivots after day 200 | canary pivots after day 200 "
          "| their sizes: median (max) | friction days 201-365 |".format(seeds[0]))
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, (extra, noise) in WINDUP_ARMS.items():
        rs = [windup_run(seed, extra, noise) for seed in seeds]
        d = np.array([r["distance"] for r in rs])
        sizes = np.array([x for r in rs for x in r["sizes"]])
        med = f"{np.median(sizes):.3f} ({sizes.max():.3f})" if sizes.size else "—"
        print(f"| {label} | {rs[0]['intent']} | {rs[0]['need']} | {d.mean():.3f} ({d.max():.3f}) "
              f"| {np.mean([r['clipped'] for r in rs]):.1f} | {np.mean([r['pivots'] for r in rs]):.1f} "
              f"| {np.mean([r['late_review'] for r in rs]):.1f} | {np.mean([r['late_canary'] for r in rs]):.1f} "
              f"| {med} | {np.mean([r['friction_late'] for r in rs]):.2f} |")


# ------------------------------------------------------------------------------------ issue 10, #5
STILL = {"pressure": {"need_drift": 0.0}}
NO_TURNS = merge(STILL, {"signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0},
                         "canary": {"pivot_propensity": 0.0, "fix_propensity": 0.0}})
CALM_ARMS = {
    "as is": {},
    "need held still (`pressure.need_drift` 0)": STILL,
    "and no change of direction (minimum pivot 1; canary pivots and fixes 0)": NO_TURNS,
    "and no wrong calls (`decisions.error_max` 0)": merge(NO_TURNS, {"decisions": {"error_max": 0.0}}),
    "as is but no wrong calls (alone)": {"decisions": {"error_max": 0.0}},
}
CALM_LEVERS = ("clarity", "resilience", "customer_bar")


def lever_effect(name: str, lever: str, seeds, extra: dict | None = None, lo: float = 0.2, hi: float = 0.8,
                 col: str = "friction_index") -> Diff:
    """Paired effect of ``lever`` at ``lo`` minus at ``hi`` (the others as the scenario has them) on
    the mean of ``col`` over the run (days 1-365)."""
    vals = {}
    for v in (lo, hi):
        e = merge(extra or {}, {"levers": {lever: v}})
        vals[v] = np.array([window(series(name, seed, e), col, 1, 10_000) for seed in seeds])
    return Diff(vals[lo], vals[hi])


def section_calm(seeds) -> None:
    print(f"\n### Issue 10 #5: calm-condition effects (`baseline`, 365 days, lever at 0.2 minus at 0.8, the others "
          f"0.5; mean friction index over the year; {len(seeds)} paired seeds)\n")
    print("| arm (cumulative but the last) | " + " | ".join(CALM_LEVERS) + " |")
    print("|---|" + "---|" * len(CALM_LEVERS))
    for label, extra in CALM_ARMS.items():
        cells = [ci(lever_effect("baseline", lv, seeds, extra)) for lv in CALM_LEVERS]
        print(f"| {label} | " + " | ".join(cells) + " |")


def section_empathy(seeds) -> None:
    print(f"\n### Issue 10 #5: empathy's friction effect and `signals.empathy_speedup` (empathy 0.2 minus 0.8, "
          f"mean friction index over the year, {len(seeds)} paired seeds)\n")
    print("| scenario | effect, speed-up 0.8 (default) | effect, speed-up 0 | share due to the speed-up |")
    print("|---|---|---|---|")
    for name in ("baseline", "pressure-shock"):
        on = lever_effect(name, "empathy", seeds)
        off = lever_effect(name, "empathy", seeds, {"signals": {"empathy_speedup": 0.0}})
        print(f"| {name} | {ci(on)} | {ci(off)} | {1 - off.mean / on.mean:.0%} |")


# ------------------------------------------------------------------------------------- issue 11
NO_CHURN = {"customers": {"calm_churn": 0.0, "churn_gain": 0.0}}


def requests_ratio(event: dict, seeds, a: int = 40, b: int = 99) -> tuple[float, float, np.ndarray]:
    """Requests opened on days a..b with ``event`` over without, per seed (the default organisation,
    customers never leaving); the mean ratio and its standard error from Poisson counts."""
    ratios, var = [], []
    for seed in seeds:
        e = window(series("baseline", seed, merge(NO_CHURN, {"steps": 100}), [event]), "new_requests", a, b)
        n = window(series("baseline", seed, merge(NO_CHURN, {"steps": 100})), "new_requests", a, b)
        days = b - a + 1
        ratios.append(e / n)
        var.append((e / n) ** 2 * (1 / (e * days) + 1 / (n * days)))
    return float(np.mean(ratios)), float(np.sqrt(np.sum(var)) / len(ratios)), np.array(ratios)


def section_surge(seeds) -> None:
    print(f"\n### Issue 11: demand that delivers its volume (default organisation, days 40-99, customers never leave, "
          f"{len(seeds)} paired seeds)\n")
    print("| event | expected ratio | requests with / without, mean (standard error) | per seed, min to max |")
    print("|---|---|---|---|")
    cases = [({"type": "demand-surge", "step": 40, "duration": 60, "value": 0.35}, 1.35, "`demand-surge` value 0.35"),
             ({"type": "demand-surge", "step": 40, "duration": 60}, 1.40, "`demand-surge`, its default value (0.4)"),
             ({"type": "shock", "step": 40, "duration": 60, "pressure": 0.5, "noise": 0.0, "need_shift": 0.0},
              (1 + 0.6 * 0.7) / (1 + 0.6 * 0.2), "shock of pressure +0.5 (demand_gain 0.6)"),
             ({"type": "shock", "step": 40, "duration": 60, "pressure": 1.2, "noise": 0.1, "need_shift": 0.5},
              (1 + 0.6 * 1.4) / (1 + 0.6 * 0.2), "the `pressure-shock` scenario's shock (+1.2)")]
    for ev, expected, label in cases:
        r, se, per = requests_ratio(ev, seeds)
        print(f"| {label} | {expected:.3f} | {r:.3f} ({se:.3f}) | {per.min():.3f} to {per.max():.3f} |")


def section_churn(seeds) -> None:
    print(f"\n### Issue 11: churn by bundled scenario (share of the day-0 base lost by the last day, "
          f"{len(seeds)} replicates {seeds[0]}-{seeds[-1]})\n")
    print("| scenario | days | customers | base lost: mean | sd | min to max | customers lost: min to max "
          "| runs flagged (> 25% lost) | retention, last day |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in bundled_scenarios():
        lost, n_lost, ret, C, steps = [], [], [], 0, 0
        for seed in seeds:
            m = run(build(name, seed))
            df = m.series()
            C, steps = m.state.C, m.params.steps
            share = float(df.customers_lost_share.iloc[-1])
            lost.append(share)
            n_lost.append(round(share * C))
            ret.append(float(df.retention.iloc[-1]))
        lost = np.array(lost)
        print(f"| {name} | {steps} | {C} | {lost.mean():.3f} | {lost.std(ddof=1):.3f} | {lost.min():.3f} to "
              f"{lost.max():.3f} | {min(n_lost)} to {max(n_lost)} | {int((lost > 0.25).sum())} | {np.mean(ret):.3f} |")


def approvals_runs(seed: int, steps: int = 120) -> dict:
    """The insurer's org chart (its Operations and IT divisions are all back office): remove-approval-steps
    scoped to Operations, without and with sign-offs on hand-offs into it."""
    cut = {"type": "remove-approval-steps", "step": 1, "scope": {"division": "Operations"}}
    out = {}
    for label, extra in (("no sign-offs configured", {}), ("`approvals.into = [\"Operations\"]`",
                                                          {"approvals": {"into": ["Operations"]}})):
        for with_cut in (False, True):
            m = run(build("insurer-baseline", seed, merge(extra, {"steps": steps}), [cut] if with_cut else []))
            df = m.series()
            out[(label, with_cut)] = {"decisions_reached": m.intervention_reach()[0]["decisions"] if with_cut else None,
                                      "warnings": m.reach_warnings() if with_cut else [],
                                      "approvals_waiting": window(df, "approvals_waiting", 1, steps),
                                      "latency": window(df, "decision_latency", 1, steps),
                                      "wait": window(df, "wait_mean", 1, steps)}
    return out


def section_approvals(seeds) -> None:
    print(f"\n### Issue 11: `remove-approval-steps` in an all-back-office division (`insurer-baseline`'s chart, "
          f"Operations: 31 back teams, no front team; 120 days, seeds {seeds[0]}-{seeds[-1]})\n")
    print("| sign-offs | decisions the intervention reached (per seed) | warning | approvals waiting: without / with "
          "the intervention | customers' wait (days): without / with |")
    print("|---|---|---|---|---|")
    rs = [approvals_runs(seed) for seed in seeds]
    for label in dict.fromkeys(k[0] for k in rs[0]):
        reached = [r[(label, True)]["decisions_reached"] for r in rs]
        warn = rs[0][(label, True)]["warnings"]
        aw = [np.mean([r[(label, c)]["approvals_waiting"] for r in rs]) for c in (False, True)]
        wt = Diff(np.array([r[(label, True)]["wait"] for r in rs]), np.array([r[(label, False)]["wait"] for r in rs]))
        print(f"| {label} | {reached} | {'; '.join(warn) or 'none'} | {aw[0]:.2f} / {aw[1]:.2f} "
              f"| {wt.b.mean():.2f} / {wt.a.mean():.2f} (paired {ci(wt)}) |")


def burnout_quarters(seed: int) -> list[float]:
    df = series("burnout", seed)
    q = [df[(df.step > a) & (df.step <= a + 91)] for a in (0, 182, 273)]
    return [q[1].fatigue.mean(), q[2].fatigue.mean(), q[0].new_requests.mean(), q[2].new_requests.mean(),
            q[1].pressure.mean(), q[2].pressure.mean()]


def section_burnout(seeds) -> None:
    print("\n### Issue 11: fatigue under rising pressure (`burnout`, Q3 = days 183-273, Q4 = days 274-364)\n")
    print("| seed | pressure Q3 / Q4 | fatigue Q3 | fatigue Q4 | Q4 minus Q3 | requests a day Q1 / Q4 |")
    print("|---|---|---|---|---|---|")
    rows = np.array([burnout_quarters(s) for s in seeds])
    for s, r in zip(seeds, rows, strict=True):
        print(f"| {s} | {r[4]:.2f} / {r[5]:.2f} | {r[0]:.3f} | {r[1]:.3f} | {r[1] - r[0]:+.3f} "
              f"| {r[2]:.1f} / {r[3]:.1f} |")
    d = Diff(rows[:, 1], rows[:, 0])
    print(f"| all ({len(seeds)}) | | {rows[:, 0].mean():.3f} | {rows[:, 1].mean():.3f} | {ci(d)}; rises in "
          f"{int((rows[:, 1] > rows[:, 0]).sum())} of {len(seeds)} "
          f"| {rows[:, 2].mean():.1f} / {rows[:, 3].mean():.1f} |")


def section_drift(seeds) -> None:
    print(f"\n### Issue 11: calm-run drift (`baseline`: pressure 0.2; the need held still unless said, "
          f"{len(seeds)} seeds {seeds[0]}-{seeds[-1]})\n")
    print("| start | satisfaction day 30 | day 365 | mean of days 1-60 | mean of days 306-365 | drift (last 60 minus "
          "first 60): mean [95% CI] | per seed, min to max |")
    print("|---|---|---|---|---|---|---|")
    arms = (("warm (default, 30-day burn-in)", 30, 0.0), ("empty (`customers.warm_start` 0)", 0, 0.0),
            ("warm, the need drifting (`baseline` as it is)", 30, None))
    for label, ws, drift in arms:
        rows = []
        for seed in seeds:
            extra = {"customers": {"warm_start": ws}} if drift is None else \
                {"pressure": {"need_drift": drift}, "customers": {"warm_start": ws}}
            df = series("baseline", seed, extra)
            sat = df.set_index("step").satisfaction
            rows.append([sat[30], sat[365], window(df, "satisfaction", 1, 60), window(df, "satisfaction", 306, 365)])
        r = np.array(rows)
        d = Diff(r[:, 3], r[:, 2])
        print(f"| {label} | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} | {r[:, 2].mean():.3f} | {r[:, 3].mean():.3f} "
              f"| {ci(d)} | {d.d.min():+.3f} to {d.d.max():+.3f} |")


def section_chain(seeds) -> None:
    """Ownership read along the chain: only the executive's ownership changes (a `leader` event on
    day 1); every front team's own manager keeps its value."""
    root = build("baseline", 1).manager_id(0)
    print(f"\n### Issue 11: ownership read along the chain (`baseline`; only the executive's ownership changes, "
          f"0 against 1, by a `leader` event on day 1; days 31-365, {len(seeds)} paired seeds)\n")
    print("| quantity | executive's ownership 0 | 1 | 0 minus 1 |")
    print("|---|---|---|---|")
    res = {}
    for v in (0.0, 1.0):
        ev = [{"type": "leader", "step": 1, "manager": root, "levers": {"ownership": v}}]
        res[v] = [series("baseline", seed, None, ev) for seed in seeds]
    for col in ("escalation_rate", "decision_latency", "meeting_load", "friction_index"):
        a = np.array([window(df, col, 31, 365) for df in res[0.0]])
        b = np.array([window(df, col, 31, 365) for df in res[1.0]])
        print(f"| {col} | {a.mean():.4g} | {b.mean():.4g} | {ci(Diff(a, b))} |")


SECTIONS = {"dose": section_dose, "windup": section_windup, "calm": section_calm, "empathy": section_empathy,
            "surge": section_surge, "churn": section_churn, "approvals": section_approvals,
            "burnout": section_burnout, "drift": section_drift, "chain": section_chain}
DEFAULT_SEEDS = {"approvals": 3, "burnout": 10}  # the insurer's chart is large; burnout: seeds 0-9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    ap.add_argument("--seeds", type=int, default=10, help="replicates per arm (seeds 1..N; burnout 0..N-1)")
    a = ap.parse_args()
    for name in a.only:
        t = time.perf_counter()
        n = min(a.seeds, DEFAULT_SEEDS.get(name, a.seeds)) if name == "approvals" else a.seeds
        seeds = list(range(n)) if name == "burnout" else list(range(1, n + 1))
        SECTIONS[name](seeds)
        print(f"\n({name}: {time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
