"""Regression tests for the bad-input holes of issue 9 that lie in the model and the org chart
reader: huge team headcounts, charts without a team, NaN and infinities in parameters, and loose
coercion of flags, numbers and text. (tests/test_fuzz_inputs.py fuzzes the whole CLI.)"""

from __future__ import annotations

import contextlib
import io
import json
import math
import typing
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pydantic import BaseModel

import sim
import sim.cli
from sim.api import bundled_scenarios
from sim.errors import InputError
from sim.inputs.orgchart import read_org_csv
from sim.model.orggraph import MAX_TEAM_HEADCOUNT, check_org, generate_org
from sim.model.params import EVENT_ADAPTER, ModelParams, OrgParams

HEADER = "id,name,manager_id,kind,division,office,headcount,depends_on\n"


def _chart(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "org.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _cli(argv: list[str], cwd: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = sim.cli.main(argv)
    return code, err.getvalue()


# -- 1. huge headcounts and charts without a team ------------------------------------------------------
@pytest.mark.parametrize("value", ["100001", "1000000000", "1e9", "1e10", "1e20", "99999999999999999999999"])
def test_huge_team_headcount_is_refused_naming_file_row_column_and_maximum(tmp_path, value):
    path = _chart(tmp_path, f"ceo,CEO,,executive,,,,\nt1,T1,ceo,team,,front,{value},t2\nt2,T2,ceo,team,,back,5,\n")
    with pytest.raises(InputError) as info:
        read_org_csv(path)
    message = str(info.value)
    assert message.startswith(f"{path}: row 3, column headcount: '{value}'")
    assert "1 to 100,000" in message and "\n" not in message


def test_largest_allowed_headcount_runs(tmp_path):
    path = _chart(tmp_path, f"ceo,CEO,,executive,,,,\nt1,T1,ceo,team,,front,{MAX_TEAM_HEADCOUNT},t2\n"
                  "t2,T2,ceo,team,,back,7,\n")
    graph = read_org_csv(path)
    params = ModelParams(steps=5, people={"attrition_base": 0.05, "hiring_delay": 1})
    result = sim.run_scenario(sim.Scenario(params=params, graph=graph))
    assert result.series["headcount"].between(1, MAX_TEAM_HEADCOUNT + 7).all()


@pytest.mark.parametrize("body", [
    "ceo,CEO,,executive,,,,\n",
    "ceo,CEO,,executive,,,,\nm1,M1,ceo,manager,,,,\n",
    "ceo,CEO,,manager,,,,\nm1,M1,ceo,manager,,,,\nm2,M2,m1,executive,,,,\n",
])
def test_chart_without_a_team_is_refused(tmp_path, body):
    path = _chart(tmp_path, body)
    with pytest.raises(InputError, match=r"^.*org\.csv: column kind: no row is a team"):
        read_org_csv(path)
    (tmp_path / "s.toml").write_text('steps = 2\n[org]\nchart = "org.csv"\n', encoding="utf-8")
    code, err = _cli(["run", "s.toml", "--out", "out", "-q"], tmp_path)
    assert code == 2 and err.count("\n") == 1 and err.startswith("alignsim: error: org.csv: column kind")
    assert not (tmp_path / "out").exists()


def _tiny_graph(headcount=3, team=True) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_node(0, kind="executive", name="CEO", ext_id="ceo", division="", office="", headcount=1, level=0,
               parent=-1)
    G.add_node(1, kind="team" if team else "manager", name="T", ext_id="t", division="T",
               office="front" if team else "", headcount=headcount if team else 1, level=1, parent=0)
    G.add_edge(1, 0, relation="reports_to")
    return G


@pytest.mark.parametrize("headcount", [0, MAX_TEAM_HEADCOUNT + 1, 10**9, 10**30, True, 2.0, np.int64(10**12)])
def test_check_org_refuses_team_headcounts_out_of_range(headcount):
    with pytest.raises(InputError, match="headcount"):
        check_org(_tiny_graph(headcount))


def test_check_org_accepts_numpy_ints_and_the_maximum():
    check_org(_tiny_graph(np.int64(MAX_TEAM_HEADCOUNT)))


def test_check_org_refuses_an_organisation_without_a_team():
    with pytest.raises(InputError, match="no team"):
        check_org(_tiny_graph(team=False))
    G = nx.DiGraph()
    G.add_node(0, kind="executive", name="CEO", ext_id="ceo", division="", office="", headcount=1, level=0,
               parent=-1)
    with pytest.raises(InputError, match="no team"):
        check_org(G)


def test_generated_headcounts_are_capped():
    # 1,000 teams in one division, almost all front office: the one back team is staffed for 999
    org = OrgParams(teams=1000, divisions=1, depth=1, front_share=0.999, headcount=200.0, headcount_spread=1.0)
    G = generate_org(org, np.random.default_rng(3))
    sizes = [d["headcount"] for _, d in G.nodes(data=True) if d["kind"] == "team"]
    assert max(sizes) == MAX_TEAM_HEADCOUNT


# -- 2. NaN and infinities in every float field ---------------------------------------------------------
def _float_leaves(model: type[BaseModel], prefix=()):
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _float_leaves(ann, (*prefix, name))
        elif ann is float:
            yield ".".join((*prefix, name))


FLOATS = list(_float_leaves(ModelParams))
WEIGHTS = [f"customers.friction_weights.{k}" for k in ("delay", "explanation", "inconsistent", "escalation",
                                                       "bounce")]


def test_every_float_field_is_listed():
    assert len(FLOATS) > 90 and "levers.clarity" in FLOATS and "customers.expected_wait" in FLOATS


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
@pytest.mark.parametrize("name", FLOATS + WEIGHTS)
def test_nan_and_inf_refused_from_set_in_every_float_field(name, value):
    with pytest.raises(InputError) as info:
        sim.load_scenario("baseline", [f"{name}={value}"])
    assert str(info.value).startswith(f"--set {name}: value ")
    assert "finite number" in str(info.value)


@pytest.mark.parametrize("text, field", [
    ("[levers]\nclarity = nan\n", "levers.clarity"),
    ("[customers.friction_weights]\ndelay = inf\n", "customers.friction_weights.delay"),
    ("[customers]\nfriction_weights = { bounce = -inf }\n", "customers.friction_weights.bounce"),
    ("[pressure]\ntimeline = [[0, 0.2], [5, nan]]\n", "pressure.timeline[1][1]"),
    ("[[events]]\ntype = \"shock\"\nstep = 1\npressure = nan\n", "events[0].pressure"),
    ("[[events]]\ntype = \"lever\"\nstep = 1\nlever = \"clarity\"\nvalue = inf\n", "events[0].value"),
    ("[[events]]\ntype = \"flexible-budget\"\nstep = 1\nvalue = nan\n", "events[0]"),
])
def test_nan_and_inf_refused_from_toml(tmp_path, text, field):
    (tmp_path / "s.toml").write_text("steps = 3\n" + text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        sim.load_scenario(tmp_path / "s.toml")
    assert f"field {field}" in str(info.value) and "finite number" in str(info.value)
    code, err = _cli(["run", "s.toml", "--out", "out", "-q", "--set", "org.teams=2"], tmp_path)
    assert code == 2 and err.count("\n") == 1 and "finite number" in err
    assert not (tmp_path / "out").exists()


def test_nan_refused_in_event_models_directly():
    for event in ({"type": "shock", "step": 1, "noise": math.nan},
                  {"type": "coaching", "step": 1, "value": math.inf}):
        with pytest.raises(ValueError, match="finite number"):
            EVENT_ADAPTER.validate_python(event)


# -- 3. strict kinds --------------------------------------------------------------------------------
def _leaves_of(kind: type):
    def walk(model, prefix=()):
        for name, info in model.model_fields.items():
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                yield from walk(ann, (*prefix, name))
            elif ann is kind:
                yield ".".join((*prefix, name))
    return list(walk(ModelParams))


@pytest.mark.parametrize("name", _leaves_of(float))
@pytest.mark.parametrize("value, kind", [("true", "the flag true"), ('"0.5"', "the text '0.5'"),
                                         ('"high"', "the text 'high'")])
def test_float_fields_refuse_flags_and_text(name, value, kind):
    with pytest.raises(InputError, match=rf"^--set {name}: value .* is not allowed: must be a number, not {kind}"):
        sim.load_scenario("baseline", [f"{name}={value}"])


@pytest.mark.parametrize("name", _leaves_of(int))
@pytest.mark.parametrize("value, kind", [("false", "the flag false"), ('"20"', "the text '20'")])
def test_int_fields_refuse_flags_and_text(name, value, kind):
    with pytest.raises(InputError, match=rf"^--set {name}: value .* must be an integer, not {kind}"):
        sim.load_scenario("baseline", [f"{name}={value}"])


@pytest.mark.parametrize("name", _leaves_of(bool))
@pytest.mark.parametrize("value", ['"yes"', '"true"', "1", "0", "1.0", '""'])
def test_flags_refuse_text_and_numbers(name, value):
    with pytest.raises(InputError, match=rf"^--set {name}: value .* must be true or false"):
        sim.load_scenario("baseline", [f"{name}={value}"])


@pytest.mark.parametrize("text, field", [
    ('[levers]\nclarity = true\n', "levers.clarity"),
    ('[people]\nhiring_freeze = "yes"\n', "people.hiring_freeze"),
    ('[org]\nteams = "20"\n', "org.teams"),
    ('steps = "3"\n', "steps"),
    ('[customers.friction_weights]\ndelay = "1"\n', "customers.friction_weights.delay"),
    ('[pressure]\ntimeline = [[0, "0.2"]]\n', "pressure.timeline[0][1]"),
    ('[pressure]\ntimeline = [[true, 0.2]]\n', "pressure.timeline[0][0]"),
    ('[[events]]\ntype = "shock"\nstep = "2"\n', "events[0].step"),
    ('[[events]]\ntype = "lever"\nstep = 1\nlever = "clarity"\nvalue = false\n', "events[0].value"),
])
def test_loose_values_in_files_are_refused_naming_the_field(tmp_path, text, field):
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        sim.load_scenario(tmp_path / "s.toml")
    assert f"s.toml: field {field}: value " in str(info.value)


def test_within_a_kind_numbers_stay_lax():
    params = sim.load_scenario("baseline", ["levers.clarity=1", "org.teams=20.0", "pressure.timeline=[[0, 1]]"]).params
    assert params.levers.clarity == 1.0 and isinstance(params.levers.clarity, float)
    assert params.org.teams == 20 and isinstance(params.org.teams, int)
    assert params.pressure.timeline == [(0, 1.0)]
    with pytest.raises(InputError, match="fractional part"):
        sim.load_scenario("baseline", ["org.teams=20.5"])
    assert ModelParams.model_validate({"org": {"teams": np.int64(3)}, "levers": {"clarity": np.float64(0.2)}})


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_json_round_trips_still_validate(name):
    params = sim.load_scenario(name).params
    assert ModelParams.model_validate(json.loads(params.model_dump_json())) == params
    assert ModelParams.model_validate(params.model_dump(mode="json")) == params
    assert ModelParams.model_validate(params.model_dump()) == params
    assert typing.get_origin(ModelParams.model_fields["events"].annotation) is list


@pytest.mark.parametrize("name", ["managers.engagement_sd", "managers.heterogeneity", "org.headcount_spread",
                                  "customers.expectation_sd", "people.team_engagement_sd", "signals.read_noise"])
def test_negative_zero_is_read_as_zero(name):
    # -0.0 passes `ge=0`, but numpy refuses it as a scale ("scale < 0")
    params = sim.load_scenario("baseline", [f"{name}=-0.0", "org.teams=2", "steps=2"]).params
    section, field = name.split(".")
    assert math.copysign(1.0, getattr(getattr(params, section), field)) == 1.0
    sim.run_scenario(sim.Scenario(params=params))
