"""The customer canary (sim/model/canary.py, docs/ODD.md 7.11): leadership perceives customer
friction late and distorted, and acts on it (issue 11 item 1).

Mechanism tests run single seeded models; the pattern test (P6 as a cause) runs paired seeds
(patterns_util, 95% t intervals, seeds 1000..)."""

from __future__ import annotations

import numpy as np
import pytest
from patterns_util import SHOCK, Diff, merge, metric, run_many, total

from sim.model.approvals import teams_below
from sim.model.canary import Canary
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams

OFF = {"canary": {"fix_propensity": 0.0, "pivot_propensity": 0.0}}


def run(spec: dict, seed: int = 1001, steps: int = 200) -> AlignmentModel:
    m = AlignmentModel(params=ModelParams.model_validate(merge({"steps": steps}, spec)), seed=seed)
    m.run()
    return m


def perceived_after_a_step(spec: dict, friction: float = 10.0) -> tuple[float, float]:
    """(perceived friction, delay implied) after one day of constant friction booked at the front
    teams, from a zero start, without noise."""
    params = ModelParams.model_validate(merge({"canary": {"noise": 0.0}}, spec))
    m = AlignmentModel(params=params, seed=3)
    st = m.state
    st.friction_step[:] = 0.0
    st.friction_step[3, st.team_unit[st.front]] = friction * st.active.sum() / 100.0 / st.front.sum()
    c = Canary(st, m.params)
    quiet = st.friction_step.copy()
    st.friction_step[:] = 0.0
    c.step(st, m.params, m.rng, 0)  # the first report (nothing) sets the zero start
    st.friction_step[:] = quiet
    c.step(st, m.params, m.rng, 1)
    return c.perceived, float(st.level[st.team_unit[st.front]].mean())


def test_empathy_and_the_customer_bar_clean_and_speed_the_signal_and_layers_dim_it():
    weak, _ = perceived_after_a_step({"levers": {"empathy": 0.1, "customer_bar": 0.1}})
    strong, _ = perceived_after_a_step({"levers": {"empathy": 0.9, "customer_bar": 0.9}})
    assert strong > 1.5 * weak  # less softened and a shorter delay: more of the rise reaches leadership
    flat, lv_flat = perceived_after_a_step({"org": {"depth": 1}})
    deep, lv_deep = perceived_after_a_step({"org": {"depth": 4}})
    assert lv_deep > lv_flat and deep < 0.5 * flat
    # switched off (filter and delay terms at 0): every layer and lever sees the same thing
    blind = {"canary": {"filter": 0.0, "delay": 1.0, "layer_delay": 0.0}}
    a, _ = perceived_after_a_step(merge(blind, {"org": {"depth": 1}}))
    b, _ = perceived_after_a_step(merge(blind, {"org": {"depth": 4}, "levers": {"empathy": 0.9}}))
    assert a == pytest.approx(10.0) and b == pytest.approx(10.0)


def test_a_clear_empathic_leadership_fixes_where_friction_arises():
    m = run({"levers": {"clarity": 0.9, "empathy": 0.9, "resilience": 0.9}, "events": [SHOCK]})
    fixes = [x for x in m.canary.log if x[1] != "pivot"]
    # per alarm a fix has chance 0.81 (1.0 x clarity x empathy) and a pivot 0.05 (0.5 x (1 - resilience)):
    # pivots are rare, not impossible; a quarter of the fixes leaves room for chance (expected ratio 0.06)
    assert len(fixes) >= 5 and m.canary.pivots_total <= 0.25 * len(fixes)
    day, kind, unit, cause = fixes[0]
    assert day >= SHOCK["step"]
    assert kind == {"decision_escalation": "decision_rights", "silo_handoff": "bridge"}.get(cause, "capacity")
    # the fixed unit is among those with the most friction booked before the fix
    assert unit in np.argsort(m.unit_history[day][0])[-5:] or m.state.friction[:, unit].sum() > 0


def test_fixes_act_on_the_teams_under_the_unit_while_they_last():
    m = AlignmentModel(params=ModelParams.model_validate({"steps": 30}), seed=2)
    st, c = m.state, m.canary
    unit = int(st.parent[st.team_unit[0]])
    teams = teams_below(st, unit)
    assert teams.size and (st.team_mgr[teams] == unit).all()
    c.fixes.append((5, "capacity", teams))
    st.iv.reset()
    c.apply(st, 5)
    assert (st.iv.capacity_boost[teams] == m.params.canary.fix_capacity).all()
    assert st.iv.capacity_boost.sum() == pytest.approx(teams.size * m.params.canary.fix_capacity)
    st.iv.reset()
    c.apply(st, 6)  # expired
    assert not st.iv.capacity_boost.any() and not c.fixes


def test_a_low_resilience_leadership_pivots_on_friction():
    m = run({"levers": {"clarity": 0.1, "empathy": 0.1, "resilience": 0.05}, "events": [SHOCK]})
    assert m.canary.pivots_total >= 1 and m.canary.fixes_total <= m.canary.pivots_total
    assert m.series().canary_pivots.sum() == m.canary.pivots_total


def test_switched_off_the_canary_never_acts():
    for spec in (OFF, {"canary": {"enabled": False}}):
        m = run(merge({"levers": {"resilience": 0.05}, "events": [SHOCK]}, spec))
        assert m.canary.fixes_total == 0 and m.canary.pivots_total == 0


def _first_action(s, _u):
    """Days from the shock to leadership's first action on customer friction (the run's length
    after the shock if none)."""
    acted = (s["canary_fixes"] + s["canary_pivots"]).to_numpy()[SHOCK["step"]:]
    hit = np.flatnonzero(acted > 0)
    return float(hit[0]) if hit.size else float(acted.size)


@pytest.mark.patterns
def test_p6_low_empathy_hears_late_and_so_acts_late():
    """P6 as a cause: under a shock, a low-empathy leadership (0.15 against 0.85) perceives
    customer friction later and more softened, so it acts on it later (at least two days, 95% CI
    above 0) and makes fewer targeted fixes; with the canary switched off (it perceives, nobody
    acts) the difference in leadership's response disappears: no action in either arm."""
    shocked = {"events": [SHOCK]}
    low = run_many(merge(shocked, {"levers": {"empathy": 0.15}}))
    high = run_many(merge(shocked, {"levers": {"empathy": 0.85}}))
    later = Diff(metric(low, _first_action), metric(high, _first_action))
    assert later.positive() and later.mean >= 2, later
    fewer = Diff(metric(high, total("canary_fixes")), metric(low, total("canary_fixes")))
    assert fewer.positive(), fewer
    off_low = run_many(merge(shocked, OFF, {"levers": {"empathy": 0.15}}))
    off_high = run_many(merge(shocked, OFF, {"levers": {"empathy": 0.85}}))
    gone = Diff(metric(off_low, _first_action), metric(off_high, _first_action))
    assert gone.mean == 0 and not np.any(gone.d), gone
    for runs in (off_low, off_high):
        assert metric(runs, total("canary_fixes")).sum() == 0 and metric(runs, total("canary_pivots")).sum() == 0
