"""Step 8, customers: experience, satisfaction, churn and word of mouth.

Each finished request leaves an experience scored against the customer's expectation:
lateness relative to the wait it accepts, repeated explanations, inconsistent answers,
escalations and bounces, and any exception a manager granted.  Satisfaction moves toward that
score with a learning weight (expectation and disconfirmation, Oliver 1980); waiting past the
expectation erodes it day by day.  Customers leave at a small calm rate, faster the further
their satisfaction falls below a reference, abandoning their open requests; each tie of a leaver
loses some satisfaction (word of mouth, in the manner of Bass diffusion).  Accepted waits shorten
as pressure rises (customers expect more).  Seed 000 (the CX mirror), seed 004; MODEL.md step 8.
"""

from __future__ import annotations

import numpy as np

from .friction import book
from .params import ModelParams
from .state import C_OVERLOAD, FRONT, NONE, State, distinct


def percentile(x: np.ndarray, q: float) -> float:
    """Quantile with linear interpolation between order statistics (numpy's default method),
    without numpy.percentile's overhead on the small arrays of one step."""
    s = np.sort(x)
    h = q * (s.size - 1)
    lo = int(h)
    hi = min(lo + 1, s.size - 1)
    return float(s[lo] + (h - lo) * (s[hi] - s[lo]))


def update_expectations(st: State, params: ModelParams, pressure: float) -> None:
    disruption = st.iv.expectation_boost  # competitor-disruption interventions, per team
    factor = (1.0 + params.pressure.expectation_gain * pressure) * (1.0 + disruption)
    # per customer: its team's factor, or the one factor every team shares when none is disrupted
    st.expected = st.patience / (factor[st.cust_team] if disruption.any() else factor[:1])


def complete(st: State, params: ModelParams, done: np.ndarray) -> None:
    """Score finished requests (slot indices) and close them.  A defective one (done in less time
    than the original standard, ``demand.erode_standards``) is not finished: the customer comes back,
    explains again, and the front team redoes it (friction: overload, weight ``bounce``)."""
    cp = params.customers
    wrong = st.defective[done]
    bad, done = done[wrong], done[~wrong]
    st.tick.defects = bad.size
    if bad.size:
        team = st.req_team[bad]
        st.defective[bad] = False  # the redo is done right
        st.stage[bad] = FRONT
        st.loc[bad] = team
        st.remaining[bad] = params.demand.front_work * st.work_factor[team]
        st.work_total[bad] = st.remaining[bad]
        st.n_explain[bad] += 1
        book(st, C_OVERLOAD, st.team_unit[team], cp.friction_weights["bounce"])
    st.tick.completed = done.size
    st.total_completed += done.size
    if done.size == 0:
        return
    cust = st.req_cust[done]
    expected = st.expected[cust]
    wait = st.age[done]
    late = np.maximum(0.0, wait - expected) / expected
    score = (1.0 - cp.wait_weight * late
             - cp.explain_weight * st.n_explain[done]
             - cp.inconsistent_weight * st.n_inconsistent[done]
             - cp.escalation_weight * (st.n_escalate[done] + st.n_bounce[done])
             + cp.exception_bonus * st.exception[done])
    learn(st, cust, np.clip(score, 0.0, 1.0), cp.learning)
    st.tick.wait_sum = float(wait.sum())
    st.tick.wait_p90 = percentile(wait, 0.9)
    st.tick.done_explanations = int(st.n_explain[done].sum())
    st.tick.done_inconsistent = int((st.n_inconsistent[done] > 0).sum())
    st.tick.done_escalated = int((st.n_escalate[done] > 0).sum())
    st.tick.done_bounced = int((st.n_bounce[done] > 0).sum())
    # value of the service delivered: the work it needed, halved where the answer contradicted
    work = params.demand.front_work + params.demand.back_work * st.needs_back[done]
    st.tick.value += float((work * np.where(st.n_inconsistent[done] > 0, 0.5, 1.0)).sum())
    st.stage[done] = NONE


def learn(st: State, cust: np.ndarray, score: np.ndarray, weight: float) -> None:
    """``s[c] <- (1 - weight) s[c] + weight score`` for each (customer, score) pair, in order: a
    customer with several requests finished on one day learns from each in turn.  During the warm
    start (``st.experiences`` is a list) every experience is also kept, to compute the customers'
    steady state from (``sim.model.warmup``)."""
    s = st.satisfaction
    if st.experiences is not None:
        st.experiences.append((cust.copy(), np.asarray(score, dtype=float).copy()))
    if cust.size == 0:
        return
    # round k applies each customer's k-th experience (in the order given); one round when no
    # customer has two, which is most days
    order = np.argsort(cust, kind="stable")
    sorted_cust = cust[order]
    first = np.empty(cust.size, dtype=bool)
    first[0] = True
    np.not_equal(sorted_cust[1:], sorted_cust[:-1], out=first[1:])
    if first.all():
        s[cust] = (1.0 - weight) * s[cust] + weight * score
        return
    pos = np.arange(cust.size)
    rank = pos - np.maximum.accumulate(np.where(first, pos, 0))  # 0 for a customer's first, 1 for its second...
    for k in range(int(rank.max()) + 1):
        i = order[rank == k]
        s[cust[i]] = (1.0 - weight) * s[cust[i]] + weight * score[i]


