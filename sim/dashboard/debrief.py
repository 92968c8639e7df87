"""The automatic debrief of a workshop session: what happened, found in the series.

A debrief reads a saved session (the scenario file that ``⤓ Save session`` writes; ``alignsim run``
replays it exactly), replays it up to the day it was saved, and finds:

- **turning points** (:func:`turning_points`), each defined on the daily series, after a *calm
  window* (:func:`calm_window`): the first pivot, the first escalation surge, the first team in
  the red and the day customer friction crossed its calm level;
- **the counterfactual**: the same scenario, seed and days without the facilitator's moves (the
  live events of the session are left out; the scenario's own events stay), run from scratch;
- **where friction came from**: the friction booked up to that day by cause and by unit (the
  model's provenance), and how the facilitator's moves changed each cause;
- **five questions** for the room (:func:`questions`), each built from what was found.

Definitions (also in docs/workshop.md, "The debrief pack"):

- *calm window*: days 8 to 35 (weeks 2 to 5: the first week fills the empty organisation), ended
  the day before the first event (scheduled or live) if that comes earlier, but never shorter
  than days 8 to 14;
- *calm level* of a series: its mean over the calm window;
- *first pivot*: the first day with at least one leadership pivot (the facilitator's, a scheduled
  one, or leadership reacting to its signals);
- *first escalation surge*: the first day after the calm window whose 7-day mean of escalations is
  at least 1.5 times their calm level plus one a day (:data:`SURGE_FACTOR`, :data:`SURGE_MARGIN`);
- *first team in the red*: the first day a team's fatigue is above 0.5 (:data:`RED_FATIGUE`: the
  middle of the fatigue colour scale, where a node turns red on the org chart);
- *friction crossed its calm level*: the first day after the calm window whose 7-day mean of
  customer friction is at least 1.5 times its calm level (:data:`FRICTION_FACTOR`).

The thresholds sit well above the day-to-day noise of the workshop-size organisation: a 7-day
mean of customer friction varies by about a fifth around its level in calm weather, and of
escalations by about a quarter, so 1.5 times the level is two to three of those spreads away.

No Solara import; the pack (HTML page and slides) is drawn by :mod:`~sim.dashboard.debrief_pack`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.inputs.scenarios import Scenario, load_scenario
from sim.model.kpis import FRICTION_CAUSES, ROLL, cause_label
from sim.model.model import AlignmentModel
from sim.model.reporters import UNIT_SERIES
from sim.runner.run import build_model

CALM_START, CALM_END, CALM_MIN_END = 8, 35, 14  # the calm window: days 8..35, never shorter than 8..14
SURGE_FACTOR, SURGE_MARGIN = 1.5, 1.0  # escalation surge: 7-day mean >= 1.5 x calm level + 1 a day
FRICTION_FACTOR = 1.5  # friction crossed its calm level: 7-day mean >= 1.5 x calm level
RED_FATIGUE = 0.5  # a team in the red: fatigue above the middle of its colour scale
# the machine-readable line a saved session carries in its leading comment (see Workshop.session_toml)
SESSION_LINE = re.compile(r"^#\s*alignsim-session:\s*(?P<fields>.*)$", re.MULTILINE)


@dataclass(frozen=True)
class SessionLog:
    """A saved session: the scenario (with every event), the day it was saved and the index of its
    first live event in ``scenario.params.events`` (events before it are the scenario's own)."""

    scenario: Scenario
    day: int
    live_from: int
    who: str = "A"

    @property
    def events(self) -> list:
        return list(self.scenario.params.events)

    @property
    def live(self) -> list:
        return self.events[self.live_from:]


def session_line(day: int, live_from: int, who: str) -> str:
    """The line :func:`read_session` looks for in a saved session's leading comment."""
    return f"alignsim-session: day={day} live-from={live_from} org={who}"


def read_session(path: str | Path) -> SessionLog:
    """Load a saved session.  A scenario file without the session line is read as a session of
    its whole run with no live moves.  Bad input raises a one-line :class:`InputError`."""
    scenario = load_scenario(path)
    text = Path(path).read_text(encoding="utf-8")
    steps, n = scenario.params.steps, len(scenario.params.events)
    found = SESSION_LINE.search(text)
    if found is None:
        return SessionLog(scenario, steps, n)
    fields = dict(item.partition("=")[::2] for item in found.group("fields").split())
    try:
        day, live_from = int(fields.get("day", steps)), int(fields.get("live-from", n))
    except ValueError:
        raise InputError(str(path), f"bad session line {found.group(0)!r}") from None
    if not 0 <= day <= steps or not 0 <= live_from <= n:
        raise InputError(str(path), f"session line {found.group(0)!r} does not fit the file "
                                    f"({steps} days, {n} events)")
    return SessionLog(scenario, day, live_from, fields.get("org", "A"))


def replay(log: SessionLog, live: bool = True) -> AlignmentModel:
    """The session (``live``) or its counterfactual (without the live events) run to its day."""
    params = log.scenario.params
    if not live:
        params = params.model_copy(update={"events": log.events[: log.live_from]})
    model = build_model(Scenario(params=params, source=log.scenario.source, graph=log.scenario.graph))
    model.run(log.day)
    return model


# -- turning points ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TurningPoint:
    key: str  # first_pivot, escalation_surge, first_red, friction_crossed
    title: str
    day: int | None  # None: did not happen up to the session's day
    what: str  # what happened, in words (or why nothing was found)
    definition: str
    value: float = float("nan")  # the value that crossed (escalations, fatigue, friction)
    calm: float = float("nan")  # the calm level it crossed from (escalations, friction)
    who: str = ""  # a pivot's cause or theme; the team(s) in the red


def rolling(x: np.ndarray, window: int = ROLL) -> np.ndarray:
    """Mean of the last ``window`` values at each day (fewer at the start)."""
    c = np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=float))])
    i = np.arange(len(x))
    start = np.maximum(0, i + 1 - window)
    return (c[i + 1] - c[start]) / (i + 1 - start)


