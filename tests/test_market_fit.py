"""A market that rewards fit (issue 10 section 2; docs/ODD.md 7.3 and 7.5), on the tiny org.

Misfit of a team with a theme: m = max(0, 1 - reading / need).  A request on a misfit theme takes
(1 - m)^-b times the work (ratio clipped at ``work.misfit_ratio_floor``), is answered inconsistently
more often (``handoffs.misfit_inconsistency``: at its hand-off, by the two teams' mean misfit; if
the front team answers alone, at completion, by its own) and bounces more
(``handoffs.misfit_bounce``, by the receiving team's misfit).
"""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose
from tiny import TB, TF, B, F, make_params, put, rng, tiny_model

from sim.model.handoffs import route
from sim.model.state import BACK, FRONT, ROUTE
from sim.model.work import do_work, misfit, slowdown

WORK = {"work": {"initiative_share": 0.0, "productivity": 1.0, "priority_floor": 0.0}, "demand": {"max_rate": 5.0}}


def build(overrides=None):
    m = tiny_model(overrides)
    return m, m.state, m.params


def test_misfit_counts_only_themes_weighted_below_the_need():
    _, st, _ = build()
    st.reading[F] = [0.1, 0.4, 0.25, 0.25]  # need is uniform (0.25 each)
    assert_allclose(misfit(st, np.full(4, F), np.arange(4)), [0.6, 0.0, 0.0, 0.0])


def test_slowdown_is_a_learning_curve_with_a_floor():
    _, st, p = build({"work": {"misfit_exponent": 0.32, "misfit_ratio_floor": 0.1}})
    st.reading[F] = [0.1, 0.85, 0.025, 0.025]
    got = slowdown(st, p, np.full(4, F), np.arange(4))
    assert_allclose(got, [0.4 ** -0.32, 1.0, 0.1 ** -0.32, 0.1 ** -0.32])


def test_a_misfit_request_progresses_slower_for_the_same_capacity():
    _, st, p = build(WORK)
    st.reading[F] = [0.125, 0.375, 0.25, 0.25]  # theme 0 at half its need
    put(st, 0, FRONT, TF, theme=0, remaining=4.0)
    do_work(st, p)  # the whole capacity of 2 goes to the one request: progress 2 / 0.5^-0.32
    assert_allclose(st.remaining[0], 4.0 - 2.0 * 0.5 ** 0.32)


def test_without_misfit_exponent_progress_is_the_capacity_spent():
    _, st, p = build({**WORK, "work": {**WORK["work"], "misfit_exponent": 0.0}})
    st.reading[F] = [0.01, 0.49, 0.25, 0.25]
    put(st, 0, FRONT, TF, theme=0, remaining=4.0)
    do_work(st, p)
    assert_allclose(st.remaining[0], 2.0)


def _handoff(overrides):
    _, st, p = build(overrides)
    put(st, 0, ROUTE, TF, theme=0, remaining=0.0, work_total=1.5, needs_back=True, back_done=False,
        needs_decision=False)
    return st, p


def test_full_misfit_makes_the_handoff_inconsistent_and_bounce():
    st, p = _handoff({"handoffs": {"misfit_inconsistency": 1.0, "misfit_bounce": 1.0, "bounce_max": 1.0,
                                   "reexplain": 0.0}})
    for u in (F, B):  # both teams ignore theme 0 the same way: no gap between them, full misfit
        st.reading[u] = [0.0, 1 / 3, 1 / 3, 1 / 3]
    route(st, p, rng(), 0.0)
    assert st.n_inconsistent[0] == 1 and st.n_bounce[0] == 1 and st.stage[0] == FRONT


def test_fitting_teams_hand_off_cleanly():
    st, p = _handoff({"handoffs": {"misfit_inconsistency": 1.0, "misfit_bounce": 1.0, "bounce_max": 1.0,
                                   "reexplain": 0.0}})
    route(st, p, rng(), 0.0)  # uniform readings and need: no gap, no misfit
    assert st.n_inconsistent[0] == 0 and st.n_bounce[0] == 0 and st.stage[0] == BACK and st.loc[0] == TB


def test_a_front_team_answering_alone_answers_a_misfit_theme_inconsistently():
    _, st, p = build({"handoffs": {"misfit_inconsistency": 1.0}})
    st.reading[F] = [0.0, 1 / 3, 1 / 3, 1 / 3]
    put(st, 0, ROUTE, TF, theme=0, remaining=0.0, needs_back=False, needs_decision=False)
    put(st, 1, ROUTE, TF, theme=1, remaining=0.0, needs_back=False, needs_decision=False)
    done = route(st, p, rng(), 0.0)
    assert sorted(done.tolist()) == [0, 1]
    assert st.n_inconsistent[0] == 1 and st.n_inconsistent[1] == 0


def test_the_misfit_parameters_are_documented():
    p = make_params()
    for section, name in (("work", "misfit_exponent"), ("work", "misfit_ratio_floor"),
                          ("handoffs", "misfit_inconsistency"), ("handoffs", "misfit_bounce")):
        field = type(getattr(p, section)).model_fields[name]
        assert field.description and field.json_schema_extra["rationale"]


# ------------------------------------------------ March (1991) wired in, opt-in (docs/ODD.md 7.10)
def test_local_learning_moves_a_team_toward_the_themes_in_its_queue():
    from sim.model.signals import learn_locally

    _, st, _ = build()
    put(st, 0, FRONT, TF, theme=2, remaining=1.0)
    put(st, 1, FRONT, TF, theme=2, remaining=1.0)
    before_b = st.reading[B].copy()
    learn_locally(st, 0.5)  # F's queue is all theme 2: halfway from uniform to [0, 0, 1, 0]
    assert_allclose(st.reading[F], [0.125, 0.125, 0.625, 0.125])
    assert_allclose(st.reading[B], before_b)  # a team with nothing in hand learns nothing


def test_the_code_learns_from_the_teams_that_fit_the_need_better():
    from sim.model.signals import learn_code

    _, st, _ = build()
    st.need[:] = [0.1, 0.1, 0.7, 0.1]
    st.reading[F] = [0.1, 0.1, 0.7, 0.1]  # fits perfectly; the intent (uniform) and B, B2 do not
    assert learn_code(st, 0.5)
    assert_allclose(st.reading[0], [0.175, 0.175, 0.475, 0.175])
    st.reading[0] = st.need.copy()  # nobody fits better than a perfect code: it does not move
    assert not learn_code(st, 0.5)


def test_the_march_wiring_is_off_by_default():
    p = make_params()
    assert p.signals.local_learning == 0.0 and p.signals.code_learning == 0.0
    assert p.signals.socialisation_floor == 0.5
