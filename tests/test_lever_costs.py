"""Every lever has a price (issue 10, section 3): ownership's wrong calls and the work of the calls
a team takes itself, empathy's manager time, the customer bar's exception work and inconsistency.

Unit tests on the hand-built tiny org (tests/tiny.py: CEO level 0, M1 level 1, front team F
level 2, so a call for F has L = 2 levels above it), with the hand computation beside every
expected number; then run-level checks: each price vanishes when its parameter is 0, and the
same seed gives the same outputs.  The grid of best values by condition is in
tests/test_lever_grid.py (slow, marked ``patterns``).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from tiny import CEO, M1, M2, TF, F, put, rng, tiny_model
from tiny import merge as merge_over

from sim.model.decisions import REFERRED, decide, decision_capacity, draw_height, error_chance
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.people import update_people
from sim.model.state import C_MISALIGN, DECISION, FRONT, L_CLARITY, L_EMPATHY, ROUTE, Tick
from sim.model.work import do_work

OFF = {"decisions": {"error_max": 0.0, "error_misfit": 0.0, "error_referral": False, "team_call_work": 0.0,
                     "exception_work": 0.0, "exception_inconsistency": 0.0,
                     "exception_rate": 0.0, "manager_attention": 1.0, "bounce": 0.0},
       "managers": {"empathy_time": 0.0}}


def build(overrides=None, **kw):
    m = tiny_model(merge_over(OFF, overrides or {}), **kw)
    return m, m.state, m.params


def daily(st, p, r, days: int, unit: int, height: int, count) -> np.ndarray:
    """Each day put 4 waiting calls at ``unit`` (of ``height``), decide, and record ``count(st)``."""
    out = []
    for _ in range(days):
        st.tick = Tick()
        st.n_inconsistent[:] = 0
        for c in range(4):
            put(st, c, DECISION, unit, dec_height=height)
        decide(st, p, r)
        out.append(count(st))
    return np.array(out)


# ------------------------------------------------------------------------- ownership: wrong calls
def test_error_chance_falls_with_clarity_and_with_the_height_of_the_call():
    # p = error_max * (1 - clarity of the settling unit's manager) * (1 - h / L), L = 2 for F
    _, st, p = build({"decisions": {"error_max": 0.4}, "levers": {"clarity": 0.25}})
    front = np.full(3, TF)
    units = np.array([F, M1, CEO])  # h = 0, 1, 2
    assert_allclose(error_chance(st, p, units, front), [0.4 * 0.75 * 1.0, 0.4 * 0.75 * 0.5, 0.0])
    st.lever[M1, L_CLARITY] = 1.0  # F's manager makes priorities explicit: F's calls cannot be wrong
    assert error_chance(st, p, np.array([F]), np.array([TF]))[0] == 0.0
    st.lever[CEO, L_CLARITY] = 0.0  # M1's manager is the CEO: 0.4 * 1 * (1 - 1/2)
    assert_allclose(error_chance(st, p, np.array([M1]), np.array([TF])), [0.2])


def test_a_consensus_meeting_below_the_right_gets_the_context_of_the_rights_level():
    # a call of height 2 (the CEO's) settled by a meeting at F: context 2 / 2, no error;
    # of height 1 settled by a meeting at F: 0.4 * (1 - 0.25) * (1 - 1/2)
    _, st, p = build({"decisions": {"error_max": 0.4}, "levers": {"clarity": 0.25}})
    got = error_chance(st, p, np.array([F, F]), np.array([TF, TF]), np.array([2, 1]))
    assert_allclose(got, [0.0, 0.4 * 0.75 * 0.5])


def test_a_wrong_call_is_an_inconsistent_answer_and_front_rework():
    # error_max 1, clarity 0: every unprecedented call F settles (h = 0) is wrong
    _, st, p = build({"decisions": {"error_max": 1.0, "error_rework": 0.5}, "levers": {"clarity": 0.0},
                      "demand": {"front_work": 1.5}})
    put(st, 0, DECISION, F, dec_height=0)
    decide(st, p, rng())
    assert st.stage[0] == FRONT and st.loc[0] == TF and not st.needs_decision[0]
    assert st.remaining[0] == pytest.approx(1.5 * 0.5 * st.work_factor[TF])  # front_work * error_rework
    assert st.n_inconsistent[0] == 1 and st.tick.inconsistent == 1 and st.tick.decision_errors == 1
    assert st.friction_step[C_MISALIGN, F] == 1.0  # inconsistent weight, booked where the call was taken
    assert st.tick.rework == pytest.approx(0.75)


def test_a_settler_that_misreads_the_need_errs_more():
    # p = error_max (1 - clarity)(1 - h/L) + error_misfit * misfit(settler, theme), capped at 1
    _, st, p = build({"decisions": {"error_max": 0.4, "error_misfit": 0.5}, "levers": {"clarity": 0.25}})
    st.reading[F] = [0.1, 0.4, 0.25, 0.25]  # need uniform: misfit 0.6 on theme 0, 0 on theme 1
    got = error_chance(st, p, np.array([F, F]), np.array([TF, TF]), theme=np.array([0, 1]))
    assert_allclose(got, [0.4 * 0.75 + 0.5 * 0.6, 0.4 * 0.75])


def test_a_wrong_call_is_referred_to_the_settlers_manager_after_the_redo():
    # VDT exception handling: the front team redoes its part, then M1 (one level up) takes the call
    _, st, p = build({"decisions": {"error_max": 1.0, "error_referral": True}, "levers": {"clarity": 0.0}})
    put(st, 0, DECISION, F, dec_height=0)
    decide(st, p, rng())
    assert st.stage[0] == FRONT and st.needs_decision[0] and st.dec_height[0] == REFERRED - 1
    draw_height(st, p, rng(), 0.0, np.array([0]))  # on routing: the referred height, not a fresh draw
    assert st.dec_height[0] == 1


def test_calls_within_precedent_and_calls_of_the_executive_are_never_wrong():
    _, st, p = build({"decisions": {"error_max": 1.0}, "levers": {"clarity": 0.0}})
    put(st, 0, DECISION, F, dec_height=-1)  # settled precedent
    put(st, 1, DECISION, CEO, dec_height=2)  # the executive holds the intent: context 1
    decide(st, p, rng())
    assert (st.stage[:2] == ROUTE).all() and st.tick.decision_errors == 0 and st.n_inconsistent[:2].sum() == 0


def test_wrong_calls_are_as_frequent_as_the_formula_says():
    # F's calls: p = 0.5 * (1 - 0.2) * 1 = 0.4 over 2000 calls (binomial sd 0.011)
    _, st, p = build({"decisions": {"error_max": 0.5, "team_capacity": 100.0}, "levers": {"clarity": 0.2}})
    wrong = daily(st, p, rng(4), 500, F, 0, lambda s: s.tick.decision_errors).sum()
    assert abs(wrong / 2000 - 0.4) < 0.04


def test_the_height_draw_marks_precedent_apart_from_rights():
    # complexity 1: no precedent; ownership 1: every call inside F's rights, h = 0 (may be wrong)
    _, st, p = build({"org": {"customers_per_front_team": 400}, "levers": {"ownership": 1.0},
                      "decisions": {"complexity": 1.0, "complexity_gain": 0.0}})
    draw_height(st, p, rng(), 0.0, np.arange(st.C))
    assert (st.dec_height == 0).all()


# ------------------------------------------------------- ownership: conserved deliberation
def test_a_teams_unprecedented_call_costs_it_team_call_work_of_capacity():
    # 2 unprecedented calls (height 0) settled by F: 2 * 0.5 person-days on F; B and B2 nothing
    _, st, p = build({"decisions": {"team_call_work": 0.5}})
    put(st, 0, DECISION, F, dec_height=0)
    put(st, 1, DECISION, F, dec_height=0)
    decide(st, p, rng())
    assert (st.stage[:2] == ROUTE).all()
    assert_allclose(st.call_load, [1.0, 0.0, 0.0])
    assert st.tick.call_work == pytest.approx(1.0) and st.tick.decisions == 2
    assert_allclose(st.meeting_load, 0.0)  # not a meeting: the meeting load KPI is unchanged


def test_a_call_within_precedent_and_a_managers_call_cost_the_team_nothing():
    _, st, p = build({"decisions": {"team_call_work": 0.5}})
    put(st, 0, DECISION, F, dec_height=-1)  # within settled precedent
    put(st, 1, DECISION, M1, dec_height=1)  # M1's call (its own capacity pays)
    put(st, 2, DECISION, CEO, dec_height=2)
    decide(st, p, rng())
    assert (st.stage[:3] == ROUTE).all() and st.tick.decisions == 3
    assert_allclose(st.call_load, 0.0)
    assert st.tick.call_work == 0.0


def test_a_consensus_meeting_pays_its_meeting_cost_not_the_call_work():
    # a call of height 1 at F (no right): a meeting (escalate 0) that settles it (resolve 1)
    _, st, p = build({"decisions": {"team_call_work": 2.0, "escalate": 0.0, "meeting_resolve": 1.0,
                                    "meeting_cost": 0.5}})
    put(st, 0, DECISION, F, dec_height=1)
    decide(st, p, rng())
    assert st.stage[0] == ROUTE and st.tick.meetings == 1
    assert_allclose(st.meeting_load, [0.5, 0.0, 0.0])
    assert_allclose(st.call_load, 0.0)


def _work_after_a_call(call_work: float) -> float:
    """Front work F does today with one unprecedented call of its own settled first (F: 2 people,
    4 requests of 5 person-days waiting, no initiatives, no per-request cap)."""
    _, st, p = build({"decisions": {"team_call_work": call_work},
                      "work": {"initiative_share": 0.0, "productivity": 1.0}, "demand": {"max_rate": 5.0}})
    for c in range(1, 4):
        put(st, c, FRONT, TF, remaining=5.0)
    put(st, 0, DECISION, F, dec_height=0)
    decide(st, p, rng())
    before = st.remaining[1:4].sum()
    do_work(st, p)
    return float(before - st.remaining[1:4].sum())


def test_the_call_work_comes_out_of_the_teams_work_capacity():
    # the same backlog (same overtime) with and without the price: 1.5 person-days less work done
    free, paid = _work_after_a_call(0.0), _work_after_a_call(1.5)
    assert free > 1.5
    assert free - paid == pytest.approx(1.5)


def test_at_zero_a_teams_calls_change_nothing():
    _, st, p = build({"decisions": {"team_call_work": 0.0}})
    for c in range(3):
        put(st, c, DECISION, F, dec_height=0)
    decide(st, p, rng())
    assert st.tick.decisions == 3 and st.tick.call_work == 0.0
    assert_allclose(st.call_load, 0.0)


# ------------------------------------------------------------------------- empathy: manager time
def test_empathy_takes_a_share_of_a_managers_decision_capacity():
    # manager capacity 2 * (1 - empathy_time 0.5 * empathy); teams keep their full rate
    _, st, p = build({"decisions": {"manager_capacity": 2.0, "team_capacity": 4.0},
                      "managers": {"empathy_time": 0.5}})
    st.lever[:, L_EMPATHY] = [1.0, 0.5, 0.0, 1.0, 1.0, 1.0]
    assert_allclose(decision_capacity(st, p), [1.0, 1.5, 2.0, 4.0, 4.0, 4.0])


def test_an_empathic_manager_settles_fewer_calls_a_day():
    # capacity binds: floor(2 * (1 - 0.5 * 1) + U) = 1 call a day at most, and it looks at each of
    # its 4 waiting calls with probability 1 * (1 - 0.5) = 0.5, so some days (1/16) it takes none
    _, st, p = build({"decisions": {"manager_capacity": 2.0}, "managers": {"empathy_time": 0.5},
                      "levers": {"empathy": 1.0}})
    r = rng(2)
    taken = daily(st, p, r, 800, M1, 1, lambda s: s.tick.decisions)
    assert set(taken.tolist()) == {0, 1} and abs(taken.mean() - 15 / 16) < 0.03  # sd of the mean 0.009
    # attention binds: capacity 100; each call is looked at with probability 0.4 * (1 - 0.5 * 1) = 0.2
    _, st, p = build({"decisions": {"manager_capacity": 100.0, "manager_attention": 0.4},
                      "managers": {"empathy_time": 0.5}, "levers": {"empathy": 1.0}})
    taken = daily(st, p, r, 1000, M1, 1, lambda s: s.tick.decisions).sum()
    assert abs(taken / 4000 - 0.2) < 0.025  # binomial sd 0.006


# ------------------------------------------------------- empathy: the strain a manager carries
CARRY = {"people": {"strain_gain": 0.1, "empathy_buffer": 0.5, "recovery": 0.1, "empathy_recovery": 0.0,
                    "attrition_base": 0.0}, "managers": {"carried_strain": 1.0}}


def _strained(overrides):
    _, st, p = build(merge_over(CARRY, overrides))
    st.lever[:, L_EMPATHY] = [0.5, 1.0, 0.0, 1.0, 1.0, 0.0]  # CEO, M1, M2; teams' own value is not used
    st.load_ratio[:] = [2.0, 1.5, 3.0]  # strain F 1, B 0.5, B2 2 (no overtime, no change)
    st.overtime[:] = 0.0
    update_people(st, p, rng(), 1, np.zeros(3))
    return st, p


def test_what_an_empathic_manager_absorbs_it_carries_up_the_chain():
    st, _ = _strained({})
    # M1 (empathy 1) absorbs 0.5 * 1 of F's and B's strain: its strain is the mean, 0.5 * (1 + 0.5) / 2 = 0.375;
    # it tires as a team does, buffered by the CEO's empathy 0.5: 0.1 * 0.375 * (1 - 0.25) = 0.028125, then
    # recovers 0.1 * (1 - 0.375) of that: 0.028125 * (1 - 0.0625) = 0.0263671875
    # M2 (empathy 0) absorbs nothing of B2's strain 2: it carries nothing
    # CEO absorbs 0.5 * 0.5 of its reports' strain: 0.25 * (0.375 + 0) / 2 = 0.046875; nobody buffers it:
    # 0.1 * 0.046875 = 0.0046875, then times 1 - 0.1 * (1 - 0.046875)
    ceo = 0.0046875 * (1.0 - 0.1 * (1.0 - 0.046875))
    assert_allclose(st.manager_fatigue, [ceo, 0.0263671875, 0.0, 0.0, 0.0, 0.0])


def test_absorbed_strain_vanishes_when_nobody_carries_it():
    st, _ = _strained({"managers": {"carried_strain": 0.0}})
    assert (st.manager_fatigue == 0.0).all()
    # and the teams are buffered all the same: F's fatigue 0.1 * 1 * (1 - 0.5 * 1) = 0.05 either way
    assert_allclose(st.fatigue[TF], 0.05)


def test_a_tired_manager_takes_fewer_calls_and_is_less_engaged():
    _, st, p = build(merge_over(CARRY, {"decisions": {"manager_capacity": 2.0, "team_capacity": 4.0},
                                        "managers": {"empathy_time": 0.5, "engagement_rate": 1.0,
                                                     "engagement_core_weight": 0.0},
                                        "work": {"fatigue_drag": 0.5},
                                        "people": {"fatigue_disengage": 0.2}}))
    st.lever[:, L_EMPATHY] = 1.0
    st.manager_fatigue[:] = [0.0, 0.4, 0.0, 0.0, 0.0, 0.0]
    # M1: 2 * (1 - 0.5) * (1 - 0.5 * 0.4) = 0.8; the others as before; teams keep their rate
    assert_allclose(decision_capacity(st, p), [1.0, 0.8, 1.0, 4.0, 4.0, 4.0])
    st.engagement_base[:] = 0.6
    st.load_ratio[:] = 1.0  # no strain: nobody carries anything new and fatigue only recovers
    update_people(st, p, rng(), 1, np.zeros(3))
    # M1's target 0.6 - 0.2 * its fatigue after today's recovery (0.4 * (1 - 0.1)), reached at rate 1
    assert_allclose(st.engagement[M1], 0.6 - 0.2 * 0.36)
    assert_allclose(st.engagement[[CEO, M2]], 0.6)


def _peak_manager_fatigue(empathy: float, carried: float) -> float:
    """The default organisation through the pattern tests' shock (day 60, 40 days, +1.5), one seed:
    the highest mean fatigue of its managers over 120 days."""
    spec = {"steps": 120, "levers": {"empathy": empathy}, "managers": {"carried_strain": carried},
            "events": [{"type": "shock", "step": 60, "duration": 40, "pressure": 1.5}]}
    m = AlignmentModel(params=ModelParams.model_validate(spec), seed=7)
    managers = ~m.state.is_team
    peak = 0.0
    for _ in range(120):
        m.step()
        peak = max(peak, float(m.state.manager_fatigue[managers].mean()))
    return peak


def test_in_the_whole_model_a_shock_tires_the_managers_who_absorb_it():
    # carried strain on: empathic managers tire under the shock (measured over 10 seeds of the lever
    # grid: peak 0.15-0.16 at empathy 1; docs/validation.md), less empathic ones less; a manager with
    # empathy 0 absorbs nothing, so nobody carries anything; off by default, nobody tires either
    high, low = _peak_manager_fatigue(1.0, 1.0), _peak_manager_fatigue(0.2, 1.0)
    assert high > 0.05 and high > low > 0.0, (high, low)
    assert _peak_manager_fatigue(1.0, 0.0) == 0.0
    _, st, p = build({"levers": {"empathy": 0.0}, "managers": {"heterogeneity": 0.0, "carried_strain": 1.0}})
    st.load_ratio[:] = 3.0
    update_people(st, p, rng(), 1, np.zeros(3))
    assert (st.manager_fatigue == 0.0).all()


# ------------------------------------------------------------------- customer bar: exceptions
def test_an_exception_is_front_work_and_may_contradict_the_rest_of_the_organisation():
    _, st, p = build({"decisions": {"exception_rate": 1.0, "exception_work": 2.0, "exception_inconsistency": 1.0},
                      "levers": {"customer_bar": 1.0}})
    put(st, 0, DECISION, M1, dec_height=1)  # granted with P = exception_rate 1 * bar 1
    decide(st, p, rng())
    assert st.exception[0] and st.tick.exceptions == 1
    assert st.stage[0] == FRONT and st.loc[0] == TF and st.remaining[0] == 2.0 and st.work_total[0] == 2.0
    assert st.tick.exception_work == 2.0
    assert st.n_inconsistent[0] == 1 and st.friction_step[C_MISALIGN, M1] == 1.0


def test_without_its_price_an_exception_routes_on_at_once():
    _, st, p = build({"decisions": {"exception_rate": 1.0}, "levers": {"customer_bar": 1.0}})
    put(st, 0, DECISION, M1, dec_height=1)
    decide(st, p, rng())
    assert st.exception[0] and st.stage[0] == ROUTE and st.n_inconsistent[0] == 0
    assert st.tick.exception_work == 0.0


def test_exception_inconsistency_happens_at_its_rate():
    _, st, p = build({"decisions": {"exception_rate": 1.0, "exception_inconsistency": 0.3,
                                    "manager_capacity": 100.0}, "levers": {"customer_bar": 1.0}})
    odd = daily(st, p, rng(9), 500, M1, 1, lambda s: int(s.n_inconsistent[:4].sum())).sum()
    assert abs(odd / 2000 - 0.3) < 0.04  # binomial sd 0.010


# ------------------------------------------------------------------------------ whole runs
def _run(overrides: dict, seed: int = 5, steps: int = 120):
    params = ModelParams.model_validate(merge_over({"steps": steps, "pressure": {"baseline": 0.8}}, overrides))
    m = AlignmentModel(params=params, seed=seed)
    m.run()
    return m


def test_each_price_shows_in_a_run_and_vanishes_at_zero():
    on = _run({"levers": {"ownership": 1.0, "clarity": 0.2, "customer_bar": 1.0}})
    off = _run({"levers": {"ownership": 1.0, "clarity": 0.2, "customer_bar": 1.0},
                "decisions": {"error_max": 0.0, "exception_work": 0.0, "exception_inconsistency": 0.0,
                              "team_call_work": 0.0},
                "managers": {"empathy_time": 0.0}})
    assert on.state.total_requests > 0
    s_on, s_off = on.series(), off.series()
    assert s_on["inconsistent_rate"].mean() > s_off["inconsistent_rate"].mean()
    assert s_on["decision_latency"].mean() != s_off["decision_latency"].mean()


def test_same_seed_same_outputs_with_the_prices_on():
    a = _run({"levers": {"customer_bar": 0.9, "empathy": 0.9}}, seed=7, steps=60).series()
    b = _run({"levers": {"customer_bar": 0.9, "empathy": 0.9}}, seed=7, steps=60).series()
    assert a.equals(b)