def calm_window(events: list, day: int) -> tuple[int, int]:
    """(first, last) day of the calm window (see the module's definitions), within ``day``."""
    first_event = min((e.step for e in events), default=day + 1)
    end = max(min(CALM_END, first_event - 1), CALM_MIN_END)
    return CALM_START, max(min(end, day), 1)


def _first(mask: np.ndarray, after: int) -> int | None:
    hits = np.flatnonzero(mask[after + 1:])
    return int(hits[0]) + after + 1 if hits.size else None


def turning_points(series: pd.DataFrame, fatigue: np.ndarray, team_names: list[str], events: list,
                   live_from: int) -> list[TurningPoint]:
    """The four turning points of a run (``series``: its daily series, row = day; ``fatigue``: days x
    teams; ``events``: every event, the live ones from ``live_from``)."""
    day = len(series) - 1
    lo, hi = calm_window(events, day)
    window = f"days {lo}-{hi}"
    out = []

    pivots = series["pivots"].to_numpy()
    d = _first(pivots > 0, 0)
    if d is None:
        what = "leadership never pivoted"
    else:
        live = [e for e in events[live_from:] if e.type == "pivot" and e.step == d]
        planned = [e for e in events[:live_from] if e.type == "pivot" and e.step == d]
        theme = (live or planned or [None])[0]
        toward = f" toward {theme.theme}" if theme is not None and getattr(theme, "theme", None) else ""
        why = ("the facilitator's pivot" if live else "a pivot the scenario schedules" if planned
               else "leadership reacting to its own signals")
        what = f"day {d}: {why}{toward}"
    out.append(TurningPoint("first_pivot", "First pivot", d, what,
                            "the first day with at least one leadership pivot", who=what.partition(": ")[2]))

    esc = series["escalations"].to_numpy(dtype=float)
    calm = float(esc[lo: hi + 1].mean())
    e7 = rolling(esc)
    bar = SURGE_FACTOR * calm + SURGE_MARGIN
    d = _first(e7 >= bar, hi)
    what = (f"day {d}: {e7[d]:.1f} escalations a day (7-day mean) against a calm level of {calm:.1f}"
            if d is not None else f"none: escalations stayed under {bar:.1f} a day (calm level {calm:.1f})")
    out.append(TurningPoint("escalation_surge", "First escalation surge", d, what,
                            f"the first day after the calm window ({window}) whose 7-day mean of escalations "
                            f"is at least {SURGE_FACTOR:g} x their calm level + {SURGE_MARGIN:g} a day",
                            value=float(e7[d]) if d is not None else float("nan"), calm=calm))

    red = (np.nan_to_num(fatigue, nan=0.0) > RED_FATIGUE)
    days = np.flatnonzero(red.any(axis=1))
    d = int(days[0]) if days.size else None
    who, top = "", float("nan")
    if d is None:
        what = f"no team's fatigue went above {RED_FATIGUE:g}"
    else:
        names = [team_names[t] for t in np.flatnonzero(red[d])]
        who = ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
        top = float(fatigue[d][red[d]].max())
        what = f"day {d}: {who}, fatigue {top:.2f}"
    out.append(TurningPoint("first_red", "First team in the red", d, what,
                            f"the first day a team's fatigue is above {RED_FATIGUE:g}", value=top, who=who))

    fr = series["friction_index"].to_numpy(dtype=float)
    calm = float(fr[lo: hi + 1].mean())
    f7 = rolling(fr)
    d = _first(f7 >= FRICTION_FACTOR * calm, hi) if calm > 0 else None
    what = (f"day {d}: {f7[d]:.2f} per 100 customers a day (7-day mean) against a calm level of {calm:.2f}"
            if d is not None else f"none: friction stayed under {FRICTION_FACTOR * calm:.2f} (calm level {calm:.2f})")
    out.append(TurningPoint("friction_crossed", "Friction crossed its calm level", d, what,
                            f"the first day after the calm window ({window}) whose 7-day mean of customer "
                            f"friction is at least {FRICTION_FACTOR:g} x its calm level",
                            value=float(f7[d]) if d is not None else float("nan"), calm=calm))
    return out


