"""Warm start: the service system starts in its steady state on day 1 (issue 11, item 8).

A run used to start empty: no request open, every customer at ``customers.initial_satisfaction``;
satisfaction then drifted from 0.75 to 0.93 over a calm year, and the first weeks' waits and
friction were those of an idle organisation.  The warm start has two parts, neither recorded:

1. **A short burn-in of the fast state** (``customers.warm_start`` days, 30 by default): demand,
   hand-offs, decisions, work, people and customers run under the conditions of day 0, so queues,
   decisions in flight, overtime, fatigue and engagement reach their calm levels (queues turn over
   in days; engagement is given a faster adjustment in the burn-in, so that it settles within it).
   Nobody leaves during the burn-in (calm churn off), so the run starts with its full base.
2. **A computed steady state of the slow state**: customer satisfaction is an exponentially
   weighted memory of experiences (``customers.learning``) over about one request every three
   weeks, so it takes a year of simulated time to forget its start value.  Instead, each
   customer's satisfaction is set to its stationary form directly: the weighted sum
   ``sum_k w (1 - w)^k x_k`` of ``HISTORY`` past experiences ``x_k`` drawn from the experiences
   the customers of its own team had in the burn-in (finished requests scored as in
   ``customers.complete``, reneged requests as 0), the oldest term carrying the remaining weight.
   Mean and spread are those of the memory in a stationary service.

Not warmed: leadership and priorities (readings, intent, levers, signals, pivots, the market's
need), which are the scenario's inputs on day 1; the hiring pipeline fills only as far as the
burn-in's leavers (about two thirds of its steady level).  The books (totals, provenance,
counters) start at 0, except ``total_requests``, which counts the requests open on day 0.

Cost: about ``warm_start`` steps without signals or data collection, plus C x (HISTORY + 1) draws.
Same seed, same warm start: it draws from the model's generator.
"""

from __future__ import annotations

import numpy as np

from .customers import complete, erode_and_churn, overdue_slots
from .params import ModelParams
from .people import update_people
from .service import serve
from .state import NONE, State, Tick, distinct

HISTORY = 16  # experiences in a customer's computed memory; weight left on the oldest: (1 - w)^16, 0.3% at w 0.3
SETTLED = 0.01  # engagement's remaining gap to its target at the end of the burn-in


def warm_start(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> dict[str, float]:
    """Burn in ``params.customers.warm_start`` days at ``pressure`` and set every customer's
    satisfaction to its steady state; return the last burn-in day's mean and p90 wait and
    decision latency (the values row 0 then shows)."""
    days = params.customers.warm_start
    last = {"wait_mean": 0.0, "wait_p90": 0.0, "decision_latency": 0.0}
    if days == 0 or st.C == 0:
        return last
    mp = params.managers
    warm = params.model_copy(update={
        "people": params.people.model_copy(update={"hiring_freeze": False}),  # a freeze starts on day 1
        "customers": params.customers.model_copy(update={"calm_churn": 0.0}),  # nobody leaves
        "managers": mp.model_copy(update={"engagement_rate": max(mp.engagement_rate, 1.0 - SETTLED ** (1.0 / days))}),
    })
    no_change = np.zeros(st.T)
    eroded = np.zeros(st.T)  # satisfaction eroded by waiting past the accepted wait, summed by team
    st.experiences = None
    for day in range(1 - days, 1):  # days 1-days .. 0, so the hiring pipeline runs on into day 1
        if day == 1 - days // 2:  # the second half: queues (and so waits) have filled
            st.experiences = []
            eroded[:] = 0.0
        st.tick = Tick()
        st.friction_step[:] = 0.0
        st.meeting_load[:] = 0.0
        st.age[st.stage != NONE] += 1.0
        done = serve(st, warm, rng, pressure)
        update_people(st, warm, rng, day, no_change)
        complete(st, warm, done)
        waiting = distinct(st.req_cust[overdue_slots(st)])  # as erode_and_churn sees it
        eroded += params.customers.erosion * np.bincount(st.cust_team[waiting], minlength=st.T)
        erode_and_churn(st, warm, rng)
        tk = st.tick
        if tk.completed:
            last["wait_mean"], last["wait_p90"] = tk.wait_sum / tk.completed, tk.wait_p90
        if tk.decisions:
            last["decision_latency"] = tk.decision_latency_sum / tk.decisions
    experiences, st.experiences = st.experiences, None
    steady_satisfaction(st, params, rng, experiences, eroded)
    active = np.bincount(st.cust_team, weights=st.active, minlength=st.T)
    total = np.bincount(st.cust_team, weights=st.satisfaction * st.active, minlength=st.T)
    st.satisfaction_ref = np.where(active > 0, total / np.maximum(active, 1), st.satisfaction_ref)  # word of mouth's 1
    st.tick = Tick()
    st.friction_step[:] = 0.0
    st.friction[:] = 0.0
    st.meeting_load[:] = 0.0
    st.total_requests = int(np.count_nonzero(st.stage != NONE))
    st.total_completed = st.total_abandoned = st.total_churned = st.total_balked = 0
    st.total_chasers = st.total_arrived = 0
    return last


def steady_satisfaction(st: State, params: ModelParams, rng: np.random.Generator,
                        experiences: list[tuple[np.ndarray, np.ndarray]], eroded: np.ndarray) -> None:
    """Each customer's satisfaction as the stationary memory of ``HISTORY`` experiences drawn from
    those of its team's customers (from all teams' where its team had none); unchanged if the
    burn-in produced no experience or customers do not learn (``customers.learning`` 0)."""
    w = params.customers.learning
    if not experiences or w == 0:
        return
    cust = np.concatenate([c for c, _ in experiences])
    score = np.concatenate([x for _, x in experiences])
    if cust.size == 0:
        return
    team = st.cust_team[cust]
    order = np.argsort(team, kind="stable")
    pool = score[order]
    count = np.bincount(team, minlength=st.T)
    start = np.r_[0, np.cumsum(count)[:-1]]
    mine = st.cust_team
    n = np.where(count[mine] > 0, count[mine], pool.size)
    first = np.where(count[mine] > 0, start[mine], 0)
    draws = first[:, None] + (rng.random((st.C, HISTORY + 1)) * n[:, None]).astype(np.int64)
    weights = w * (1.0 - w) ** np.arange(HISTORY + 1)
    weights[-1] = (1.0 - w) ** HISTORY  # the oldest experience carries what is left
    # erosion between experiences: with D eroded per experience, the stationary mean of
    # s' = (1 - w)(s - D) + w x is E[x] - D (1 - w) / w
    per_experience = np.where(count > 0, eroded / np.maximum(count, 1), eroded.sum() / pool.size)
    st.satisfaction[:] = np.clip(pool[draws] @ weights - per_experience[mine] * (1.0 - w) / w, 0.0, 1.0)
