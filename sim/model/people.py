"""Step 7, people: fatigue, engagement, attrition, hiring and ramp-up.

Fatigue rises with strain (backlog above normal, overtime, changes of priorities) and recovers
as strain falls below one (full recovery speed without strain); an empathic manager absorbs part
of the strain and speeds recovery (seed 000, Empathy; Homer 1985 on burnout cycles).  A manager's
engagement follows its own baseline lifted by its empathy and ownership; a team's engagement
follows its manager's closely and falls with fatigue (seed 002: Gallup finds 70% of a team's
engagement depends on its manager; MODEL.md reads it as 70% of the variance between teams).
Attrition rises with fatigue and disengagement;
replacements arrive after a hiring delay (none during a freeze) and ramp up, faster with
onboarding; manager-coaching lifts the engagement target of the team leads it reaches.  MODEL.md
step 7.

Engagement reaches customers through service quality (seeds 002 and 004: engaged teams are the
brand's best ambassadors): after the day's work, each stage a team finishes is not right the
first time with a chance that falls with the team's engagement; the customer comes back and
explains again and part of the stage is redone (``first_time_resolution``).  Harter et al.'s
meta-analyses of Gallup's Q12 (business units in the top against the bottom quartile of
engagement: about 40% fewer quality defects, about 10% higher customer ratings) give the
direction and order of size; the levels are assumptions (docs/ODD.md 7.7).
"""

from __future__ import annotations

import numpy as np

from .friction import book
from .params import ModelParams
from .state import BACK, C_OVERLOAD, FRONT, L_EMPATHY, L_OWNERSHIP, State


def update_people(st: State, params: ModelParams, rng: np.random.Generator, step: int,
                  team_change: np.ndarray) -> None:
    pp, mp = params.people, params.managers
    emp = st.team_lever(L_EMPATHY)
    over = np.maximum(0.0, st.load_ratio - 1.0)
    strain = over + st.overtime + team_change
    tire(st.fatigue, strain, emp, pp)
    f = st.fatigue
    if mp.carried_strain > 0.0:
        carry_strain(st, params, strain)

    # engagement: managers from their own traits, teams from their manager and their fatigue
    managers = ~st.is_team
    lift = mp.engagement_core_weight * (
        0.5 * (st.lever[:, L_EMPATHY] + st.lever[:, L_OWNERSHIP]) - 0.5)
    coached = getattr(st, "manager_coaching", 0.0)  # manager-coaching interventions (interventions.py)
    target = np.clip(st.engagement_base + lift + coached - pp.fatigue_disengage * st.manager_fatigue, 0.0, 1.0)
    tu = st.team_unit
    team_target = (pp.engagement_follow * st.engagement[st.team_mgr]
                   + (1.0 - pp.engagement_follow) * st.engagement_base[tu]
                   - pp.fatigue_disengage * f)
    target[tu] = np.clip(team_target, 0.0, 1.0)
    rate = mp.engagement_rate
    st.engagement[managers] += rate * (target[managers] - st.engagement[managers])
    st.engagement[tu] += rate * (target[tu] - st.engagement[tu])

    # attrition, hiring pipeline, ramp-up
    hazard = pp.attrition_base * (1.0 + (pp.attrition_fatigue - 1.0) * f) * (
        1.0 + (pp.attrition_disengaged - 1.0) * (1.0 - st.engagement[tu]))
    leavers = rng.binomial(st.headcount, np.clip(hazard, 0.0, 1.0))
    # numpy's hypergeometric needs counts below 1e9: headcounts start at most MAX_TEAM_HEADCOUNT
    # (check_org refuses larger teams, generate_org caps them) and never grow (hires replace leavers)
    novice_leavers = rng.hypergeometric(st.novices, st.headcount - st.novices, leavers)
    st.headcount -= leavers
    st.novices -= novice_leavers
    st.tick.leavers = int(leavers.sum())
    slots = st.hiring.shape[0]
    if not pp.hiring_freeze:  # a hiring-freeze intervention stops replacements in its scope
        st.hiring[(step + pp.hiring_delay) % slots] += np.where(st.iv.freeze, 0, leavers)
    arrivals = st.hiring[step % slots].copy()
    st.hiring[step % slots] = 0
    st.headcount += arrivals
    st.novices += arrivals
    st.tick.hires = int(arrivals.sum())
    ramp = pp.ramp_days * (1.0 - np.maximum(pp.coaching, st.iv.coaching))  # coaching interventions
    st.novices -= rng.binomial(st.novices, np.minimum(1.0, 1.0 / np.maximum(ramp, 1.0)))


