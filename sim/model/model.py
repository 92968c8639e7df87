"""The CORE alignment model: one Mesa model, one random stream, array state, one module per rule."""

from __future__ import annotations

import gc

import mesa
import networkx as nx
import numpy as np
from pydantic import ValidationError

from ..errors import InputError
from . import reporters
from .agents import AGENT_CLASSES, Customer
from .approvals import attach as attach_approvals
from .canary import Canary
from .customers import complete, erode_and_churn
from .environment import LeverChange, apply_environment, noise_at, pressure_at
from .friction import book_delays
from .interventions import REACHES, apply_interventions, potential_reach, scope_label
from .interventions import lever_changes as intervention_lever_changes
from .orggraph import check_org, generate_org
from .params import (
    DEPRECATED_INTERVENTIONS,
    EVENT_ADAPTER,
    INTERVENTIONS,
    LEVERS,
    THEMES,
    ConditionsEvent,
    Event,
    InterventionEvent,
    LeaderEvent,
    LeverEvent,
    ModelParams,
    PivotEvent,
)
from .people import update_people
from .recorder import Recorder
from .service import serve
from .signals import cascade, perceive, review, rework
from .state import NONE, State, Tick, normalize_rows
from .warmup import warm_start

EVENT_STREAM = 0xE7  # second entropy word of the stream that resolves events' random parts


