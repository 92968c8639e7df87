"""The workshop session: one organisation, or twins, that the page plays, steps, resets and
intervenes on.

:class:`Workshop` is a Mesa model, so that Mesa's SolaraViz drives it (play, pause, step, reset
re-instantiate it with the set-up chosen in the page).  It owns one or two
:class:`~sim.model.model.AlignmentModel` built from the same scenario, the same seed and the same
organisation, differing only in the one lever the trainer picks for twin B.  Every intervention
(a pressure shock, a leadership pivot, a leader change, a live setting) is applied to both
organisations identically (the pivot's theme and a new leader's values are drawn once, from the
session's own random stream) and recorded as a :class:`Mark` for the charts.  Every intervention
is an event sent to the organisations' :meth:`~sim.model.model.AlignmentModel.add_event`; each
organisation records the events it received (its action log), and :meth:`Workshop.session_toml`
writes the scenario with that log as a scenario file that ``alignsim run`` replays exactly.

A lock serialises stepping and interventions: SolaraViz steps in a worker thread while button
clicks arrive on another.  No Solara import here: the session is tested without a browser.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np

from sim.errors import InputError
from sim.inputs.scenario_file import scenario_toml
from sim.inputs.scenarios import load_scenario
from sim.inputs.space import apply_overrides, validate
from sim.model.model import AlignmentModel
from sim.model.orggraph import layered_layout
from sim.model.params import LEVERS, THEMES, ModelParams, ShockEvent

from .debrief import session_line
from .presets import CORE, SETTINGS, check_setting, sized

LEADER_STYLES = ("random", "strong", "weak")
PACE_TIMEOUT_S = 1.0  # longest a step waits for the page to draw the day before
SHOCK = {"pressure": 1.2, "duration": 30, "noise": 0.1, "need_shift": 0.5}


@dataclass(frozen=True)
class Mark:
    """Something that happened on ``day`` (shock, pivot, leader, lever, setting), for the charts."""

    day: int
    kind: str
    label: str
    duration: int = 0


class Workshop(mesa.Model):
    """A workshop session.  Keyword-only set-up (Mesa's SolaraViz passes it again on Reset):

    ``scenario_name`` bundled name or TOML path (not ``scenario``: Mesa gives every model a
    ``scenario`` of its own and passes it to the constructor on Reset when it accepts one);
    ``size`` a key of :data:`~sim.dashboard.presets.SIZES`;
    ``seed`` (None: the scenario's); ``twin`` to run a second organisation B whose lever
    ``twin_lever`` is ``twin_value`` (A keeps the scenario's value); or ``twin_set``, B as the same
    scenario with ``dotted.name=value`` overrides (``alignsim animate --twin-set``, a fair twin);
    or ``twin_scenario``, another scenario for B (same size and seed; ``alignsim animate --twin``).
    """

    def __init__(self, *, scenario_name: str = "baseline", size: str = "workshop", seed: int | None = None,
                 twin: bool = False, twin_lever: str = "resilience", twin_value: float = 0.85,
                 twin_scenario: str | None = None, twin_set: tuple[str, ...] | list[str] = ()):
        loaded = load_scenario(scenario_name)
        params = sized(loaded.params, size)
        seed = params.seed if seed is None else int(seed)
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence([seed, 4])))
        if twin_lever not in CORE:
            raise InputError("twin lever", f"{twin_lever!r} is not allowed; allowed: {', '.join(CORE)}")
        twin_value = check_setting(twin_lever, twin_value)
        self.lock = threading.RLock()
        self._drawn = threading.Condition()
        self.drawn_day: int | None = None  # last day a page drew; None: nobody draws, no pacing
        self.scenario_name = loaded.name
        self.size = size
        self.root_seed = seed
        twin_set = tuple(twin_set)
        if twin_set and twin_scenario is not None:
            raise InputError("--twin-set", "give either a twin scenario or --twin-set overrides, not both")
        self.twin = bool(twin) or twin_scenario is not None or bool(twin_set)
        self.twin_lever = twin_lever if twin_scenario is None and not twin_set else ""
        self.twin_value = twin_value
        self.horizon = params.steps
        variants = [(params, loaded.graph)]
        sources = [loaded.source]
        self._fixed_labels = ["A"]
        if twin_set:  # B: the same scenario with some parameters changed
            variants.append((_overridden(params, twin_set), loaded.graph))
            sources.append(loaded.source)
            self._fixed_labels = ["A: " + ", ".join(_value_of(params, item) for item in twin_set),
                                  "B: " + ", ".join(item.replace(" ", "") for item in twin_set)]
            self.scenario_name = f"{loaded.name} (B: {', '.join(twin_set)})"
        elif twin_scenario is not None:  # B: another scenario, same seed and size
            other = load_scenario(twin_scenario)
            variants.append((sized(other.params, size), other.graph))
            sources.append(other.source)
            self._fixed_labels = [f"A: {loaded.name}", f"B: {other.name}"]
            self.scenario_name = f"{loaded.name} vs {other.name}"
        elif self.twin:  # B: the same scenario with one lever changed
            b_levers = params.levers.model_copy(update={twin_lever: twin_value})
            variants.append((params.model_copy(update={"levers": b_levers}), loaded.graph))
            sources.append(loaded.source)
        self.orgs = [AlignmentModel(params=p, graph=g, seed=seed) for p, g in variants]
        self._setups = [(p, src) for (p, _), src in zip(variants, sources, strict=True)]  # for session_toml
        self._graphs = [g for _, g in variants]  # to replay an organisation (go back, branch)
        self.movers = list(range(len(self.orgs)))  # the organisations live moves go to (B only after a branch)
        self.bookmarks: list[int] = []
        self.branched_at: int | None = None
        self.layouts = [self._layout(m) for m in self.orgs]  # once per organisation
        self._versions = [m.state.version.copy() for m in self.orgs]
        self.relayed = [np.zeros(m.state.U, dtype=bool) for m in self.orgs]
        self._pending: dict[str, float] = {}  # settings moved today, applied when tomorrow starts
        self._pending_marks: dict[str, Mark] = {}
        self._pending_from: dict[str, float] = {}  # the value a setting moved today had before
        self.marks: list[Mark] = []
        for k, m in enumerate(self.orgs):
            for e in m.params.events:
                mark = Mark(e.step, e.type, e.label or e.type, e.duration if isinstance(e, ShockEvent) else 0)
                if k == 0 or mark not in self.marks:
                    self.marks.append(mark if k == 0 else Mark(mark.day, mark.kind, f"{mark.label} (B)",
                                                                 mark.duration))
        self.scheduled_marks = list(self.marks)  # the scenarios' own events: they stay when going back

    # -- construction --------------------------------------------------------------------------
    @staticmethod
    def _layout(model: AlignmentModel) -> np.ndarray:
        """Layered top-down positions of the org units, scaled to [0, 1] x [0, 1] (y down)."""
        units = model.graph.subgraph(range(model.state.U))
        pos = layered_layout(units)
        xy = np.array([pos[u] for u in range(model.state.U)], dtype=float)
        span = np.ptp(xy, axis=0)
        span[span == 0] = 1.0
        xy = (xy - xy.min(axis=0)) / span
        xy[:, 1] = 1.0 - xy[:, 1]  # level 0 at the top
        return xy

    @property
    def labels(self) -> list[str]:
        """Which organisation is which: ``A``; twins by the value of the lever B differs in, as each
        has it now (a live move of A's lever shows at once), or by their scenario or overrides."""
        if not self.twin or not self.twin_lever:
            return list(self._fixed_labels)
        i = LEVERS.index(self.twin_lever)
        return [f"{'AB'[k]}: {self.twin_lever} {float(m.state.lever_level[0, i]):.2f}" for k, m in enumerate(self.orgs)]

    # -- the clock -----------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self.orgs[0].steps

    def mark_drawn(self, day: int) -> None:
        """Called by the page once it has drawn ``day`` (after the render, from an effect)."""
        with self._drawn:
            self.drawn_day = day
            self._drawn.notify_all()

    def _wait_until_drawn(self) -> None:
        """Back-pressure: while a page draws the session, a step waits until today has been drawn.

        SolaraViz plays in a worker thread that does not wait for the redraw when another thread
        (a button click) holds the render lock; without this, fast play outran the drawing and
        the page failed with reacton's "too many renders" error (and skipped days)."""
        with self._drawn:
            if self.drawn_day is not None:
                self._drawn.wait_for(lambda: self.drawn_day is None or self.drawn_day >= self.day,
                                     timeout=PACE_TIMEOUT_S)

    def step(self) -> None:
        """One day in every organisation (nothing after the scenario's last day)."""
        self._wait_until_drawn()
        with self.lock:
            if self.day >= self.horizon:
                self.running = False
                return
            self._apply_pending()
            for i, m in enumerate(self.orgs):
                m.step()
                version = m.state.version
                self.relayed[i] = version != self._versions[i]
                self._versions[i] = version.copy()
            self.running = self.day < self.horizon

    # -- live interventions --------------------------------------------------------------------
    def _mark(self, day: int, kind: str, label: str, duration: int = 0) -> Mark:
        mark = Mark(int(day), kind, label, duration)
        self.marks.append(mark)
        return mark

    def fire_shock(self, pressure: float = SHOCK["pressure"], duration: int = SHOCK["duration"],
                   label: str = "shock") -> Mark:
        """A pressure shock from tomorrow on, identical in every organisation."""
        with self.lock:
            theme = THEMES[int(self.rng.integers(len(THEMES)))]  # drawn once: the same for twins
            event = {"type": "shock", "step": 1, "pressure": pressure, "duration": int(duration),
                     "noise": SHOCK["noise"], "need_shift": SHOCK["need_shift"], "theme": theme, "label": label}
            evs = [m.add_event(dict(event)) for m in self._moved()]
            return self._mark(evs[0].step, "shock", label + self._who(), evs[0].duration)

    def fire_pivot(self, strength: float = 0.5) -> Mark:
        """A leadership pivot from tomorrow toward one theme (drawn once, the same for twins)."""
        with self.lock:
            theme = THEMES[int(self.rng.integers(len(THEMES)))]
            label = f"pivot: {theme}"
            evs = [m.pivot(strength=strength, theme=theme, label=label) for m in self._moved()]
            return self._mark(evs[0].step, "pivot", label + self._who())

    def managers(self) -> list[tuple[int, str]]:
        """(unit, name) of every executive and manager, for the leader-change picker."""
        m = self.orgs[0]
        return [(u, m.graph.nodes[u]["name"]) for u in range(m.state.U) if not m.state.is_team[u]]

    def change_leader(self, unit: int | None = None, style: str = "random") -> Mark:
        """A new leader for manager ``unit`` (default: the first division head): ``strong`` (CORE
        0.85), ``weak`` (0.15) or ``random`` around the organisation's levels, the same in twins."""
        if style not in LEADER_STYLES:
            raise InputError("leader", f"{style!r} is not allowed; allowed: {', '.join(LEADER_STYLES)}")
        with self.lock:
            org = self._moved()[0]
            if unit is None:
                unit = 1 if org.state.U > 1 else 0
            managers = [m.manager_id(int(unit)) for m in self._moved()]  # InputError for a team or no unit
            p = org.params.managers
            if style == "random":
                base = org.state.lever_level[unit]
                draw = np.clip(base + self.rng.normal(0.0, p.heterogeneity, len(LEVERS)), 0.0, 1.0)
                levers = dict(zip(LEVERS, draw.round(3).tolist(), strict=True))
            else:
                levers = dict.fromkeys(CORE, 0.85 if style == "strong" else 0.15)
            engagement = round(float(np.clip(self.rng.normal(p.engagement_mean, p.engagement_sd), 0.0, 1.0)), 3)
            label = f"new leader: {org.graph.nodes[int(unit)]['name']}"
            evs = [m.change_leader(who, levers=levers, engagement=engagement, label=label)
                   for m, who in zip(self._moved(), managers, strict=True)]
            return self._mark(evs[0].step, "leader", label + self._who())

    # -- live settings -------------------------------------------------------------------------
    def settings(self) -> dict[str, float]:
        """The live settings as organisation A has them now (B after a branch: the one moves go to)."""
        m = self._moved()[0]
        out = {name: float(m.state.lever_level[0, LEVERS.index(name)]) for name in CORE}
        pp = m.params.pressure
        if pp.timeline:
            out["pressure"] = float(np.interp(self.day, [s for s, _ in pp.timeline], [v for _, v in pp.timeline]))
        else:
            out["pressure"] = pp.baseline
        out["noise"] = pp.noise
        out.update(self._pending)
        return out

    def set_setting(self, name: str, value: object) -> Mark | None:
        """Move a live setting from tomorrow on; raises InputError (one line) for a bad value.

        Moves made on the same day are merged (a slider being dragged): only the last value is
        applied, when the next day starts, and it is marked once.  Levers become lever events of
        the whole organisation; in twin mode the twin lever moves in A only (B keeps the value it
        differs by).  Pressure replaces the scenario's pressure timeline by a constant; signal
        noise is the noise of calm conditions.
        """
        value = check_setting(name, value)
        with self.lock:
            if name not in self._pending and abs(self.settings()[name] - value) < 1e-9:
                return None
            before = self._pending_from.setdefault(name, self.settings()[name])
            self._pending[name] = value
            suffix = " (A)" if self.twin and name == self.twin_lever else self._who()
            mark = Mark(self.day + 1, "lever", f"{SETTINGS[name][0].lower()} {before:.2f} -> {value:.2f}{suffix}")
            old = self._pending_marks.get(name)
            if old is not None and old in self.marks:
                self.marks[self.marks.index(old)] = mark
            else:
                self.marks.append(mark)
            self._pending_marks[name] = mark
            return mark

    def match_twin(self) -> Mark | None:
        """The demonstrations' live move: A's lever set to the value B differs by (from tomorrow)."""
        if not self.twin or not self.twin_lever:
            raise InputError("move", "only in twin mode where B differs in one lever")
        return self.set_setting(self.twin_lever, self.twin_value)

    def _apply_pending(self) -> None:
        """Send the settings moved yesterday as events of today: a lever event for a CORE lever,
        a conditions event for pressure (replacing the scenario's timeline) or signal noise."""
        for name, value in self._pending.items():
            targets = self.orgs[:1] if self.twin and name == self.twin_lever else self._moved()
            label = f"{name} {value:.2f}"
            if name in CORE:
                event = {"type": "lever", "lever": name, "value": value, "label": label}
            else:
                event = {"type": "conditions", name: value, "label": label}
            for m in targets:
                m.add_event(dict(event))
        self._pending.clear()
        self._pending_marks.clear()
        self._pending_from.clear()

    def _moved(self) -> list[AlignmentModel]:
        return [self.orgs[k] for k in self.movers]

    def _who(self) -> str:
        """A mark's suffix when live moves go to some organisations only (" (B)" after a branch)."""
        return "" if len(self.movers) == len(self.orgs) else " (" + "".join("AB"[k] for k in self.movers) + ")"

    # -- bookmarks, going back, branching ------------------------------------------------------
    def bookmark(self) -> Mark:
        """Bookmark today: a mark on the timeline, and a day to go back to or branch from."""
        with self.lock:
            if self.day not in self.bookmarks:
                self.bookmarks.append(self.day)
                self.bookmarks.sort()
            mark = Mark(self.day, "bookmark", f"bookmark day {self.day}")
            if mark not in self.marks:
                self.marks.append(mark)
            return mark

    def _check_day(self, day: object) -> int:
        try:
            d = int(day)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError("day", f"{day!r} is not a day number") from None
        if not 0 <= d <= self.day:
            raise InputError("day", f"{d} is out of range: must be 0 to {self.day} (today)")
        return d

    def _log(self, k: int, upto: int | None) -> list:
        """Organisation ``k``'s events: the scenario's own, and the live ones of days up to ``upto``
        (None: all of them, the ones still to come included)."""
        own = len(self._setups[k][0].events)
        received = self.orgs[k].received
        return received[:own] + [e for e in received[own:] if upto is None or e.step <= upto]

    def _replayed(self, k: int, events: list, day: int) -> tuple[AlignmentModel, np.ndarray, np.ndarray]:
        """A fresh run of organisation ``k``'s set-up with ``events``, played to ``day`` with the same
        seed: (model, its reports-to versions, units relayed on that day)."""
        params = self._setups[k][0].model_copy(update={"events": list(events)})
        m = AlignmentModel(params=params, graph=self._graphs[k], seed=self.root_seed)
        before = m.state.version.copy()
        for _ in range(day):
            before = m.state.version.copy()
            m.step()
        return m, m.state.version.copy(), m.state.version != before

    def _install(self, models: list[tuple[AlignmentModel, np.ndarray, np.ndarray]]) -> None:
        self.orgs = [m for m, _, _ in models]
        self._versions = [v for _, v, _ in models]
        self.relayed = [r for _, _, r in models]
        self._pending.clear()
        self._pending_marks.clear()
        self._pending_from.clear()
        self.running = self.day < self.horizon

    def go_back(self, day: object) -> int:
        """Back to the end of ``day``: every organisation replayed from its set-up with the same seed
        and its events up to that day (the scenario's own events all stay: they are its future);
        the live moves of later days are dropped, with their marks.  Returns the day."""
        with self.lock:
            d = self._check_day(day)
            self._install([self._replayed(k, self._log(k, d), d) for k in range(len(self.orgs))])
            self.marks = [m for m in self.marks if m.day <= d or m in self.scheduled_marks]
            self.bookmarks = [b for b in self.bookmarks if b <= d]
            if self.branched_at is not None and self.branched_at > d:
                self.branched_at = None
            return d

    def branch(self, day: object) -> int:
        """Branch at the end of ``day``: A is the session as played (replayed with its whole action
        log, so it goes on as it went), B is A replayed with the same seed and only the events up
        to that day; from then on live moves go to B only ("what if we had not pivoted on day
        40?": branch at day 39).  Returns the day."""
        with self.lock:
            d = self._check_day(day)
            whole, truncated = self._log(0, None), self._log(0, d)
            setup = self._setups[0]
            a = self._replayed(0, whole, d)
            self._setups = [setup, setup]
            self._graphs = [self._graphs[0], self._graphs[0]]
            b = self._replayed(1, truncated, d)
            self._install([a, b])
            self.layouts = [self.layouts[0], self.layouts[0]]
            self.twin, self.twin_lever = True, ""
            self._fixed_labels = ["A: as played", f"B: branch, day {d}"]
            self.movers = [1]
            self.branched_at = d
            self.marks = [m if m.day <= d or m in self.scheduled_marks or m.label.endswith(" (A)")
                          else Mark(m.day, m.kind, f"{m.label} (A)", m.duration)
                          for m in self.marks if not m.label.endswith(" (B)")]
            self.scheduled_marks = [m for m in self.scheduled_marks if not m.label.endswith(" (B)")]
            self.marks.append(Mark(d, "branch", f"branch day {d}"))
            self.bookmarks = [b for b in self.bookmarks if b <= d]
            return d

    # -- the action log ------------------------------------------------------------------------
    def session_params(self, k: int = 0) -> ModelParams:
        """Organisation ``k``'s scenario as set up (size, seed, twin lever), with every event it
        received so far (scheduled and live, resolved) as its events: running it replays the
        session.  An org chart is named by its absolute path, so the file can live anywhere."""
        params, source = self._setups[k]
        update: dict = {"events": list(self.orgs[k].received), "seed": self.root_seed,
                        "name": f"{params.name}-session"}
        chart = params.org.chart
        if chart and source is not None and not Path(chart).expanduser().is_absolute():
            chart = str((source.parent / chart).resolve())
            update["org"] = params.org.model_copy(update={"chart": chart})
        return params.model_copy(update=update)

    def live_actions(self, k: int = 0) -> list:
        """The events organisation ``k`` received live (after the scenario's own), in order."""
        return self.orgs[k].received[len(self._setups[k][0].events):]

    def session_toml(self, k: int = 0) -> str:
        """The action log of organisation ``k`` as a scenario file (TOML text); see session_params."""
        with self.lock:
            params = self.session_params(k)
            live = len(self.live_actions(k))
            comment = (f"Workshop session saved on day {self.day}: {self.labels[k]} of {self.scenario_name}, "
                       f"seed {self.root_seed},\nwith the scenario's events and the {live} live action(s) "
                       f"of the session. Replay: alignsim run <this file>; debrief: alignsim debrief <this file>\n"
                       + session_line(self.day, len(self._setups[k][0].events), "AB"[k]))
            return scenario_toml(params, comment)

    def save_session(self, path: str | Path, k: int = 0) -> Path:
        """Write :meth:`session_toml` to ``path``; returns the path."""
        out = Path(path)
        out.write_text(self.session_toml(k), encoding="utf-8")
        return out


def _overridden(params: ModelParams, items: tuple[str, ...]) -> ModelParams:
    """``params`` with ``dotted.name=value`` overrides (``--twin-set``); one-line InputError when bad."""
    raw = params.model_dump()
    try:
        return validate(raw, "--twin-set", apply_overrides(raw, items))
    except InputError as exc:
        raise InputError(exc.where.replace("--set", "--twin-set"), exc.problem) from None


def _value_of(params: ModelParams, item: str) -> str:
    """``name=value`` with the value ``params`` has for an overridden name (A's side of a fair twin)."""
    node: object = params
    name = item.partition("=")[0].strip()
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return f"{name}={node:g}" if isinstance(node, float) else f"{name}={node}"
