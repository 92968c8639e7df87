"""Step 4, decisions: taken at the lowest level that holds the right.

When a request first needs a decision, the height of the authority it needs is drawn: a call
inside settled precedent (a share that shrinks as pressure adds complexity) or covered by clear
decision rights (probability: the mean ownership of the managers on the team's chain, from its
manager to the executive; sim/model/approvals.py) is the front team's own;
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

Every lever here has a price (issue 10, section 3):

- Ownership: an unprecedented call settled low in the hierarchy is taken with less context, and
  errs more where priorities are unclear: the centralisation trade-off of the Virtual Design Team
  (Jin and Levitt 1996): centralised decisions are slower but err less.  A call settled at height
  h of the ``L`` levels between the front team and the executive is wrong with probability
  ``error_max * (1 - clarity) * (1 - h / L)`` (clarity: the settling unit's manager's); a wrong
  call is an inconsistent answer to the customer and front-office rework (``error_rework``).
  The market makes it worse where it matters: the settler decides by its own reading of the
  priorities, so its chance of a wrong call gains ``error_misfit`` times its misfit with the
  request's theme (docs/ODD.md 7.3).  And as in the Virtual Design Team, a wrong call is an
  exception referred to the settling unit's manager (``error_referral``): after the front team's
  redo the request waits for that manager's decision (taken with more context), so wrong calls
  taken low load the managers above them.
  Calls within settled precedent (``dec_height`` -1) cannot be wrong.
  And deliberation is conserved: a call takes the same time whoever takes it (Galbraith 1974:
  decentralising moves the information processing to the units; Cheong et al. 2016: empowerment
  also burdens).  A manager's call takes its time (``manager_capacity`` calls a day); an
  unprecedented call (``dec_height`` 0) the front team settles itself takes ``team_call_work``
  person-days of the team's work capacity that day (``st.call_load``, which sim/model/work.py takes
  off capacity with the meetings' ``meeting_load`` and the chasers' ``chase_load``).  Calls within
  precedent cost nothing; a consensus meeting pays ``meeting_cost`` instead.
- Empathy: listening, one-to-ones and adjusting load take a manager's time: a share
  ``managers.empathy_time * empathy`` of it goes to its people, so it looks at waiting calls
  less often and takes fewer a day.
- Customer bar: an exception is work for the front team (``exception_work``) and, being a local
  answer the rest of the organisation does not give, an inconsistent answer with probability
  ``exception_inconsistency``.
"""

from __future__ import annotations

import numpy as np

from .approvals import chain_ownership, holder_team, release
from .friction import book
from .params import ModelParams
from .state import C_DECISION, C_MISALIGN, DECISION, FRONT, L_BAR, L_CLARITY, L_EMPATHY, L_OWNERSHIP, ROUTE, State
from .work import misfit


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
    """Levels above the front team at which each request's call must be taken (0: the team;
    -1: the team too, a call within settled precedent, which cannot be wrong)."""
    team = st.req_team[req]
    st.dec_team[req] = -1  # a front-line call: the front team's chain holds it (approvals.py)
    o = chain_ownership(st)[st.team_unit[team]]  # every manager on the chain matters
    kappa = complexity_at(params, pressure)
    draw = rng.random(req.size)
    own = draw >= kappa * (1.0 - o)
    precedent = draw >= kappa  # the same draw: precedent (1 - kappa), rights (kappa * o), neither
    levels_above = st.level[st.team_unit[team]]
    up = 1 + (rng.random(req.size) * levels_above).astype(np.int64)
    height = np.minimum(up, levels_above) - st.iv.approval_cut[team]  # remove-approval-steps
    drawn = np.where(own, np.where(precedent, -1, 0), np.maximum(height, 0))
    referred = st.dec_height[req] <= REFERRED  # a wrong call's correction: its height is set, not drawn
    st.dec_height[req] = np.where(referred, REFERRED - st.dec_height[req], drawn)
    reached = ~own & ~referred & (st.iv.approval_cut[team] > 0)
    st.reach.add_calls(team[reached])  # what remove-approval-steps reached (interventions.Reach)


