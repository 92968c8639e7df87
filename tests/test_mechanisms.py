"""Each mechanism of sim/model on the hand-built tiny org (tests/tiny.py), with parameters at 0 or 1
so that outcomes are certain; the hand computation sits next to every expected number.

Tiny org: units CEO 0, M1 1 (D1), M2 2 (D2), F 3 (front, D1), B 4 (back, D1), B2 5 (back, D2);
teams F -> 0, B -> 1, B2 -> 2; 4 customers, all served by F.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from pydantic import ValidationError
from tiny import B2, CEO, M1, M2, TB, TB2, TF, B, F, make_params, put, rng, tiny_model
from tiny import merge as merge_over

from sim.errors import InputError
from sim.model.customers import complete, erode_and_churn
from sim.model.decisions import complexity_at, decide, draw_height, set_overcheck
from sim.model.demand import make_requests
from sim.model.environment import apply_environment, pressure_at
from sim.model.friction import book, book_delays
from sim.model.handoffs import route
from sim.model.people import update_people
from sim.model.signals import UnstableAdjustment, cascade, heuristic, review, rework, spectral_radius
from sim.model.state import (
    BACK,
    C_DECISION,
    C_HANDOFF,
    C_MISALIGN,
    C_OVERLOAD,
    C_PIVOT,
    DECISION,
    FRONT,
    L_CLARITY,
    L_OWNERSHIP,
    NONE,
    ROUTE,
    Tick,
    distance,
)
from sim.model.work import capacity, do_work

# the price of the levers (tests/test_lever_costs.py) is switched off here, where the other
# mechanisms are computed by hand; params given by a test still win
NO_LEVER_COSTS = {"decisions": {"error_max": 0.0, "exception_work": 0.0, "exception_inconsistency": 0.0,
                                "team_call_work": 0.0},
                  "managers": {"empathy_time": 0.0},
                  # slack off too (the tiny model starts with empty backlogs, full slack): the formulas below
                  # are those of teams without time in hand; the slack tests switch it on
                  "handoffs": {"reconcile": 0.0}, "signals": {"clarify": 0.0}}


def build(overrides=None, **kw):
    m = tiny_model(merge_over(NO_LEVER_COSTS, overrides or {}), **kw)
    return m, m.state, m.params


# ---------------------------------------------------------------------------------------- demand
def test_rate_one_opens_a_request_for_every_active_customer_busy_or_not():
    _, st, p = build({"demand": {"request_rate": 1.0, "back_share": 1.0, "decision_share": 0.0}})
    st.active[1] = False  # churned
    put(st, 2, BACK, TB, remaining=1.0, work_total=3.0)  # busy: it asks all the same (issue 11, item 6)
    make_requests(st, p, rng(), pressure=0.0)  # rate = min(1, 1 * (1 + 0.6 * 0)) = 1
    # the free slots 0, 1, 3 are taken in order by customers 0, 2, 3 (slot 2 holds customer 2's busy
    # request, so customer 2 now holds two); the pool does not grow
    assert st.stage.tolist() == [FRONT, FRONT, BACK, FRONT]
    assert st.req_cust.tolist() == [0, 2, 2, 3] and st.slots == 4
    assert st.req_team.tolist() == [TF, TF, TF, TF]
    assert st.loc[[0, 1, 3]].tolist() == [TF, TF, TF]
    assert_allclose(st.remaining[[0, 1, 3]], 1.5)  # front_work
    assert_allclose(st.work_total[[0, 1, 3]], 1.5)
    assert st.needs_back[[0, 1, 3]].all()  # back_share 1
    assert not st.needs_decision[[0, 1, 3]].any()  # decision_share 0
    assert st.remaining[2] == 1.0 and st.loc[2] == TB  # the busy request is untouched
    assert st.tick.new_requests == 3 and st.total_requests == 3 and st.tick.balked == 0
    assert st.open_count().tolist() == [1, 0, 2, 1]


def test_pressure_scales_the_request_rate():
    over = {"org": {"customers_per_front_team": 4000},
            "demand": {"request_rate": 0.25, "decision_share": 0.0},
            "pressure": {"demand_gain": 1.0}}
    _, st, p = build(over)
    make_requests(st, p, rng(1), pressure=3.0)  # rate = min(1, 0.25 * (1 + 1 * 3)) = 1
    assert (st.stage == FRONT).all()
    for pressure, rate in ((0.0, 0.25), (1.0, 0.5)):  # 0.25 * (1 + 0), 0.25 * (1 + 1)
        _, st, p = build(over)
        make_requests(st, p, rng(2), pressure=pressure)
        share = (st.stage == FRONT).mean()  # binomial sd <= 0.008 at C = 4000
        assert abs(share - rate) < 0.04, (pressure, share)


def test_decision_share_rises_with_pressure():
    over = {"org": {"customers_per_front_team": 4000},
            "demand": {"request_rate": 1.0, "decision_share": 0.25, "decision_gain": 1.0}}
    _, st, p = build(over)
    make_requests(st, p, rng(3), pressure=3.0)  # min(1, 0.25 * (1 + 1 * 3)) = 1
    assert st.needs_decision.all()


def test_theme_is_drawn_only_from_themes_the_market_needs():
    over = {"org": {"customers_per_front_team": 1000}, "demand": {"request_rate": 1.0}}
    _, st, p = build(over)
    st.need[:] = [0.0, 0.0, 1.0, 0.0]  # one-hot need: every request is about theme 2
    make_requests(st, p, rng(4), 0.0)
    assert (st.theme == 2).all()
    _, st, p = build(over)
    st.need[:] = [0.5, 0.0, 0.5, 0.0]  # two themes: both drawn, never the others
    make_requests(st, p, rng(5), 0.0)
    assert set(st.theme.tolist()) == {0, 2}


class _Draws:
    """A stand-in generator whose every uniform draw is ``u`` (make_requests only calls ``random``)."""

    def __init__(self, u: float):
        self.u = u

    def random(self, n: int) -> np.ndarray:
        return np.full(n, self.u)


@pytest.mark.parametrize(("u", "need", "theme"), [
    (0.0, [0.0, 0.0, 1.0, 0.0], 2),  # cumsum [0, 0, 1, 1]: 0 falls right of the two empty themes
    (0.0, [0.0, 0.5, 0.5, 0.0], 1),  # cumsum [0, .5, 1, 1]
    (0.5, [0.0, 0.5, 0.5, 0.0], 2),  # .5 is the end of theme 1's interval [0, .5): theme 2
    (np.nextafter(1.0, 0.0), [0.5, 0.5, 0.0, 0.0], 1),  # cumsum [.5, 1, 1, 1]: largest draw, theme 1
])
def test_theme_draws_at_the_edges_never_pick_a_theme_without_need(u, need, theme):
    # theme = index of the first cumulative need strictly above u (searchsorted side="right"),
    # so theme k is drawn for u in [cumsum[k-1], cumsum[k]): an empty interval for a need of 0
    _, st, p = build({"demand": {"request_rate": 1.0}})
    st.need[:] = need
    make_requests(st, p, _Draws(u), 0.0)
    assert (st.stage == FRONT).all()  # u < rate 1 for every idle customer
    assert st.theme.tolist() == [theme] * 4


@pytest.mark.parametrize(("ownership", "factor"), [(0.0, 1.5), (1.0, 1.0)])
def test_unclear_rights_make_every_request_cost_more_work(ownership, factor):
    _, st, p = build({"levers": {"ownership": ownership}, "work": {"overcheck": 0.5},
                      "decisions": {"complexity": 1.0, "complexity_gain": 0.0},
                      "demand": {"request_rate": 1.0, "front_work": 1.5}})
    set_overcheck(st, p, pressure=0.0)  # 1 + 0.5 * complexity 1 * (1 - ownership)
    assert_allclose(st.work_factor, factor)
    make_requests(st, p, rng(), 0.0)
    assert_allclose(st.remaining, 1.5 * factor)  # front_work * work factor of F
    assert_allclose(st.work_total, 1.5 * factor)


# -------------------------------------------------------------------------------------- hand-offs
def _routed(overrides=None, deps=(B,), c=0):
    m, st, p = build(overrides, deps=deps)
    put(st, c, ROUTE, TF, remaining=0.0, work_total=1.5, needs_back=True, back_done=False,
        needs_decision=False)
    return m, st, p


def test_reexplain_one_is_certain_and_identical_readings_give_no_inconsistency_or_bounce():
    _, st, p = _routed({"handoffs": {"reexplain": 1.0, "inconsistency_gain": 10.0, "bounce_gain": 10.0,
                                     "bounce_max": 1.0}})
    done = route(st, p, rng(), 0.0)
    assert done.size == 0
    # readings are all uniform: gap = 0 -> P(inconsistent) = min(1, 10 * 0) = 0, P(bounce) = 0
    assert st.stage[0] == BACK and st.loc[0] == TB
    assert st.n_explain[0] == 1 and st.n_inconsistent[0] == 0 and st.n_bounce[0] == 0
    assert st.remaining[0] == st.work_total[0] == 3.0  # back_work * B's work factor 1
    assert not st.siloed[0]
    assert st.tick.handoffs == 1 and st.tick.explanations == 1
    assert st.friction_step[C_HANDOFF, B] == 0.5  # explanation weight, booked to the receiving unit
    assert st.friction_step.sum() == 0.5


def test_reexplain_zero_is_impossible():
    _, st, p = _routed({"handoffs": {"reexplain": 0.0}})
    route(st, p, rng(), 0.0)
    assert st.stage[0] == BACK and st.n_explain[0] == 0 and st.tick.explanations == 0


@pytest.mark.parametrize(("reexplain", "silo", "expected"), [(0.0, 1.0, 1), (1.0, 0.0, 0)])
def test_silo_probability_is_used_across_divisions(reexplain, silo, expected):
    _, st, p = _routed({"handoffs": {"reexplain": reexplain, "reexplain_silo": silo, "silo_misread": 0.0}},
                       deps=(B2,))
    route(st, p, rng(), 0.0)
    assert st.stage[0] == BACK and st.loc[0] == TB2 and st.siloed[0]
    assert st.n_explain[0] == expected
    assert st.n_inconsistent[0] == 0 and st.n_bounce[0] == 0  # same readings, silo_misread 0


def test_silo_misread_adds_disagreement_across_divisions():
    # gap = 0 + silo_misread 1 -> P(inconsistent) = min(1, 1 * 1) = 1, P(bounce) = min(1, 1 * 1) = 1
    _, st, p = _routed({"handoffs": {"reexplain_silo": 0.0, "silo_misread": 1.0, "inconsistency_gain": 1.0,
                                     "bounce_gain": 1.0, "bounce_max": 1.0}}, deps=(B2,))
    route(st, p, rng(), 0.0)
    assert st.n_inconsistent[0] == 1 and st.n_bounce[0] == 1 and st.stage[0] == FRONT


@pytest.mark.parametrize(("load_f", "load_b", "reconcile", "p_both"), [
    (0.0, 0.0, 0.0, 1.0),  # knock-out: the whole disagreement reaches the customer
    (1.0, 0.0, 1.0, 1.0),  # the busier team (F) has no slack: nothing is settled
    (0.0, 2.0, 1.0, 1.0),  # above its normal backlog, B has no slack either
    (0.0, 0.0, 1.0, 0.0),  # both idle: every disagreement is settled between them
    (0.2, 0.6, 1.0, 0.6),  # slack of the busier team .4: g = 1 * (1 - .4) = .6
    (0.6, 0.2, 0.5, 0.8),  # g = 1 * (1 - .5 * .4) = .8
])
def test_slack_settles_disagreement_before_it_reaches_the_customer(load_f, load_b, reconcile, p_both):
    """g <- g (1 - reconcile slack(max(load_s, load_d))): inconsistency and bounce both follow g."""
    over = {"handoffs": {"reexplain": 0.0, "inconsistency_gain": 1.0, "bounce_gain": 1.0, "bounce_max": 1.0,
                         "misfit_inconsistency": 0.0, "misfit_bounce": 0.0, "reconcile": reconcile}}
    n = 4000
    hits = np.zeros(2)
    for seed in range(n // 200):
        _, st, p = _routed(over)
        st.reading[F] = [1.0, 0.0, 0.0, 0.0]
        st.reading[B] = [0.0, 1.0, 0.0, 0.0]  # TV distance 1
        st.load_ratio[TF], st.load_ratio[TB] = load_f, load_b
        for _ in range(200):
            st.n_inconsistent[0] = st.n_bounce[0] = 0
            st.stage[0], st.loc[0], st.back_done[0] = ROUTE, TF, False
            route(st, p, np.random.default_rng(seed * 1000 + _), 0.0)
            hits += [st.n_inconsistent[0], st.n_bounce[0]]
    assert_allclose(hits / n, p_both, atol=0.03)  # binomial sd at most .008: 3.75 sd


def test_bounce_returns_to_front_with_rework():
    _, st, p = _routed({"handoffs": {"reexplain": 0.0, "inconsistency_gain": 1.0, "bounce_gain": 1.0,
                                     "bounce_max": 1.0, "bounce_rework": 0.5},
                        "demand": {"front_work": 1.5}})
    st.reading[F] = [1.0, 0.0, 0.0, 0.0]
    st.reading[B] = [0.0, 1.0, 0.0, 0.0]  # TV distance 1 -> P(incons) = min(1, 1) = 1, P(bounce) = 1
    route(st, p, rng(), 0.0)
    assert st.stage[0] == FRONT and st.loc[0] == TF
    assert_allclose(st.remaining[0], 0.75)  # front_work 1.5 * bounce_rework 0.5 * F's work factor 1
    assert_allclose(st.work_total[0], 0.75)
    assert st.n_bounce[0] == 1 and st.n_inconsistent[0] == 1
    assert st.n_explain[0] == 1  # no re-explanation at reexplain 0, one for the bounce
    assert not st.back_done[0]
    assert st.tick.bounces == 1 and st.tick.inconsistent == 1 and st.tick.explanations == 1
    # inconsistent 1.0 + bounce 0.5 + explanation 0.5, all booked to misalignment at B
    assert_allclose(st.friction_step[C_MISALIGN, B], 2.0)
    assert_allclose(st.friction_step.sum(), 2.0)


def test_handoff_work_is_scaled_by_the_work_factor_of_the_team_that_does_it():
    factors = [1.5, 2.0, 1.25]  # over-checking of F, B, B2 (set by set_overcheck each step)
    # passed on: back_work 3 * B's factor 2 = 6
    _, st, p = _routed({"handoffs": {"reexplain": 0.0}, "demand": {"back_work": 3.0}})
    st.work_factor[:] = factors
    route(st, p, rng(), 0.0)
    assert st.stage[0] == BACK and st.loc[0] == TB
    assert_allclose([st.remaining[0], st.work_total[0]], [6.0, 6.0])
    # bounced (TV distance 1, bounce_gain 1): front_work 1.5 * bounce_rework 0.5 * F's factor 1.5 = 1.125
    _, st, p = _routed({"handoffs": {"reexplain": 0.0, "bounce_gain": 1.0, "bounce_max": 1.0,
                                     "bounce_rework": 0.5}, "demand": {"front_work": 1.5}})
    st.work_factor[:] = factors
    st.reading[F] = [1.0, 0.0, 0.0, 0.0]
    st.reading[B] = [0.0, 1.0, 0.0, 0.0]
    route(st, p, rng(), 0.0)
    assert st.stage[0] == FRONT and st.loc[0] == TF
    assert_allclose([st.remaining[0], st.work_total[0]], [1.125, 1.125])


def test_front_team_without_dependency_fulfils_itself():
    _, st, p = _routed(deps=())
    done = route(st, p, rng(), 0.0)
    assert done.size == 0
    # the front team does the back-office work itself: no hand-off, no friction, same work
    assert st.stage[0] == BACK and st.loc[0] == TF and st.tick.handoffs == 0
    assert st.remaining[0] == pytest.approx(p.demand.back_work * st.work_factor[TF])
    assert st.friction_step.sum() == 0.0


def test_route_sends_decisions_first_and_finishes_complete_requests():
    _, st, p = build()
    put(st, 0, ROUTE, TF, age=4.0, needs_decision=True, needs_back=True)
    put(st, 1, ROUTE, TF, needs_decision=False, needs_back=False)
    put(st, 2, ROUTE, TF, needs_decision=False, needs_back=True, back_done=True)
    done = route(st, p, rng(), 0.0)
    assert sorted(done.tolist()) == [1, 2]
    assert st.stage[0] == DECISION and st.loc[0] == F and st.dec_since[0] == 4.0  # loc is the unit
    assert st.stage[1] == ROUTE and st.stage[2] == ROUTE  # closed later by complete()


# -------------------------------------------------------------------------------------- decisions
# Levels in the tiny org: CEO 0, M1 1, F 2.  A call of height h (levels above the front team F)
# is held by unit u iff level[F] - level[u] >= h:
#   h = 0: F, M1 and the CEO;   h = 1: M1 and the CEO;   h = 2: the CEO only.
# draw_height: P(h <= 0) = 1 - complexity * (1 - ownership of F's manager M1), else h = 1 + floor(U * 2),
# i.e. 1 or 2 with probability 1/2 each; h = -1 marks a call within settled precedent (1 - complexity),
# 0 one inside the team's rights (complexity * ownership).
BIG = {"org": {"customers_per_front_team": 4000}}
# managers look at every held call every day and escalations never bounce: outcomes are certain
CERTAIN = {"decisions": {"manager_attention": 1.0, "bounce": 0.0}}


def test_complexity_rises_with_pressure_up_to_one():
    _, _, p = build({"decisions": {"complexity": 0.3, "complexity_gain": 0.5}})
    assert complexity_at(p, 0.0) == pytest.approx(0.3)
    assert complexity_at(p, 1.0) == pytest.approx(0.8)  # 0.3 + 0.5 * 1
    assert complexity_at(p, 2.0) == 1.0  # min(1, 0.3 + 0.5 * 2 = 1.3)


def _heights(overrides: dict, pressure: float, seed: int = 0) -> np.ndarray:
    _, st, p = build(merge_over(BIG, overrides))
    draw_height(st, p, rng(seed), pressure, np.arange(st.C))
    return st.dec_height


@pytest.mark.parametrize(("ownership", "complexity"), [(1.0, 1.0), (0.0, 0.0), (1.0, 0.0)])
def test_clear_rights_or_settled_precedent_keep_every_call_at_the_team(ownership, complexity):
    # P(h > 0) = complexity * (1 - ownership) = 0 in every case; precedent (-1) where complexity is 0
    h = _heights({"levers": {"ownership": ownership},
                  "decisions": {"complexity": complexity, "complexity_gain": 0.0}}, pressure=0.0)
    assert (h == (0 if complexity else -1)).all()


def test_without_rights_or_precedent_the_call_sits_one_or_two_levels_up():
    # P(h > 0) = 1 * (1 - 0) = 1; h = 1 + floor(U * level[F] 2): 1 or 2, each with probability 1/2
    h = _heights({"levers": {"ownership": 0.0}, "decisions": {"complexity": 1.0, "complexity_gain": 0.0}},
                 pressure=0.0)
    assert set(h.tolist()) == {1, 2}
    assert abs((h == 1).mean() - 0.5) < 0.04  # binomial sd 0.008 at 4000 draws


def test_partial_rights_split_calls_between_the_team_and_the_levels_above():
    # P(h > 0) = 0.5 * (1 - 0.5) = 0.25, then 1 or 2 with 1/2 each; of the 0.75 at the team,
    # 1 - 0.5 = 0.5 precedent (-1) and 0.5 * 0.5 = 0.25 rights (0): P(-1, 0, 1, 2) = (0.5, 0.25, 0.125, 0.125)
    h = _heights({"levers": {"ownership": 0.5}, "decisions": {"complexity": 0.5, "complexity_gain": 0.0}},
                 pressure=0.0, seed=3)
    shares = [(h == k).mean() for k in (-1, 0, 1, 2)]
    assert_allclose(shares, [0.5, 0.25, 0.125, 0.125], atol=0.03)  # sd <= 0.008 at 4000 draws
    assert h.min() >= -1 and h.max() <= 2


def test_pressure_adds_complexity_to_the_draw():
    over = {"levers": {"ownership": 0.0}, "decisions": {"complexity": 0.0, "complexity_gain": 0.5}}
    assert (_heights(over, pressure=0.0) == -1).all()  # complexity min(1, 0 + 0.5 * 0) = 0: all precedent
    h = _heights(over, pressure=2.0)  # complexity min(1, 0 + 0.5 * 2) = 1: P(h > 0) = 1
    assert set(h.tolist()) == {1, 2}


def test_it_is_the_ownership_of_the_whole_chain_that_counts():
    # issue 11 item 5: the front team's chain ownership, the mean over M1 and the CEO, not M1's alone
    _, st, p = build(merge_over(BIG, {"levers": {"ownership": 0.0},
                                      "decisions": {"complexity": 1.0, "complexity_gain": 0.0}}))
    everyone = np.arange(st.C)
    st.lever[M1, L_OWNERSHIP] = 1.0  # F's manager alone: P(h > 0) = 1 * (1 - 0.5) = 0.5
    draw_height(st, p, rng(), 0.0, everyone)
    assert 0 < (st.dec_height == 0).mean() < 1
    st.lever[:, L_OWNERSHIP] = 1.0  # the whole chain has clear rights: P(h > 0) = 0
    draw_height(st, p, rng(), 0.0, everyone)
    assert (st.dec_height == 0).all()
    st.lever[:, L_OWNERSHIP] = 0.0  # nobody on the chain: P(h > 0) = 1
    draw_height(st, p, rng(), 0.0, everyone)
    assert (st.dec_height >= 1).all()


def test_route_draws_the_height_at_todays_pressure():
    over = {"levers": {"ownership": 0.0}, "decisions": {"complexity": 0.0, "complexity_gain": 0.5}}
    for pressure, allowed in ((0.0, {-1}), (2.0, {1, 2})):  # complexity 0 and min(1, 0.5 * 2) = 1
        _, st, p = build(merge_over({"org": {"customers_per_front_team": 50}}, over))
        st.dec_height[:] = 7  # stale value: must be overwritten
        for c in range(st.C):
            put(st, c, ROUTE, TF, needs_decision=True, needs_back=True)
        route(st, p, rng(), pressure)
        assert (st.stage == DECISION).all() and (st.loc == F).all()
        assert set(st.dec_height.tolist()) == allowed, pressure


def test_each_unit_holds_the_calls_up_to_its_height():
    # escalate 0 and meeting_resolve 0: a unit without the right meets and the call stays put
    _, st, p = build(merge_over(CERTAIN, {"org": {"customers_per_front_team": 7},
                                          "decisions": {"escalate": 0.0, "meeting_resolve": 0.0,
                                                        "team_capacity": 5.0, "manager_capacity": 5.0,
                                                        "exception_rate": 0.0}}))
    table = [(F, 0, True), (F, 1, False), (M1, 0, True), (M1, 1, True), (M1, 2, False), (CEO, 2, True),
             (CEO, 1, True)]  # (unit, height, holds: level[F] - level[unit] >= height)
    for c, (unit, height, _) in enumerate(table):
        put(st, c, DECISION, unit, dec_height=height)
    decide(st, p, rng())
    held = [holds for _, _, holds in table]
    assert (st.stage == ROUTE).tolist() == held
    assert st.tick.decisions == 5 and st.tick.meetings == 2 and st.tick.escalations == 0
    assert_allclose(st.meeting_load, [2 * 0.5, 0.0, 0.0])  # 2 meetings * meeting_cost 0.5, on F
    assert (st.loc[st.stage == ROUTE] == TF).all() and not st.needs_decision[st.stage == ROUTE].any()
    assert st.loc[1] == F and st.loc[4] == M1  # the calls nobody could take stayed where they were


def test_full_rights_resolve_up_to_capacity_per_unit():
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"team_capacity": 2.0, "manager_capacity": 1.0,
                                                        "exception_rate": 0.0}}))
    for c in range(3):
        put(st, c, DECISION, F, dec_height=0)  # 3 waiting at team F (capacity floor(2 + U) = 2)
    decide(st, p, rng())
    assert (st.stage[:3] == ROUTE).sum() == 2 and (st.stage[:3] == DECISION).sum() == 1
    assert st.tick.decisions == 2 and st.tick.escalations == 0 and st.tick.meetings == 0
    resolved = np.flatnonzero(st.stage == ROUTE)
    assert (st.loc[resolved] == TF).all() and not st.needs_decision[resolved].any()


def test_capacity_is_per_unit():
    # 2 at F (team_capacity 2) and 2 at M1 (manager_capacity 1), all held: 2 + 1 resolved
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"team_capacity": 2.0, "manager_capacity": 1.0}}))
    put(st, 0, DECISION, F, dec_height=0)
    put(st, 1, DECISION, F, dec_height=0)
    put(st, 2, DECISION, M1, dec_height=1)
    put(st, 3, DECISION, M1, dec_height=1)
    decide(st, p, rng())
    assert (st.stage[:2] == ROUTE).all()
    assert (st.stage[2:] == ROUTE).sum() == 1
    assert st.tick.decisions == 3


@pytest.mark.parametrize(("unit", "height", "section", "cap", "outcomes"),
                         [(F, 0, "team_capacity", 2.5, {2, 3}), (M1, 1, "manager_capacity", 0.5, {0, 1})])
def test_fractional_capacity_is_served_in_expectation(unit, height, section, cap, outcomes):
    # today's capacity = floor(cap + U): floor(2.5 + U) is 2 or 3, floor(0.5 + U) is 0 or 1, each half the days;
    # 4 held calls wait every day, more than either capacity, so the decisions taken equal the capacity
    _, st, p = build(merge_over(CERTAIN, {"decisions": {section: cap, "exception_rate": 0.0}}))
    r = rng(11)
    taken = []
    for _ in range(2000):
        st.tick = Tick()
        for c in range(4):
            put(st, c, DECISION, unit, dec_height=height)
        decide(st, p, r)
        taken.append(st.tick.decisions)
    assert set(taken) == outcomes
    assert abs(np.mean(taken) - cap) < 0.05  # sd of the mean 0.5 / sqrt(2000) = 0.011


def test_managers_attend_to_held_calls_only_some_days():
    # attention 0: the team takes its own call, the managers holding theirs never look at them
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"manager_attention": 0.0, "escalate": 1.0,
                                                        "manager_capacity": 5.0}}))
    put(st, 0, DECISION, F, dec_height=0)
    put(st, 1, DECISION, M1, dec_height=1)
    put(st, 2, DECISION, CEO, dec_height=2)
    for _ in range(5):
        decide(st, p, rng())
    assert st.stage[:3].tolist() == [ROUTE, DECISION, DECISION]
    assert st.loc[1] == M1 and st.loc[2] == CEO  # held: never escalated nor met on
    assert st.n_escalate[:3].tolist() == [0, 0, 0] and st.tick.meetings == 0
    # attention 0.4: each day a manager takes a held call with probability 0.4 (capacity 5 never binds)
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"manager_attention": 0.4, "manager_capacity": 5.0}}))
    r = rng(5)
    taken = 0
    for _ in range(1000):
        st.tick = Tick()
        for c in range(4):
            put(st, c, DECISION, M1, dec_height=1)
        decide(st, p, r)
        taken += st.tick.decisions
    assert abs(taken / 4000 - 0.4) < 0.04  # binomial sd 0.008 at 4000 looks


def test_a_call_within_precedent_is_taken_by_the_front_team_at_once():
    # complexity 0: P(h > 0) = 0 * (1 - ownership 0) = 0, so F holds the call whatever its rights
    _, st, p = build({"levers": {"ownership": 0.0}, "decisions": {"complexity": 0.0, "complexity_gain": 0.0}})
    put(st, 0, ROUTE, TF, age=3.0, needs_decision=True, needs_back=False)
    route(st, p, rng(), 0.0)
    assert st.stage[0] == DECISION and st.dec_height[0] == -1  # -1: precedent
    decide(st, p, rng())
    assert st.stage[0] == ROUTE and st.loc[0] == TF and not st.needs_decision[0]
    assert st.tick.decisions == 1 and st.tick.decision_latency_sum == 1.0  # age 3 - dec_since 3 + 1


def test_no_rights_escalate_one_level_per_step_and_the_root_decides():
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"escalate": 1.0, "exception_rate": 0.0}}))
    put(st, 0, DECISION, F, age=0.0, dec_height=2)
    decide(st, p, rng(1))  # F holds h <= 0 only -> escalate to M1 (level 1)
    assert st.stage[0] == DECISION and st.loc[0] == M1 and st.n_escalate[0] == 1
    assert st.tick.escalations == 1 and st.tick.escalations_by_level == {1: 1}
    assert st.friction_step[C_DECISION, F] == 0.5  # escalation weight, booked where it left
    st.tick = Tick()
    decide(st, p, rng(2))  # M1 holds h <= 1 only -> CEO (level 0)
    assert st.loc[0] == CEO and st.n_escalate[0] == 2 and st.tick.escalations_by_level == {0: 1}
    st.tick = Tick()
    st.age[0] = 2.0
    decide(st, p, rng(3))  # the CEO holds h <= 2: every call the tiny org can draw
    assert st.stage[0] == ROUTE and st.loc[0] == TF and st.tick.escalations == 0
    assert st.tick.decisions == 1 and st.tick.decision_latency_sum == 3.0  # age 2 - dec_since 0 + 1


def test_the_root_cannot_escalate_and_meets_instead():
    # h = 3 cannot be drawn in the tiny org (at most level[F] = 2): set by hand to reach the guard
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"escalate": 1.0, "meeting_resolve": 0.0,
                                                        "meeting_cost": 0.5}}))
    put(st, 0, DECISION, CEO, dec_height=3)
    decide(st, p, rng())
    assert st.stage[0] == DECISION and st.loc[0] == CEO and st.n_escalate[0] == 0
    assert st.tick.escalations == 0 and st.tick.meetings == 1
    assert_allclose(st.meeting_load, [0.5, 0.0, 0.0])


def test_escalation_bounce_sends_the_request_back_to_the_front_team():
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"escalate": 1.0, "bounce": 1.0}}))
    put(st, 0, DECISION, M1, dec_height=2)
    decide(st, p, rng())  # escalated to CEO, then bounced (P = 1) back to F's unit
    assert st.stage[0] == DECISION and st.loc[0] == F and st.dec_height[0] == 2
    assert st.n_escalate[0] == 1 and st.n_bounce[0] == 1 and st.n_explain[0] == 1
    assert st.tick.escalations_by_level == {0: 1} and st.tick.bounces == 1
    assert st.friction_step[C_DECISION, M1] == 0.5  # escalation
    assert st.friction_step[C_DECISION, CEO] == 1.0  # bounce 0.5 + explanation 0.5


@pytest.mark.parametrize(("resolve", "stage"), [(0.0, DECISION), (1.0, ROUTE)])
def test_meetings_charge_meeting_cost_to_the_front_team(resolve, stage):
    _, st, p = build(merge_over(CERTAIN, {"decisions": {"escalate": 0.0, "meeting_cost": 0.5,
                                                        "meeting_resolve": resolve}}))
    put(st, 0, DECISION, F, dec_height=2)
    put(st, 1, DECISION, M1, dec_height=2)  # a meeting at a manager still burns the front team's hours
    decide(st, p, rng())
    assert_allclose(st.meeting_load, [1.0, 0.0, 0.0])  # 2 meetings * 0.5, all on team F
    assert st.tick.meetings == 2 and st.tick.escalations == 0
    assert (st.stage[:2] == stage).all()


def test_exceptions_only_at_manager_level():
    _, st, p = build(merge_over(CERTAIN, {"levers": {"customer_bar": 1.0},
                                          "decisions": {"exception_rate": 1.0, "team_capacity": 5.0,
                                                        "manager_capacity": 5.0}}))
    put(st, 0, DECISION, F, dec_height=0)
    put(st, 1, DECISION, M1, dec_height=1)
    put(st, 2, DECISION, CEO, dec_height=2)  # the executive behaves like a manager
    decide(st, p, rng())  # P(exception) = 1 * customer_bar 1 at a manager, 0 at a team
    assert (st.stage[:3] == ROUTE).all()
    assert st.exception[:3].tolist() == [False, True, True]
    assert st.tick.exceptions == 2


# -------------------------------------------------------------------------------------------- work
def test_capacity_arithmetic():
    _, st, p = build({"work": {"productivity": 2.0, "fatigue_drag": 0.5, "commitment_drag": 0.4},
                      "people": {"novice_productivity": 0.5}}, headcount=(4, 2, 2))
    st.novices[TF] = 1
    st.fatigue[TF] = 0.5
    st.commitment[TF] = 0.5
    st.overtime[TF] = 0.2
    # (4 - 1 * (1 - 0.5)) * 2 * (1 - 0.5 * 0.5) * (1 - 0.4 * (1 - 0.5)) * (1 + 0.2)
    #   = 3.5 * 2 * 0.75 * 0.8 * 1.2
    assert_allclose(capacity(st, p), [5.04, 4.0, 4.0])


WORK = {"work": {"initiative_share": 0.0, "productivity": 1.0}, "demand": {"max_rate": 5.0}}


def test_equal_weight_requests_share_capacity_equally():
    _, st, p = build(WORK)
    put(st, 0, FRONT, TF, remaining=2.0)
    put(st, 1, FRONT, TF, remaining=2.0)
    do_work(st, p)
    # backlog 4 < 2 people * 3 days: no overtime; capacity 2 split in two
    assert st.overtime[TF] == 0.0
    assert_allclose(st.remaining[:2], [1.0, 1.0])
    assert (st.stage[:2] == FRONT).all()


def test_processor_sharing_follows_the_reading():
    _, st, p = build(merge_over(WORK, {"work": {"priority_floor": 0.0}}))
    st.reading[F] = [0.75, 0.25, 0.0, 0.0]
    put(st, 0, FRONT, TF, theme=0, remaining=2.0)
    put(st, 1, FRONT, TF, theme=1, remaining=2.0)
    do_work(st, p)  # weights 4 * 0.75 = 3 and 4 * 0.25 = 1: shares 1.5 and 0.5 of capacity 2
    assert_allclose(st.remaining[:2], [0.5, 1.5])


def test_max_rate_caps_work_per_request():
    _, st, p = build(merge_over(WORK, {"demand": {"max_rate": 0.25}}))
    put(st, 0, FRONT, TF, remaining=2.0)
    put(st, 1, FRONT, TF, remaining=2.0)
    do_work(st, p)  # share 1 each, capped at 0.25
    assert_allclose(st.remaining[:2], [1.75, 1.75])


def test_meetings_reduce_capacity():
    _, st, p = build(WORK)
    put(st, 0, FRONT, TF, remaining=2.0)
    st.meeting_load[TF] = 1.0
    do_work(st, p)  # capacity 2 - 1 = 1
    assert_allclose(st.remaining[0], 1.0)


def test_finished_front_goes_to_route_and_finished_back_sets_back_done():
    _, st, p = build(WORK)
    put(st, 0, FRONT, TF, remaining=0.5, work_total=1.5)
    put(st, 1, BACK, TB, remaining=0.5, work_total=3.0, needs_back=True)
    finished = do_work(st, p)
    assert sorted(finished.tolist()) == [0, 1]
    assert st.stage[0] == ROUTE and st.loc[0] == TF and not st.back_done[0]
    assert st.stage[1] == ROUTE and st.loc[1] == TF and st.back_done[1]  # back to the front team
    assert st.remaining[0] == 0.0 and st.remaining[1] == 0.0


def test_overtime_formula():
    _, st, p = build({"work": {"initiative_share": 0.5, "work_horizon": 1.0, "overtime_gain": 0.5,
                               "overtime_max": 0.3, "productivity": 1.0}, "demand": {"max_rate": 5.0}})
    put(st, 0, FRONT, TF, remaining=2.0)
    put(st, 1, BACK, TB, remaining=1.4)
    do_work(st, p)
    # nominal = 2 people * 1 * (1 - 0.5) = 1 per day; horizon 1 day
    # F: load 2 / 1 = 2 -> min(0.3, 0.5 * (2 - 1)) = 0.3; B: load 1.4 -> 0.5 * 0.4 = 0.2; B2: 0
    assert_allclose(st.load_ratio, [2.0, 1.4, 0.0])
    assert_allclose(st.overtime, [0.3, 0.2, 0.0])
    # F: capacity 2 * 1.3 = 2.6, half for requests: 1.3 done -> 0.7 left
    assert_allclose(st.remaining[0], 0.7)
    assert_allclose(st.tick.effort, 2 * 1.3 + 2 * 1.2 + 2 * 1.0)  # person-days present


# ----------------------------------------------------------------------------------------- signals
def test_heuristic_has_stermans_average_subject_at_mid_resilience():
    sp = make_params().signals
    theta, alpha, beta, minimum = heuristic(sp, np.array([0.0, 0.25, 0.5, 1.0]))
    assert_allclose(theta, [0.7, 0.53, 0.36, 0.15])  # 0.25: halfway between 0.7 and 0.36
    assert_allclose(alpha, [0.6, 0.43, 0.26, 0.15])
    assert_allclose(beta, [0.05, 0.195, 0.34, 1.0])
    assert_allclose(minimum, [0.003, 0.00975, 0.0165, 0.03])


def test_no_pivot_below_the_minimum_size():
    _, st, p = build({"levers": {"resilience": 0.0},
                      "signals": {"alpha_max": 0.5, "beta_min": 0.0, "min_pivot_min": 0.03}})
    before = st.reading.copy()
    st.intent_seen[:] = [0.30, 0.25, 0.25, 0.20]
    # arrived = teams' anchors = [.25]*4 = intent: adjustment = .5 * [.05, 0, 0, -.05], TV .025 < .03
    assert review(st, p, 7) == 0.0
    assert (st.reading == before).all() and st.version[0] == 0 and st.tick.pivots == 0


def test_pivot_at_resilience_zero():
    _, st, p = build({"levers": {"resilience": 0.0},
                      "signals": {"alpha_max": 0.5, "beta_min": 0.0, "min_pivot_min": 0.1,
                                  "review_every": 7}})
    st.intent_seen[:] = [0.55, 0.15, 0.15, 0.15]
    # arrived = intent = [.25]*4, so the supply line is 0
    # adjustment = .5 * [.3, -.1, -.1, -.1] (TV .15 >= .1); new = [.4, .2, .2, .2]
    assert review(st, p, 6) == 0.0  # not a review day
    assert st.version[0] == 0
    size = review(st, p, 14)
    assert_allclose(st.reading[0], [0.4, 0.2, 0.2, 0.2])
    assert_allclose(size, 0.15)  # TV([.4,.2,.2,.2], [.25]*4)
    assert_allclose(st.change[0], [0.15, -0.05, -0.05, -0.05])
    assert st.version[0] == 1 and st.tick.pivots == 1 and st.clipped == 0


def test_pivot_at_resilience_one_counts_the_supply_line():
    _, st, p = build({"levers": {"resilience": 1.0},
                      "signals": {"alpha_min": 0.25, "beta_max": 0.5, "min_pivot_max": 0.05}})
    st.reading[CEO] = [0.4, 0.2, 0.2, 0.2]  # intent; the teams have still received [.25]*4
    st.intent_seen[:] = [0.7, 0.1, 0.1, 0.1]
    # supply line = [.15, -.05, -.05, -.05]; gap = [.45, -.15, -.15, -.15] - .5 supply line
    #   = [.375, -.125, -.125, -.125]; new = intent + .25 gap = [.49375, .16875, .16875, .16875]
    size = review(st, p, 7)
    assert_allclose(st.reading[CEO], [0.49375, 0.16875, 0.16875, 0.16875])
    assert_allclose(size, 0.09375)


def test_the_gap_is_measured_against_what_has_arrived_not_against_the_teams_lenses():
    """No windup: teams whose lenses bend their readings do not move the executive, whose
    intent already equals its perception and has fully arrived."""
    _, st, p = build({"levers": {"resilience": 0.0}, "signals": {"min_pivot_min": 0.0}})
    st.reading[[F, B, B2]] = [[0.7, 0.1, 0.1, 0.1]] * 3  # lens-bent readings; anchors still [.25]*4
    assert review(st, p, 7) == 0.0 and st.version[0] == 0


def test_a_clipped_pivot_is_counted():
    _, st, p = build({"levers": {"resilience": 0.0},
                      "signals": {"alpha_max": 1.0, "beta_min": 0.0, "min_pivot_min": 0.0}})
    st.intent_seen[:] = [0.97, 0.01, 0.01, 0.01]  # adjustment 1 * gap: [.97, .01, .01, .01] < floor .02
    review(st, p, 7)
    assert st.clipped == 1 and st.reading[CEO].min() > 0.019  # clipped at .02, then rescaled


def test_unstable_adjustment_is_flagged():
    assert spectral_radius(0.26, 0.34, 3) < 1.0 < spectral_radius(0.8, 0.05, 3)  # ODD 7.6.2
    _, st, p = build({"levers": {"resilience": 0.0},
                      "signals": {"alpha_max": 1.0, "beta_min": 0.0, "review_every": 1}})
    # tiny org: teams at level 2, review every day: pipeline delay 2; x_t = x_{t-1} - x_{t-2} + n
    # has roots of modulus 1: not convergent
    with pytest.warns(UnstableAdjustment):
        review(st, p, 1)
    assert st.unstable


def _pivoted(overrides):
    m, st, p = build(merge_over({"signals": {"refresh": 0.0}}, overrides))
    st.reading[CEO] = [0.4, 0.2, 0.2, 0.2]
    st.change[CEO] = [0.15, -0.05, -0.05, -0.05]
    st.version[CEO] = 1
    return m, st, p


RELAY = {"levers": {"clarity": 1.0, "resilience": 1.0},  # managers relay exactly: theta = alpha = beta = 1
         "signals": {"theta_min": 1.0, "alpha_min": 1.0, "beta_max": 1.0}}


def test_cascade_moves_one_level_per_step():
    _, st, p = _pivoted(RELAY)  # clarity 1: no lens, no noise
    new = [0.4, 0.2, 0.2, 0.2]
    change = cascade(st, p, rng(1))
    # managers: expectation = received = new; arrived = [.25]*4; x + 1 * ((e - a) - 1 * (x - a)) = e
    assert_allclose(st.reading[[M1, M2]], [new, new])
    assert_allclose(st.reading[[F, B, B2]], 0.25)
    assert st.version.tolist() == [1, 1, 1, 0, 0, 0]
    assert_allclose(change, 0.0)  # no team moved yet
    change = cascade(st, p, rng(2))
    assert_allclose(st.reading[[F, B, B2]], [new] * 3)
    assert_allclose(st.anchor[[F, B, B2]], [new] * 3)
    assert st.version.tolist() == [1] * 6  # managers: e = x = arrived, no further adjustment
    assert_allclose(change, [0.15] * 3)  # TV([.4,.2,.2,.2], [.25]*4)
    change = cascade(st, p, rng(3))  # nothing new, no refresh
    assert_allclose(change, 0.0)


def test_a_manager_adjusts_what_it_passes_on():
    """M1 at resilience 0 (theta 1, alpha .5, beta 0): it closes half of its gap a day."""
    _, st, p = _pivoted({"levers": {"clarity": 1.0, "resilience": 0.0},
                         "signals": {"theta_max": 1.0, "alpha_max": 0.5, "beta_min": 0.0}})
    cascade(st, p, rng(1))
    # expectation = [.4,.2,.2,.2]; arrived at M1's teams = [.25]*4; x = [.25]*4
    # x += .5 * ([.15, -.05, -.05, -.05] - 0) = [.325, .225, .225, .225]
    assert_allclose(st.reading[M1], [0.325, 0.225, 0.225, 0.225])
    cascade(st, p, rng(2))
    # F and B received [.325, ...]; x += .5 * ([.4,...] - [.325,...]) = [.3625, .2125, .2125, .2125]
    assert_allclose(st.anchor[F], [0.325, 0.225, 0.225, 0.225])
    assert_allclose(st.reading[M1], [0.3625, 0.2125, 0.2125, 0.2125])


def test_a_team_reads_a_change_through_its_lens_in_proportion_to_its_size():
    over = {"levers": {"clarity": 0.5}, "signals": {"refresh": 0.0, "read_noise": 0.0, "lens_scale": 0.3}}
    for change, pull in ((0.15, 0.25), (0.0015, 0.0025), (0.45, 0.5)):
        _, st, p = build(over)
        lens = np.array([0.1, 0.1, 0.1, 0.7])
        st.lens[F] = lens
        st.reading[M1] = 0.25 + change * np.array([1.0, -1 / 3, -1 / 3, -1 / 3])  # TV = change
        cascade(st, p, rng(1))
        # new = old + change + w (lens - old), w = (1 - clarity) min(1, change / lens_scale):
        # .5 * .5 = .25, .5 * .005 = .0025 (a negligible change costs next to nothing), .5 * 1
        want = st.anchor[F] + pull * (lens - 0.25)  # anchor = what M1 passed on = .25 + change
        assert_allclose(st.reading[F], want, err_msg=str(change))


@pytest.mark.parametrize(("load", "clarify", "factor"), [(1.0, 1.0, 1.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0),
                                                        (0.4, 1.0, 0.4), (0.4, 0.5, 0.7), (3.0, 1.0, 1.0)])
def test_a_team_with_slack_reads_a_change_as_meant(load, clarify, factor):
    """w <- w (1 - clarify slack(load)): the lens pull of 7.6.3 scaled by the team's lack of slack."""
    over = {"levers": {"clarity": 0.5}, "signals": {"refresh": 0.0, "read_noise": 0.0, "lens_scale": 0.3,
                                                    "clarify": clarify}}
    _, st, p = build(over)
    lens = np.array([0.1, 0.1, 0.1, 0.7])
    st.lens[F] = lens
    st.load_ratio[:] = load
    st.reading[M1] = 0.25 + 0.15 * np.array([1.0, -1 / 3, -1 / 3, -1 / 3])  # TV = .15: w = .5 * .5 = .25
    cascade(st, p, rng(1))
    assert_allclose(st.reading[F], st.anchor[F] + 0.25 * factor * (lens - 0.25))


