"""Every bundled scenario loads and runs through the Python API; overrides and errors behave."""

from __future__ import annotations

import pytest

import sim
from sim.api import bundled_scenarios

NAMES = sorted(bundled_scenarios())


ISSUE_2_SCENARIOS = {"baseline", "pressure-shock", "overreacting-leadership", "vague-decision-rights",
                     "unclear-priorities", "burnout", "core-strong"}


def test_the_required_scenarios_are_bundled():
    assert ISSUE_2_SCENARIOS <= set(NAMES), ISSUE_2_SCENARIOS - set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_loads_and_runs(name):
    scenario = sim.load_scenario(name)
    assert scenario.params.name == name
    assert scenario.params.description
    text = scenario.source.read_text(encoding="utf-8")
    assert text.startswith("#"), "each scenario starts with a comment block"
    result = sim.run_scenario(scenario, seed=3, steps=20)
    assert result.steps == 20 and result.seed == 3
    assert len(result.series) == 21  # step 0 plus 20 steps
    assert result.series["step"].iloc[-1] == 20
    assert not result.units.empty


def test_overrides_are_validated_like_the_file():
    overrides = ["levers.clarity=0.9", "pressure.timeline=[[0, 0.1], [10, 1]]", "people.hiring_freeze=true"]
    scenario = sim.load_scenario("baseline", overrides=overrides)
    assert scenario.params.levers.clarity == 0.9
    assert scenario.params.pressure.timeline == [(0, 0.1), (10, 1.0)]
    assert scenario.params.people.hiring_freeze is True
    expected = r"baseline.toml \(with --set pressure.timeline\): field pressure: timeline steps must"
    with pytest.raises(sim.InputError, match=expected):
        sim.load_scenario("baseline", overrides=["pressure.timeline=[[5, 1], [3, 1]]"])
    expected = r"^--set events\[0\].pressure: value 9.0 is not allowed: must be <= 5$"
    with pytest.raises(sim.InputError, match=expected):
        sim.load_scenario("pressure-shock", overrides=["events[0].pressure=9.0"])
    with pytest.raises(sim.InputError, match=r"must be a number, not the text .high."):
        sim.load_scenario("baseline", overrides=["levers.clarity=high"])


def test_validation_error_names_file_field_value_and_rule(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('[levers]\nclarity = 1.7\nempathy = -1\n[[events]]\ntype = "lever"\nstep = 3\n'
                    'lever = "speed"\nvalue = 0.5\n', encoding="utf-8")
    with pytest.raises(sim.InputError) as info:
        sim.load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith("field levers.clarity: value 1.7 is not allowed: must be <= 1 (+2 more)")
    assert "x.toml" in message


def test_unknown_scenario_lists_the_bundled_names():
    with pytest.raises(sim.InputError, match="baseline, burnout"):
        sim.load_scenario("no-such-scenario")


def test_public_api_names():
    for name in ("ModelParams", "AlignmentModel", "Scenario", "load_scenario", "build_model", "run_scenario",
                 "InputError", "__version__"):
        assert getattr(sim, name) is not None
    assert isinstance(sim.__version__, str)
