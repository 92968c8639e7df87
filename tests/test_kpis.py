"""KPIs and friction causes are declared once (sim/model/kpis.py) and every face reads them there:
the recorded series, compare's KPI table, the run summary and figure, the dashboard's charts and
colours, the sweep plots."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from sim.model import kpis
from sim.model.kpis import CAUSE_KPIS, COMPARED, DASHBOARD, FRICTION_CAUSES, KPIS, Kpi, kpi, series_kpis
from sim.model.state import CAUSES


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    from sim.api import build_model, load_scenario, run_model

    scenario = load_scenario("baseline", ["org.teams=6", "org.divisions=2", "org.customers_per_front_team=10"])
    return run_model(build_model(scenario, seed=3), steps=12).series


def test_every_recorded_column_is_declared_and_every_declaration_recorded(series):
    columns = [c for c in series.columns if c != "step"]
    levels = sum(c.startswith(kpis.LEVEL_PREFIX) for c in columns)
    assert levels >= 1
    assert columns == [k.column for k in series_kpis(levels)]  # the same columns, in the same order
    assert all(kpi(c) is not None for c in columns)
    assert kpi("no_such_column") is None


def test_declarations_are_complete_and_consistent():
    declared = [*KPIS, *CAUSE_KPIS]
    assert len({k.column for k in declared}) == len(declared)
    assert len({k.label for k in declared}) == len(declared)
    for k in declared:
        assert k.reporter is not None and k.label and k.unit and k.chart_title and k.axis_unit, k.column
        assert k.how in kpis.HOWS and k.smooth in kpis.SMOOTHS and k.better in (-1, 0, 1)
        if k.compared and k.how == "final":
            assert k.label.endswith("(last day)"), k.column  # the run summary relies on it
    assert all(k.after in {o.column for o in KPIS} for k in KPIS if k.after)
    with pytest.raises(ValueError):
        Kpi("x", "x", "u", "median", -1)


def test_reporters_are_the_declared_functions():
    model = type("M", (), {})()
    model.state = type("S", (), {"level": np.array([0, 1, 2])})()
    reps = kpis.model_reporters(model)
    assert list(reps) == [k.column for k in series_kpis(2)]
    assert reps["friction_index"] is kpis.friction_index


def test_every_cause_has_a_label_and_a_distinct_colour_safe_for_colour_blindness():
    assert tuple(c.key for c in FRICTION_CAUSES) == CAUSES
    assert [k.column for k in CAUSE_KPIS] == [f"friction_{c}" for c in CAUSES]
    for field in ("label", "short", "colour"):
        values = [getattr(c, field).lower() for c in FRICTION_CAUSES]
        assert all(values) and len(set(values)) == len(values), field
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c.colour) for c in FRICTION_CAUSES)
    # distinct for normal vision and under simulated protanopia, deuteranopia and tritanopia
    # (Machado et al. 2009, severity 1): CIE76 distance of every pair at least 15
    for m in (np.eye(3), _PROTAN, _DEUTAN, _TRITAN):
        labs = [_lab(_srgb(np.asarray(m) @ _linear(c.colour))) for c in FRICTION_CAUSES]
        assert min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2)) >= 15


def test_compare_reads_its_kpis_from_the_declarations(series):
    from sim.compare.stats import kpi_table, kpis_for, replicate_values
    from sim.report import compare_figures as figures

    found = kpis_for(list(series.columns))
    assert found == [*COMPARED, *CAUSE_KPIS]
    assert [k.column for k in COMPARED[:4]] == ["friction_index", "wait_mean", "wait_p90", "customers_waiting"]
    assert {k.column for k in COMPARED} == {k.column for k in KPIS if k.compared}
    runs = pd.concat([series.assign(scenario=s, replicate=r) for s in ("A", "B") for r in range(2)])
    table = kpi_table(replicate_values(runs, (1, 12), kpis=found), ["A", "B"], found)
    first = table.drop_duplicates("kpi").set_index("kpi")
    for k in found:
        assert (first.loc[k.column, "label"], first.loc[k.column, "unit"], first.loc[k.column, "summary"],
                first.loc[k.column, "better"]) == (k.label, k.unit, k.how, k.better)
    assert all(kpi(c) for c in (*figures.PANELS, *figures.HEADLINE))


def test_the_run_summary_lists_every_compared_kpi(series):
    from sim.report.figure import format_summary, summary_table

    rows = summary_table(series)
    assert [label for label, _ in rows[:len(COMPARED)]] == [
        k.label + {"mean": f" ({min(30, 12)}-day mean)", "total": " (total)", "final": ""}[k.how] for k in COMPARED]
    assert "customer friction (12-day mean)" in format_summary(rows)


def test_dashboard_charts_and_colours_come_from_the_declarations():
    from sim.dashboard import colours, frame

    # the declared dashboard KPIs, then the quantities the trainer's guide quotes (each a declared KPI,
    # whose unit and smoothing the chart takes from its declaration)
    assert list(frame.SERIES) == [k.column for k in DASHBOARD] + list(frame.GUIDE_CHARTS)
    for column in frame.GUIDE_CHARTS:
        k = kpis.kpi(column)
        assert frame.SERIES[column] == (frame.GUIDE_CHARTS[column] or k.chart_title,
                                        k.axis_unit + frame.SMOOTHING[k.smooth])
    assert frame.SERIES["escalations"] == ("Escalations", "per day, 7-day mean")
    assert frame.CAUSE_COLUMNS == tuple(c.column for c in FRICTION_CAUSES)
    assert colours.CAUSE == {c.key: c.colour for c in FRICTION_CAUSES}
    assert colours.PIVOT_EDGE == kpis.cause("pivot_rework").colour
    assert colours.ESCALATION_EDGE == kpis.cause("decision_escalation").colour


def test_sweep_plots_describe_outputs_by_their_kpi():
    from sim.report.sweep_plots import describe

    assert describe("friction_index") == "customer friction, friction units per 100 customers per day"
    assert describe("retention.final") == "customer retention (last day) (final), share of customers"
    assert describe("y") == "y"


# -- colour-vision simulation (sRGB <-> linear RGB, CIELAB) ---------------------------------------------
_PROTAN = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
_DEUTAN = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
_TRITAN = [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(linear: np.ndarray) -> np.ndarray:
    x = np.clip(linear, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)


def _lab(srgb: np.ndarray) -> np.ndarray:
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = np.cbrt(np.maximum(xyz / np.array([0.95047, 1.0, 1.08883]), 0.008856))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
