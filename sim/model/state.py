"""The model's array state: everything a step touches, as numpy arrays owned by the model.

Index spaces
- units ``u`` (0..U-1): the org nodes of the graph (executive, managers, teams), in breadth-first
  order so ``parent[u] < u``.
- teams ``j`` (0..T-1): ``team_unit[j]`` is the team's unit; ``unit_team[u]`` maps back (-1 if not a team).
- customers ``c`` (0..C-1): each served by one front-office team ``cust_team[c]``.
- request slots ``r`` (0..R-1): a pool shared by all customers.  An open slot (``stage != NONE``)
  holds one request of customer ``req_cust[r]`` (served by team ``req_team[r]``); a customer may
  hold several, up to ``demand.max_open``.  A new request takes the lowest free slot; the pool
  starts with C slots and grows only when every slot is taken (:meth:`State.free_slots`), so
  its size follows the number of requests open, not customers times ``max_open``.  Arrays named
  in ``REQUEST_ARRAYS`` are indexed by slot, customer arrays by customer.

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


# per-request arrays (indexed by request slot; the pool grows when every slot is taken)
REQUEST_ARRAYS = ("req_cust", "req_team", "stage", "loc", "theme", "remaining", "work_total", "age", "dec_since",
                  "dec_height", "needs_back", "needs_decision", "back_done", "reworked", "siloed", "exception",
                  "n_explain", "n_inconsistent", "n_escalate", "n_bounce", "defective", "dec_team")
REQUEST_FILL = {"dec_team": -1}  # a new slot's value where it is not 0


def normalize_rows(x: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    """Project rows onto the probability simplex by clipping at ``floor`` and rescaling."""
    x = np.maximum(x, floor)
    return x / x.sum(axis=-1, keepdims=True)


def distinct(x: np.ndarray) -> np.ndarray:
    """The distinct values of ``x``, ascending: ``np.unique(x)`` by sorting, about ten times faster
    than numpy 2's hash-based unique on the few thousand integers of one step."""
    x = np.sort(x)
    keep = np.empty(x.size, dtype=bool)
    keep[:1] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Total-variation distance between priority vectors (0 same, 1 disjoint)."""
    return 0.5 * np.abs(a - b).sum(axis=-1)


def slack(load: np.ndarray) -> np.ndarray:
    """Time in hand of teams at ``load`` (``State.load_ratio``: backlog over the backlog a team
    considers normal, ``work.work_horizon`` days of capacity): 1 with nothing waiting, falling
    linearly to 0 at a normal backlog, 0 above it."""
    return np.clip(1.0 - load, 0.0, 1.0)


@dataclass
class Tick:
    """Counters of what happened during the current step (reset at its start)."""

    new_requests: int = 0  # requests opened (made and not balked)
    balked: int = 0  # requests not made because the customer already held demand.max_open
    reneged: int = 0  # overdue requests customers gave up (also counted in abandoned)
    chasers: int = 0  # contacts chasing an overdue request (failure demand)
    arrived: int = 0  # new customers
    defects: int = 0  # finished requests that came back defective (erosion of standards)
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
    call_work: float = 0.0  # person-days of team capacity spent deliberating the teams' own unprecedented calls


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
        self.manager_fatigue = np.zeros(U)  # managers' own fatigue from the strain they carry (people.py); 0 for teams
        self.commitment = np.ones(T)
        self.overtime = np.zeros(T)
        self.load_ratio = np.zeros(T)
        self.meeting_load = np.zeros(T)  # person-days burned in meetings this step
        self.chase_load = np.zeros(T)  # person-days front teams spend answering chasers this step
        self.call_load = np.zeros(T)  # person-days teams spend deliberating their own unprecedented calls this step
        self.utilisation = np.zeros(T)
        self.work_factor = np.ones(T)  # extra work per request from over-checking (and cut by erosion, demand.py)
        self.standard = np.ones(T)  # time per task the team holds as normal, relative to the original (erosion)
        self.time_per_task = np.ones(T)  # time per task given today, relative to the original standard
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
        # per dependency edge (index into dep_idx): hand-offs made along it and the friction booked
        # at those hand-offs (repeated explanations, inconsistent answers, bounce-backs); read by
        # reports only (the hand-off table), never by the model's rules
        self.edge_handoffs = np.zeros(self.dep_idx.size)
        self.edge_friction = np.zeros(self.dep_idx.size)

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
        self.base = np.bincount(self.cust_team, minlength=T)  # each team's customer slots: the base it starts with
        self.satisfaction_ref = np.full(T, p.customers.initial_satisfaction)  # team means on day 0 (warm start)
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

        # --- requests: a pool of slots, C to start with (a free slot's req_cust is stale)
        self.req_cust = np.arange(C, dtype=np.int64)
        self.req_team = self.cust_team.copy()
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
        self.defective = np.zeros(C, dtype=bool)  # done in less time than the original standard, and wrong
        self.dec_team = np.full(C, -1, dtype=np.int64)  # team whose chain holds a sign-off (approvals.py), -1: none

        # --- accounting
        self.friction = np.zeros((len(CAUSES), U))  # cumulative provenance
        self.friction_step = np.zeros((len(CAUSES), U))
        self.total_requests = 0
        self.total_completed = 0
        self.total_abandoned = 0
        self.total_churned = 0
        self.total_balked = 0
        self.total_chasers = 0
        self.total_arrived = 0
        self.experiences: list[tuple[np.ndarray, np.ndarray]] | None = None  # (customers, scores), warm start only
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

    @property
    def slots(self) -> int:
        """Request slots in the pool (open or free)."""
        return self.stage.size

    def open_count(self) -> np.ndarray:
        """Open requests held by each customer."""
        return np.bincount(self.req_cust[self.stage != NONE], minlength=self.C)

    def free_slots(self, n: int) -> np.ndarray:
        """The ``n`` lowest free request slots, growing the pool first if fewer are free (by at least
        half its size, so growth is rare; existing slot indices keep their meaning)."""
        free = np.flatnonzero(self.stage == NONE)
        if free.size < n:
            extra = max(n - free.size, self.stage.size // 2, 1)
            start = self.stage.size
            for name in REQUEST_ARRAYS:
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.full(extra, REQUEST_FILL.get(name, 0), dtype=arr.dtype)]))
            free = np.concatenate([free, np.arange(start, start + extra)])
        return free[:n]