def test_rework_resets_work_in_progress_and_drops_commitment():
    _, st, p = build({"signals": {"rework_gain": 10.0, "commitment_drop": 1.0, "commitment_recovery": 0.0}})
    put(st, 0, FRONT, TF, remaining=0.5, work_total=1.5)  # in progress at F
    put(st, 1, FRONT, TF, remaining=1.5, work_total=1.5)  # queued: nothing to redo
    put(st, 2, BACK, TB, remaining=1.0, work_total=3.0)  # in progress at B, which did not move
    st.initiative_wip[:] = [2.0, 1.0, 0.0]
    st.commitment[:] = [0.8, 0.8, 1.0]
    rework(st, p, rng(), np.array([0.2, 0.0, 0.0]))  # P = min(1, 10 * 0.2) = 1 at F, 0 elsewhere
    assert_allclose(st.remaining[:3], [1.5, 1.5, 1.0])
    assert st.reworked[:3].tolist() == [True, False, False]
    assert_allclose(st.initiative_wip, [0.0, 1.0, 0.0])  # F's wip * min(1, 2) wasted
    assert_allclose(st.tick.rework, 1.0 + 2.0)  # 1.5 - 0.5 of request work + 2 of initiative
    assert_allclose(st.commitment, [0.64, 0.8, 1.0])  # 0.8 - 1 * 0.2 * 0.8


