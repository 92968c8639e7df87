"""The example insurer org chart and the scenarios that use it."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from sim.api import build_model, load_scenario
from sim.inputs.orgchart import read_org_csv

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "scenarios" / "orgs" / "insurer.csv"
SCRIPT = ROOT / "scenarios" / "orgs" / "make_insurer.py"


@pytest.fixture(scope="module")
def graph():
    return read_org_csv(CHART)


def test_chart_is_a_realistic_insurer(graph):
    nodes = [graph.nodes[v] for v in graph]
    assert 250 <= len(nodes) <= 350
    kinds = Counter(n["kind"] for n in nodes)
    assert kinds["executive"] >= 5 and kinds["manager"] >= 30 and kinds["team"] >= 200
    divisions = {n["division"] for n in nodes if n["division"]}
    assert {"Claims", "Underwriting", "Customer Service", "Operations", "IT"} <= divisions
    team_levels = {n["level"] for n in nodes if n["kind"] == "team"}
    assert team_levels == {3, 4}  # managers at two or three levels below the directors
    offices = Counter(n["office"] for n in nodes if n["kind"] == "team")
    assert offices["front"] >= 50 and offices["back"] >= 100
    deps = [(a, b) for a, b, d in graph.edges(data=True) if d["relation"] == "depends_on"]
    cross = [(a, b) for a, b in deps if graph.nodes[a]["division"] != graph.nodes[b]["division"]]
    assert len(deps) >= 150 and 0.1 * len(deps) <= len(cross) <= 0.6 * len(deps)
    fronts = [v for v in graph if graph.nodes[v]["office"] == "front"]
    assert all(any(graph.edges[v, w]["relation"] == "depends_on" for w in graph.successors(v)) for v in fronts)
    assert all(1 <= n["headcount"] <= 60 for n in nodes)


def test_chart_regenerates_identically(tmp_path):
    spec = importlib.util.spec_from_file_location("make_insurer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path / "insurer.csv")
    assert (tmp_path / "insurer.csv").read_bytes() == CHART.read_bytes()


@pytest.mark.parametrize("name", ["insurer-baseline", "insurer-surge", "insurer-surge-charter"])
def test_insurer_scenarios_load_and_build(name):
    scenario = load_scenario(name)
    assert scenario.graph is not None and scenario.graph.number_of_nodes() > 250
    text = scenario.source.read_text(encoding="utf-8")
    assert text.startswith("#") and "Demonstrates" in text
    model = build_model(scenario, seed=1)
    assert model.state.C == 40 * sum(1 for v in scenario.graph if scenario.graph.nodes[v]["office"] == "front")


def test_surge_is_about_forty_percent_and_the_charter_is_scoped_to_claims():
    surge = load_scenario("insurer-surge").params
    shocks = [e for e in surge.events if e.type == "shock"]
    assert len(shocks) == 1
    assert surge.pressure.demand_gain * shocks[0].pressure == pytest.approx(0.40, abs=0.01)
    charter = load_scenario("insurer-surge-charter")
    same = [e for e in charter.params.events if e.type == "shock"]
    assert [e.model_dump() for e in same] == [e.model_dump() for e in shocks]
    interventions = [e for e in charter.params.events if e.type != "shock"]
    assert len(interventions) == 1 and interventions[0].scope.division == "Claims"
    model = build_model(charter, seed=1)
    claims = model.scope_units("Claims", None, "test")
    assert 0 < len(claims) < model.state.U / 2
