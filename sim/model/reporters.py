"""Reporters: small pure functions of the model, declared once and reused by the CLI, the
dashboard and the sweeps.  Module-level functions (no lambdas) so that models stay picklable.

Rates about finished requests are over the requests finished in that step (0 when none
finished); waits and decision latency carry the last observed value forward over steps in
which nothing finished, so that the series has no gaps.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .state import BACK, CAUSES, DECISION, FRONT, ROUTE, distance


def _active(m) -> int:
    return max(int(m.state.active.sum()), 1)


def friction_index(m) -> float:
    """Customer friction units booked this step per 100 active customers (see friction.py)."""
    return 100.0 * float(m.state.friction_step.sum()) / _active(m)


def friction_by_cause(m, cause: int) -> float:
    return 100.0 * float(m.state.friction_step[cause].sum()) / _active(m)


def customers_waiting(m) -> float:
    """Share of active customers with a request open: customer waiting, free of survivor bias."""
    st = m.state
    return float(np.count_nonzero(st.active & (st.open_count() > 0))) / _active(m)


def wait_mean(m) -> float:
    return m.last["wait_mean"]


def wait_p90(m) -> float:
    return m.last["wait_p90"]


def _per_done(m, count: float) -> float:
    return count / max(m.state.tick.completed, 1)


def explanations_per_request(m) -> float:
    return _per_done(m, m.state.tick.done_explanations)


def inconsistent_rate(m) -> float:
    return _per_done(m, m.state.tick.done_inconsistent)


def escalation_rate(m) -> float:
    return _per_done(m, m.state.tick.done_escalated)


def bounce_rate(m) -> float:
    return _per_done(m, m.state.tick.done_bounced)


def satisfaction(m) -> float:
    st = m.state
    return float(st.satisfaction[st.active].mean()) if st.active.any() else 0.0


def retention(m) -> float:
    return float(m.state.active.mean()) if m.state.C else 1.0


def churned(m) -> int:
    return m.state.tick.churned


def customers_lost_share(m) -> float:
    """Share of the day-0 customer base lost so far (survivors' KPIs do not show it)."""
    return m.state.total_churned / m.state.C if m.state.C else 0.0


def decision_latency(m) -> float:
    return m.last["decision_latency"]


def escalations(m) -> int:
    return m.state.tick.escalations


def escalations_to_level(m, level: int) -> int:
    return m.state.tick.escalations_by_level.get(level, 0)


def approvals_waiting(m) -> int:
    return int(np.count_nonzero(m.state.stage == DECISION))


def meeting_load(m) -> float:
    """Share of team hours burned in consensus meetings this step."""
    from .work import capacity

    cap = capacity(m.state, m.params).sum()
    return float(min(m.state.meeting_load.sum(), cap) / max(cap, 1e-9))


def pivots(m) -> int:
    return m.state.tick.pivots


def priority_churn(m) -> float:
    """Mean change of the teams' priority readings this step (total-variation distance)."""
    return m.state.tick.priority_churn


def alignment(m) -> float:
    """Mean agreement of the teams' readings with the executive's intent (1 - TV distance)."""
    st = m.state
    return float(1.0 - distance(st.reading[st.team_unit], st.reading[0][None, :]).mean())


def fit_to_need(m) -> float:
    """Mean agreement of the teams' readings with the market's true need."""
    st = m.state
    return float(1.0 - distance(st.reading[st.team_unit], st.need[None, :]).mean())


def effort(m) -> float:
    return m.state.tick.effort


def value(m) -> float:
    return m.state.tick.value


def rework_share(m) -> float:
    return m.state.tick.rework / max(m.state.tick.effort, 1e-9)


def waste_share(m) -> float:
    return m.state.tick.waste / max(m.state.tick.effort, 1e-9)


def commitment(m) -> float:
    return float(m.state.commitment.mean())


def fatigue(m) -> float:
    return float(m.state.fatigue.mean())


def engagement(m) -> float:
    st = m.state
    return float(st.engagement[st.team_unit].mean())


def attrition(m) -> int:
    return m.state.tick.leavers


def headcount(m) -> int:
    return int(m.state.headcount.sum())


def pressure(m) -> float:
    return float(m.pressure)


def signal_noise(m) -> float:
    return float(m.noise)


def friction_seen(m) -> float:
    """Friction index as leadership currently perceives it (delayed)."""
    return float(m.state.info_friction)


def new_requests(m) -> int:
    return m.state.tick.new_requests


def requests_balked(m) -> int:
    """Requests customers did not make because they already held ``demand.max_open`` open."""
    return m.state.tick.balked


def completed(m) -> int:
    return m.state.tick.completed


def waiting(m) -> int:
    """Open requests not yet worked on in their current stage (queued, routing or in decision)."""
    st = m.state
    queued = ((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining >= st.work_total)
    return int(np.count_nonzero(queued | (st.stage == ROUTE) | (st.stage == DECISION)))


def in_work(m) -> int:
    st = m.state
    return int(np.count_nonzero(((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining < st.work_total)))


def done_total(m) -> int:
    return m.state.total_completed


def abandoned_total(m) -> int:
    return m.state.total_abandoned


def requests_total(m) -> int:
    return m.state.total_requests


BASE_REPORTERS = {
    f.__name__: f for f in (
        friction_index, customers_waiting, wait_mean, wait_p90, explanations_per_request, inconsistent_rate,
        escalation_rate, bounce_rate, satisfaction, retention, churned, customers_lost_share, decision_latency,
        escalations, approvals_waiting, meeting_load, pivots, priority_churn, alignment, fit_to_need, rework_share,
        waste_share, effort, value, commitment, fatigue, engagement, attrition, headcount, pressure,
        signal_noise, friction_seen, new_requests, requests_balked, completed, waiting, in_work, done_total,
        abandoned_total, requests_total,
    )
}


def model_reporters(m) -> dict:
    """All organisation reporters for this model (escalation columns depend on its depth)."""
    reps = dict(BASE_REPORTERS)
    for i, cause in enumerate(CAUSES):
        reps[f"friction_{cause}"] = partial(friction_by_cause, cause=i)
    for level in range(int(m.state.level.max())):
        reps[f"escalations_to_level_{level}"] = partial(escalations_to_level, level=level)
    return reps


UNIT_SERIES = ("friction", "backlog", "approvals_waiting", "alignment", "fatigue", "engagement", "headcount")


def unit_snapshot(m) -> np.ndarray:
    """Per-unit KPIs of the current step, shape (len(UNIT_SERIES), U): friction booked to the unit
    this step, requests queued at it (teams), decisions waiting at it, agreement of its reading
    with the intent, and for teams fatigue and headcount (NaN for other units)."""
    st = m.state
    U = st.U
    out = np.full((len(UNIT_SERIES), U), np.nan)
    out[0] = st.friction_step.sum(axis=0)
    busy = (st.stage == FRONT) | (st.stage == BACK)
    out[1] = 0.0
    out[1, st.team_unit] = np.bincount(st.loc[busy], minlength=st.T)
    out[2] = np.bincount(st.loc[st.stage == DECISION], minlength=U)
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
