"""Does clarity have March's (1991) price?  Clarity 0 / 0.25 / 0.5 / 0.75 / 1 with the March wiring on
(issue 10 s3; docs/ODD.md 7.10), by condition, over paired seeds (replicate i of every cell uses
seed ROOT + i: common random numbers).

Outcomes, mean over days WINDOW..steps: the code's (the executive's intent's) total-variation
distance to the need, the teams' fit to the need, alignment, the friction index, satisfaction.
Mechanism: on review days, how many teams fit the need better than the code (March's superior
group) and how often the code learnt from them (moves); the teams' mean distance to the code
(what socialisation leaves of their local knowledge).  Prints a table of means and each clarity's
paired difference against clarity 1 (95% t interval; + = clarity 1 worse).

    PYTHONPATH=$PWD nice -n 10 python benchmarks/clarity_price.py --seeds 12
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from patterns_util import Diff, merge

from sim.model import signals
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.state import distance

CLARITY = (0.0, 0.25, 0.5, 0.75, 1.0)
ROOT = 3000
STEPS = 300
WINDOW = 60
# March's rates on alignsim's scale (docs/ODD.md 7.10): p1 over his 0.1-0.9 range (floor 0.1), p2 high
MARCH = {"signals": {"socialisation_floor": 0.1, "local_learning": 0.05, "code_learning": 0.5}}
SHIFT = {"type": "shock", "step": 60, "duration": 40, "pressure": 0.5, "noise": 0.0, "need_shift": 0.6,
         "theme": "quality"}
CONDITIONS = {
    "stable": {"pressure": {"need_drift": 0.0}},
    "drift 0.01": {"pressure": {"need_drift": 0.01}},
    "drift 0.03": {"pressure": {"need_drift": 0.03}},
    "shift": {"pressure": {"need_drift": 0.01}, "events": [SHIFT]},
}
# March's code has no view of reality of its own: it learns only from its members.  Here: the executive
# still reviews (so the code learns at each review) but never makes an adjustment of its own (a minimum
# pivot size it cannot reach) and never pivots on customer friction.
BLIND = {"signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0}, "canary": {"pivot_propensity": 0.0}}
OUTCOMES = ("code_dist", "team_fit", "alignment", "friction", "satisfaction", "superior", "moves", "team_code",
            "fr_misalignment", "fr_overload", "fr_decision", "fr_rework", "inconsistent")
PARTS = {"fr_misalignment": "friction_misalignment", "fr_overload": "friction_overload_fatigue",
         "fr_decision": "friction_decision_escalation", "fr_rework": "friction_pivot_rework",
         "inconsistent": "inconsistent_rate"}


def run_one(spec: dict, seed: int) -> dict:
    """One run, stepped by hand to record the code's distance to the need and code learning."""
    params = ModelParams.model_validate(spec)
    m = AlignmentModel(params=params, seed=seed)
    st = m.state
    moves, superior, reviews = 0, [], 0
    original = signals.learn_code

    def counting(state, rate):
        nonlocal moves
        moved = original(state, rate)
        moves += int(moved)
        return moved

    signals.learn_code = counting
    code_dist, team_code = [], []
    try:
        for t in range(1, params.steps + 1):
            if t % params.signals.review_every == 0 and t >= WINDOW:
                reviews += 1
                teams = st.reading[st.team_unit]
                own = float(distance(st.reading[0], st.need))
                superior.append(float((distance(teams, st.need[None, :]) < own).mean()))
            m.step()
            code_dist.append(float(distance(st.reading[0], st.need)))
            team_code.append(float(distance(st.reading[st.team_unit], st.reading[0][None, :]).mean()))
    finally:
        signals.learn_code = original
    s = m.series()
    w = slice(WINDOW, None)
    parts = {k: float(s[col].to_numpy()[w].mean()) for k, col in PARTS.items()}
    return {**parts, "code_dist": float(np.mean(code_dist[w])),
            "team_fit": float(s["fit_to_need"].to_numpy()[w].mean()),
            "alignment": float(s["alignment"].to_numpy()[w].mean()),
            "friction": float(s["friction_index"].to_numpy()[w].mean()),
            "satisfaction": float(s["satisfaction"].to_numpy()[w].mean()),
            "superior": float(np.mean(superior)) if superior else 0.0, "moves": moves,
            "team_code": float(np.mean(team_code[w]))}


def cell(spec: dict, seeds: int) -> dict:
    rows = [run_one(spec, ROOT + i) for i in range(seeds)]
    return {k: np.array([r[k] for r in rows], dtype=float) for k in OUTCOMES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--set", default="{}", help="extra overrides on top of the March rates, as JSON")
    ap.add_argument("--blind", action="store_true", help="the code learns only from the teams (BLIND)")
    ap.add_argument("--off", action="store_true", help="March wiring off (local and code learning 0)")
    ap.add_argument("--p1", help="vary socialisation (March's p1, share per re-read) over these values at a fixed "
                                 "clarity (--clarity), socialisation_floor 1, instead of varying clarity")
    ap.add_argument("--clarity", type=float, default=0.5)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    extra = merge(MARCH, json.loads(a.set))
    if a.blind:
        extra = merge(extra, BLIND)
    if a.off:
        extra = merge(extra, {"signals": {"local_learning": 0.0, "code_learning": 0.0}})
    if a.p1:
        grid = {f"p1 {v}": {"levers": {"clarity": a.clarity},
                            "signals": {"socialisation": float(v), "socialisation_floor": 1.0}}
                for v in a.p1.split(",")}
    else:
        grid = {f"c {c:g}": {"levers": {"clarity": c}} for c in CLARITY}
    print(f"seeds {a.seeds} (root {ROOT}), {a.steps} days, window {WINDOW}-{a.steps}; overrides {json.dumps(extra)}")
    out: dict = {}
    names = list(grid)
    last = names[-1]
    for cond in a.conditions.split(","):
        res = {g: cell(merge({"steps": a.steps}, CONDITIONS[cond], extra, grid[g]), a.seeds) for g in names}
        out[cond] = {g: {k: v.tolist() for k, v in r.items()} for g, r in res.items()}
        print(f"\n## {cond}")
        print("| outcome | " + " | ".join(names) + " | " + " | ".join(f"{g} - {last}" for g in names[:-1]) + " |")
        print("|---|" + "---|" * (2 * len(names) - 1))
        for k in OUTCOMES:
            means = " | ".join(f"{res[g][k].mean():.4g}" for g in names)
            diffs = " | ".join(fmt(Diff(res[g][k], res[last][k])) for g in names[:-1])
            print(f"| {k} | {means} | {diffs} |")
    if a.json:
        a.json.write_text(json.dumps(out))


def fmt(d: Diff) -> str:
    lo, hi = d.ci
    return f"{d.mean:+.3g} [{lo:+.3g}, {hi:+.3g}]"


if __name__ == "__main__":
    main()