def test_commitment_recovers_toward_one():
    _, st, p = build({"signals": {"commitment_drop": 0.0, "commitment_recovery": 0.5}})
    st.commitment[:] = 0.6
    rework(st, p, rng(), np.zeros(3))
    assert_allclose(st.commitment, 0.8)  # 0.6 + 0.5 * 0.4


# ------------------------------------------------------------------------------------------ people
def test_fatigue_rises_under_strain_and_falls_with_slack():
    _, st, p = build({"levers": {"empathy": 0.5},
                      "people": {"strain_gain": 0.1, "empathy_buffer": 0.5, "recovery": 0.1,
                                 "empathy_recovery": 2.0, "attrition_base": 0.0}})
    st.load_ratio[:] = [2.0, 0.25, 1.0]
    st.overtime[:] = [0.1, 0.0, 0.5]
    st.fatigue[:] = [0.2, 0.4, 0.4]
    update_people(st, p, rng(), 1, np.array([0.1, 0.0, 0.0]))
    # strain = max(0, load - 1) + overtime + change; recovery scales with max(0, 1 - strain)
    # F: strain = 1 + 0.1 + 0.1 = 1.2; f = 0.2 + 0.1 * 1.2 * (1 - 0.5 * 0.5) * (1 - 0.2) = 0.272, no recovery
    # B: strain 0; f = 0.4 - 0.1 * (1 + 2 * 0.5) * 1 * 0.4 = 0.32
    # B2: strain 0.5; f = 0.4 + 0.1 * 0.5 * 0.75 * 0.6 = 0.4225; f -= 0.1 * 2 * 0.5 * 0.4225 -> 0.38025
    assert_allclose(st.fatigue, [0.272, 0.32, 0.38025])


