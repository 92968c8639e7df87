"""Step 2, demand: active customers make requests, more under pressure.

Demand does not depend on service: every active customer asks with the same daily chance,
whether or not it already has requests open, so a demand event of +X% (``pressure.demand_gain``
times a shock's pressure, or a ``demand-surge`` intervention) produces +X% requests.  A request
takes the lowest free slot of the request pool (``State.free_slots`` grows the pool when needed);
a customer already holding ``demand.max_open`` requests does not ask (balks, counted).

A request's theme is drawn from the market's current need (customers ask for what they need);
it may need back-office work and/or a decision beyond routine.  Seed 000 ('Pressure', the CX
mirror); MODEL.md step 2.
"""

from __future__ import annotations

import numpy as np

from .customers import overdue_slots
from .friction import book, holding
from .params import ModelParams
from .state import FRONT, State


def request_chance(st: State, params: ModelParams, pressure: float, customers: np.ndarray) -> np.ndarray:
    """Today's chance that each of ``customers`` makes a request."""
    rate = params.demand.request_rate * (1.0 + params.pressure.demand_gain * pressure)
    boost = st.iv.demand_boost  # demand-surge interventions, per team
    if not boost.any():
        return np.broadcast_to(min(1.0, rate), customers.shape)  # the same for every customer (read-only)
    return np.minimum(1.0, rate * (1.0 + boost))[st.cust_team[customers]]


def make_requests(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> None:
    """Every active customer asks with today's chance; each request opens in a free slot.  Then
    customers waiting past their accepted wait chase (:func:`chase`).  Before, teams under work
    pressure cut the time they give each task (:func:`erode_standards`)."""
    erode_standards(st, params)
    open_requests(st, params, rng, pressure)
    chase(st, params, rng)


def open_requests(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> None:
    d = params.demand
    active = np.flatnonzero(st.active)
    asking = active[rng.random(active.size) < request_chance(st, params, pressure, active)]
    room = st.open_count()[asking] < d.max_open
    st.tick.balked = int(asking.size - np.count_nonzero(room))
    st.total_balked += st.tick.balked
    asking = asking[room]
    n = asking.size
    st.tick.new_requests = n
    st.total_requests += n
    if n == 0:
        return
    new = st.free_slots(n)
    st.req_cust[new] = asking
    st.req_team[new] = st.cust_team[asking]
    st.dec_team[new] = -1
    st.stage[new] = FRONT
    st.loc[new] = st.cust_team[asking]
    st.theme[new] = np.minimum(np.searchsorted(np.cumsum(st.need), rng.random(n), side="right"), st.need.size - 1)
    st.needs_back[new] = rng.random(n) < d.back_share
    st.needs_decision[new] = rng.random(n) < min(1.0, d.decision_share * (1.0 + d.decision_gain * pressure))
    st.remaining[new] = d.front_work * st.work_factor[st.cust_team[asking]]
    st.work_total[new] = st.remaining[new]
    team = st.cust_team[asking]
    st.defective[new] = rng.random(n) < params.pressure.erosion_defects * (1.0 - st.time_per_task[team])
    st.age[new] = 0.0
    for arr in (st.back_done, st.reworked, st.siloed, st.exception):
        arr[new] = False
    for arr in (st.n_explain, st.n_inconsistent, st.n_escalate, st.n_bounce):
        arr[new] = 0


def chase(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    """Failure demand (Seddon 2003): each open request past its customer's accepted wait is chased
    today with chance ``demand.chase_rate``.  A chaser is answered by the customer's front team,
    which spends ``demand.chase_work`` person-days on it today (``st.chase_load``, taken from its
    capacity in ``work.do_work``), and it is friction (``customers.friction_weights['chase']``),
    booked to the cause and unit holding the request (``friction.holding``)."""
    d = params.demand
    st.chase_load = np.zeros(st.T)
    if d.chase_rate == 0:
        return
    overdue = overdue_slots(st)
    chasing = overdue[rng.random(overdue.size) < d.chase_rate]
    st.tick.chasers = chasing.size
    st.total_chasers += chasing.size
    if chasing.size == 0:
        return
    st.chase_load = d.chase_work * np.bincount(st.req_team[chasing], minlength=st.T)
    cause, unit = holding(st, chasing, params.customers.tired_fatigue)
    book(st, cause, unit, params.customers.friction_weights["chase"])


def erode_standards(st: State, params: ModelParams) -> None:
    """Erosion of standards (Oliva and Sterman 2001), once a day before work is planned.

    Under work pressure (yesterday's ``load_ratio`` above 1: more backlog than the team considers
    normal) a team cuts the time it gives each task below its standard:
    ``time_per_task = standard x (1 - pressure.erosion_cut x min(1, load_ratio - 1))``, and the
    standard drifts toward the time actually given at ``pressure.erosion_drift`` a day (goal
    erosion).  Nothing pulls it back up: once pressure is gone the team works to its eroded
    standard, so a temporary pulse leaves a lasting erosion.  The time cut scales the work of every
    request the team takes on today (``work_factor``); a request done in less time is more likely
    to be defective when it reaches the customer (``customers.complete``)."""
    pp = params.pressure
    pressure = np.clip(st.load_ratio - 1.0, 0.0, 1.0)
    st.time_per_task = st.standard * (1.0 - pp.erosion_cut * pressure)
    st.standard += pp.erosion_drift * (st.time_per_task - st.standard)
    st.work_factor = st.work_factor * st.time_per_task
