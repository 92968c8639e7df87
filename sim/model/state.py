"""The model's array state: everything a step touches, as numpy arrays owned by the model.

Index spaces
- units ``u`` (0..U-1): the org nodes of the graph (executive, managers, teams), in breadth-first
  order so ``parent[u] < u``.
- teams ``j`` (0..T-1): ``team_unit[j]`` is the team's unit; ``unit_team[u]`` maps back (-1 if not a team).
- customers ``c`` (0..C-1): each served by one front-office team ``cust_team[c]``.
- requests: at most one open request per customer, so request arrays are indexed by customer.

Agents (``sim.model.agents``) read their state from these arrays; rules (one module per
mechanism) update them in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .params import LEVERS, THEMES, ModelParams

K = len(THEMES)
L_CLARITY, L_OWNERSHIP, L_RESILIENCE, L_EMPATHY, L_BAR = range(len(LEVERS))

# request stages
NONE, FRONT, DECISION, BACK, ROUTE = 0, 1, 2, 3, 4

# friction causes (order is the order of the provenance table)
CAUSES = ("pivot_rework", "decision_escalation", "silo_handoff", "overload_fatigue", "misalignment")
C_PIVOT, C_DECISION, C_HANDOFF, C_OVERLOAD, C_MISALIGN = range(len(CAUSES))


def normalize_rows(x: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    """Project rows onto the probability simplex by clipping at ``floor`` and rescaling."""
    x = np.maximum(x, floor)
    return x / x.sum(axis=-1, keepdims=True)


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Total-variation distance between priority vectors (0 same, 1 disjoint)."""
    return 0.5 * np.abs(a - b).sum(axis=-1)


@dataclass
class Tick:
    """Counters of what happened during the current step (reset at its start)."""

    new_requests: int = 0
    completed: int = 0
    abandoned: int = 0
    escalations: int = 0
    escalations_by_level: dict[int, int] = field(default_factory=dict)
    decisions: int = 0
    decision_latency_sum: float = 0.0
    meetings: int = 0
    handoffs: int = 0
    explanations: int = 0
    inconsistent: int = 0
    bounces: int = 0
    pivots: int = 0
    pivot_size: float = 0.0
    priority_churn: float = 0.0
    churned: int = 0
    leavers: int = 0
    hires: int = 0
    effort: float = 0.0
    value: float = 0.0
    waste: float = 0.0
    rework: float = 0.0
    wait_sum: float = 0.0
    wait_p90: float = 0.0
    done_explanations: int = 0
    done_inconsistent: int = 0
    done_escalated: int = 0
    done_bounced: int = 0
    exceptions: int = 0
    exception_work: float = 0.0  # person-days of front work spent carrying out exceptions
    decision_errors: int = 0  # settled calls that were wrong


class Active:
    """Per-team intervention arrays, recomputed each step from the scheduled interventions."""

    def __init__(self, T: int):
        self.approval_cut = np.zeros(T, dtype=np.int64)
        self.capacity_boost = np.zeros(T)
        self.coaching = np.zeros(T)
        self.bridge = np.zeros(T, dtype=bool)
        self.freeze = np.zeros(T, dtype=bool)
        self.demand_boost = np.zeros(T)
        self.expectation_boost = np.zeros(T)
        self.noise = 0.0

    def reset(self) -> None:
        for arr in vars(self).values():
            if isinstance(arr, np.ndarray):
                arr[:] = 0
        self.noise = 0.0