def overdue_slots(st: State) -> np.ndarray:
    """Open request slots past their customer's accepted wait (ascending)."""
    open_ = np.flatnonzero(st.stage != NONE)
    return open_[st.age[open_] > st.expected[st.req_cust[open_]]]


def leaving_hazard(satisfaction: np.ndarray, params: ModelParams) -> np.ndarray:
    """Daily chance that a customer with this satisfaction leaves: the calm hazard (``calm_churn`` a
    year), times 1 + ``churn_gain`` x its dissatisfaction below ``churn_reference`` (0 at the
    reference, 1 at satisfaction 0)."""
    cp = params.customers
    calm = 1.0 - (1.0 - cp.calm_churn) ** (1.0 / 365.0)
    # min(1, calm x (1 + churn_gain x max(0, ref - s) / ref)): min(1, calm) at or above the
    # reference (most customers), worked out in place for the others only
    hazard = np.full(np.shape(satisfaction), min(calm, 1.0))
    below = np.flatnonzero(satisfaction < cp.churn_reference)
    h = np.subtract(cp.churn_reference, satisfaction[below])
    h /= cp.churn_reference
    h *= cp.churn_gain
    h += 1.0
    h *= calm
    hazard[below] = np.minimum(h, 1.0, out=h)
    return hazard


def erode_and_churn(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    """Erosion, reneging, leaving and word of mouth (:func:`leave`), then new customers (:func:`arrive`)."""
    leave(st, params, rng)
    arrive(st, params, rng)


def leave(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    cp = params.customers
    s = st.satisfaction
    late = overdue_slots(st)
    waiting = distinct(st.req_cust[late])  # customers waiting past their expectation, on any request
    s[waiting[st.active[waiting]]] -= cp.erosion
    np.clip(s, 0.0, 1.0, out=s)
    # reneging: an overdue request is given up with daily chance `renege`; it counts as an experience of 0
    gave_up = late[rng.random(late.size) < cp.renege] if cp.renege > 0 else late[:0]
    if gave_up.size:
        st.stage[gave_up] = NONE
        st.tick.abandoned += gave_up.size
        st.total_abandoned += gave_up.size
        st.tick.reneged = gave_up.size
        learn(st, st.req_cust[gave_up], np.zeros(gave_up.size), cp.learning)
    active = np.flatnonzero(st.active)
    leaving = active[rng.random(active.size) < leaving_hazard(s[active], params)]
    st.tick.churned = leaving.size
    st.total_churned += leaving.size
    if leaving.size == 0:
        return
    st.active[leaving] = False
    open_ = np.flatnonzero(st.stage != NONE)
    abandoned = open_[~st.active[st.req_cust[open_]]]  # every open request of a leaver
    st.stage[abandoned] = NONE
    st.tick.abandoned += abandoned.size
    st.total_abandoned += abandoned.size
    # word of mouth: every tie of a leaver hears about it, as bad as the leaver's dissatisfaction
    # (1 at satisfaction 0, none at or above churn_reference: a customer who moved away says nothing bad)
    starts, ends = st.tie_ptr[leaving], st.tie_ptr[leaving + 1]
    counts = ends - starts
    if counts.sum():
        idx = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
        ties = st.tie_idx[idx]
        bad = np.maximum(0.0, cp.churn_reference - s[leaving]) / cp.churn_reference
        np.subtract.at(s, ties, cp.word_of_mouth * np.repeat(bad, counts))
        np.clip(s, 0.0, 1.0, out=s)


def arrival_factor(st: State, params: ModelParams, vacant: np.ndarray | None = None) -> np.ndarray:
    """Word of mouth on arrivals, per team: ``max(0, 1 + customers.referral_gain x (s - s0))``, with
    ``s`` the mean satisfaction of the team's active customers now and ``s0`` on day 0 (1 when the
    team's customers are as satisfied as when the run started)."""
    cp = params.customers
    if vacant is None:
        vacant = np.bincount(st.cust_team[~st.active], minlength=st.T)
    active = st.base - vacant  # each team's active customers
    total = np.bincount(st.cust_team, weights=st.satisfaction * st.active, minlength=st.T)
    mean = np.where(active > 0, total / np.maximum(active, 1), st.satisfaction_ref)
    return np.maximum(0.0, 1.0 + cp.referral_gain * (mean - st.satisfaction_ref))


def arrive(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    """New customers: team j gains on average ``customers.arrival_rate / 365 x base_j x
    arrival_factor_j`` a day (``base_j``: its customers on day 0), each taking the slot of a customer
    who left (its ties with it); a team cannot grow beyond its day-0 base.  A newcomer starts at
    ``customers.initial_satisfaction`` with a patience of its own and no request open."""
    cp = params.customers
    if cp.arrival_rate == 0:
        return
    gone = np.flatnonzero(~st.active)
    if gone.size == 0:
        return
    team = st.cust_team[gone]
    vacant = np.bincount(team, minlength=st.T)
    expected = cp.arrival_rate / 365.0 * st.base * arrival_factor(st, params, vacant)
    chance = np.minimum(1.0, expected[team] / np.maximum(vacant[team], 1))
    new = gone[rng.random(gone.size) < chance]
    st.tick.arrived = new.size
    st.total_arrived += new.size
    if new.size == 0:
        return
    st.active[new] = True
    st.satisfaction[new] = cp.initial_satisfaction
    sd = cp.expectation_sd
    st.patience[new] = cp.expected_wait * np.exp(rng.normal(0.0, sd, new.size) - 0.5 * sd**2)
