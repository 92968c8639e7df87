"""A snapshot of a session for drawing: what each node and customer is coloured by, which
reports-to edges carry a pivot or escalations today, the KPI series and the marks.

Taken under the session's lock, as plain arrays, so that the SVG views (the live page) and the
matplotlib figures (PNG export, animations) draw the same thing and never see a half-done step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.model.kpis import DASHBOARD, FRICTION_CAUSES, ROLL, kpi
from sim.model.reporters import UNIT_SERIES
from sim.model.state import DECISION

from .state import Mark, Workshop


@dataclass(frozen=True)
class Metric:
    label: str
    good_high: bool
    lo: float = 0.0
    hi: float = 1.0


METRICS: dict[str, Metric] = {
    "backlog": Metric("requests waiting", False),
    "fatigue": Metric("team fatigue", False),
    "alignment": Metric("alignment with intent", True),
    "engagement": Metric("engagement", True),
}

# KPI series the charts show, as the KPIs declare (sim.model.kpis): column -> (title, unit line).
# A daily series declared ``smooth="mean"`` is drawn as its rolling mean, ``"sum"`` as its running
# total (what happened so far in the session).
SMOOTHING = {"raw": "", "mean": f", {ROLL}-day mean", "sum": " so far"}
# the projector's number tiles: column -> how the day's number is read from its series
# ("total" so far, the "mean" of the last ROLL days, or the "last" day's value); labels from the KPIs
TILES = {"churned": "total", "pivots": "total", "escalations": "mean", "approvals_waiting": "last"}


def tile_label(column: str) -> str:
    """A tile's words, from the KPI declaration: its label, what a mean is per, or what waits."""
    k = kpi(column)
    how = TILES[column]
    if how == "mean":
        return f"{k.label} a day"
    if how == "last":
        return f"{k.unit} waiting"
    return k.label.removeprefix("leadership ")
# beyond the KPIs declared for the dashboard, every quantity the trainer's guide quotes has a chart:
# alignment with the intent (demonstration 1), decisions waiting (2), customers lost so far,
# retention and headcount (3); column -> title where the KPI's own title is not the guide's word
GUIDE_CHARTS = {"alignment": "", "approvals_waiting": "Decisions waiting", "churned": "Customers lost",
                "retention": "", "headcount": ""}
SERIES = {k.column: (GUIDE_CHARTS.get(k.column) or k.chart_title, k.axis_unit + SMOOTHING[k.smooth])
          for k in (*DASHBOARD, *(kpi(c) for c in GUIDE_CHARTS))}
CAUSE_COLUMNS = tuple(c.column for c in FRICTION_CAUSES)


@dataclass
class OrgFrame:
    """One organisation on one day."""

    label: str
    values: np.ndarray  # per unit: the chosen metric
    relayed: np.ndarray  # per unit: read new priorities today (the pivot travelling down)
    escalated: np.ndarray  # per unit: decisions waiting above it that passed its reports-to edge
    satisfaction: np.ndarray  # per customer, grouped by serving team
    active: np.ndarray  # per customer: still a customer
    series: dict[str, np.ndarray] = field(default_factory=dict)
    tiles: dict[str, float] = field(default_factory=dict)  # column -> the tile's number (TILES)


@dataclass
class Frame:
    day: int
    horizon: int
    metric: str
    scale: tuple[float, float]
    positions: np.ndarray  # units x 2 in [0, 1], y down
    parent: np.ndarray
    is_team: np.ndarray
    names: list[str]
    orgs: list[OrgFrame]
    marks: list[Mark]
    title: str


def _metric_values(model, metric: str) -> np.ndarray:
    snap = model.unit_history[-1]
    if metric == "backlog":
        return snap[UNIT_SERIES.index("backlog")] + snap[UNIT_SERIES.index("approvals_waiting")]
    return snap[UNIT_SERIES.index(metric)].astype(float)


def escalated_edges(model) -> np.ndarray:
    """For each unit u, how many decisions now waiting higher up passed the edge u -> parent(u):
    each waiting decision is walked from its customer's front team up to the unit holding it."""
    st = model.state
    waiting = np.flatnonzero(st.stage == DECISION)
    counts = np.zeros(st.U, dtype=np.int64)
    if waiting.size == 0:
        return counts
    cur = st.team_unit[st.req_team[waiting]]
    target = st.loc[waiting]
    for _ in range(int(st.level.max())):
        below = (cur != target) & (cur > 0)
        if not below.any():
            break
        counts += np.bincount(cur[below], minlength=st.U)
        cur = np.where(below, st.parent[cur], cur)
    return counts


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each point (fewer at the start)."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(x.size)
    start = np.maximum(0, i + 1 - window)
    return (c[i + 1] - c[start]) / (i + 1 - start) if x.size else x


def _series(model) -> dict[str, np.ndarray]:
    mv = model.datacollector.model_vars
    out = {name: np.asarray(mv[name], dtype=float) for name in (*SERIES, *CAUSE_COLUMNS)}
    for name in SERIES:
        smooth = kpi(name).smooth
        if smooth == "mean":
            out[name] = rolling_mean(out[name], ROLL)
        elif smooth == "sum":
            out[name] = np.cumsum(out[name])
    return out


def _tiles(model) -> dict[str, float]:
    mv = model.datacollector.model_vars
    out = {}
    for column, how in TILES.items():
        x = np.asarray(mv[column], dtype=float)
        if not x.size:
            out[column] = 0.0
        elif how == "total":
            out[column] = float(x.sum())
        elif how == "mean":
            out[column] = float(x[-ROLL:].mean())
        else:
            out[column] = float(x[-1])
    return out


def backlog_scale(session: Workshop) -> float:
    """Top of the backlog colour scale: half a front team's customers (at least 10)."""
    return max(10.0, 0.5 * session.orgs[0].params.org.customers_per_front_team)


def take(session: Workshop, metric: str = "backlog") -> Frame:
    """A snapshot of ``session`` for drawing, nodes coloured by ``metric`` (a key of METRICS)."""
    if metric not in METRICS:
        metric = "backlog"
    m = METRICS[metric]
    scale = (m.lo, backlog_scale(session) if metric == "backlog" else m.hi)
    with session.lock:
        first = session.orgs[0]
        st = first.state
        orgs = [OrgFrame(label=label, values=_metric_values(model, metric), relayed=relayed.copy(),
                         escalated=escalated_edges(model), satisfaction=model.state.satisfaction.copy(),
                         active=model.state.active.copy(), series=_series(model),
                         tiles=_tiles(model))
                for label, model, relayed in zip(session.labels, session.orgs, session.relayed, strict=True)]
        return Frame(day=session.day, horizon=session.horizon, metric=metric, scale=scale,
                     positions=session.layouts[0], parent=st.parent.copy(), is_team=st.is_team.copy(),
                     names=[first.graph.nodes[u]["name"] for u in range(st.U)], orgs=orgs,
                     marks=list(session.marks), title=session.scenario_name)
