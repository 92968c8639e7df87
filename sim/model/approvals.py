"""Sign-offs anywhere in a process, and ownership read along the whole chain (issue 11 item 5).

A hand-off into a back-office team may need a sign-off in the *receiving* unit's chain, not only
calls raised at the front line: a bank's Risk & Compliance signs off what other divisions pass
it.  Where a sign-off is required:

- the org chart's optional ``approval`` column (``yes`` on a team: hand-offs into it need its
  manager's sign-off; ``yes`` on a manager: hand-offs into any back team of its subtree need
  that manager's sign-off), and/or
- the scenario's ``approvals.into`` divisions: hand-offs into their back teams need a sign-off
  ``approvals.levels`` levels above the receiving team (1: its manager; at most the executive).

A required sign-off is waived with chance ``approvals.waiver · o`` where ``o`` is the receiving
team's chain ownership (clear decision rights: the team knows what it may take without asking).
The request then waits in DECISION at the receiving team, and climbs that team's chain exactly as
a front-line call climbs its own (sim/model/decisions.py): attention, capacity, escalation,
consensus meetings, bounces.  ``remove-approval-steps`` in scope of the receiving team lowers the
height there: interventions act where the decision sits.  Once signed, the request goes straight
to the receiving team's back-office work.

Chain ownership: the mean ownership of every manager from a unit's manager up to the executive
(:func:`chain_ownership`).  It replaces the front-team manager's own ownership where a call's
height is drawn, so every manager on the chain matters.

Seed 000 (Ownership: waiting for approval, over-checking), seed 004 (front and back office must be
coherent); the Virtual Design Team's decision waits (Jin and Levitt 1996).  docs/ODD.md 7.4.1.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..errors import InputError
from .interventions import Reach
from .params import ModelParams
from .state import BACK, DECISION, L_OWNERSHIP, State


def attach(st: State, graph: nx.DiGraph, params: ModelParams) -> None:
    """Give ``st`` its sign-off heights per team (``signoff``, 0: none) and, per request, the team
    whose chain holds its call (``dec_team``, -1: the customer's front team)."""
    signoff = np.zeros(st.T, dtype=np.int64)
    team_level = st.level[st.team_unit]
    for u in range(st.U):
        if not graph.nodes[u].get("approval", False):
            continue
        if st.is_team[u]:
            signoff[st.unit_team[u]] = max(signoff[st.unit_team[u]], 1)
        else:
            under = teams_below(st, u)
            signoff[under] = np.maximum(signoff[under], team_level[under] - st.level[u])
    known = [n for n in st.division_names if n]
    for i, name in enumerate(params.approvals.into):
        if name not in known:
            raise InputError(f"approvals.into[{i}]", f"{name!r} names no division; known: {', '.join(known)}")
        teams = np.flatnonzero(st.division[st.team_unit] == st.division_names.index(name))
        signoff[teams] = np.maximum(signoff[teams], np.minimum(params.approvals.levels, team_level[teams]))
    signoff[st.front] = 0  # hand-offs go into back-office teams only
    st.signoff = signoff
    st.reach = Reach()  # what interventions reached (interventions.py)


def teams_below(st: State, unit: int) -> np.ndarray:
    """Team indices in ``unit``'s subtree (the unit itself, if it is a team)."""
    inside = np.zeros(st.U, dtype=bool)
    inside[unit] = True
    for units in st.by_level[int(st.level[unit]) + 1:]:  # parents precede children
        inside[units] |= inside[st.parent[units]]
    return st.unit_team[np.flatnonzero(inside & st.is_team)]


def chain_ownership(st: State) -> np.ndarray:
    """Per unit, the mean ownership of the managers above it, from its manager to the executive
    (the root: its own)."""
    total = np.zeros(st.U)
    count = np.zeros(st.U)
    for units in st.by_level[1:]:
        par = st.parent[units]
        total[units] = total[par] + st.lever[par, L_OWNERSHIP]
        count[units] = count[par] + 1.0
    total[0], count[0] = st.lever[0, L_OWNERSHIP], 1.0
    return total / count


def require_signoff(st: State, params: ModelParams, rng: np.random.Generator, req: np.ndarray,
                    dst: np.ndarray) -> None:
    """Hand-offs ``req`` arriving at back teams ``dst`` that need a sign-off there wait for it in
    DECISION at the receiving team (their back-office work is already set)."""
    if req.size == 0 or not st.signoff[dst].any():
        return
    need = st.signoff[dst] > 0
    req, dst = req[need], dst[need]
    o = chain_ownership(st)[st.team_unit[dst]]
    asked = rng.random(req.size) >= params.approvals.waiver * o
    cut = np.minimum(st.iv.approval_cut[dst], st.signoff[dst])
    st.reach.add_calls(dst[asked & (cut > 0)])
    height = st.signoff[dst] - cut
    wait = asked & (height > 0)
    r, d = req[wait], dst[wait]
    st.stage[r] = DECISION
    st.loc[r] = st.team_unit[d]
    st.dec_team[r] = d
    st.dec_since[r] = st.age[r]
    st.dec_height[r] = height[wait]


def holder_team(st: State, q: np.ndarray) -> np.ndarray:
    """The team whose chain holds each waiting call: the receiving team of a sign-off, else the
    customer's front team."""
    return np.where(st.dec_team[q] >= 0, st.dec_team[q], st.req_team[q])


def release(st: State, r: np.ndarray) -> np.ndarray:
    """Signed requests among the settled calls ``r`` go to their back-office work; returns the
    mask of the others (front-line calls, which return to ROUTE at their front team)."""
    signed = st.dec_team[r] >= 0
    s = r[signed]
    st.stage[s] = BACK
    st.loc[s] = st.dec_team[s]
    st.dec_team[s] = -1
    return ~signed
