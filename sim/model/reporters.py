"""Per-unit reporters: the unit snapshot behind ``unit_timeseries.csv``, the unit table and the
friction provenance. The daily series (``timeseries.csv``) and every KPI are declared in
:mod:`sim.model.kpis`; ``model_reporters`` and ``friction_index`` are re-exported from there for
the model.
"""

from __future__ import annotations

import numpy as np

from .kpis import friction_index, model_reporters
from .state import BACK, CAUSES, DECISION, FRONT, NONE, distance

__all__ = ["UNIT_SERIES", "friction_index", "model_reporters", "provenance_table", "unit_series_table",
           "unit_snapshot", "unit_table"]


UNIT_SERIES = ("friction", "backlog", "approvals_waiting", "alignment", "fatigue", "engagement", "headcount")


def unit_snapshot(m) -> np.ndarray:
    """Per-unit KPIs of the current step, shape (len(UNIT_SERIES), U): friction booked to the unit
    this step, requests queued at it (teams), decisions waiting at it, agreement of its reading
    with the intent, and for teams fatigue and headcount (NaN for other units)."""
    st = m.state
    U = st.U
    out = np.full((len(UNIT_SERIES), U), np.nan)
    out[0] = st.friction_step.sum(axis=0)
    open_ = np.flatnonzero(st.stage != NONE)
    stage, loc = st.stage[open_], st.loc[open_]
    busy = (stage == FRONT) | (stage == BACK)
    out[1] = 0.0
    out[1, st.team_unit] = np.bincount(loc[busy], minlength=st.T)
    out[2] = np.bincount(loc[stage == DECISION], minlength=U)
    out[3] = 1.0 - distance(st.reading, st.reading[0][None, :])
    out[4, st.team_unit] = st.fatigue
    out[5] = st.engagement
    out[6, st.team_unit] = st.headcount
    return out


def unit_series_table(m, history: list[np.ndarray]):
    """Long table: one row per (step, unit) with the UNIT_SERIES columns."""
    import pandas as pd

    arr = np.stack(history)  # steps x metrics x units
    n_steps, _, U = arr.shape
    data = {"step": np.repeat(np.arange(n_steps), U), "unit": np.tile(np.arange(U), n_steps)}
    for i, name in enumerate(UNIT_SERIES):
        data[name] = arr[:, i, :].ravel()
    return pd.DataFrame(data)


def unit_table(m):
    """One row per org unit: identity, structure, state at the end and friction originated."""
    import pandas as pd

    st, g = m.state, m.graph
    rows = []
    team_stage = (st.stage == FRONT) | (st.stage == BACK)
    backlog = np.bincount(st.loc[team_stage], minlength=st.T)
    for u in range(st.U):
        n = g.nodes[u]
        j = st.unit_team[u]
        row = {
            "unit": u, "id": n["ext_id"], "name": n["name"], "kind": n["kind"], "division": n["division"],
            "level": int(st.level[u]), "parent": int(st.parent[u]), "office": n["office"],
            "clarity": st.lever[u, 0], "ownership": st.lever[u, 1], "resilience": st.lever[u, 2],
            "empathy": st.lever[u, 3], "customer_bar": st.lever[u, 4],
            "engagement": float(st.engagement[u]),
            "alignment": float(1.0 - distance(st.reading[u], st.reading[0])),
            "headcount": int(st.headcount[j]) if j >= 0 else 1,
            "fatigue": float(st.fatigue[j]) if j >= 0 else np.nan,
            "commitment": float(st.commitment[j]) if j >= 0 else np.nan,
            "backlog": int(backlog[j]) if j >= 0 else 0,
            "approvals_waiting": int(np.count_nonzero((st.stage == DECISION) & (st.loc == u))),
            "friction_total": float(st.friction[:, u].sum()),
        }
        for i, cause in enumerate(CAUSES):
            row[f"friction_{cause}"] = float(st.friction[i, u])
        rows.append(row)
    return pd.DataFrame(rows)


def provenance_table(m):
    """Cumulative friction by (cause, unit), long format, non-zero cells only."""
    import pandas as pd

    st, g = m.state, m.graph
    c_idx, u_idx = np.nonzero(st.friction)
    total = st.friction.sum()
    return pd.DataFrame({
        "cause": [CAUSES[c] for c in c_idx],
        "unit": u_idx,
        "unit_name": [g.nodes[int(u)]["name"] for u in u_idx],
        "division": [g.nodes[int(u)]["division"] for u in u_idx],
        "friction": st.friction[c_idx, u_idx],
        "share": st.friction[c_idx, u_idx] / total if total > 0 else 0.0,
    }).sort_values("friction", ascending=False, ignore_index=True)