def test_engagement_moves_toward_its_target():
    _, st, p = build({"levers": {"empathy": 1.0, "ownership": 1.0},
                      "managers": {"engagement_core_weight": 0.4, "engagement_rate": 0.5},
                      "people": {"engagement_follow": 0.8, "fatigue_disengage": 0.3, "attrition_base": 0.0,
                                 "recovery": 0.0}})
    st.engagement_base[:] = 0.5
    st.engagement[:] = [0.3, 0.7, 0.7, 0.31, 0.5, 0.5]
    st.load_ratio[:] = 1.0  # no strain and recovery 0: fatigue stays put
    st.fatigue[:] = [0.5, 0.0, 0.0]
    update_people(st, p, rng(), 1, np.zeros(3))
    # managers: target = 0.5 + 0.4 * (0.5 * (1 + 1) - 0.5) = 0.7
    #   CEO 0.3 + 0.5 * (0.7 - 0.3) = 0.5; M1, M2 already at 0.7
    # F: target = 0.8 * 0.7 + 0.2 * 0.5 - 0.3 * 0.5 = 0.51 -> 0.31 + 0.5 * 0.2 = 0.41
    # B, B2: target = 0.56 + 0.1 = 0.66 -> 0.5 + 0.5 * 0.16 = 0.58
    assert_allclose(st.engagement, [0.5, 0.7, 0.7, 0.41, 0.58, 0.58])


