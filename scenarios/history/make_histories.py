"""Regenerate the synthetic histories of this folder: a year of monthly KPIs made by the model itself
at known parameter values, to rehearse `alignsim calibrate` (and to check that it finds them back).

    python scenarios/history/make_histories.py

workshop-history.csv: the baseline scenario (20 teams, the workshop size), 12 months from 2025-01,
    seed 2025, at demand.request_rate = 0.075, customers.erosion = 0.02, people.attrition_base = 0.0006.
insurer-history.csv: insurer-baseline (the bundled insurer chart), 12 months from 2025-01, seed 2025, at
    demand.request_rate = 0.05, customers.erosion = 0.015, people.attrition_base = 0.0004.
Values are what the model gives, rounded as a client's report would be (counts to units).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from sim.calibrate.mapping import DEFAULT_MAP  # noqa: E402
from sim.calibrate.synthetic import synthetic_history  # noqa: E402
from sim.inputs.scenarios import load_scenario  # noqa: E402

KPIS = [DEFAULT_MAP[k] for k in ("contacts", "satisfaction", "customer_churn", "staff_attrition")]
HISTORIES = {
    "workshop-history.csv": ("baseline", {"demand.request_rate": 0.075, "customers.erosion": 0.02,
                                          "people.attrition_base": 0.0006}),
    "insurer-history.csv": ("insurer-baseline", {"demand.request_rate": 0.05, "customers.erosion": 0.015,
                                                 "people.attrition_base": 0.0004}),
}

if __name__ == "__main__":
    for file, (scenario, values) in HISTORIES.items():
        sc = load_scenario(scenario)
        (HERE / file).write_text(synthetic_history(sc.params, sc.graph, values, KPIS, 12, seed=2025), encoding="utf-8")
        print(f"wrote {HERE / file}")
