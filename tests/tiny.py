"""A hand-built tiny organisation (not generate_org) and helpers to put requests in by hand.

Units (breadth-first, so every manager precedes its reports)::

    0 CEO (executive, division "", level 0)
    ├── 1 M1 (manager, division "D1", level 1)
    │   ├── 3 F  (front team, D1, level 2)  --depends_on-->  B (and/or B2, see ``deps``)
    │   └── 4 B  (back team,  D1, level 2)
    └── 2 M2 (manager, division "D2", level 1)
        └── 5 B2 (back team, D2, level 2)

Team indices follow unit order: F -> 0, B -> 1, B2 -> 2.  Every customer is served by F.
"""

from __future__ import annotations

import copy
from typing import Any

import networkx as nx
import numpy as np

from sim.model.model import AlignmentModel
from sim.model.orggraph import check_org
from sim.model.params import ModelParams
from sim.model.state import State

CEO, M1, M2, F, B, B2 = range(6)  # units
TF, TB, TB2 = range(3)  # teams

# (unit, kind, name, division, office, parent)
_NODES = (
    (CEO, "executive", "CEO", "", "", -1),
    (M1, "manager", "M1", "D1", "", CEO),
    (M2, "manager", "M2", "D2", "", CEO),
    (F, "team", "F", "D1", "front", M1),
    (B, "team", "B", "D1", "back", M1),
    (B2, "team", "B2", "D2", "back", M2),
)

# parameters that make the hand computations exact: managers carry the organisation's levers
BASE: dict[str, Any] = {
    "org": {"customers_per_front_team": 4, "customer_ties": 0.0},
    "managers": {"heterogeneity": 0.0},
    # start empty (the hand computations put requests in by hand); no arrivals refill hand-made leavers
    "customers": {"warm_start": 0, "arrival_rate": 0.0},
}


def tiny_org(deps: tuple[int, ...] = (B,), headcount: int | tuple[int, int, int] = 2) -> nx.DiGraph:
    """The org above; ``deps`` are the back-team units F depends on; ``headcount`` per team
    (one int for all, or one per team F, B, B2)."""
    heads = (headcount,) * 3 if isinstance(headcount, int) else tuple(headcount)
    G = nx.DiGraph()
    for u, kind, name, division, office, parent in _NODES:
        level = 0 if parent < 0 else G.nodes[parent]["level"] + 1
        h = heads[u - F] if kind == "team" else 1
        G.add_node(u, kind=kind, name=name, ext_id=name, division=division, office=office,
                   headcount=h, level=level, parent=parent)
        if parent >= 0:
            G.add_edge(u, parent, relation="reports_to")
    for d in deps:
        G.add_edge(F, d, relation="depends_on")
    check_org(G)
    return G


def merge(base: dict, over: dict) -> dict:
    """Nested dict merge (``over`` wins), without touching either argument."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_params(overrides: dict | None = None) -> ModelParams:
    return ModelParams.model_validate(merge(BASE, overrides or {}))


def tiny_model(overrides: dict | None = None, seed: int = 0, deps: tuple[int, ...] = (B,),
               headcount: int | tuple[int, int, int] = 2) -> AlignmentModel:
    """``AlignmentModel`` on the tiny org, ``ModelParams`` overrides as a nested dict."""
    return AlignmentModel(params=make_params(overrides), graph=tiny_org(deps, headcount), seed=seed)


def put(st: State, c: int, stage: int, loc: int, *, theme: int = 0, remaining: float = 1.0,
        work_total: float | None = None, age: float = 0.0, **flags: Any) -> None:
    """Give customer ``c`` an open request in ``stage`` at ``loc`` (team index, or unit for
    DECISION); ``flags`` set further request arrays by name (e.g. ``needs_back=True``)."""
    st.stage[c] = stage
    st.loc[c] = loc
    st.theme[c] = theme
    st.remaining[c] = remaining
    st.work_total[c] = remaining if work_total is None else work_total
    st.age[c] = age
    for name, value in flags.items():
        getattr(st, name)[c] = value


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)