LEAVE = {"people": {"attrition_base": 0.05, "attrition_fatigue": 50.0, "recovery": 0.0}}


def _everyone_at_f_leaves(m, st, step):
    """F (fatigue 1) leaves: hazard = 0.05 * (1 + 49 * 1) * (...) >= 2.5 -> clipped to 1.
    B and B2 are emptied so that nobody else can leave."""
    st.headcount[[TB, TB2]] = 0
    st.fatigue[:] = [1.0, 0.0, 0.0]
    update_people(st, m.params, rng(step), step, np.zeros(3))
    assert st.headcount[TF] == 0 and st.tick.leavers == 2


def _quiet(m):
    q = m.params.model_copy(deep=True)
    q.people.attrition_base = 0.0
    return q


def test_a_leaver_is_replaced_exactly_hiring_delay_steps_later():
    m, st, _ = build(merge_over(LEAVE, {"people": {"hiring_delay": 3}}))
    _everyone_at_f_leaves(m, st, 10)
    q = _quiet(m)
    seen = {}
    for t in range(11, 16):
        st.tick = Tick()
        update_people(st, q, rng(t), t, np.zeros(3))
        seen[t] = (int(st.headcount[TF]), st.tick.hires)
    assert seen == {11: (0, 0), 12: (0, 0), 13: (2, 2), 14: (2, 0), 15: (2, 0)}  # 10 + 3 = 13
    assert 0 <= st.novices[TF] <= 2