class AlignmentModel(mesa.Model):
    """Executives, managers, teams and customers on one networkx org graph.

    Keyword-only: ``params`` (a validated :class:`ModelParams`), optionally ``graph`` (an org
    graph following the contract of :mod:`sim.model.orggraph`, for example from an org chart
    CSV) and ``seed`` (overrides ``params.seed``).  The rules draw from ``self.rng``; the random
    parts of pivot and leader events (a theme, a new leader's values) are drawn when the run
    receives the event, from a stream of their own (``self.event_rng``), so that receiving an
    event never moves the rules' stream.

    Every event, scheduled in ``params.events`` or sent live with :meth:`add_event`, is received
    once (checked, resolved, recorded in ``self.received`` with its day) and applied on its day by
    the same code; a scenario whose events are ``self.received`` replays the run exactly.
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
        attach_approvals(self.state, graph, params)  # sign-offs anywhere (approvals.py)
        self.event_rng = np.random.default_rng(np.random.SeedSequence([self.root_seed, EVENT_STREAM]))
        self.received: list[Event] = []  # every event received, resolved, in order (the action log)
        self.event_log: list[tuple[int, str, str]] = []  # (day, kind, label), for figures
        self.interventions: list[tuple[InterventionEvent, np.ndarray]] = []  # (event, team indices)
        self.lever_changes: list[LeverChange] = []
        self._due: dict[int, list[PivotEvent | LeaderEvent | ConditionsEvent]] = {}  # day -> instant events
        scheduled, params.events = list(params.events), []
        for i, ev in enumerate(scheduled):
            self._receive(ev, f"events[{i}]")

        self.pressure = pressure_at(params, 0)  # row 0 shows the conditions the run starts in
        self.noise = noise_at(params, 0, self.pressure)
        self._friction_now = 0.0
        self.canary = Canary(self.state, params)  # leadership perceives customer friction and acts on it
        self.last = warm_start(self.state, params, self.rng, self.pressure)  # calm steady state, not recorded
        self._place_agents()
        self.datacollector = Recorder(reporters.model_reporters(self))
        self.unit_history: list[np.ndarray] = []
        self._collect()

    # -- construction --------------------------------------------------------------------------
    def _place_agents(self) -> None:
        # One agent, graph node and edge per customer (100,000 in the large preset): the cyclic
        # garbage collector would rescan every object made so far many times over while they are
        # made (about a third of the build); none of them is garbage, so it pauses meanwhile.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._make_agents()
        finally:
            if enabled:
                gc.enable()

    def _make_agents(self) -> None:
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
        g.add_edges_from(zip(st.team_unit[st.cust_team].tolist(), range(base, base + st.C), strict=True),
                         relation="serves")

    # -- events: received once (checked, resolved, recorded), applied on their day -------------
    def _receive(self, ev: Event, where: str) -> Event:
        if ev.step > self.params.steps:
            raise InputError(f"{where}.step", f"{ev.step} is past the end of the run; allowed: 1..{self.params.steps}")
        if isinstance(ev, LeverEvent):
            self.lever_changes.append(self._lever_change(ev, f"{where}.scope"))
        elif isinstance(ev, InterventionEvent):
            self.lever_changes.extend(self._schedule(ev, f"{where}.scope"))
        elif isinstance(ev, PivotEvent | LeaderEvent | ConditionsEvent):
            ev = self._resolve(ev, where)
            self._due.setdefault(ev.step, []).append(ev)
        self.params.events.append(ev)
        self.received.append(ev)
        self.event_log.append((ev.step, ev.type, ev.label or ev.type))
        return ev

    def _resolve(self, ev: PivotEvent | LeaderEvent | ConditionsEvent, where: str):
        """The event with its random parts drawn (from ``event_rng``, in the order received)."""
        update: dict = {}
        if isinstance(ev, PivotEvent) and ev.theme is None:
            update["theme"] = THEMES[int(self.event_rng.integers(len(THEMES)))]
        elif isinstance(ev, LeaderEvent):
            unit = self.manager_unit(ev.manager, f"{where}.manager")
            p, st = self.params.managers, self.state
            if ev.levers is None:
                drawn = st.lever_level[unit] + self.event_rng.normal(0.0, p.heterogeneity, len(LEVERS))
                update["levers"] = dict(zip(LEVERS, np.clip(drawn, 0.0, 1.0).tolist(), strict=True))
            if ev.engagement is None:
                update["engagement"] = float(np.clip(self.event_rng.normal(p.engagement_mean, p.engagement_sd), 0, 1))
        return EVENT_ADAPTER.validate_python({**ev.model_dump(), **update}) if update else ev

    def _apply_due(self, t: int) -> None:
        """Pivots, leader changes and new conditions of day ``t`` (before the day's rules run)."""
        st = self.state
        for ev in self._due.pop(t, ()):
            if isinstance(ev, PivotEvent):
                target = np.zeros(st.reading.shape[1])
                target[THEMES.index(ev.theme)] = 1.0
                new = normalize_rows((1.0 - ev.strength) * st.reading[0] + ev.strength * target, 0.02)
                st.change[0] = new - st.reading[0]
                st.reading[0] = new
                st.version[0] += 1
                st.tick.pivots += 1
            elif isinstance(ev, LeaderEvent):
                unit = self.manager_unit(ev.manager, "leader.manager")
                for name, value in (ev.levers or {}).items():
                    li = LEVERS.index(name)
                    st.lever_dev[unit, li] = value - st.lever_level[unit, li]
                st.lever[unit] = np.clip(st.lever_level[unit] + st.lever_dev[unit], 0.0, 1.0)
                st.engagement_base[unit] = ev.engagement
            else:
                pp = self.params.pressure
                if ev.pressure is not None:
                    pp.timeline = []
                    pp.baseline = ev.pressure
                if ev.noise is not None:
                    pp.noise = ev.noise

    def _schedule(self, ev: InterventionEvent, where: str) -> list[LeverChange]:
        units = self.scope_units(ev.scope.division, ev.scope.manager, where)
        teams = self.state.unit_team[units]
        self.interventions.append((ev, teams[teams >= 0]))
        return intervention_lever_changes(ev, units)

    def _lever_change(self, ev: LeverEvent, where: str) -> LeverChange:
        return LeverChange(ev, self.scope_units(ev.scope.division, ev.scope.manager, where))

    # -- live events (the workshop dashboard sends these while the model plays) -----------------
    def add_event(self, event: dict | Event) -> Event:
        """Receive an event while the model runs: it happens on its ``step``, or on the next day
        if that is earlier.  Validated like a scenario's event (a bad one raises a one-line
        :class:`InputError`); returns the event as received (resolved), also in ``received``."""
        raw = dict(event) if isinstance(event, dict) else event.model_dump()
        if isinstance(raw.get("step"), int) and not isinstance(raw["step"], bool):
            raw["step"] = max(raw["step"], self.steps + 1)
        elif "step" not in raw:
            raw["step"] = self.steps + 1
        try:
            ev = EVENT_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = [str(x) for x in err["loc"] if x != raw.get("type")]
            raise InputError(".".join(["event", *loc]), f"{err['msg']} (got {err.get('input')!r})") from None
        if ev.step > self.params.steps:
            raise InputError("event.step", f"day {ev.step} is past the end of the run ({self.params.steps} days)")
        return self._receive(ev, "event")

    def pivot(self, strength: float = 0.5, theme: int | str | None = None, label: str = "pivot") -> PivotEvent:
        """A leadership pivot tomorrow (a ``pivot`` event): the intent moves toward one theme
        (index or name; drawn if not given) by ``strength`` and cascades down from there."""
        name = THEMES[theme] if isinstance(theme, int) and 0 <= theme < len(THEMES) else theme
        return self.add_event({"type": "pivot", "strength": strength, "theme": name, "label": label})

    def change_leader(self, unit: int | str, levers: dict[str, float] | None = None, engagement: float | None = None,
                      label: str = "leader change") -> LeaderEvent:
        """A new leader for manager ``unit`` (index, or name or id) tomorrow (a ``leader`` event):
        the given lever values (others keep the unit's), else values drawn around its levels."""
        return self.add_event({"type": "leader", "manager": self.manager_id(unit), "levers": levers,
                               "engagement": engagement, "label": label})

    def manager_id(self, unit: int | str) -> str:
        """How a leader event names manager ``unit`` (an index): its id; names and ids pass as they are."""
        if isinstance(unit, str):
            return unit
        st = self.state
        if not 0 <= int(unit) < st.U or st.is_team[int(unit)]:
            raise InputError("leader.unit", f"{unit} is not a manager or executive unit")
        return str(self.graph.nodes[int(unit)]["ext_id"])

    def manager_unit(self, manager: str, where: str) -> int:
        """The manager or executive unit named ``manager`` (by name or id)."""
        st, graph = self.state, self.graph
        for u in range(st.U):
            if not st.is_team[u] and manager in (graph.nodes[u]["name"], graph.nodes[u]["ext_id"]):
                return u
        raise InputError(where, f"{manager!r} names no manager or executive (by name or id)")

    def scope_units(self, division: str | None, manager: str | None, where: str) -> np.ndarray:
        """Units of a scope: everything, one division, or one manager's subtree (by name or id)."""
        st = self.state
        if division is not None:
            if division not in st.division_names or division == "":
                known = ", ".join(n for n in st.division_names if n)
                raise InputError(f"{where}.division", f"{division!r} names no division; known: {known}")
            return np.flatnonzero(st.division == st.division_names.index(division))
        if manager is not None:
            root = self.manager_unit(manager, f"{where}.manager")
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
        st.tick = Tick()
        self._apply_due(t)
        st.friction_step[:] = 0.0
        st.meeting_load[:] = 0.0
        st.age += st.stage != NONE  # open requests age a day (+1.0; free slots +0.0, unchanged)
        self.pressure, self.noise = apply_environment(st, p, rng, t, self.lever_changes)  # 1
        apply_interventions(st, self.interventions, t)
        st.reach.new_day()
        self.canary.apply(st, t)  # targeted fixes leadership made on customer friction
        self.noise += st.iv.noise
        done = serve(st, p, rng, self.pressure)  # 2-5: demand, hand-offs, decisions, work
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
        st.reach.attribute(st, self.interventions, t)  # what each intervention reached today
        self._friction_now = reporters.friction_index(self)
        self.canary.step(st, p, rng, t, self.noise)  # the canary: perceived, then acted on
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
    def intervention_reach(self) -> list[dict]:
        """Per scheduled intervention: its type, label, scope, the teams and customers in scope, the
        decisions and hand-offs it reached so far, what it acts on and how many of those it
        reached (before a run: how many it could reach at all)."""
        st = self.state
        out = []
        for i, (ev, teams) in enumerate(self.interventions):
            counts = st.reach.counts[i] if i < len(st.reach.counts) else {"decisions": 0, "hand-offs": 0}
            what = REACHES.get(INTERVENTIONS[ev.type][0], "teams")
            potential = potential_reach(st, ev, teams)
            reached = counts[what] if what in counts and self.steps > 0 else potential
            out.append({"type": ev.type, "label": ev.label or ev.type, "scope": scope_label(ev),
                        "teams": int(teams.size), "customers": int(np.isin(st.cust_team, teams).sum()),
                        "decisions": counts["decisions"], "hand-offs": counts["hand-offs"],
                        "acts_on": what, "reached": reached})
        return out

    def input_notes(self) -> list[str]:
        """One line per deprecated name the run's events use (the event still applies)."""
        used = dict.fromkeys(ev.type for ev in self.received if ev.type in DEPRECATED_INTERVENTIONS)
        return [f"intervention {old!r} is now {DEPRECATED_INTERVENTIONS[old][0]!r} ({DEPRECATED_INTERVENTIONS[old][1]})"
                for old in used]

    def reach_warnings(self) -> list[str]:
        """One sentence per intervention that reached nothing it acts on (before a run: that can
        reach nothing), e.g. 'remove-approval-steps in Risk & Compliance reached 0 decisions' (before:
        '... can reach 0 decisions')."""
        verb = "reached" if self.steps > 0 else "can reach"
        return [f"{r['label']} {r['scope']} {verb} 0 {r['acts_on']}" + ("" if r["label"] == r["type"] else
                f" ({r['type']})") for r in self.intervention_reach() if r["reached"] == 0]

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
