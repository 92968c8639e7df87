"""Warm start: the service system reaches its calm steady state before day 1 (issue 11, item 8).

A run used to start empty: no request open, no initiative work in progress, every customer at
``customers.initial_satisfaction``; satisfaction then drifted from 0.75 to 0.93 over a calm year,
and the first weeks' waits and friction were those of an idle organisation.  Before day 1 the
model now runs ``customers.warm_start`` days of the service system only (demand, hand-offs,
decisions, work, customers) under the conditions of day 0, and records nothing of them.

What is warmed and what is not, and why:

- Warmed: the queues and decisions in flight, initiative work in progress, overtime, every
  customer's satisfaction, and the people: fatigue, engagement, leavers and the hiring pipeline
  (on day 1 the usual share of posts is vacant and being filled, and hires are ramping up).
  A customer's first experience during the warm-up sets its satisfaction (it has no other);
  later ones move it with the usual learning weight, so a customer's starting satisfaction is the
  memory of real experiences in this organisation, not a guess.  A hiring freeze starts on day 1.
- Not warmed: leadership and priorities (readings, intent, levers, pivots, the market's need):
  a scenario's levers and intent are meant to hold on day 1, and signals have no history yet.
- Customers who leave during the warm-up are replaced (the run starts with its full base), with
  the mean satisfaction of those who stayed; the books (totals, provenance, counters) start at 0,
  except ``total_requests``, which counts the requests open on day 0.

Same seed, same warm-up: it draws from the model's generator.
"""

from __future__ import annotations

import numpy as np

from .customers import complete, erode_and_churn, update_expectations
from .decisions import decide, set_overcheck
from .demand import make_requests
from .handoffs import route
from .params import ModelParams
from .people import update_people
from .state import NONE, State, Tick
from .work import do_work


def warm_start(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> dict[str, float]:
    """Run ``params.customers.warm_start`` days of the service system at ``pressure``; return the
    last warm-up day's mean and p90 wait and decision latency (the values row 0 then shows)."""
    days = params.customers.warm_start
    last = {"wait_mean": 0.0, "wait_p90": 0.0, "decision_latency": 0.0}
    if days == 0 or st.C == 0:
        return last
    fresh = np.ones(st.C, dtype=bool)  # customers with no experience yet
    hiring = params.model_copy(update={"people": params.people.model_copy(update={"hiring_freeze": False})})
    no_change = np.zeros(st.T)
    for day in range(1 - days, 1):  # days 1-days .. 0, so the hiring pipeline runs on into day 1
        st.tick = Tick()
        st.friction_step[:] = 0.0
        st.meeting_load[:] = 0.0
        st.age[st.stage != NONE] += 1.0
        update_expectations(st, params, pressure)
        set_overcheck(st, params, pressure)
        make_requests(st, params, rng, pressure)
        done = route(st, params, rng, pressure)
        decide(st, params, rng)
        do_work(st, params)
        update_people(st, hiring, rng, day, no_change)
        complete(st, params, done, fresh=fresh)
        erode_and_churn(st, params, rng)
        tk = st.tick
        if tk.completed:
            last["wait_mean"], last["wait_p90"] = tk.wait_sum / tk.completed, tk.wait_p90
        if tk.decisions:
            last["decision_latency"] = tk.decision_latency_sum / tk.decisions
    gone = ~st.active
    if gone.any():  # replaced by new customers of the same teams
        st.satisfaction[gone] = st.satisfaction[st.active].mean() if st.active.any() else \
            params.customers.initial_satisfaction
        st.active[:] = True
    st.tick = Tick()
    st.friction_step[:] = 0.0
    st.friction[:] = 0.0
    st.meeting_load[:] = 0.0
    st.total_requests = int(np.count_nonzero(st.stage != NONE))
    st.total_completed = st.total_abandoned = st.total_churned = st.total_balked = 0
    return last