def test_hiring_delay_zero_replaces_the_same_step():
    m, st, _ = build(merge_over(LEAVE, {"people": {"hiring_delay": 0, "ramp_days": 365.0}}))
    st.headcount[[TB, TB2]] = 0
    st.fatigue[:] = [1.0, 0.0, 0.0]
    update_people(st, m.params, rng(), 5, np.zeros(3))
    assert st.tick.leavers == 2 and st.tick.hires == 2 and st.headcount[TF] == 2


def test_no_replacement_under_hiring_freeze():
    m, st, _ = build(merge_over(LEAVE, {"people": {"hiring_delay": 3, "hiring_freeze": True}}))
    _everyone_at_f_leaves(m, st, 10)
    q = _quiet(m)
    for t in range(11, 60):
        update_people(st, q, rng(t), t, np.zeros(3))
        assert st.headcount[TF] == 0


def test_novices_leave_with_their_team():
    """When every person of a team leaves, its novices leave too: novices <= headcount always.

    H = 2 with N = 1 novice, hazard 1: both leave, so 0 novices must remain.  Leavers are drawn
    without replacement (novice leavers ~ Hypergeometric(N, H - N, leavers)), so all leavers = all
    novices.  A draw with replacement, Binomial(leavers, N / H), left a novice behind in an empty
    team (P = 1/4 per try here): novices > headcount, negative effective people, and a later
    Binomial with p > 1 raising ValueError."""
    bad = []
    for seed in range(20):
        m, st, _ = build(merge_over(LEAVE, {"people": {"hiring_freeze": True}}), seed=seed)
        st.headcount[:] = [2, 0, 0]
        st.novices[:] = [1, 0, 0]
        st.fatigue[:] = [1.0, 0.0, 0.0]
        update_people(st, m.params, rng(seed), 1, np.zeros(3))
        assert st.headcount[TF] == 0
        if st.novices[TF] != 0:
            bad.append(seed)
    assert bad == [], f"novices left in an empty team for seeds {bad}"


