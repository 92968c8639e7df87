"""Live actions are events: pivots, leader changes, lever moves and new conditions sent while a run
plays are received, resolved and recorded like a scenario's events, and a scenario whose events are
the recorded ones replays the live run exactly (identical tables)."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from sim.api import load_scenario, run_scenario
from sim.cli import main
from sim.dashboard.state import Workshop
from sim.errors import InputError
from sim.inputs.scenario_file import scenario_toml
from sim.model.model import AlignmentModel
from sim.model.params import LEVERS, LeaderEvent, ModelParams, PivotEvent

STEPS = 90


@pytest.fixture(scope="module")
def params() -> ModelParams:
    scenario = load_scenario("pressure-shock", [f"steps={STEPS}", "org.teams=10", "events[0].step=20",
                                                "events[0].duration=15"])
    return scenario.params


def live_session(params: ModelParams, seed: int = 7) -> AlignmentModel:
    """Play a run, sending actions between days as the workshop does."""
    m = AlignmentModel(params=params, seed=seed)
    head = m.graph.nodes[1]["name"]
    actions = {
        5: [{"type": "pivot", "strength": 0.6}],  # theme drawn when received
        9: [{"type": "leader", "manager": head},  # a new leader drawn around the unit's levels
            {"type": "lever", "lever": "clarity", "value": 0.8, "ramp": 5}],
        14: [{"type": "conditions", "pressure": 0.9, "noise": 0.05, "label": "pressure 0.90"}],
        25: [{"type": "leader", "manager": "0", "levers": {"resilience": 0.9}, "label": "new CEO"},
             {"type": "shock", "step": 30, "duration": 5, "pressure": 0.5}],  # later day, random theme
        40: [{"type": "pivot", "theme": "cost", "strength": 0.3},
             {"type": "hiring-freeze", "duration": 10, "scope": {"division": m.state.division_names[1]}}],
        41: [{"type": "lever", "lever": "empathy", "value": 0.2, "scope": {"manager": head}}],
    }
    for day in range(STEPS):
        for action in actions.get(day, []):
            m.add_event(action)
        m.step()
    return m


def assert_same_run(a: AlignmentModel, b: AlignmentModel) -> None:
    pd.testing.assert_frame_equal(a.series(), b.series())
    pd.testing.assert_frame_equal(a.units(), b.units())
    pd.testing.assert_frame_equal(a.provenance(), b.provenance())
    pd.testing.assert_frame_equal(a.unit_series(), b.unit_series())


def test_live_actions_replayed_as_scheduled_events_give_identical_outputs(params):
    live = live_session(params)
    kinds = [e.type for e in live.received]
    assert kinds[0] == "shock" and {"pivot", "leader", "lever", "conditions", "hiring-freeze"} <= set(kinds)
    resolved = [e for e in live.received if isinstance(e, PivotEvent | LeaderEvent)]
    assert all(e.theme is not None for e in resolved if isinstance(e, PivotEvent))
    assert all(e.levers and e.engagement is not None for e in resolved if isinstance(e, LeaderEvent))
    replay = AlignmentModel(params=params.model_copy(update={"events": live.received}), seed=7)
    replay.run(STEPS)
    assert_same_run(live, replay)
    assert replay.received == live.received  # nothing left to resolve: the log is a fixed point
    assert replay.event_log == live.event_log
    series = live.series()
    assert series.pivots[6] >= 1 and series.pressure[15] == pytest.approx(0.9)


def test_the_live_session_differs_from_the_plain_scenario(params):
    """The actions act: without them the same seed gives another run."""
    plain = AlignmentModel(params=params, seed=7)
    plain.run(STEPS)
    assert not plain.series().equals(live_session(params).series())


def test_receiving_an_event_does_not_move_the_rules_random_stream(params):
    a = AlignmentModel(params=params, seed=3)
    b = AlignmentModel(params=params, seed=3)
    b.add_event({"type": "pivot", "step": STEPS, "strength": 0.0})  # drawn theme, on the last day
    b.add_event({"type": "leader", "step": STEPS, "manager": "1"})  # drawn levers and engagement
    a.run(STEPS - 1)
    b.run(STEPS - 1)
    pd.testing.assert_frame_equal(a.series(), b.series())


def test_pivot_and_leader_apply_on_their_day(params):
    m = AlignmentModel(params=params, seed=1)
    m.run(3)
    intent = m.state.reading[0].copy()
    ev = m.pivot(strength=1.0, theme="quality")
    lead = m.change_leader(2, levers=dict.fromkeys(LEVERS, 0.1), engagement=0.3)
    assert ev.step == lead.step == 4 and lead.manager == m.graph.nodes[2]["ext_id"]
    assert np.allclose(m.state.reading[0], intent)
    m.step()
    assert m.state.reading[0].argmax() == 2 and m.state.version[0] >= 1
    assert np.allclose(m.state.lever[2], 0.1) and m.state.engagement_base[2] == 0.3
    assert m.series().pivots.iloc[-1] >= 1


def test_scheduled_pivot_and_leader_events_in_a_scenario_file(tmp_path):
    text = scenario_toml(load_scenario("baseline", ["steps=40", "org.teams=10"]).params)
    text += ('\n[[events]]\ntype = "pivot"\nstep = 10\n\n[[events]]\ntype = "leader"\nstep = 12\n'
             'manager = "Division A"\nlevers = {clarity = 0.9}\nlabel = "new head of A"\n'
             '\n[[events]]\ntype = "conditions"\nstep = 20\npressure = 1.0\n')
    path = tmp_path / "s.toml"
    path.write_text(text)
    result = run_scenario(load_scenario(path))
    assert [e.type for e in result.model.received] == ["pivot", "leader", "conditions"]
    assert result.model.received[0].theme is not None
    assert result.series.pressure[20] == pytest.approx(1.0) and result.series.pivots[10] >= 1


@pytest.mark.parametrize(("event", "where"), [
    ('type = "pivot"\nstep = 3\nstrength = 1.5', "events[0].strength"),
    ('type = "pivot"\nstep = 3\ntheme = "joy"', "events[0].theme"),
    ('type = "leader"\nstep = 3', "events[0].manager"),
    ('type = "leader"\nstep = 3\nmanager = "1"\nlevers = {charisma = 0.5}', "events[0].levers"),
    ('type = "conditions"\nstep = 3\npressure = 9.0', "events[0].pressure"),
])
def test_bad_new_events_in_a_scenario_are_one_line_errors(tmp_path, event, where):
    path = tmp_path / "bad.toml"
    path.write_text(f"steps = 10\n\n[[events]]\n{event}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert "\n" not in str(err.value) and where in str(err.value)


def test_a_leader_event_naming_no_manager_is_a_one_line_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('steps = 10\n\n[[events]]\ntype = "leader"\nstep = 3\nmanager = "Nobody"\n')
    with pytest.raises(InputError) as err:
        run_scenario(load_scenario(path))
    assert "events[0].manager" in str(err.value) and "Nobody" in str(err.value)


@pytest.mark.parametrize("event", [
    {"type": "pivot", "strength": 2.0}, {"type": "leader", "manager": "Nobody"},
    {"type": "conditions", "noise": -1.0}, {"type": "teleport"}, {"type": "pivot", "step": 10_000},
])
def test_bad_live_events_are_one_line_errors_and_change_nothing(params, event):
    m = AlignmentModel(params=params, seed=1)
    before = list(m.received)
    with pytest.raises(InputError) as err:
        m.add_event(event)
    assert "\n" not in str(err.value) and str(err.value).startswith("event")
    assert m.received == before


def test_a_scenario_file_round_trips(params):
    assert ModelParams.model_validate(tomllib.loads(scenario_toml(params, "a comment"))) == params


# -- the workshop: the session's action log, saved and replayed by `alignsim run` ----------------
def test_a_saved_workshop_session_replays_to_the_same_series(tmp_path):
    w = Workshop(scenario_name="pressure-shock", size="small", seed=5)
    actions = {3: [lambda: w.fire_pivot()], 8: [lambda: w.change_leader(1, "random"),
                                                lambda: w.set_setting("clarity", 0.75)],
               12: [lambda: w.fire_shock(pressure=0.8, duration=5), lambda: w.set_setting("pressure", 1.1)],
               20: [lambda: w.change_leader(2, "strong"), lambda: w.set_setting("noise", 0.2)],
               21: [lambda: w.set_setting("empathy", 0.3), lambda: w.set_setting("empathy", 0.35)]}
    for day in range(40):
        for act in actions.get(day, []):
            act()
        w.step()
    path = w.save_session(tmp_path / "session.toml")
    live = w.orgs[0].series()
    replay = run_scenario(load_scenario(path), steps=40).series
    pd.testing.assert_frame_equal(live, replay)
    out = tmp_path / "run"
    assert main(["run", str(path), "--steps", "40", "--out", str(out), "--quiet"]) == 0
    written = pd.read_csv(out / "timeseries.csv")
    assert np.allclose(written.to_numpy(float), live.to_numpy(float), equal_nan=True, rtol=0, atol=1e-12)
    kinds = [e.type for e in load_scenario(path).params.events]
    assert kinds.count("leader") == 2 and "conditions" in kinds and kinds.count("lever") == 2


def test_twin_sessions_save_each_organisation(tmp_path):
    w = Workshop(scenario_name="baseline", size="small", twin=True, twin_lever="empathy", twin_value=0.9)
    w.step()
    w.set_setting("empathy", 0.2)  # moves A only
    w.fire_pivot()
    for _ in range(5):
        w.step()
    a, b = (load_scenario(w.save_session(tmp_path / f"{k}.toml", k)).params for k in (0, 1))
    assert [e.type for e in a.events] == ["pivot", "lever"]  # a slider move is sent when the day starts
    assert [e.type for e in b.events] == ["pivot"]
    assert b.levers.empathy == 0.9
    pd.testing.assert_frame_equal(run_scenario(load_scenario(tmp_path / "1.toml"), steps=6).series,
                                  w.orgs[1].series())


def test_a_session_on_an_org_chart_saves_the_chart_by_its_full_path(tmp_path):
    w = Workshop(scenario_name="insurer-baseline", size="small")
    w.fire_pivot()
    w.step()
    params = load_scenario(w.save_session(tmp_path / "s.toml")).params
    assert params.org.chart and params.org.chart.startswith("/")


def test_the_event_types_name_the_same_themes_and_levers_as_the_model():
    from typing import get_args

    from sim.model.params import THEMES, LeverName, Theme

    assert get_args(Theme) == THEMES and get_args(LeverName) == LEVERS