REFERRED = -2  # dec_height <= REFERRED: a correction referred to height REFERRED - dec_height (see settle)


def time_for_calls(st: State, params: ModelParams) -> np.ndarray:
    """Share of each unit's time left for calls: a manager's empathy gives a share of it to its
    people (listening, one-to-ones, adjusting load), and the fatigue of the strain it carries takes
    a share of what is left (``work.fatigue_drag``, as for a team's work); teams are not slowed."""
    spare = np.maximum(1.0 - params.managers.empathy_time * st.lever[:, L_EMPATHY], 0.0)
    if params.managers.carried_strain > 0.0:  # a manager tired by the strain it carries (people.py)
        spare = spare * (1.0 - params.work.fatigue_drag * st.manager_fatigue)
    return np.where(st.is_team, 1.0, spare)


def decision_capacity(st: State, params: ModelParams) -> np.ndarray:
    """Decisions each unit can take per day: a team's full rate; a manager's rate times the share
    of its time left for calls."""
    dp = params.decisions
    return np.where(st.is_team, dp.team_capacity, dp.manager_capacity * time_for_calls(st, params))


def error_chance(st: State, params: ModelParams, unit: np.ndarray, front_team: np.ndarray,
                 height: np.ndarray | None = None, theme: np.ndarray | None = None) -> np.ndarray:
    """Chance that an unprecedented call settled at ``unit`` for ``front_team`` is wrong: it grows
    with the unclarity of the priorities the settling unit is given (its manager's clarity) and
    with the context it lacks (the share of the levels up to the executive above the level whose
    context the call gets: the settling unit's, or, for a consensus meeting below the right,
    ``height``, the level of the right, whose holder the meeting draws in)."""
    levels = np.maximum(st.level[st.team_unit[front_team]], 1)
    above = st.level[st.team_unit[front_team]] - st.level[unit]
    if height is not None:
        above = np.maximum(above, height)
    context = np.clip(above / levels, 0.0, 1.0)
    clarity = np.where(st.parent[unit] >= 0, st.lever[np.maximum(st.parent[unit], 0), L_CLARITY], 1.0)
    dp = params.decisions
    chance = dp.error_max * (1.0 - clarity) * (1.0 - context)
    if theme is not None and dp.error_misfit > 0:  # the call is taken by the settler's reading of the need
        chance = chance + dp.error_misfit * misfit(st, unit, theme)
    return np.minimum(chance, 1.0)


def redo_front(st: State, req: np.ndarray, front_team: np.ndarray, work: np.ndarray | float) -> None:
    """Send requests back to their front team for ``work`` person-days before they route on."""
    st.stage[req] = FRONT
    st.loc[req] = front_team
    st.remaining[req] = work
    st.work_total[req] = st.remaining[req]


