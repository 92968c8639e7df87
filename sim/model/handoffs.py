"""Step 3, hand-offs: requests whose stage finished are routed on.

Next stop, in order: a decision (if the request needs one and has none yet), the back office (if
it needs fulfilment), or done.  A hand-off to the back office travels along one of the front
team's dependency edges.  It may make the customer explain again (more likely across a division
boundary: silos reach the customer); where the two teams read the priorities differently it may
produce an inconsistent answer or bounce the request back to the front team, unless the two
teams have time in hand to settle the disagreement between themselves first: the disagreement
that reaches the customer is scaled by ``1 - handoffs.reconcile * slack``, slack being the busier
team's room below its normal backlog (Galbraith 1973: slack resources absorb what would otherwise
need information processing; seed 000: 'la vitesse cree des risques lorsque la vision n'est pas
claire').  Seed 004 (front and back office must be coherent), seed 000 (Clarity; the CX mirror);
MODEL.md step 3.
"""

from __future__ import annotations

import numpy as np

from .approvals import require_signoff
from .decisions import draw_height
from .friction import book
from .params import ModelParams
from .state import BACK, C_HANDOFF, C_MISALIGN, DECISION, FRONT, ROUTE, State, distance, slack
from .work import misfit


def route(st: State, params: ModelParams, rng: np.random.Generator, pressure: float) -> np.ndarray:
    """Route finished stages; return the customers whose request is done this step."""
    r = np.flatnonzero(st.stage == ROUTE)
    if r.size == 0:
        return r
    to_decision = st.needs_decision[r]
    st.stage[r[to_decision]] = DECISION
    st.loc[r[to_decision]] = st.team_unit[st.loc[r[to_decision]]]
    st.dec_since[r[to_decision]] = st.age[r[to_decision]]
    draw_height(st, params, rng, pressure, r[to_decision])
    r = r[~to_decision]
    to_back = st.needs_back[r] & ~st.back_done[r]
    done = r[~to_back]
    handoff(st, params, rng, r[to_back])
    misfit_answers(st, params, rng, done[~st.needs_back[done]])
    return done


def misfit_answers(st: State, params: ModelParams, rng: np.random.Generator, req: np.ndarray) -> None:
    """A request the front team answered alone is answered inconsistently with what the customer
    needs with probability ``misfit_inconsistency`` times the team's misfit with its theme (a
    request handed to the back office takes this risk at its hand-off).  No draw when the
    parameter is 0, so that the knock-out reproduces the model without misfit exactly."""
    h = params.handoffs
    if h.misfit_inconsistency == 0.0 or req.size == 0:
        return
    unit = st.team_unit[st.req_team[req]]
    incons = rng.random(req.size) < np.minimum(1.0, h.misfit_inconsistency * misfit(st, unit, st.theme[req]))
    st.n_inconsistent[req[incons]] += 1
    st.tick.inconsistent += int(incons.sum())
    book(st, np.int64(C_MISALIGN), unit[incons], params.customers.friction_weights["inconsistent"])


def handoff(st: State, params: ModelParams, rng: np.random.Generator, req: np.ndarray) -> None:
    h = params.handoffs
    w = params.customers.friction_weights
    if req.size == 0:
        return
    src = st.loc[req]
    n_deps = st.dep_ptr[src + 1] - st.dep_ptr[src]
    nodep = n_deps == 0
    if nodep.any():  # a front team with no back-office partner does the fulfilment work itself
        own = req[nodep]
        st.stage[own] = BACK
        st.loc[own] = src[nodep]
        st.remaining[own] = params.demand.back_work * st.work_factor[src[nodep]]
        st.work_total[own] = st.remaining[own]
        st.reworked[own] = False
        req, src, n_deps = req[~nodep], src[~nodep], n_deps[~nodep]
        if req.size == 0:
            return
    pick = st.dep_ptr[src] + (rng.random(req.size) * n_deps).astype(np.int64)
    dst = st.dep_idx[pick]
    su, du = st.team_unit[src], st.team_unit[dst]
    silo = (st.division[su] != st.division[du]) & ~(st.iv.bridge[src] | st.iv.bridge[dst])  # merge-silos
    bridged = ~silo & (st.division[su] != st.division[du])
    st.reach.add_bridged(src[bridged], dst[bridged])  # what merge-silos reached (interventions.Reach)
    st.tick.handoffs += req.size
    # the customer tells the story again
    p_explain = np.where(silo, h.reexplain_silo, h.reexplain)
    explain = rng.random(req.size) < p_explain
    st.n_explain[req[explain]] += 1
    st.tick.explanations += int(explain.sum())
    book(st, np.int64(C_HANDOFF), du[explain], w["explanation"])
    # teams that read the priorities differently answer differently, or send the work back
    gap = distance(st.reading[su], st.reading[du]) + h.silo_misread * silo
    if h.reconcile > 0:  # teams with time in hand settle a disagreement between themselves first
        gap = gap * (1.0 - h.reconcile * slack(np.maximum(st.load_ratio[src], st.load_ratio[dst])))
    # teams that under-weight what the market needs of this theme answer and pass it on worse
    theme = st.theme[req]
    m_src, m_dst = misfit(st, su, theme), misfit(st, du, theme)
    incons = rng.random(req.size) < np.minimum(1.0, h.inconsistency_gain * gap
                                               + h.misfit_inconsistency * 0.5 * (m_src + m_dst))
    st.n_inconsistent[req[incons]] += 1
    st.tick.inconsistent += int(incons.sum())
    book(st, np.int64(C_MISALIGN), du[incons], w["inconsistent"])
    bounce = rng.random(req.size) < np.minimum(h.bounce_max, h.bounce_gain * gap + h.misfit_bounce * m_dst)
    b = req[bounce]
    st.n_bounce[b] += 1
    st.n_explain[b] += 1
    st.tick.bounces += b.size
    st.tick.explanations += b.size
    book(st, np.int64(C_MISALIGN), du[bounce], w["bounce"] + w["explanation"])
    # per dependency edge, for the hand-off table (records only; no draw, no rule reads them)
    np.add.at(st.edge_handoffs, pick, 1.0)
    np.add.at(st.edge_friction, pick, explain * w["explanation"] + incons * w["inconsistent"]
              + bounce * (w["bounce"] + w["explanation"]))
    st.stage[b] = FRONT
    st.remaining[b] = params.demand.front_work * h.bounce_rework * st.work_factor[src[bounce]]
    st.work_total[b] = st.remaining[b]
    ok = req[~bounce]
    st.stage[ok] = BACK
    st.loc[ok] = dst[~bounce]
    st.siloed[ok] |= silo[~bounce]
    st.remaining[ok] = params.demand.back_work * st.work_factor[dst[~bounce]]
    st.work_total[ok] = st.remaining[ok]
    st.reworked[ok] = False
    require_signoff(st, params, rng, ok, dst[~bounce])  # a sign-off in the receiving chain (approvals.py)