def tire(f: np.ndarray, strain: np.ndarray, emp: np.ndarray, pp) -> None:
    """Fatigue ``f`` (in place) rises with ``strain``, less the share the manager's empathy ``emp``
    absorbs, and recovers as strain falls below one, faster with that empathy."""
    f += pp.strain_gain * strain * (1.0 - pp.empathy_buffer * emp) * (1.0 - f)
    f -= pp.recovery * (1.0 + pp.empathy_recovery * emp) * np.maximum(0.0, 1.0 - strain) * f
    np.clip(f, 0.0, 1.0, out=f)


def carry_strain(st: State, params: ModelParams, team_strain: np.ndarray) -> None:
    """What an empathic manager absorbs, it carries (Frost and Robinson 1999, the toxic handler).

    A manager's strain is ``managers.carried_strain`` times the mean, over its direct reports, of the
    share of their strain its empathy absorbs (``people.empathy_buffer * empathy``): a team's strain as
    :func:`update_people` computes it, a manager's its own carried strain, so strain travels up the
    chain as far as empathy takes it.  Managers then tire like teams (:func:`tire`), buffered by their
    own manager's empathy; the executive's strain is buffered by no one."""
    pp, mp = params.people, params.managers
    s = np.zeros(st.U)
    s[st.team_unit] = team_strain
    absorbed_share = pp.empathy_buffer * st.lever[:, L_EMPATHY]
    has_parent = st.parent >= 0
    reports = np.bincount(st.parent[has_parent], minlength=st.U)
    for level in range(len(st.by_level) - 2, -1, -1):  # deepest managers first: their reports are done
        child = has_parent & (st.level == level + 1)
        total = np.bincount(st.parent[child], weights=s[child], minlength=st.U)
        mgr = st.by_level[level][~st.is_team[st.by_level[level]]]
        s[mgr] = mp.carried_strain * absorbed_share[mgr] * total[mgr] / np.maximum(reports[mgr], 1)
    managers = np.flatnonzero(~st.is_team)
    boss = st.parent[managers]
    boss_emp = np.where(boss >= 0, st.lever[np.maximum(boss, 0), L_EMPATHY], 0.0)
    f = st.manager_fatigue[managers]
    tire(f, s[managers], boss_emp, pp)
    st.manager_fatigue[managers] = f


def work_snapshot(st: State) -> tuple[np.ndarray, np.ndarray]:
    """Where each request is worked and at which stage, before the day's work (for
    :func:`first_time_resolution`, which must know which team finished a stage)."""
    return st.loc.copy(), st.stage.copy()


def first_time_resolution(st: State, params: ModelParams, rng: np.random.Generator,
                          before: tuple[np.ndarray, np.ndarray], finished: np.ndarray) -> None:
    """Stages finished today that were not right the first time: with chance
    ``first_time_gain * (1 - engagement)`` of the team that did the work, the customer explains
    again (friction booked to that team) and ``redo_share`` of the stage's work is redone there.
    With ``first_time_gain`` 0 nothing is drawn, so the random stream is untouched."""
    pp = params.people
    if pp.first_time_gain == 0.0 or finished.size == 0:
        return
    loc, stage = before
    was = stage[finished]
    worked = (was == FRONT) | (was == BACK)
    finished, was = finished[worked], was[worked]
    team = loc[finished]
    p = pp.first_time_gain * (1.0 - st.engagement[st.team_unit[team]])
    redo = rng.random(finished.size) < p
    if not redo.any():
        return
    r, t = finished[redo], team[redo]
    st.stage[r] = was[redo]
    st.loc[r] = t
    st.back_done[r[was[redo] == BACK]] = False
    st.remaining[r] = st.work_total[r] * pp.redo_share
    st.n_explain[r] += 1
    st.tick.explanations += r.size
    book(st, np.int64(C_OVERLOAD), st.team_unit[t], params.customers.friction_weights["explanation"])
