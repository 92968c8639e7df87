"""The parameter space (sim.inputs.space): dotted names, bounds, overrides, one-line errors, the reference."""

from __future__ import annotations

import math
import typing

import pytest
from pydantic import BaseModel

from sim.errors import InputError
from sim.inputs import space
from sim.inputs.scenarios import bundled_scenarios, load_scenario, scenarios_dir
from sim.model.params import CORE_LEVERS, LEVERS, ModelParams


def _base() -> dict:
    return ModelParams().model_dump(mode="json")


def test_dotted_names_and_keys_round_trip():
    assert space.split_key("events[0].step", "--set x") == ("events", 0, "step")
    assert space.split_key(" levers.clarity ", "--set x") == ("levers", "clarity")
    assert space.dotted(("events", 0, "step")) == "events[0].step"
    assert space.dotted(("customers", "friction_weights", "delay")) == "customers.friction_weights.delay"
    for bad in ("levers..clarity", "[0].step", ""):
        with pytest.raises(InputError, match=r"^--set x: .* is not a dotted parameter name \(e.g. levers.clarity\)$"):
            space.split_key(bad, "--set x")


def test_values_are_read_as_toml_else_as_text():
    assert space.parse_value("0.9") == 0.9
    assert space.parse_value("true") is True
    assert space.parse_value("[[0, 0.2]]") == [[0, 0.2]]
    assert space.parse_value('"x"') == "x"
    assert space.parse_value("high") == "high"


def test_bounds_of_numeric_parameters():
    assert space.bounds("levers.clarity") == (float, 0.0, 1.0)
    assert space.bounds("org.teams") == (int, 1.0, 5000.0)
    assert space.bounds("customers.friction_weights.delay") == (float, 0.0, math.inf)


@pytest.mark.parametrize(("name", "message"), [
    ("levers.clarty", "unknown parameter 'levers.clarty'; did you mean 'levers.clarity'?"),
    ("nothing", "unknown parameter 'nothing'; `alignsim params` lists them"),
    ("seed", "'seed' cannot be varied: the seed of each run comes from the experiment's root seed"),
    ("org.chart", "'org.chart' is not a number and cannot be varied"),
    ("customers.friction_weights.x", "unknown parameter 'customers.friction_weights.x'; allowed here: "
                                     "customers.friction_weights.delay, customers.friction_weights.explanation, "
                                     "customers.friction_weights.inconsistent, customers.friction_weights.escalation, "
                                     "customers.friction_weights.bounce, customers.friction_weights.chase"),
])
def test_bounds_refuse_what_cannot_be_varied_in_one_line(name, message):
    with pytest.raises(ValueError) as info:
        space.bounds(name)
    assert str(info.value) == message


def test_numeric_names_can_all_be_bounded():
    names = space.numeric_names()
    assert "levers.clarity" in names and "org.teams" in names
    assert not set(names) & set(space.NOT_SWEEPABLE)
    for name in names:
        kind, lo, hi = space.bounds(name)
        assert kind in (int, float) and lo <= hi


def test_overrides_write_into_the_raw_table_and_keep_sibling_weights():
    raw: dict = {}
    applied = space.apply_overrides(raw, ["levers.clarity=0.9", " customers.friction_weights.delay = 2"])
    assert applied == {("levers", "clarity"): "levers.clarity",
                       ("customers", "friction_weights", "delay"): "customers.friction_weights.delay"}
    assert raw["levers"] == {"clarity": 0.9}
    weights = raw["customers"]["friction_weights"]
    assert weights["delay"] == 2 and weights["bounce"] == 0.5  # the other defaults are kept
    params = space.validate(raw, "x.toml", applied)
    assert params.levers.clarity == 0.9 and params.customers.friction_weights["delay"] == 2


@pytest.mark.parametrize(("item", "message"), [
    ("levers.clarity", "--set levers.clarity=...: expected key=value, e.g. --set levers.clarity=0.8"),
    ("levers.clarty=1", "--set levers.clarty: unknown parameter 'clarty' in levers; did you mean 'clarity'? "
                        "(allowed in levers: " + ", ".join(LEVERS) + ")"),
    ("levers.clarity.x=1", "--set levers.clarity.x: levers.clarity is a single value, not a section"),
    ("events[0].step=3", "--set events[0].step: events has 0 entries; define them in the file"),
])
def test_bad_overrides_are_one_line_errors(item, message):
    message = message.replace("levers.clarity=...", item)
    with pytest.raises(InputError) as info:
        space.apply_overrides({}, [item])
    assert str(info.value) == message


