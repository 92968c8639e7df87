"""Step 2, demand: idle customers make requests, more under pressure.

A request's theme is drawn from the market's current need (customers ask for what they need);
it may need back-office work and/or a decision beyond routine.  Seed 000 ('Pressure', the CX
mirror); MODEL.md step 2.
"""

from __future__ import annotations

import numpy as np

from .params import ModelParams
from .state import FRONT, NONE, State


def make_requests(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> None:
    """Open a request for each idle customer that asks today."""
    d = params.demand
    rate = d.request_rate * (1.0 + params.pressure.demand_gain * pressure)
    idle = np.flatnonzero(st.active & (st.stage == NONE))
    boost = 1.0 + st.iv.demand_boost[st.cust_team[idle]]  # demand-surge interventions
    new = idle[rng.random(idle.size) < np.minimum(1.0, rate * boost)]
    n = new.size
    st.tick.new_requests = n
    st.total_requests += n
    if n == 0:
        return
    st.stage[new] = FRONT
    st.loc[new] = st.cust_team[new]
    st.theme[new] = np.minimum(np.searchsorted(np.cumsum(st.need), rng.random(n), side="right"), st.need.size - 1)
    st.needs_back[new] = rng.random(n) < d.back_share
    st.needs_decision[new] = rng.random(n) < min(1.0, d.decision_share * (1.0 + d.decision_gain * pressure))
    st.remaining[new] = d.front_work * st.work_factor[st.cust_team[new]]
    st.work_total[new] = st.remaining[new]
    st.age[new] = 0.0
    for arr in (st.back_done, st.reworked, st.siloed, st.exception):
        arr[new] = False
    for arr in (st.n_explain, st.n_inconsistent, st.n_escalate, st.n_bounce):
        arr[new] = 0
