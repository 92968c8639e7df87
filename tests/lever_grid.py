"""The lever grid of issue 10 (section 3): one lever over GRID, the others at their defaults,
under (calm, shock) x (flat, deep hierarchy), paired seeds.  Shared by tests/test_lever_costs.py
and benchmarks/lever_costs.py."""

from __future__ import annotations

import numpy as np
from patterns_util import SHOCK, merge

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams

GRID = (0.2, 0.4, 0.6, 0.8, 1.0)
LEVERS_STUDIED = ("ownership", "empathy", "customer_bar")
STEPS = 200
WINDOW = 50  # warm-up days skipped by the scores
ROOT = 2000  # replicate i of every cell uses seed ROOT + i (common random numbers)
ORG = {"teams": 32, "divisions": 2}  # the same 32 teams under two or four manager levels
CONDITIONS = {
    "calm, flat": {"org": dict(ORG, depth=2)},
    "calm, deep": {"org": dict(ORG, depth=4)},
    "shock, flat": {"org": dict(ORG, depth=2), "events": [SHOCK]},
    "shock, deep": {"org": dict(ORG, depth=4), "events": [SHOCK]},
}
# every cost mechanism of the three levers switched off
COSTS_OFF = {"decisions": {"error_max": 0.0, "exception_work": 0.0, "exception_inconsistency": 0.0,
                           "team_call_work": 0.0},
             "managers": {"empathy_time": 0.0}}


def run_cell(lever: str, value: float, condition: str, seed: int, extra: dict | None = None):
    spec = merge({"steps": STEPS, "levers": {lever: value}}, CONDITIONS[condition], extra or {})
    m = AlignmentModel(params=ModelParams.model_validate(spec), seed=seed)
    m.run()
    return m.series()


def cell_scores(lever: str, value: float, condition: str, seeds: int, extra: dict | None = None):
    """Friction (mean index) and satisfaction (mean), days WINDOW..STEPS, one entry per seed."""
    fr, sat = [], []
    for i in range(seeds):
        s = run_cell(lever, value, condition, ROOT + i, extra)
        fr.append(float(s["friction_index"].to_numpy()[WINDOW:].mean()))
        sat.append(float(s["satisfaction"].to_numpy()[WINDOW:].mean()))
    return np.array(fr), np.array(sat)