def decide(st: State, params: ModelParams, rng: np.random.Generator) -> None:
    """Resolve, escalate or meet on every waiting decision."""
    dp = params.decisions
    w = params.customers.friction_weights
    st.call_load[:] = 0.0  # today's deliberation of the teams' own calls (taken off capacity in work.py)
    q = np.flatnonzero(st.stage == DECISION)
    if q.size == 0:
        return
    u = st.loc[q]
    front_team = holder_team(st, q)  # the receiving team of a sign-off (approvals.py), else the front team
    holds = (st.level[st.team_unit[front_team]] - st.level[u]) >= st.dec_height[q]
    # managers attend to approvals intermittently; teams with the right act on their own
    # (a manager's empathy takes a share of its time: it looks at its in-tray less often and takes
    # fewer calls a day, so its throughput falls by that share whichever of the two binds)
    looked_at = st.is_team[u] | (rng.random(q.size) < dp.manager_attention * time_for_calls(st, params)[u])
    # today's capacity per unit: the whole part, plus one with probability the fractional part
    cap = np.floor(decision_capacity(st, params) + rng.random(st.U))[u]
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
        cnt = np.bincount(st.level[new_u])
        lv = np.flatnonzero(cnt)  # the levels reached, ascending
        for level, c in zip(lv.tolist(), cnt[lv].tolist(), strict=True):
            st.tick.escalations_by_level[level] = st.tick.escalations_by_level.get(level, 0) + c
        sent_back = rng.random(e.size) < dp.bounce
        back = e[sent_back]
        if back.size:  # sent back down unresolved: the customer explains again at the front
            book(st, np.int64(C_DECISION), new_u[sent_back], w["bounce"] + w["explanation"])
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
        if dp.team_call_work > 0:  # conserved deliberation: a team's own unprecedented call takes its time
            own = st.is_team[u[s]] & holds[s] & (st.dec_height[r] == 0)
            if own.any():
                np.add.at(st.call_load, st.unit_team[u[s][own]], dp.team_call_work)
                st.tick.call_work += dp.team_call_work * float(own.sum())
        st.needs_decision[r] = False
        front = release(st, r)  # signed hand-offs go on to their back-office work (approvals.py)
        st.stage[r[front]] = ROUTE
        st.loc[r[front]] = front_team[s][front]
        # the price of a call (wrong calls, exceptions' work and inconsistency) is paid on front-line
        # calls; a sign-off approves back-office work already specified (docs/ODD.md 7.4.1)
        settle(st, params, rng, r[front], u[s][front], front_team[s][front], grant[front])


def settle(st: State, params: ModelParams, rng: np.random.Generator, r: np.ndarray, unit: np.ndarray,
           front_team: np.ndarray, grant: np.ndarray) -> None:
    """The price of settled calls ``r`` (settled at ``unit``): wrong calls and exceptions."""
    dp = params.decisions
    w = params.customers.friction_weights
    wrong = np.zeros(r.size, dtype=bool)
    if dp.error_max > 0:  # a wrong call: an inconsistent answer, and the front team redoes its part
        novel = st.dec_height[r] >= 0
        wrong = novel & (rng.random(r.size) < error_chance(st, params, unit, front_team, st.dec_height[r],
                                                                       st.theme[r]))
        if wrong.any():
            bad = r[wrong]
            st.n_inconsistent[bad] += 1
            st.tick.inconsistent += bad.size
            st.tick.decision_errors += bad.size
            book(st, np.int64(C_MISALIGN), unit[wrong], w["inconsistent"])
            redo = params.demand.front_work * dp.error_rework * st.work_factor[front_team[wrong]]
            st.tick.rework += float(redo.sum())
            redo_front(st, bad, front_team[wrong], redo)
            if dp.error_referral:  # the exception goes up to the settling unit's manager (VDT)
                settler = unit[wrong]
                up = st.parent[settler] >= 0
                levels = st.level[st.team_unit[front_team[wrong]]]
                above = levels - st.level[np.maximum(st.parent[settler], 0)]
                # no higher than the approval steps left (remove-approval-steps): the top one retakes it
                above = np.minimum(above, np.maximum(levels - st.iv.approval_cut[front_team[wrong]], 0))
                st.needs_decision[bad[up]] = True
                st.dec_height[bad[up]] = REFERRED - above[up]
    if grant.any():
        g = np.flatnonzero(grant)
        if dp.exception_inconsistency > 0:  # the rest of the organisation answers by the rule
            odd = g[rng.random(g.size) < dp.exception_inconsistency]
            st.n_inconsistent[r[odd]] += 1
            st.tick.inconsistent += odd.size
            book(st, np.int64(C_MISALIGN), unit[odd], w["inconsistent"])
        if dp.exception_work > 0:  # carrying out the exception is front-office work
            g = g[~wrong[g]]  # a wrong call's rework already returns it to the front
            extra = np.zeros(r.size)
            extra[g] = dp.exception_work
            st.tick.exception_work += float(extra.sum())
            redo_front(st, r[g], front_team[g], extra[g])