# -- the debrief ---------------------------------------------------------------------------------------
OUTCOMES = (  # (column, words, how a run is read: mean over days 1..day, total, or last day), better
    ("friction_index", "customer friction (per 100 customers a day)", "mean", -1),
    ("churned", "customers lost", "total", -1),
    ("satisfaction", "customer satisfaction (last day)", "last", +1),
    ("pivots", "leadership pivots", "total", -1),
    ("escalations", "escalations a day", "mean", -1),
    ("approvals_waiting", "decisions waiting (mean)", "mean", -1),
    ("fatigue", "team fatigue (last day)", "last", -1),
    ("headcount", "headcount (last day)", "last", +1),
)


def outcome(series: pd.DataFrame, column: str, how: str) -> float:
    x = series[column].to_numpy(dtype=float)
    if how == "total":
        return float(x[1:].sum())
    if how == "mean":
        return float(x[1:].mean()) if len(x) > 1 else float(x[0])
    return float(x[-1])


@dataclass
class Debrief:
    title: str
    seed: int
    day: int
    who: str
    live: list  # the facilitator's moves (events)
    series: pd.DataFrame
    counterfactual: pd.DataFrame
    points: list[TurningPoint]
    outcomes: list[tuple[str, float, float, int]]  # (words, session, without moves, better)
    causes: pd.DataFrame  # cause, label, session, without, share (of the session's friction)
    units: pd.DataFrame  # the units that booked the most friction: unit_name, division, cause, friction, share
    divisions: pd.DataFrame  # division, friction, share
    questions: list[str] = field(default_factory=list)

    def point(self, key: str) -> TurningPoint:
        return next(p for p in self.points if p.key == key)


def _causes(session: AlignmentModel, without: AlignmentModel) -> pd.DataFrame:
    a, b = session.state.friction.sum(axis=1), without.state.friction.sum(axis=1)
    total = float(a.sum()) or 1.0
    return pd.DataFrame({"cause": [c.key for c in FRICTION_CAUSES], "label": [c.label for c in FRICTION_CAUSES],
                         "session": a, "without": b, "share": a / total})


def move_words(event) -> str:
    """A live move in words: ``day 40 pivot toward cost``, ``day 181 lever ownership 0.85``."""
    extra = {"pivot": lambda e: f"pivot toward {e.theme}", "lever": lambda e: f"{e.lever} to {e.value:g}",
             "shock": lambda e: f"market shock for {e.duration} days", "leader": lambda e: f"new leader ({e.manager})",
             "conditions": lambda e: ", ".join(f"{k} {getattr(e, k):g}" for k in ("pressure", "noise")
                                                 if getattr(e, k, None) is not None)}
    words = extra.get(event.type, lambda e: e.label or e.type)(event)
    return f"day {event.step}: {words}"