# --------------------------------------------------------------------------------------- customers
def test_satisfaction_update_of_a_completed_request():
    _, st, p = build()
    st.expected[:] = 10.0
    st.satisfaction[:] = 0.75
    put(st, 0, ROUTE, TF, remaining=0.0, age=15.0, n_explain=1, n_inconsistent=1, n_escalate=1,
        exception=True, needs_back=True)
    put(st, 1, ROUTE, TF, remaining=0.0, age=40.0, n_explain=3, n_bounce=2)  # a very bad one
    complete(st, p, np.array([0, 1]))
    # c0: late = (15 - 10) / 10 = .5; score = 1 - .5*.5 - .1*1 - .2*1 - .1*(1 + 0) + .15 = .5
    #     s = .7 * .75 + .3 * .5 = .675
    # c1: score = 1 - .5*3 - .3 - .2 < 0 -> clipped to 0; s = .7 * .75 = .525
    assert_allclose(st.satisfaction[:2], [0.675, 0.525])
    assert st.stage[0] == NONE and st.stage[1] == NONE
    assert st.total_completed == 2 and st.tick.completed == 2
    assert st.tick.wait_sum == 55.0
    # value: c0 (1.5 + 3) * .5 (inconsistent), c1 1.5
    assert_allclose(st.tick.value, 2.25 + 1.5)


def test_erosion_of_overdue_waiting_customers():
    _, st, p = build({"customers": {"erosion": 0.01, "calm_churn": 0.0, "renege": 0.0}})
    st.expected[:] = 10.0
    st.satisfaction[:] = 0.5
    put(st, 0, FRONT, TF, age=11.0)  # overdue
    put(st, 1, FRONT, TF, age=9.0)  # not yet
    st.age[2] = 20.0  # idle customer: no request, nothing erodes
    erode_and_churn(st, p, rng())
    assert_allclose(st.satisfaction, [0.49, 0.5, 0.5, 0.5])


def test_leaving_hazard_is_the_calm_hazard_raised_by_dissatisfaction():
    from sim.model.customers import leaving_hazard
    _, _, p = build({"customers": {"calm_churn": 0.9, "churn_gain": 100.0, "churn_reference": 0.5}})
    calm = 1 - 0.1 ** (1 / 365)  # 10% stay a year: daily hazard .0063
    # dissatisfaction (.5 - s) / .5: 0 at .5 and above, .5 at .25, 1 at 0
    assert_allclose(leaving_hazard(np.array([0.9, 0.5, 0.25, 0.0]), p),
                    [calm, calm, calm * 51, calm * 101])


def test_leavers_abandon_every_open_request():
    _, st, p = build({"customers": {"calm_churn": 0.9, "churn_gain": 100.0, "churn_reference": 0.5,
                                    "erosion": 0.0, "renege": 0.0, "word_of_mouth": 0.0}})
    st.free_slots(5)  # the pool grows to 6 slots: slot 4 is customer 0's second request
    st.req_cust[4] = 0
    st.satisfaction[:] = [0.0, 0.0, 0.5, 0.9]  # hazards .64, .64, .0063, .0063
    put(st, 0, FRONT, TF, age=3.0)
    put(st, 4, FRONT, TF, age=3.0)
    put(st, 2, FRONT, TF, age=3.0)
    erode_and_churn(st, p, _Draws(0.5))  # every draw .5: the first two leave
    assert st.active.tolist() == [False, False, True, True]
    assert st.stage.tolist() == [NONE, NONE, FRONT, NONE, NONE, NONE]
    assert st.tick.churned == 2 and st.total_churned == 2
    assert st.tick.abandoned == 2 and st.total_abandoned == 2


def test_word_of_mouth_carries_the_leavers_dissatisfaction():
    _, st, p = build({"customers": {"calm_churn": 0.9, "churn_gain": 100.0, "churn_reference": 0.5,
                                    "erosion": 0.0, "renege": 0.0, "word_of_mouth": 0.1}})
    # ties 0-1, 0-2, 2-3 (CSR over customers 0..3)
    st.tie_idx = np.array([1, 2, 0, 0, 3, 2])
    st.tie_ptr = np.array([0, 2, 3, 5, 6])
    st.satisfaction[:] = [0.0, 0.8, 0.8, 0.25]
    st.active[:] = True
    erode_and_churn(st, p, _Draws(0.0))  # every draw 0 is below every hazard: all four leave
    # dents: 0 (dissatisfaction 1) -> ties 1, 2 lose .1;
    # 3 (dissatisfaction (.5 - .25) / .5 = .5) -> tie 2 loses .05; 1 and 2 (above the reference) say nothing
    assert not st.active.any()
    assert_allclose(st.satisfaction[[1, 2]], [0.7, 0.65])


def test_overdue_requests_are_given_up_and_scored_zero():
    _, st, p = build({"customers": {"renege": 1.0, "erosion": 0.0, "calm_churn": 0.0, "learning": 0.5}})
    st.expected[:] = 10.0
    st.satisfaction[:] = 0.8
    put(st, 0, FRONT, TF, age=11.0)  # overdue: given up
    put(st, 1, FRONT, TF, age=9.0)  # not yet
    erode_and_churn(st, p, rng())
    assert st.stage[0] == NONE and st.stage[1] == FRONT
    assert st.tick.reneged == 1 and st.tick.abandoned == 1 and st.total_abandoned == 1
    assert_allclose(st.satisfaction[:2], [0.4, 0.8])  # .5 x .8 + .5 x 0
    assert st.active.all()


# ---------------------------------------------------------------------------------------- friction
def test_book_adds_to_the_right_cell():
    _, st, _ = build()
    book(st, C_HANDOFF, np.array([B, B, F]), 0.5)
    book(st, np.array([C_PIVOT, C_DECISION]), np.array([F, M1]), np.array([1.0, 2.0]))
    expected = np.zeros_like(st.friction_step)
    expected[C_HANDOFF, B] = 1.0  # repeats accumulate
    expected[C_HANDOFF, F] = 0.5
    expected[C_PIVOT, F] = 1.0
    expected[C_DECISION, M1] = 2.0
    assert_allclose(st.friction_step, expected)
    book(st, C_HANDOFF, np.array([], dtype=np.int64), 1.0)  # nothing to book
    assert_allclose(st.friction_step, expected)


