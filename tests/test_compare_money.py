"""Business units and money in a comparison (issue 13, items 3 and 4): the [business] settings and
event costs (never read by the model), KPIs in customers, contacts, complaints, FTE and days,
fractional FTE in org charts, each intervention's net value and return with intervals, the
break-even value of a customer, and one-line errors for bad settings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_compare_cli import one_line_error

from sim.api import load_scenario, run_scenario
from sim.cli import main
from sim.compare import business, store
from sim.errors import InputError
from sim.inputs.business import parse_business
from sim.inputs.orgchart import read_org_csv

SMALL = """
name = "small"
steps = 30
[org]
teams = 5
divisions = 2
customers_per_front_team = 12
[[events]]
type = "shock"
step = 8
duration = 10
pressure = 1.0
"""
BUSINESS = """
[business]
customers_per_simulated = 250
contacts_per_friction = 0.4
complaints_per_friction = 0.02
currency = "EUR"
cost_per_fte_day = 420
cost_per_contact = 6.5
customer_value_per_year = 380
"""
CHARTER = SMALL.replace('name = "small"', 'name = "small-charter"') + """
[[events]]
type = "lever"
step = 5
lever = "ownership"
value = 0.9
scope = { division = "Division A" }
cost_once = 20000
cost_per_year = 36500
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("money")
    (folder / "small.toml").write_text(SMALL + BUSINESS, encoding="utf-8")
    (folder / "small-charter.toml").write_text(CHARTER, encoding="utf-8")
    (folder / "biz.toml").write_text(BUSINESS.replace("380", "3800"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def compared(files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "run"
    code = main(["compare", str(files / "small.toml"), str(files / "small-charter.toml"), "--replicates", "3",
                 "--seed", "11", "--jobs", "1", "--no-leverage", "--out", str(out), "--quiet"])
    assert code == 0
    return out


# -- settings ----------------------------------------------------------------------------------------
def test_business_settings_and_event_costs_never_change_a_run(files):
    with_costs = load_scenario(files / "small-charter.toml")
    assert with_costs.event_costs == ({"event": 1, "once": 20000.0, "per_year": 36500.0},)
    plain = files / "plain.toml"
    plain.write_text(CHARTER.replace("cost_once = 20000\ncost_per_year = 36500\n", ""), encoding="utf-8")
    a = run_scenario(with_costs, seed=3, steps=12).series
    b = run_scenario(load_scenario(plain), seed=3, steps=12).series
    pd.testing.assert_frame_equal(a, b)
    assert load_scenario(files / "small.toml").business.customers_per_simulated == 250


@pytest.mark.parametrize(("table", "expect"), [
    ({"cost_per_fte_dy": 1}, "unknown setting 'cost_per_fte_dy'; did you mean 'cost_per_fte_day'?"),
    ({"cost_per_contact": -1}, "field business.cost_per_contact: value -1 is not allowed: must be a number >= 0"),
    ({"customers_per_simulated": 0}, "business.customers_per_simulated: value 0 is not allowed: must be a number > 0"),
    ({"cost_per_fte_day": "lots"}, "value 'lots' is not allowed: must be a number"),
    ({"customer_value_per_year": 1, "customer_lifetime_value": 2}, "not both"),
    ({"cost_per_fte_day": float("nan")}, "must be a finite number"),
])
def test_bad_business_settings_areone_line_error(table, expect):
    with pytest.raises(InputError) as info:
        parse_business(table, "s.toml")
    assert expect in str(info.value) and "\n" not in str(info.value) and str(info.value).startswith("s.toml: field")


@pytest.mark.parametrize(("where", "text", "expect"), [
    ("scenario", "[business]\ncurency = 'EUR'\n", "did you mean 'currency'?"),
    ("scenario", "[business]\ncost_per_contact = 5\n", "needs business.contacts_per_friction"),
    ("event", "cost_once = -5\n", "events[0].cost_once: value -5 is not allowed: must be a number >= 0"),
    ("event", "cost_per_year = true\n", "events[0].cost_per_year: value True is not allowed"),
    ("flag", "", "--business"),
])
def test_bad_business_input_in_compare_is_one_line_and_writes_nothing(files, tmp_path, capsys, where, text, expect):
    bad = tmp_path / "bad.toml"
    body = SMALL.replace('pressure = 1.0\n', 'pressure = 1.0\n' + text) if where == "event" else SMALL + text
    bad.write_text(body, encoding="utf-8")
    argv = ["compare", str(bad), str(files / "small.toml"), "--out", str(tmp_path / "out"), "-n", "1"]
    if where == "flag":
        argv = ["compare", str(files / "small.toml"), str(files / "small.toml"), "--business",
                str(tmp_path / "missing.toml"), "--out", str(tmp_path / "out"), "-n", "1"]
    assert expect in one_line_error(capsys, argv)
    assert not (tmp_path / "out").exists()


# -- arithmetic ----------------------------------------------------------------------------------------
def test_intervention_cost_is_once_plus_running_cost_pro_rata_inside_the_window():
    costs = [{"step": 5, "duration": None, "once": 100.0, "per_year": 365.0},
             {"step": 20, "duration": 3, "once": 0.0, "per_year": 3650.0},
             {"step": 40, "duration": None, "once": 999.0, "per_year": 999.0}]  # after the run: not applied
    # days 10-30 of the first (21 days), days 20-22 of the second (3 days)
    assert business.intervention_cost(costs, 30, (10, 30)) == pytest.approx(100 + 21 + 30)


def _series(retention, churned, friction, headcount, name="a", rep=0):
    n = len(retention)
    return pd.DataFrame({"scenario": name, "replicate": rep, "step": np.arange(1, n + 1), "retention": retention,
                         "churned": churned, "friction_index": friction, "headcount": headcount,
                         "attrition": [0] * n, "wait_mean": [2.0] * n, "decision_latency": [1.0] * n})


def test_business_units_follow_the_documented_formulas():
    series = _series([1.0, 0.9], [0, 1], [10.0, 20.0], [8, 8])
    manifest = {"steps": 2, "scenarios": [{"name": "a", "org": {"customers": 10, "people": 8, "fte": 7.5}}],
                "business": {"customers_per_simulated": 100, "contacts_per_friction": 0.5,
                             "complaints_per_friction": 0.1, "cost_per_fte_day": 10, "cost_per_contact": 2,
                             "customer_lifetime_value": 1000}}
    row = business.replicate_business(series, manifest, (1, 2)).iloc[0]
    friction = 10 / 100 * 1.0 * 10 + 20 / 100 * 0.9 * 10  # friction units: index per 100 active customers
    assert row["contacts"] == pytest.approx(100 * 0.5 * friction)
    assert row["complaints"] == pytest.approx(100 * 0.1 * friction)
    assert row["customers_lost"] == 100 and row["customers_end"] == pytest.approx(900)
    assert row["customers_lost_share"] == pytest.approx(0.1)
    assert row["fte"] == pytest.approx(7.5) and row["fte_days"] == pytest.approx(15)  # the chart's FTE, not people
    assert row["staff_cost"] == pytest.approx(150) and row["customer_value_lost"] == pytest.approx(100_000)
    assert row["total_cost"] == pytest.approx(150 + 2 * 100 * 0.5 * friction + 100_000)


def test_net_value_return_and_break_even():
    # the intervention costs 1,000, saves 100 in staff, and keeps 2 +- noise customers
    values = pd.DataFrame({
        "scenario": ["ref"] * 3 + ["new"] * 3, "replicate": [0, 1, 2] * 2,
        "staff_cost": [500.0] * 3 + [400.0] * 3, "contact_cost": [0.0] * 6,
        "customers_lost": [10.0, 11.0, 12.0, 8.0, 8.5, 10.5], "customer_years_lost": [0.0] * 6,
        "intervention_cost": [0.0] * 3 + [1000.0] * 3})
    v = 300.0
    values["customer_value_lost"] = values["customers_lost"] * v
    parts = ["staff_cost", "contact_cost", "customer_value_lost", "intervention_cost"]
    values["total_cost"] = values[parts].sum(axis=1)
    manifest = {"scenarios": [{"name": "ref"}, {"name": "new", "event_costs": [{"step": 1}]}],
                "business": {"customer_lifetime_value": v}}
    t = business.money_table(values, manifest)
    r = t.iloc[1]
    kept = np.mean([2.0, 2.5, 1.5])
    assert r["kept"] == pytest.approx(kept)
    assert r["net_value"] == pytest.approx(100 + kept * v - 1000)
    assert r["net_low"] < r["net_value"] < r["net_high"]
    assert r["return"] == pytest.approx(r["net_value"] / 1000)
    assert r["break_even"] == pytest.approx(900 / kept)  # 100 + kept V - 1000 = 0
    sentence = business.money_sentences(t, (1, 30))[0]
    assert f"pays back if a customer is worth more than EUR {900 / kept:,.0f} over its lifetime" in sentence
    assert "a return of" in sentence and "95% interval" in sentence


def test_no_money_without_costs():
    values = pd.DataFrame({"scenario": ["a", "b"], "replicate": [0, 0]})
    assert business.money_table(values, {"scenarios": [{"name": "a"}, {"name": "b"}], "business": None}) is None


# -- end to end ----------------------------------------------------------------------------------------
def test_compare_reports_business_units_and_money(compared):
    kpis = pd.read_csv(compared / "kpis_business.csv")
    assert {"customers_lost", "contacts", "complaints", "fte", "fte_days", "wait_days"} <= set(kpis["kpi"])
    money = pd.read_csv(compared / "money.csv")
    r = money.iloc[1]
    # 20,000 once + 36,500 a year over days 5-30 (26 days)
    assert r["extra_intervention_cost"] == pytest.approx(20000 + 36500 * 26 / 365)
    assert math.isfinite(r["net_low"]) and math.isfinite(r["net_high"])
    html = (compared / "report.html").read_text(encoding="utf-8")
    summary = html[html.index('class="summary"'):html.index('id="kpis"')]
    assert "<h3>Money</h3>" in summary and "net value EUR" in summary
    assert "In business units" in html and "One simulated customer stands for 250 real customers" in html
    info = store.read_manifest(compared)
    assert info["business"]["cost_per_fte_day"] == 420 and info["scenarios"][1]["event_costs"][0]["once"] == 20000


def test_report_reprices_without_running_again(compared, files, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(compared, copy)
    runs = sorted((copy / "runs").iterdir())
    assert main(["report", str(copy), "--business", str(files / "biz.toml")]) == 0
    assert sorted((copy / "runs").iterdir()) == runs
    assert json.loads((copy / "manifest.json").read_text())["business"]["customer_value_per_year"] == 3800
    assert pd.read_csv(copy / "money.csv")["customer_value"].iloc[1] == 3800
    assert (copy / "kpis.csv").read_bytes() == (compared / "kpis.csv").read_bytes()


def test_fractional_fte_in_an_org_chart(tmp_path):
    chart = tmp_path / "org.csv"
    chart.write_text("id,name,manager_id,kind,division,office,headcount,depends_on\nceo,CEO,,executive,,,,\n"
                     "f,Front,ceo,team,D,front,7.5,b\nb,Back,ceo,team,D,back,0.4,\nc,Other,ceo,team,D,back,3,\n",
                     encoding="utf-8")
    G = read_org_csv(chart)
    teams = {d["ext_id"]: d for _, d in G.nodes(data=True) if d["kind"] == "team"}
    assert (teams["f"]["headcount"], teams["f"]["fte"]) == (8, 7.5)  # halves round up
    assert (teams["b"]["headcount"], teams["b"]["fte"]) == (1, 0.4)  # at least one person
    assert teams["c"]["headcount"] == 3 and "fte" not in teams["c"]  # whole numbers: the graph as before
    org = {"people": 12, "fte": 10.9}
    assert business.fte_scale(business.settings({}), org) == pytest.approx(10.9 / 12)


def test_the_bundled_example_settings_parse():
    from sim.inputs.business import read_business_file
    from sim.inputs.scenarios import bundled_scenarios, scenarios_dir

    settings = read_business_file(scenarios_dir() / "business" / "insurer.toml")
    assert settings.priced and settings.customers_per_simulated == 250
    charter = load_scenario(bundled_scenarios()["insurer-surge-charter"])
    assert [c["once"] for c in charter.event_costs] == [120000.0]
    assert "business" not in bundled_scenarios()  # a folder of settings, not a scenario


def test_report_with_bad_business_settings_is_one_line_and_changes_nothing(compared, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(compared, copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    bad = tmp_path / "bad.toml"
    bad.write_text("[business]\ncost_per_fte_day = -1\n", encoding="utf-8")
    line = one_line_error(capsys, ["report", str(copy), "--business", str(bad)])
    assert "business.cost_per_fte_day: value -1 is not allowed" in line
    assert {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()} == before