def test_validation_blames_the_flag_or_the_file_in_one_line():
    raw: dict = {"levers": {"empathy": 3}}
    applied = space.apply_overrides(raw, ["levers.clarity=1.5"])
    with pytest.raises(InputError) as info:
        space.validate(raw, "x.toml", applied)
    assert str(info.value) == "--set levers.clarity: value 1.5 is not allowed: must be <= 1 (+1 more)"
    with pytest.raises(InputError) as info:
        space.validate({"levers": {"empathy": -1}}, "x.toml")
    assert str(info.value) == "x.toml: field levers.empathy: value -1 is not allowed: must be >= 0"
    with pytest.raises(InputError) as info:
        space.validate({"levers": {"empathy": -1}})
    assert str(info.value).startswith("parameters: field levers.empathy:")
    expected = r"^x.toml: field events\[0\].type: value \"x\" is not allowed: must be one of 'shock'"
    with pytest.raises(InputError, match=expected):
        space.validate({"events": [{"type": "x", "step": 1}]}, "x.toml")


def test_set_values_by_dotted_name_and_per_division():
    base = _base()
    params = space.set_values(base, {"levers.clarity": 0.8, "org.teams": 12, "levers.empathy@Sales": 0.3})
    assert params.levers.clarity == 0.8 and params.org.teams == 12
    event = params.events[-1]
    assert (event.type, event.step, event.lever, event.value, event.scope.division) == \
        ("lever", 1, "empathy", 0.3, "Sales")
    assert base == _base()  # the base is not changed


def test_checked_int_names_the_flag_the_value_and_the_range():
    assert space.checked_int("steps", 30) == 30
    with pytest.raises(InputError) as info:
        space.checked_int("steps", 0, "--steps")
    assert str(info.value) == "--steps: value 0 is not allowed: must be >= 1"
    with pytest.raises(InputError) as info:
        space.checked_int("seed", "7")
    assert str(info.value) == 'seed: value "7" is not allowed: must be an integer'
    with pytest.raises(InputError, match="must be an integer"):
        space.checked_int("seed", True)


def _leaf_names(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every parameter a person can set, by dotted name, read independently of the module under test."""
    names: set[str] = set()
    for name, f in model.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names |= _leaf_names(ann, f"{prefix}{name}.")
        elif typing.get_origin(ann) is list and name == "events":
            union = typing.get_args(typing.get_args(ann)[0])[0]  # Annotated[Union[...], discriminator]
            for member in typing.get_args(union):
                tags = typing.get_args(member.model_fields["type"].annotation)
                tag = tags[0] if len(tags) == 1 else "intervention"  # one member for every named intervention
                names |= {n for n in _leaf_names(member, f"{prefix}{name}[type={tag}].") if not n.endswith(".type")}
        else:
            names.add(f"{prefix}{name}")
    return names


def test_the_reference_has_every_field_once_with_its_facts():
    rows = space.parameter_reference()
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names))
    assert set(names) == _leaf_names(ModelParams)
    for row in rows:
        assert set(row) == {"name", "unit", "range", "default", "meaning", "rationale"}
        assert row["meaning"], row["name"]
    assert space.field_info("levers.clarity")["range"] == "[0, 1]"
    assert space.field_info("pressure.baseline")["default"] == "0.2"
    with pytest.raises(ValueError, match=r"^unknown parameter 'levers.clarty'; did you mean 'levers.clarity'\?$"):
        space.field_info("levers.clarty")


def test_the_lever_list_is_declared_once():
    from sim.compare import leverage
    from sim.dashboard import presets

    assert CORE_LEVERS == ("clarity", "ownership", "resilience", "empathy")
    assert leverage.CORE is CORE_LEVERS and presets.CORE is CORE_LEVERS
    for lever in CORE_LEVERS:  # live slider ranges are the parameters' bounds
        assert presets.SETTINGS[lever][1:3] == space.bounds(f"levers.{lever}")[1:]
    assert presets.SETTINGS["pressure"][1:3] == (0.0, 2.0)


def test_bundled_scenarios_are_found_from_the_inputs_package():
    folder = scenarios_dir()
    assert folder is not None and folder.name == "scenarios" and (folder / "baseline.toml").is_file()
    assert "baseline" in bundled_scenarios()
    assert load_scenario("baseline").name == "baseline"