def test_book_delays_follows_the_documented_precedence():
    _, st, _ = build({"org": {"customers_per_front_team": 8}})
    st.expected[:] = 10.0
    low = [0.1, 0.3, 0.3, 0.3]  # theme 0 below 1/4, theme 1 above
    st.reading[B] = low
    st.reading[B2] = low
    st.fatigue[TB] = 0.6  # tired (> 0.5)
    put(st, 0, DECISION, M1, age=11.0, reworked=True)  # decision beats everything
    put(st, 1, FRONT, TF, age=11.0, reworked=True, siloed=True)  # pivot rework
    put(st, 2, BACK, TB, age=11.0, theme=0, siloed=True)  # tired beats low rank and silo
    put(st, 3, BACK, TB2, age=11.0, theme=0, siloed=True)  # low rank beats silo
    put(st, 4, BACK, TB2, age=11.0, theme=1, siloed=True)  # silo
    put(st, 5, FRONT, TF, age=11.0, theme=0)  # plain queueing: overload (0.25 is not below 1/4)
    put(st, 6, FRONT, TF, age=9.0)  # not late
    put(st, 7, FRONT, TF, age=30.0)
    st.active[7] = False  # gone
    book_delays(st, 1.0, 0.5)
    expected = np.zeros_like(st.friction_step)
    for cause, unit in ((C_DECISION, M1), (C_PIVOT, F), (C_OVERLOAD, B), (C_MISALIGN, B2),
                        (C_HANDOFF, B2), (C_OVERLOAD, F)):
        expected[cause, unit] += 0.1  # weight 1 / expected wait 10
    assert_allclose(st.friction_step, expected)


def test_overload_by_load_ratio_counts_as_tired():
    _, st, _ = build()
    st.expected[:] = 10.0
    st.load_ratio[TF] = 1.5
    put(st, 0, FRONT, TF, age=11.0, siloed=True)
    book_delays(st, 2.0, 0.5)
    assert_allclose(st.friction_step[C_OVERLOAD, F], 0.2)  # 2 / 10
    assert_allclose(st.friction_step.sum(), 0.2)


# ------------------------------------------------------------------------------------- environment
def test_pressure_timeline_interpolates_and_is_flat_outside():
    _, _, p = build({"pressure": {"baseline": 0.2, "timeline": [[0, 0.0], [10, 1.0], [20, 1.0], [30, 0.5]]}})
    assert [pressure_at(p, s) for s in (0, 5, 15, 25, 30, 40)] == pytest.approx([0, 0.5, 1, 0.75, 0.5, 0.5])
    _, _, p = build({"pressure": {"timeline": [[5, 2.0], [15, 0.0]]}})
    assert [pressure_at(p, s) for s in (0, 5, 10, 15, 99)] == pytest.approx([2, 2, 1, 0, 0])


def test_shock_adds_pressure_only_during_its_window():
    m, st, p = build({"pressure": {"baseline": 0.2, "noise": 0.02, "noise_gain": 0.1, "need_drift": 0.0},
                      "events": [{"type": "shock", "step": 10, "duration": 5, "pressure": 1.5,
                                  "noise": 0.1, "need_shift": 0.0}]})
    got = {s: apply_environment(st, p, rng(s), s, m.lever_changes) for s in (9, 10, 14, 15)}
    assert got[9] == pytest.approx((0.2, 0.02 + 0.1 * 0.2))
    assert got[10] == pytest.approx((1.7, 0.02 + 0.1 * 1.7 + 0.1))  # 0.2 + 1.5 for steps 10..14
    assert got[14] == pytest.approx((1.7, 0.02 + 0.1 * 1.7 + 0.1))
    assert got[15] == pytest.approx((0.2, 0.02 + 0.1 * 0.2))


def test_shock_shifts_the_need_toward_one_theme():
    m, st, p = build({"pressure": {"need_drift": 0.0},
                      "events": [{"type": "shock", "step": 3, "need_shift": 1.0}]})
    apply_environment(st, p, rng(), 3, m.lever_changes)
    # need = normalize(one-hot, floor .02) = [1, .02, .02, .02] / 1.06 in some order
    assert_allclose(np.sort(st.need), np.sort([1 / 1.06] + [0.02 / 1.06] * 3))


def test_lever_event_ramps_linearly_inside_its_division_only():
    m, st, p = build({"levers": {"clarity": 0.5}, "pressure": {"need_drift": 0.0},
                      "events": [{"type": "lever", "step": 10, "lever": "clarity", "value": 1.0, "ramp": 4,
                                  "scope": {"division": "D1"}}]})
    got = {}
    for s in range(0, 21):
        apply_environment(st, p, rng(s), s, m.lever_changes)
        got[s] = st.lever[:, L_CLARITY].copy()
    d1, other = [M1, F, B], [CEO, M2, B2]
    # start 0.5, value 1 over 4 days, day 10 being the first: 0.5 + 0.5 * (s - 10 + 1) / 4
    for s, v in {9: 0.5, 10: 0.625, 11: 0.75, 12: 0.875, 13: 1.0, 14: 1.0, 20: 1.0}.items():
        assert_allclose(got[s][d1], v, err_msg=f"step {s}")
        assert_allclose(got[s][other], 0.5, err_msg=f"step {s}")
    assert_allclose(st.lever_level[d1, L_CLARITY], 1.0)


def test_lever_event_scoped_to_a_manager_subtree():
    m, st, p = build({"levers": {"ownership": 0.2}, "pressure": {"need_drift": 0.0},
                      "events": [{"type": "lever", "step": 2, "lever": "ownership", "value": 0.9,
                                  "scope": {"manager": "M2"}}]})
    apply_environment(st, p, rng(), 2, m.lever_changes)
    assert_allclose(st.lever[:, 1], [0.2, 0.2, 0.9, 0.2, 0.2, 0.9])  # M2 and B2 only


# Day k of a run is row k of model.series() (row 0 is the initial state): Mesa counts model.steps
# from 1, and an event at step k acts on day k.  With no requests (no load, no overtime), no
# review before day 7 and no re-reads (refresh 0), strain is 0, so each day fatigue recovers by
#   f <- f * (1 - recovery 0.1 * (1 + empathy_recovery 2 * empathy))
# i.e. f * 0.9 at empathy 0 and f * 0.7 at empathy 1 (managers carry the organisation's levers).
QUIET_RUN = {"steps": 5, "levers": {"empathy": 0.0}, "demand": {"request_rate": 0.0},
             "signals": {"refresh": 0.0}, "pressure": {"need_drift": 0.0},
             "people": {"recovery": 0.1, "empathy_recovery": 2.0, "attrition_base": 0.0}}


def _fatigue_rows(event_step: int) -> list[float]:
    m, st, _ = build(merge_over(QUIET_RUN, {"events": [{"type": "lever", "step": event_step,
                                                        "lever": "empathy", "value": 1.0}]}))
    st.fatigue[:] = 0.5  # after row 0 was collected (fatigue 0 at construction)
    m.run()
    df = m.series()
    assert df["step"].tolist() == [0, 1, 2, 3, 4, 5]
    return df["fatigue"].tolist()


@pytest.mark.parametrize(("event_step", "expected"), [
    (1, [0.0, 0.5 * 0.7, 0.5 * 0.7**2, 0.5 * 0.7**3, 0.5 * 0.7**4, 0.5 * 0.7**5]),  # empathy 1 from day 1
    (2, [0.0, 0.5 * 0.9, 0.5 * 0.9 * 0.7, 0.5 * 0.9 * 0.7**2, 0.5 * 0.9 * 0.7**3, 0.5 * 0.9 * 0.7**4]),
    (5, [0.0, 0.5 * 0.9, 0.5 * 0.9**2, 0.5 * 0.9**3, 0.5 * 0.9**4, 0.5 * 0.9**4 * 0.7]),  # the last day
])
def test_lever_event_at_step_k_takes_effect_in_row_k(event_step, expected):
    assert_allclose(_fatigue_rows(event_step), expected)


def test_shock_event_at_step_one_shows_in_row_one():
    m, _, _ = build({"steps": 4, "pressure": {"baseline": 0.2},
                     "events": [{"type": "shock", "step": 1, "duration": 2, "pressure": 1.5}]})
    m.run()
    # row 0 shows the starting conditions (the baseline 0.2); the shock adds 1.5 on days 1 and 2
    assert m.series()["pressure"].tolist() == pytest.approx([0.2, 1.7, 1.7, 0.2, 0.2])


EVENTS = {"lever": {"type": "lever", "lever": "clarity", "value": 1.0},
          "shock": {"type": "shock", "pressure": 1.0}}


@pytest.mark.parametrize("kind", ["lever", "shock"])
def test_event_steps_run_from_one_to_the_last_day(kind):
    def model(step):
        return build({"steps": 5, "events": [{**EVENTS[kind], "step": step}]})[0]

    model(1)
    model(5)  # the last day (steps 5) is accepted
    with pytest.raises(InputError) as info:
        model(6)
    assert info.value.where == "events[0].step"
    assert str(info.value) == "events[0].step: 6 is past the end of the run; allowed: 1..5"
    with pytest.raises(ValidationError) as bad:  # day 0 is the initial state: no event can act on it
        model(0)
    assert [(e["loc"][-1], e["type"]) for e in bad.value.errors()] == [("step", "greater_than_equal")]


def test_distance_is_total_variation():
    assert distance(np.array([0.4, 0.2, 0.2, 0.2]), np.full(4, 0.25)) == pytest.approx(0.15)
