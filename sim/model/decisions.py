"""Step 4, decisions: taken at the lowest level that holds the right.

When a request first needs a decision, the height of the authority it needs is drawn: a call
inside settled precedent (a share that shrinks as pressure adds complexity) or covered by clear
decision rights (probability: the ownership of the team's manager) is the front team's own;
otherwise the right sits at a level drawn uniformly among the team's managers up to the
executive (the hierarchical decision structure of Cohen, March and Olsen 1972: with unclear
rights a call defaults upward, so deeper hierarchies hold calls further from the customer).
A unit below that height cannot settle the call: each day it escalates it one level up the
reports-to chain (buck-passing, Fioretti and Lomi 2010) or puts it to a consensus meeting that
burns the front team's capacity and settles it only sometimes.  Each escalation may bounce the
request back to the front line, where the customer explains again.  The unit that holds the
right takes waiting calls in random order up to its daily decision capacity (a queue: delay
grows as load nears capacity); managers attend to approvals only intermittently, so each level
adds days.  A manager who settles a call may grant the customer an exception, in proportion to
its customer bar.  Seed 000 (Ownership), seed 002 (the manager's immediate refund); MODEL.md
step 4.
"""

from __future__ import annotations

import numpy as np

from .approvals import chain_ownership, holder_team, release
from .friction import book
from .params import ModelParams
from .state import C_DECISION, DECISION, L_BAR, L_OWNERSHIP, ROUTE, State


def group_rank(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random rank of each element within its group (0 for the first served)."""
    n = groups.size
    order = np.lexsort((rng.random(n), groups))
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    gid = np.cumsum(np.r_[0, (g[1:] != g[:-1]).astype(np.int64)]) if n else g
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[gid]
    return rank


def complexity_at(params: ModelParams, pressure: float) -> float:
    """Share of calls outside settled precedent at this pressure."""
    dp = params.decisions
    return min(1.0, dp.complexity + dp.complexity_gain * pressure)


def set_overcheck(st: State, params: ModelParams, pressure: float) -> None:
    """Teams unsure of their rights hesitate and over-check: every request costs them more work
    (seed 000, Ownership: 'wait for approval, over-check')."""
    o = st.team_lever(L_OWNERSHIP)
    st.work_factor = 1.0 + params.work.overcheck * complexity_at(params, pressure) * (1.0 - o)


def draw_height(st: State, params: ModelParams, rng: np.random.Generator, pressure: float,
                req: np.ndarray) -> None:
    """Levels above the front team at which each request's call must be taken (0: the team)."""
    team = st.req_team[req]
    st.dec_team[req] = -1  # a front-line call: the front team's chain holds it (approvals.py)
    o = chain_ownership(st)[st.team_unit[team]]  # every manager on the chain matters
    own = rng.random(req.size) >= complexity_at(params, pressure) * (1.0 - o)
    levels_above = st.level[st.team_unit[team]]
    up = 1 + (rng.random(req.size) * levels_above).astype(np.int64)
    height = np.minimum(up, levels_above) - st.iv.approval_cut[team]  # remove-approval-steps
    st.dec_height[req] = np.where(own, 0, np.maximum(height, 0))
    st.reach.add_calls(team[~own & (st.iv.approval_cut[team] > 0)])  # what remove-approval-steps reached


def decide(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    """Resolve, escalate or meet on every waiting decision."""
    dp = params.decisions
    w = params.customers.friction_weights
    q = np.flatnonzero(st.stage == DECISION)
    if q.size == 0:
        return
    u = st.loc[q]
    front_team = holder_team(st, q)  # the receiving team of a sign-off (approvals.py), else the front team
    holds = (st.level[st.team_unit[front_team]] - st.level[u]) >= st.dec_height[q]
    # managers attend to approvals intermittently; teams with the right act on their own
    looked_at = st.is_team[u] | (rng.random(q.size) < dp.manager_attention)
    # today's capacity per unit: the whole part, plus one with probability the fractional part
    unit_cap = np.where(st.is_team, dp.team_capacity, dp.manager_capacity)
    cap = np.floor(unit_cap + rng.random(st.U))[u]
    served = np.zeros(q.size, dtype=bool)
    ready = holds & looked_at
    if ready.any():
        rank = group_rank(u[ready], rng)
        served[np.flatnonzero(ready)[rank < cap[ready]]] = True
    # no right here: escalate (not possible at the root) or hold a consensus meeting
    stuck = ~holds
    escalate = stuck & (rng.random(q.size) < dp.escalate) & (st.parent[u] >= 0)
    meet = stuck & ~escalate
    if meet.any():
        np.add.at(st.meeting_load, front_team[meet], dp.meeting_cost)
        st.tick.meetings += int(meet.sum())
        settled = meet & (rng.random(q.size) < dp.meeting_resolve)
        served |= settled
    if escalate.any():
        e = np.flatnonzero(escalate)
        book(st, np.int64(C_DECISION), u[e], w["escalation"])
        new_u = st.parent[u[e]]
        st.loc[q[e]] = new_u
        st.n_escalate[q[e]] += 1
        st.tick.escalations += e.size
        lv, cnt = np.unique(st.level[new_u], return_counts=True)
        for level, c in zip(lv.tolist(), cnt.tolist(), strict=True):
            st.tick.escalations_by_level[level] = st.tick.escalations_by_level.get(level, 0) + c
        back = e[rng.random(e.size) < dp.bounce]
        if back.size:  # sent back down unresolved: the customer explains again at the front
            book(st, np.int64(C_DECISION), new_u[np.isin(e, back)], w["bounce"] + w["explanation"])
            st.loc[q[back]] = st.team_unit[front_team[back]]
            st.n_bounce[q[back]] += 1
            st.n_explain[q[back]] += 1
            st.tick.bounces += back.size
            st.tick.explanations += back.size
    if served.any():
        s = np.flatnonzero(served)
        r = q[s]
        at_manager = ~st.is_team[u[s]] & holds[s]  # only a manager holding the right bends a rule
        grant = at_manager & (rng.random(s.size) < dp.exception_rate * st.lever[u[s], L_BAR])
        st.exception[r[grant]] = True
        st.tick.exceptions += int(grant.sum())
        st.tick.decisions += s.size
        st.tick.decision_latency_sum += float((st.age[r] - st.dec_since[r] + 1.0).sum())
        st.needs_decision[r] = False
        front = release(st, r)  # signed hand-offs go on to their back-office work
        st.stage[r[front]] = ROUTE
        st.loc[r[front]] = front_team[s][front]

