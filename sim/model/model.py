"""The CORE alignment model: one Mesa model, one random stream, array state, one module per rule."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np

from ..errors import InputError
from . import reporters
from .agents import AGENT_CLASSES, Customer
from .customers import complete, erode_and_churn, update_expectations
from .decisions import decide, set_overcheck
from .demand import make_requests
from .environment import LeverChange, apply_environment, noise_at, pressure_at
from .friction import book_delays
from .handoffs import route
from .interventions import apply_interventions
from .interventions import lever_changes as intervention_lever_changes
from .orggraph import check_org, generate_org
from .params import EVENT_ADAPTER, LEVERS, InterventionEvent, LeverEvent, ModelParams, ShockEvent
from .people import update_people
from .recorder import Recorder
from .signals import cascade, perceive, review, rework
from .state import NONE, State, Tick, normalize_rows
from .work import do_work


class AlignmentModel(mesa.Model):
    """Executives, managers, teams and customers on one networkx org graph.

    Keyword-only: ``params`` (a validated :class:`ModelParams`), optionally ``graph`` (an org
    graph following the contract of :mod:`sim.model.orggraph`, for example from an org chart
    CSV) and ``seed`` (overrides ``params.seed``).  All randomness comes from ``self.rng``.
    """

    def __init__(self, *, params: ModelParams, graph: nx.DiGraph | None = None, seed: int | None = None):
        self.params = params.model_copy(deep=True)  # live events must not leak into the caller's params
        params = self.params
        self.root_seed = params.seed if seed is None else int(seed)
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(self.root_seed)))
        if graph is None:
            graph = generate_org(params.org, self.rng)
        else:
            graph = graph.copy()
        check_org(graph)
        self.graph = graph
        self.state = State(graph, params, self.rng)
        self.event_log: list[tuple[int, str, str]] = [
            (e.step, e.type, e.label or e.type) for e in params.events]  # (day, kind, label)
        self.interventions: list[tuple[InterventionEvent, np.ndarray]] = []  # (event, team indices)
        self.lever_changes = self._resolve_events()

        self.pressure = pressure_at(params, 0)  # row 0 shows the conditions the run starts in
        self.noise = noise_at(params, 0, self.pressure)
        self._live_pivots = 0
        self._friction_now = 0.0
        self.last = {"wait_mean": 0.0, "wait_p90": 0.0, "decision_latency": 0.0}
        self._place_agents()
        self.datacollector = Recorder(reporters.model_reporters(self))
        self.unit_history: list[np.ndarray] = []
        self._collect()

    # -- construction --------------------------------------------------------------------------
    def _place_agents(self) -> None:
        g, st = self.graph, self.state
        self.unit_agents = []
        for u in range(st.U):
            cls = AGENT_CLASSES[g.nodes[u]["kind"]]
            agent = cls(self, u, g.nodes[u]["name"])
            g.nodes[u]["agent"] = agent
            self.unit_agents.append(agent)
        self.customer_agents = [Customer(self, c) for c in range(st.C)]
        base = st.U
        g.add_nodes_from((base + c, {"kind": "customer", "agent": a})
                         for c, a in enumerate(self.customer_agents))
        g.add_edges_from(((int(st.team_unit[t]), base + c) for c, t in enumerate(st.cust_team.tolist())),
                         relation="serves")

    def _resolve_events(self) -> list[LeverChange]:
        changes = []
        for i, ev in enumerate(self.params.events):
            if ev.step > self.params.steps:
                raise InputError(f"events[{i}].step",
                                 f"{ev.step} is past the end of the run; allowed: 1..{self.params.steps}")
            if isinstance(ev, LeverEvent):
                changes.append(self._lever_change(ev, f"events[{i}].scope"))
            elif isinstance(ev, InterventionEvent):
                changes.extend(self._schedule(ev, f"events[{i}].scope"))
        return changes

    def _schedule(self, ev: InterventionEvent, where: str) -> list[LeverChange]:
        units = self.scope_units(ev.scope.division, ev.scope.manager, where)
        teams = self.state.unit_team[units]
        self.interventions.append((ev, teams[teams >= 0]))
        return intervention_lever_changes(ev, units)

    def _lever_change(self, ev: LeverEvent, where: str) -> LeverChange:
        return LeverChange(ev, self.scope_units(ev.scope.division, ev.scope.manager, where))

    # -- live interventions (the workshop dashboard fires these while the model plays) ----------
    def add_event(self, event: dict | ShockEvent | LeverEvent) -> ShockEvent | LeverEvent:
        """Schedule a shock or a lever change from the next step on (its ``step`` is set to the
        next day if earlier); validated like a scenario's events."""
        ev = EVENT_ADAPTER.validate_python(event if isinstance(event, dict) else event.model_dump())
        ev = EVENT_ADAPTER.validate_python({**ev.model_dump(), "step": max(ev.step, self.steps + 1)})
        if isinstance(ev, LeverEvent):
            self.lever_changes.append(self._lever_change(ev, "event.scope"))
        elif isinstance(ev, InterventionEvent):
            self.lever_changes.extend(self._schedule(ev, "event.scope"))
        self.params.events.append(ev)
        self.event_log.append((ev.step, ev.type, ev.label or ev.type))
        return ev

    def pivot(self, strength: float = 0.5, theme: int | None = None, label: str = "pivot") -> None:
        """A leadership pivot now: the intent moves toward one theme (random if not given) by
        ``strength``; it cascades down the reports-to edges from the next step."""
        if not 0.0 <= strength <= 1.0:
            raise InputError("pivot.strength", f"{strength} is not allowed: must be in [0, 1]")
        st = self.state
        k = int(self.rng.integers(st.reading.shape[1])) if theme is None else int(theme)
        if not 0 <= k < st.reading.shape[1]:
            raise InputError("pivot.theme", f"{theme} is not allowed: must be in 0..{st.reading.shape[1] - 1}")
        target = np.zeros(st.reading.shape[1])
        target[k] = 1.0
        new = normalize_rows((1.0 - strength) * st.reading[0] + strength * target, 0.02)
        st.change[0] = new - st.reading[0]
        st.reading[0] = new
        st.version[0] += 1
        self._live_pivots += 1
        self.event_log.append((self.steps + 1, "pivot", label))

    def change_leader(self, unit: int, levers: dict[str, float] | None = None, label: str = "leader change") -> None:
        """A new leader takes over manager ``unit``: fresh CORE deviations and engagement drawn
        around the organisation's levels, or the given lever values."""
        st = self.state
        if not 0 <= unit < st.U or st.is_team[unit]:
            raise InputError("leader.unit", f"{unit} is not a manager or executive unit")
        p = self.params.managers
        if levers is None:
            st.lever_dev[unit] = self.rng.normal(0.0, p.heterogeneity, len(LEVERS))
        else:
            for name, value in levers.items():
                if name not in LEVERS or not 0.0 <= float(value) <= 1.0:
                    raise InputError(f"leader.levers.{name}", f"{value!r} is not allowed: levers {LEVERS} in [0, 1]")
                li = LEVERS.index(name)
                st.lever_dev[unit, li] = float(value) - st.lever_level[unit, li]
        st.lever[unit] = np.clip(st.lever_level[unit] + st.lever_dev[unit], 0.0, 1.0)
        st.engagement_base[unit] = float(np.clip(self.rng.normal(p.engagement_mean, p.engagement_sd), 0, 1))
        self.event_log.append((self.steps + 1, "leader", label))

    def scope_units(self, division: str | None, manager: str | None, where: str) -> np.ndarray:
        """Units of a scope: everything, one division, or one manager's subtree (by name or id)."""
        st, graph = self.state, self.graph
        if division is not None:
            if division not in st.division_names or division == "":
                known = ", ".join(n for n in st.division_names if n)
                raise InputError(f"{where}.division", f"{division!r} names no division; known: {known}")
            return np.flatnonzero(st.division == st.division_names.index(division))
        if manager is not None:
            hits = [u for u in range(st.U) if not st.is_team[u]
                    and manager in (graph.nodes[u]["name"], graph.nodes[u]["ext_id"])]
            if not hits:
                raise InputError(f"{where}.manager", f"{manager!r} names no manager or executive (by name or id)")
            root = hits[0]
            inside = np.zeros(st.U, dtype=bool)
            inside[root] = True
            for u in range(root + 1, st.U):  # parents precede children
                inside[u] = inside[st.parent[u]]
            return np.flatnonzero(inside)
        return np.arange(st.U)

    # -- the step -------------------------------------------------------------------------------
    def step(self) -> None:
        st, p, rng = self.state, self.params, self.rng
        t = self.steps  # Mesa counts steps from 1: day t produces row t of the series
        st.tick = Tick(pivots=self._live_pivots)
        self._live_pivots = 0
        st.friction_step[:] = 0.0
        st.meeting_load[:] = 0.0
        st.age[st.stage != NONE] += 1.0
        self.pressure, self.noise = apply_environment(st, p, rng, t, self.lever_changes)  # 1
        apply_interventions(st, self.interventions, t)
        self.noise += st.iv.noise
        update_expectations(st, p, self.pressure)
        set_overcheck(st, p, self.pressure)
        make_requests(st, p, rng, self.pressure)  # 2
        done = route(st, p, rng, self.pressure)  # 3
        decide(st, p, rng)  # 4
        do_work(st, p)  # 5
        perceive(st, p, rng, self.noise, self._friction_now)  # 6
        review(st, p, t)
        change = cascade(st, p, rng)
        st.tick.priority_churn = float(change.mean()) if change.size else 0.0
        rework(st, p, rng, change)
        update_people(st, p, rng, t, change)  # 7
        complete(st, p, done)  # 8
        erode_and_churn(st, p, rng)
        book_delays(st, p.customers.friction_weights["delay"], p.customers.tired_fatigue)
        st.friction += st.friction_step
        self._friction_now = reporters.friction_index(self)
        self._remember()
        self._collect()

    def _collect(self) -> None:
        self.datacollector.collect(self)
        self.unit_history.append(reporters.unit_snapshot(self))

    def _remember(self) -> None:
        tk = self.state.tick
        if tk.completed:
            self.last["wait_mean"] = tk.wait_sum / tk.completed
            self.last["wait_p90"] = tk.wait_p90
        if tk.decisions:
            self.last["decision_latency"] = tk.decision_latency_sum / tk.decisions

    def run(self, steps: int | None = None, progress=None) -> None:
        """Run ``steps`` steps (default: the scenario's); ``progress(i, n)`` is called after each."""
        n = self.params.steps if steps is None else steps
        for i in range(n):
            self.step()
            if progress is not None:
                progress(i + 1, n)

    # -- outputs --------------------------------------------------------------------------------
    def series(self):
        """Organisation KPIs, one row per step (step 0 is the initial state)."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index.name = "step"
        return df.reset_index()

    def units(self):
        """One row per org unit: identity, structure, state now and friction originated."""
        return reporters.unit_table(self)

    def unit_series(self):
        """Per-unit KPIs, one row per (step, unit)."""
        return reporters.unit_series_table(self, self.unit_history)

    def provenance(self):
        """Cumulative friction by (cause, unit)."""
        return reporters.provenance_table(self)
