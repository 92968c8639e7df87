"""Empathy's price in a second currency (issue 10 s3): what an empathic manager absorbs, it carries.

With ``managers.carried_strain`` at its default (1, conservation) and at 0 (absorbed strain
vanishes, the model before), over the lever grid's protocol (tests/lever_grid.py: 32 teams, flat
or deep, calm or the pattern tests' SHOCK, 200 days, days 50-200, replicate i = seed 2000 + i in
every arm): empathy at 0.2-1.0, each value minus 1.0 (paired 95% t interval, + = the lower value is
better) on friction and satisfaction; and the mechanism: the managers' mean fatigue (days 50-200)
and its peak, the mean decision latency.

    PYTHONPATH=$PWD python benchmarks/carried_strain.py --seeds 10
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lever_grid import CONDITIONS, GRID, ROOT, STEPS, WINDOW
from patterns_util import Diff, merge

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams


def run(value: float, condition: str, seed: int, carried: float) -> dict:
    spec = merge({"steps": STEPS, "levers": {"empathy": value}, "managers": {"carried_strain": carried}},
                 CONDITIONS[condition])
    m = AlignmentModel(params=ModelParams.model_validate(spec), seed=seed)
    mgr = ~m.state.is_team
    fat = np.empty(STEPS)
    for t in range(STEPS):
        m.step()
        fat[t] = m.state.manager_fatigue[mgr].mean()
    s = m.series()
    return {"friction": float(s["friction_index"].to_numpy()[WINDOW:].mean()),
            "satisfaction": float(s["satisfaction"].to_numpy()[WINDOW:].mean()),
            "latency": float(np.nanmean(s["decision_latency"].to_numpy()[WINDOW:])),
            "mgr_fatigue": float(fat[WINDOW:].mean()), "mgr_fatigue_peak": float(fat.max())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    for carried in (1.0, 0.0):
        print(f"\n## managers.carried_strain {carried:g}\n")
        print("| condition | empathy | friction | satisfaction | managers' fatigue (mean; peak) | latency (days) "
              "| friction: better than 1.0 by | satisfaction: better than 1.0 by |")
        print("|---|---|---|---|---|---|---|---|")
        for cond in CONDITIONS:
            res = {v: [run(v, cond, ROOT + i, carried) for i in range(args.seeds)] for v in GRID}
            col = {v: {k: np.array([r[k] for r in rs]) for k in rs[0]} for v, rs in res.items()}
            for v in GRID:
                c = col[v]
                if v == 1.0:
                    fr = sat = "-"
                else:
                    f = Diff(-c["friction"], -col[1.0]["friction"])
                    s = Diff(c["satisfaction"], col[1.0]["satisfaction"])
                    fr = f"{f.mean:+.3f} [{f.ci[0]:+.3f}, {f.ci[1]:+.3f}]" + (" *" if f.positive() else "")
                    sat = f"{s.mean:+.4f} [{s.ci[0]:+.4f}, {s.ci[1]:+.4f}]" + (" *" if s.positive() else "")
                print(f"| {cond} | {v:g} | {c['friction'].mean():.2f} | {c['satisfaction'].mean():.3f} | "
                      f"{c['mgr_fatigue'].mean():.3f}; {c['mgr_fatigue_peak'].mean():.3f} | {c['latency'].mean():.2f} "
                      f"| {fr} | {sat} |")


if __name__ == "__main__":
    main()
