"""Step 5, work: teams spend their capacity on their queue in the order of their reading of the
priorities, and on strategic initiatives.

Capacity = effective people (hires ramping up count partly) x productivity, lowered by fatigue
and by lost commitment, raised by overtime when the backlog exceeds what the team considers
normal (Oliva and Sterman 2001), less the person-days burned in meetings, on chasers and on the
team's own unprecedented calls.  The request share of capacity is shared among the team's requests
in proportion to the weight the team's reading gives each request's theme (weighted processor
sharing), with at most ``max_rate`` per request per day.
Initiative work delivers value in proportion to the fit of the team's reading with the market's
need; misread priorities turn effort into waste ('working harder for smaller results', seed 000).

The market rewards fit: a request on a theme the team weights below the market's need (ratio
r = reading / need < 1) takes r^-b times the work (a learning curve: the team has practised that
theme less than the market asks of it; Wright 1936, b = ``work.misfit_exponent``).  MODEL.md step 5;
docs/ODD.md 7.5.
"""

from __future__ import annotations

import numpy as np

from .params import ModelParams
from .state import BACK, FRONT, ROUTE, State, distance


def misfit(st: State, units: np.ndarray, themes: np.ndarray) -> np.ndarray:
    """Misfit of each (unit, theme) pair with the market's need: max(0, 1 - reading / need), 0 where
    the unit weights the theme at least as much as the market needs it, 1 where it ignores it."""
    return np.maximum(0.0, 1.0 - st.reading[units, themes] / st.need[themes])


def slowdown(st: State, params: ModelParams, units: np.ndarray, themes: np.ndarray) -> np.ndarray:
    """Work multiplier (>= 1) of requests of ``themes`` served by ``units``: r^-b, r = reading / need
    clipped to [misfit_ratio_floor, 1]."""
    wp = params.work
    ratio = np.clip(1.0 - misfit(st, units, themes), wp.misfit_ratio_floor, 1.0)
    return ratio ** -wp.misfit_exponent


def capacity(st: State, params: ModelParams) -> np.ndarray:
    """Person-days each team can put in today, before meetings and before the initiative share."""
    wp = params.work
    people = st.effective_people(params.people.novice_productivity)
    drag = (1.0 - wp.fatigue_drag * st.fatigue) * (1.0 - wp.commitment_drag * (1.0 - st.commitment))
    boost = 1.0 + st.iv.capacity_boost  # flexible-budget interventions
    return np.maximum(people, 0.0) * wp.productivity * drag * (1.0 + st.overtime) * boost


def do_work(st: State, params: ModelParams) -> np.ndarray:
    """Advance work; mark finished stages for routing; return the team indices of finished
    requests (for the caller's accounting)."""
    wp = params.work
    T = st.T
    busy = np.flatnonzero((st.stage == FRONT) | (st.stage == BACK))
    team = st.loc[busy]
    remaining = st.remaining[busy]
    backlog = np.bincount(team, weights=remaining, minlength=T)
    # overtime follows backlog relative to a normal backlog (work_horizon days of nominal capacity)
    people = np.maximum(st.effective_people(params.people.novice_productivity), 1e-9)
    nominal = people * wp.productivity * (1.0 - wp.initiative_share)
    st.load_ratio = backlog / (nominal * wp.work_horizon)
    st.overtime = np.minimum(wp.overtime_max, wp.overtime_gain * np.maximum(0.0, st.load_ratio - 1.0))
    hours = st.headcount * (1.0 + st.overtime) * (1.0 + st.iv.capacity_boost)  # effort: days worked
    # chasers: demand.chase; the teams' own calls: decisions.decide (decisions.team_call_work)
    cap = np.maximum(0.0, capacity(st, params) - st.meeting_load - st.chase_load - st.call_load)
    request_cap = cap * (1.0 - wp.initiative_share)
    initiative = cap * wp.initiative_share
    # weighted processor sharing
    K = st.reading.shape[1]
    cell = team * K + st.theme[busy]  # each request's (team, theme) cell of the team-by-theme tables
    weight = (wp.priority_floor + K * st.reading[st.team_unit]).ravel()[cell]
    wsum = np.bincount(team, weights=weight, minlength=T)
    share = request_cap[team] * weight / np.maximum(wsum[team], 1e-12)
    # misfit: the same progress costs more; one team-by-theme table a day, read per request
    slow = slowdown(st, params, st.team_unit[:, None], np.arange(K)[None, :]).ravel()[cell]
    done = np.minimum(np.minimum(share, params.demand.max_rate), remaining * slow)
    remaining -= done / slow
    st.remaining[busy] = remaining
    finished = busy[remaining <= 1e-9]
    st.remaining[finished] = 0.0
    st.back_done[finished[st.stage[finished] == BACK]] = True
    st.stage[finished] = ROUTE
    st.loc[finished] = st.req_team[finished]
    # initiatives: work in progress is delivered over initiative_cycle days; value by fit to need
    st.initiative_wip += initiative
    delivered = st.initiative_wip / wp.initiative_cycle
    st.initiative_wip -= delivered
    fit = 1.0 - distance(st.reading[st.team_unit], st.need[None, :])
    used_on_requests = np.bincount(team, weights=done, minlength=T)
    st.tick.effort += float(hours.sum())
    st.tick.value += float((delivered * fit).sum())
    st.tick.waste += float((delivered * (1.0 - fit)).sum())
    st.utilisation = (used_on_requests + initiative) / np.maximum(cap, 1e-9)
    return finished