class State:
    """Arrays of one organisation. Built once from the org graph, then mutated by the rules."""

    def __init__(self, graph: nx.DiGraph, params: ModelParams, rng: np.random.Generator):
        p = params
        U = graph.number_of_nodes()
        self.U = U
        nodes = range(U)
        self.parent = np.array([graph.nodes[u]["parent"] for u in nodes], dtype=np.int64)
        self.level = np.array([graph.nodes[u]["level"] for u in nodes], dtype=np.int64)
        self.by_level = [np.flatnonzero(self.level == k) for k in range(int(self.level.max()) + 1)]
        kinds = [graph.nodes[u]["kind"] for u in nodes]
        self.is_team = np.array([k == "team" for k in kinds])
        names = sorted({graph.nodes[u]["division"] for u in nodes})
        self.division_names = names
        self.division = np.array([names.index(graph.nodes[u]["division"]) for u in nodes], dtype=np.int64)

        # --- teams
        self.team_unit = np.flatnonzero(self.is_team)
        T = len(self.team_unit)
        self.T = T
        self.unit_team = np.full(U, -1, dtype=np.int64)
        self.unit_team[self.team_unit] = np.arange(T)
        self.team_mgr = self.parent[self.team_unit]
        self.front = np.array([graph.nodes[u]["office"] == "front" for u in self.team_unit])
        self.headcount = np.array([graph.nodes[u]["headcount"] for u in self.team_unit], dtype=np.int64)
        self.novices = np.zeros(T, dtype=np.int64)
        self.fatigue = np.zeros(T)
        self.commitment = np.ones(T)
        self.overtime = np.zeros(T)
        self.load_ratio = np.zeros(T)
        self.meeting_load = np.zeros(T)  # person-days burned in meetings this step
        self.utilisation = np.zeros(T)
        self.work_factor = np.ones(T)  # extra work per request from over-checking
        self.initiative_wip = np.zeros(T)
        self.hiring = np.zeros((p.people.hiring_delay + 1, T), dtype=np.int64)
        # dependency CSR: front team j hands off to dep_idx[dep_ptr[j]:dep_ptr[j+1]]
        deps: list[list[int]] = [[] for _ in range(T)]
        for a, b, d in graph.edges(data=True):
            if d.get("relation") == "depends_on" and self.is_team[a] and self.is_team[b]:
                deps[self.unit_team[a]].append(int(self.unit_team[b]))
        self.dep_ptr = np.zeros(T + 1, dtype=np.int64)
        self.dep_ptr[1:] = np.cumsum([len(d) for d in deps])
        self.dep_idx = np.array([b for d in deps for b in sorted(d)], dtype=np.int64)

        # --- levers: org-wide level per unit plus each manager's own deviation
        base = np.array([getattr(p.levers, name) for name in LEVERS])
        self.lever_level = np.tile(base, (U, 1))
        dev = rng.normal(0.0, p.managers.heterogeneity, size=(U, len(LEVERS)))
        dev[0] = 0.0  # the executive embodies the organisation's levels
        self.lever_dev = dev
        self.lever = np.clip(self.lever_level + dev, 0.0, 1.0)

        # --- engagement
        self.engagement_base = np.clip(
            rng.normal(p.managers.engagement_mean, p.managers.engagement_sd, U), 0.0, 1.0)
        team_base = rng.normal(p.managers.engagement_mean, p.people.team_engagement_sd, T)
        self.engagement_base[self.team_unit] = np.clip(team_base, 0.0, 1.0)
        self.engagement = self.engagement_base.copy()

        # --- priorities: the market's need, the executive's intent, every unit's reading
        self.need = np.full(K, 1.0 / K)
        self.need_reported = self.need.copy()  # the need as delayed reports show it
        self.intent_seen = self.need.copy()  # leadership's smoothed perception of the need
        self.lens = rng.dirichlet(np.ones(K), size=U)
        self.reading = np.tile(self.need, (U, 1))
        self.change = np.zeros((U, K))  # last change of each unit's reading
        self.version = np.zeros(U, dtype=np.int64)  # bumped each time a unit's reading is updated
        # anchoring and adjustment (sim/model/signals.py): the parent's reading when the unit last
        # received it (what has arrived), and a manager's smoothed expectation of it
        self.anchor = self.reading.copy()
        self.expectation = self.reading.copy()
        self.unstable = False  # the executive's adjustment is in the unstable region (docs/ODD.md 7.6.2)
        self.clipped = 0  # reviews whose adjustment left the simplex and was clipped
        self.info_friction = 0.0  # friction as leadership currently sees it

        # --- customers
        front_teams = np.flatnonzero(self.front)
        per = p.org.customers_per_front_team
        self.cust_team = np.repeat(front_teams, per).astype(np.int64)
        C = len(self.cust_team)
        self.C = C
        self.active = np.ones(C, dtype=bool)
        self.satisfaction = np.full(C, p.customers.initial_satisfaction)
        self.patience = p.customers.expected_wait * np.exp(
            rng.normal(0.0, p.customers.expectation_sd, C) - 0.5 * p.customers.expectation_sd**2)
        self.expected = self.patience.copy()
        # word-of-mouth ties: an undirected sparse random graph in CSR form
        m_ties = round(C * p.org.customer_ties / 2)
        if C > 1 and m_ties > 0:
            a = rng.integers(0, C, m_ties)
            b = rng.integers(0, C - 1, m_ties)
            b = b + (b >= a)  # no self-ties
            src = np.concatenate([a, b])
            dst = np.concatenate([b, a])
            order = np.argsort(src, kind="stable")
            self.tie_idx = dst[order]
            self.tie_ptr = np.zeros(C + 1, dtype=np.int64)
            self.tie_ptr[1:] = np.cumsum(np.bincount(src, minlength=C))
        else:
            self.tie_idx = np.zeros(0, dtype=np.int64)
            self.tie_ptr = np.zeros(C + 1, dtype=np.int64)

        # --- requests (one slot per customer)
        self.stage = np.zeros(C, dtype=np.int8)
        self.loc = np.zeros(C, dtype=np.int64)  # team index (FRONT/BACK/ROUTE) or unit (DECISION)
        self.theme = np.zeros(C, dtype=np.int64)
        self.remaining = np.zeros(C)
        self.work_total = np.zeros(C)
        self.age = np.zeros(C)
        self.dec_since = np.zeros(C)
        self.dec_height = np.zeros(C, dtype=np.int64)  # levels above the front team holding the right
        self.needs_back = np.zeros(C, dtype=bool)
        self.needs_decision = np.zeros(C, dtype=bool)
        self.back_done = np.zeros(C, dtype=bool)
        self.reworked = np.zeros(C, dtype=bool)
        self.siloed = np.zeros(C, dtype=bool)
        self.exception = np.zeros(C, dtype=bool)
        self.n_explain = np.zeros(C, dtype=np.int64)
        self.n_inconsistent = np.zeros(C, dtype=np.int64)
        self.n_escalate = np.zeros(C, dtype=np.int64)
        self.n_bounce = np.zeros(C, dtype=np.int64)

        # --- accounting
        self.friction = np.zeros((len(CAUSES), U))  # cumulative provenance
        self.friction_step = np.zeros((len(CAUSES), U))
        self.total_requests = 0
        self.total_completed = 0
        self.total_abandoned = 0
        self.total_churned = 0
        self.tick = Tick()
        self.iv = Active(T)  # interventions in force this step (sim/model/interventions.py)

    # -- derived views -------------------------------------------------------------------------
    def team_lever(self, lever: int) -> np.ndarray:
        """A lever as each team experiences it: its manager's value."""
        return self.lever[self.team_mgr, lever]

    def effective_people(self, novice_productivity: float) -> np.ndarray:
        return self.headcount - self.novices * (1.0 - novice_productivity)

    def open_mask(self) -> np.ndarray:
        return self.stage != NONE
