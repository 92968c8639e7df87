"""Step 6, signals and pivots, and the cascade of intent down the reports-to edges.

Leadership perceives the market's need late and with noise: a first-order information delay
whose time constant and noise shrink with empathy (people name friction before the dashboard
does).  Resilience sets the anchoring-and-adjustment heuristic of Sterman (1989): the signal is
smoothed with weight theta, a pivot happens at a review only if the gap exceeds a threshold, it
corrects a fraction alpha of the gap, and it counts the change still in flight (the distance
between the intent and what the teams actually read) with weight beta.  Low resilience = high
theta, high alpha, low beta, low threshold.

A pivot bumps the intent's version.  Each day, every unit whose parent holds a newer version
re-reads it: its new reading mixes the parent's reading (weight: the relaying manager's clarity)
with its own lens, plus noise that clarity removes; a low-resilience relay amplifies the latest
change before passing it on (the bullwhip).  The cascade moves one level per day.  On quiet days
units now and then re-read a direction that has not changed and close part of the gap to it
(socialisation, March 1991), faster when it is clear: in stable conditions readings converge,
so clarity matters most when direction changes.  Teams whose
reading changes rework part of their work in progress and lose commitment.  Seed 000
(Resilience, Clarity); MODEL.md step 6.
"""

from __future__ import annotations

import numpy as np

from .params import ModelParams
from .state import BACK, FRONT, L_CLARITY, L_EMPATHY, L_RESILIENCE, State, distance, normalize_rows


def lerp(lo: float, hi: float, x: np.ndarray | float) -> np.ndarray | float:
    return lo + (hi - lo) * x


def perceive(st: State, params: ModelParams, rng: np.random.Generator, noise: float,
             friction_now: float) -> None:
    """Leadership's delayed, noisy, smoothed view of the need and of customer friction."""
    sp = params.signals
    emp = st.lever[0, L_EMPATHY]
    res = st.lever[0, L_RESILIENCE]
    speed = 1.0 - sp.empathy_speedup * emp
    delay = max(1.0, sp.report_delay * speed)
    st.need_reported += (st.need - st.need_reported) / delay
    st.info_friction += (friction_now - st.info_friction) / delay
    observed = normalize_rows(st.need_reported + noise * speed * rng.normal(0.0, 1.0, st.need.size), 1e-3)
    theta = lerp(sp.theta_max, sp.theta_min, res)
    st.intent_seen = theta * observed + (1.0 - theta) * st.intent_seen


def review(st: State, params: ModelParams, step: int) -> float:
    """At a review day, pivot if the perceived gap is large enough. Returns the pivot size."""
    sp = params.signals
    if step % sp.review_every != 0:
        return 0.0
    res = st.lever[0, L_RESILIENCE]
    alpha, beta = lerp(sp.alpha_max, sp.alpha_min, res), lerp(sp.beta_min, sp.beta_max, res)
    threshold = lerp(sp.threshold_min, sp.threshold_max, res)
    intent = st.reading[0]
    absorbed = st.reading[st.team_unit].mean(axis=0)
    in_flight = intent - absorbed
    gap = (st.intent_seen - absorbed) - beta * in_flight
    if 0.5 * np.abs(gap).sum() <= threshold:
        return 0.0
    new = normalize_rows(intent + alpha * gap, 0.02)
    size = float(distance(new, intent))
    st.change[0] = new - intent
    st.reading[0] = new
    st.version[0] += 1
    st.tick.pivots += 1
    st.tick.pivot_size += size
    return size


def cascade(st: State, params: ModelParams, rng: np.random.Generator) -> np.ndarray:
    """Relay newer intent one level down; occasional re-reads on quiet days. Returns each team's
    change of reading (total-variation distance) this step."""
    sp = params.signals
    U = st.U
    par = np.maximum(st.parent, 0)
    newer = (st.version[par] > st.version) & (st.parent >= 0)
    refresh = (rng.random(U) < sp.refresh) & (st.parent >= 0)
    upd = np.flatnonzero(newer | refresh)
    team_change = np.zeros(st.T)
    if upd.size == 0:
        return team_change
    p = par[upd]
    relay = newer[upd]
    clarity = st.lever[p, L_CLARITY][:, None]
    fresh = st.reading[upd].copy()
    if relay.any():  # a new direction: read through the unit's own lens, noise, overreaction
        r, c = relay, clarity[relay]
        gain = (sp.amplification * (1.0 - st.lever[p[r], L_RESILIENCE]))[:, None]
        relayed = st.reading[p[r]] + gain * st.change[p[r]]
        noise = sp.read_noise * (1.0 - c) * rng.normal(0.0, 1.0, (int(r.sum()), st.reading.shape[1]))
        fresh[r] = normalize_rows(c * relayed + (1.0 - c) * st.lens[upd[r]] + noise / st.reading.shape[1],
                                  1e-3)
    quiet = ~relay
    if quiet.any():  # socialisation: a stable direction is learnt, faster when it is clear
        learn = sp.socialisation * (0.5 + 0.5 * clarity[quiet])
        fresh[quiet] = normalize_rows((1.0 - learn) * fresh[quiet] + learn * st.reading[p[quiet]], 1e-3)
    old = st.reading[upd]
    st.change[upd] = fresh - old
    st.reading[upd] = fresh
    st.version[upd] = st.version[p]
    tm = st.is_team[upd]
    team_change[st.unit_team[upd[tm]]] = distance(fresh[tm], old[tm])
    return team_change


def rework(st: State, params: ModelParams, rng: np.random.Generator, team_change: np.ndarray) -> None:
    """Work in progress that no longer fits the new reading is redone; commitment erodes."""
    sp = params.signals
    busy = np.flatnonzero(((st.stage == FRONT) | (st.stage == BACK)) & (st.remaining < st.work_total))
    if busy.size:
        team = st.loc[busy]
        hit = busy[rng.random(busy.size) < np.minimum(1.0, sp.rework_gain * team_change[team])]
        lost = st.work_total[hit] - st.remaining[hit]
        st.tick.rework += float(lost.sum())
        st.tick.waste += float(lost.sum())
        st.remaining[hit] = st.work_total[hit]
        st.reworked[hit] = True
    wasted = st.initiative_wip * np.minimum(1.0, sp.rework_gain * team_change)
    st.initiative_wip -= wasted
    st.tick.waste += float(wasted.sum())
    st.tick.rework += float(wasted.sum())
    st.commitment -= sp.commitment_drop * team_change * st.commitment
    st.commitment += sp.commitment_recovery * (1.0 - st.commitment)
    np.clip(st.commitment, 0.0, 1.0, out=st.commitment)