def debrief(log: SessionLog) -> Debrief:
    """Replay the session and its counterfactual and find what happened."""
    if log.day < CALM_MIN_END + 1:
        raise InputError("debrief", f"the session was saved on day {log.day}: a debrief needs at least "
                                    f"{CALM_MIN_END + 1} days (play on, then save again)")
    session, without = replay(log, live=True), replay(log, live=False)
    series, cf = session.series(), without.series()
    st = session.state
    history = np.stack(session.unit_history)[:, UNIT_SERIES.index("fatigue"), :][:, st.team_unit]
    team_names = [session.graph.nodes[int(u)]["name"] for u in st.team_unit]
    points = turning_points(series, history, team_names, log.events, log.live_from)
    outcomes = [(words, outcome(series, c, how), outcome(cf, c, how), better) for c, words, how, better in OUTCOMES]
    prov = session.provenance()
    total = float(prov["friction"].sum()) or 1.0
    by_unit = prov.groupby(["unit_name", "division"], as_index=False)["friction"].sum()
    top_cause = prov.sort_values("friction", ascending=False).drop_duplicates("unit_name")[["unit_name", "cause"]]
    units = (by_unit.merge(top_cause, on="unit_name").sort_values("friction", ascending=False, ignore_index=True)
             .head(5).assign(share=lambda d: d["friction"] / total))
    divisions = (prov.assign(division=prov["division"].replace("", "(executive)"))
                 .groupby("division", as_index=False)["friction"].sum()
                 .sort_values("friction", ascending=False, ignore_index=True)
                 .assign(share=lambda d: d["friction"] / total))
    out = Debrief(title=log.scenario.params.name.removesuffix("-session"), seed=session.root_seed, day=log.day,
                  who=log.who, live=log.live, series=series, counterfactual=cf, points=points, outcomes=outcomes,
                  causes=_causes(session, without), units=units, divisions=divisions)
    out.questions = questions(out)
    return out


def questions(d: Debrief) -> list[str]:
    """Five debrief questions, each tied to what the session showed."""
    qs = []
    p = d.point("first_pivot")
    if p.day is None:
        qs.append(f"Leadership never changed direction in {d.day} days. What kept it steady, and what would "
                  "have made it pivot?")
    elif "facilitator" in p.what:
        qs.append(f"You pivoted on day {p.day}. How many days did it take to reach the teams, and what did "
                  "they drop to follow it?")
    else:
        qs.append(f"Leadership first pivoted on day {p.day} ({p.who}). What was it reacting to, "
                  "and was that a trend or noise?")
    p = d.point("escalation_surge")
    if p.day is None:
        level = dict((w, s) for w, s, _, _ in d.outcomes)["escalations a day"]
        qs.append(f"Escalations never surged, but ran at {level:.1f} a day. Who decides here, and do the teams "
                  "know it?")
    else:
        qs.append(f"Escalations surged on day {p.day}, to {p.value:.1f} a day against {p.calm:.1f} in calm weeks. "
                  "Which decisions climbed the hierarchy, and who should have taken them?")
    p = d.point("first_red")
    if p.day is None:
        qs.append("No team went into the red. What protected the teams' capacity?")
    else:
        qs.append(f"{p.who} went into the red on day {p.day} (fatigue {p.value:.2f}). What signals did its "
                  "manager have before that, and when?")
    top = d.causes.sort_values("session", ascending=False).iloc[0]
    unit = d.units.iloc[0] if len(d.units) else None
    where = f"; {unit['unit_name']} booked the most ({unit['share']:.0%})" if unit is not None else ""
    p = d.point("friction_crossed")
    when = f"Friction crossed its calm level on day {p.day}. " if p.day is not None else ""
    qs.append(f"{when}{top['share']:.0%} of the friction came from {cause_label(top['cause'])}{where}. "
              "What would the customer have noticed first?")
    if d.live:
        lost = dict((w, (s, c)) for w, s, c, _ in d.outcomes)["customers lost"]
        fr = dict((w, (s, c)) for w, s, c, _ in d.outcomes)["customer friction (per 100 customers a day)"]
        qs.append(f"With your {len(d.live)} move(s) the organisation lost {lost[0]:.0f} customers; without them, "
                  f"same seed, {lost[1]:.0f} (friction {fr[0]:.2f} against {fr[1]:.2f}). Which move made the "
                  "difference, and would you make it again?")
    else:
        qs.append("Nobody intervened in this session. Where would you have stepped in, on which day, and with "
                  "which lever?")
    return qs

