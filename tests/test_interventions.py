"""Named interventions change what they claim, only inside their scope, only while in force."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import InputError
from sim.model.model import AlignmentModel
from sim.model.params import INTERVENTIONS, LEVERS, ModelParams

SCOPE = {"division": "Division B"}
ARRAYS = ("approval_cut", "capacity_boost", "coaching", "bridge", "freeze", "demand_boost", "expectation_boost")


def model(events, **org):
    params = ModelParams.model_validate({"steps": 60, "events": events, "org": {"teams": 12, **org}})
    return AlignmentModel(params=params, seed=5)


def in_scope_units(m):
    st = m.state
    return st.division == st.division_names.index(SCOPE["division"])


@pytest.mark.parametrize("kind", sorted(INTERVENTIONS))
def test_intervention_acts_only_inside_its_scope_and_window(kind):
    m = model([{"type": kind, "step": 10, "duration": 20, "scope": SCOPE}])
    st = m.state
    inside_units = in_scope_units(m)
    inside_teams = inside_units[st.team_unit]
    before = st.lever.copy()
    what = INTERVENTIONS[kind][0]
    seen_active = False
    for day in range(1, 41):
        m.step()
        for name in (*ARRAYS, "manager_coaching"):
            arr = getattr(st.iv, name) if name != "manager_coaching" else st.manager_coaching[st.team_mgr]
            assert not arr[~inside_teams].any(), (kind, day, name)  # never outside the scope
            if day < 10 or day >= 30:
                assert not arr.any(), (kind, day, name)  # nothing before it starts or after it ends
            elif arr.any():
                seen_active = True
        if what.startswith("lever:") and 10 <= day < 30:
            levers = [LEVERS.index(x) for x in what.removeprefix("lever:").split(",")]
            value = INTERVENTIONS[kind][1]
            # inside: organisation level moved to the value (each manager keeps its own deviation)
            np.testing.assert_allclose(st.lever_level[inside_units][:, levers], value)
            # outside: untouched
            np.testing.assert_array_equal(st.lever[~inside_units], before[~inside_units])
    if what.startswith("lever:"):
        np.testing.assert_array_equal(st.lever, before)  # reverted when the duration ended
    else:
        assert seen_active, kind


def test_ramp_moves_linearly():
    m = model([{"type": "flexible-budget", "step": 5, "ramp": 4, "value": 0.2}])
    got = []
    for _ in range(10):
        m.step()
        got.append(float(m.state.iv.capacity_boost.max()))
    # days 1-4 nothing; day 5..8 = 1/4, 2/4, 3/4, 4/4 of 0.2; then 0.2
    np.testing.assert_allclose(got, [0, 0, 0, 0, 0.05, 0.1, 0.15, 0.2, 0.2, 0.2])


def test_remove_approval_steps_lowers_the_authority_height():
    params = {"decisions": {"complexity": 1.0}, "levers": {"ownership": 0.0}, "managers": {"heterogeneity": 0.0}}
    base = ModelParams.model_validate({"steps": 60, "org": {"depth": 3}, **params})
    cut = ModelParams.model_validate({"steps": 60, "org": {"depth": 3}, **params,
                                      "events": [{"type": "remove-approval-steps", "step": 1, "value": 2}]})
    heights = []
    for p in (base, cut):
        m = AlignmentModel(params=p, seed=2)
        m.run(60)
        heights.append(m.state.dec_height[m.state.stage == 2])
    # depth 3: teams sit at level 4, so without rights a call needs 1..4 levels; two removed: at most 2
    assert heights[0].size and heights[0].max() >= 3
    assert heights[1].size and heights[1].max() <= 2


def test_unknown_intervention_and_bad_value_are_refused():
    with pytest.raises(ValueError, match="type"):
        ModelParams.model_validate({"events": [{"type": "team-offsite", "step": 3}]})
    with pytest.raises(ValueError, match=r"coaching .* must be in \[0, 0.9\]"):
        ModelParams.model_validate({"events": [{"type": "coaching", "step": 3, "value": 2.0}]})


def test_scope_naming_no_division_is_an_input_error():
    with pytest.raises(InputError, match="names no division"):
        model([{"type": "priorities-memo", "step": 3, "scope": {"division": "Atlantis"}}])


def test_live_intervention_added_while_running():
    m = model([])
    m.run(5)
    ev = m.add_event({"type": "demand-surge", "step": 1, "duration": 3, "scope": SCOPE})
    assert ev.step == 6  # moved to the next day
    m.run(3)
    assert m.state.iv.demand_boost[in_scope_units(m)[m.state.team_unit]].min() == pytest.approx(0.4)
    m.run(1)
    assert not m.state.iv.demand_boost.any()


def test_a_shock_with_a_theme_shifts_the_need_the_same_way_whatever_the_seed():
    needs = []
    for seed in (1, 2, 3):
        params = ModelParams.model_validate({"steps": 5, "pressure": {"need_drift": 0.0}, "events": [
            {"type": "shock", "step": 2, "need_shift": 0.5, "theme": "cost"}]})
        m = AlignmentModel(params=params, seed=seed)
        m.run()
        needs.append(m.state.need)
    # uniform need 0.25 each; half of it moves to 'cost': 0.125 elsewhere, 0.125 + 0.5 on cost
    for need in needs:
        np.testing.assert_allclose(need, [0.125, 0.625, 0.125, 0.125])


def test_reach_counts_what_an_intervention_reached_and_warns_on_nothing():
    """Issue 11 item 9: remove-approval-steps in an all-back-office division reaches no decision
    unless hand-offs into it need a sign-off; the model says so before and after the run."""
    from tiny import B2, tiny_model

    cut = {"events": [{"type": "remove-approval-steps", "step": 1, "scope": {"division": "D2"}}]}
    m = tiny_model({**cut, "org": {"customers_per_front_team": 30}}, deps=(B2,))
    assert m.reach_warnings() == ["remove-approval-steps in D2 can reach 0 decisions"]
    m.run(40)
    assert m.reach_warnings() == ["remove-approval-steps in D2 reached 0 decisions"]
    m = tiny_model({**cut, "org": {"customers_per_front_team": 30}, "approvals": {"into": ["D2"], "waiver": 0.0}},
                   deps=(B2,))
    assert m.reach_warnings() == []
    m.run(40)
    (reach,) = m.intervention_reach()
    assert reach["decisions"] > 0 and reach["reached"] == reach["decisions"] and m.reach_warnings() == []


def test_coaching_is_onboarding_under_its_old_name_with_a_note():
    m = model([{"type": "coaching", "step": 2}])
    assert m.input_notes() == ["intervention 'coaching' is now 'onboarding' (it speeds new hires' ramp-up; "
                               "to coach managers use 'manager-coaching')"]
    m.run(3)
    new = model([{"type": "onboarding", "step": 2}])
    new.run(3)
    assert new.input_notes() == [] and (new.state.iv.coaching == m.state.iv.coaching).all()
    assert m.state.iv.coaching.max() == 0.5


def test_manager_coaching_lifts_the_engagement_of_the_managers_it_reaches():
    base = {"steps": 120, "org": {"teams": 12}, "managers": {"engagement_rate": 0.2}}
    plain = AlignmentModel(params=ModelParams.model_validate(base), seed=4)
    coached = AlignmentModel(params=ModelParams.model_validate(
        {**base, "events": [{"type": "manager-coaching", "step": 1, "value": 0.3, "scope": SCOPE}]}), seed=4)
    for m in (plain, coached):
        m.run(60)
    st = coached.state
    leads = np.unique(st.team_mgr[in_scope_units(coached)[st.team_unit]])
    assert (st.engagement[leads] > plain.state.engagement[leads] + 0.1).all()
    inside = in_scope_units(coached)[st.team_unit]
    assert st.engagement[st.team_unit[inside]].mean() > plain.state.engagement[st.team_unit[inside]].mean() + 0.1
    zero = AlignmentModel(params=ModelParams.model_validate(
        {**base, "events": [{"type": "manager-coaching", "step": 1, "value": 0.0, "scope": SCOPE}]}), seed=4)
    zero.run(60)
    np.testing.assert_array_equal(zero.state.engagement, plain.state.engagement)  # value 0: no effect
