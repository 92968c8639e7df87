"""A comparison report a COO can act on (issue 13, item 5): the change chart for three scenarios
coloured by significance with a legend and a readable scale, tables that fit a 1280 px window, the
same default window for every comparison (printed), a collapse stated in the summary, --force
before an earlier comparison is replaced, the package version in the manifest without git, a
hint for semicolon-separated CSVs, "did you mean" for unknown names, and the 16:9 slide."""

from __future__ import annotations

import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_compare_cli import CHARTER, SMALL, one_line_error

from sim.cli import main
from sim.compare import store, study
from sim.errors import InputError
from sim.inputs.orgchart import read_org_csv
from sim.report import compare_figures, compare_summary
from sim.runner import manifest as manifest_mod

WEAK = SMALL.replace('name = "small"', 'name = "small-weak"') + "[levers]\nempathy = 0.05\nresilience = 0.1\n"
LATE = SMALL.replace('name = "small"', 'name = "small-late"').replace("step = 8", "step = 20")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("coo")
    for name, text in (("small", SMALL), ("small-charter", CHARTER), ("small-weak", WEAK), ("small-late", LATE)):
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def three(files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp3") / "run"
    code = main(["compare", *(str(files / f"{n}.toml") for n in ("small", "small-charter", "small-weak")),
                 "--replicates", "2", "--seed", "3", "--jobs", "1", "--leverage-replicates", "1", "--out", str(out),
                 "--quiet"])
    assert code == 0
    return out


# -- the change chart --------------------------------------------------------------------------------
def _kpi_rows(rel: dict[tuple[str, str], tuple[float, bool]]) -> pd.DataFrame:
    rows = []
    for (scenario, k), (r, clear) in rel.items():
        rows.append({"kpi": k, "label": k.replace("_", " "), "scenario": scenario, "rel": r, "rel_low": r - 0.05,
                     "rel_high": r + 0.05, "clear": clear, "better": -1 if k != "satisfaction" else 1})
    rows += [{"kpi": k, "label": k, "scenario": "ref", "rel": np.nan, "rel_low": np.nan, "rel_high": np.nan,
              "clear": False, "better": -1} for k in ("friction_index", "wait_mean", "satisfaction")]
    return pd.DataFrame(rows)


def test_change_chart_colours_by_significance_with_a_legend_and_a_log_scale_for_an_outlier():
    table = _kpi_rows({("b", "friction_index"): (-0.2, True), ("b", "wait_mean"): (0.02, False),
                       ("b", "satisfaction"): (-0.1, True), ("c", "friction_index"): (30.0, True),
                       ("c", "wait_mean"): (0.1, True), ("c", "satisfaction"): (0.01, False)})
    fig = compare_figures.change_figure(table, ["ref", "b", "c"])
    ax = fig.axes[0]
    assert ax.get_xscale() == "symlog"  # a +3,000% change does not squash the others
    assert "symmetric log scale" in ax.get_xlabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"clearly better", "clearly worse", "no clear difference", "b", "c"} <= set(legend)
    colours = {line.get_color() for line in ax.get_lines() if line.get_marker() in compare_figures.MARKERS}
    assert colours == {"#1b7a1b", "#c0392b", "#8a8f98"}


def test_change_chart_stays_linear_without_an_outlier():
    table = _kpi_rows({("b", "friction_index"): (-0.2, True), ("b", "wait_mean"): (0.3, True)})
    ax = compare_figures.change_figure(table, ["ref", "b"]).axes[0]
    assert ax.get_xscale() == "linear" and "linear scale" in ax.get_xlabel()


# -- the window ---------------------------------------------------------------------------------------
def test_default_window_is_the_whole_run_for_every_comparison(files, tmp_path):
    first = study.plan([str(files / "small.toml"), str(files / "small-charter.toml")], replicates=1, jobs=1,
                       out=tmp_path / "a")
    second = study.plan([str(files / "small.toml"), str(files / "small-late.toml")], replicates=1, jobs=1,
                        out=tmp_path / "b")
    assert first.window == second.window == (1, 30) and first.window_default


def test_the_window_is_printed_and_stated(three, files, tmp_path, capsys):
    saved = store.load(three)
    assert saved.window == (1, 30)
    assert "days 1-30 (the whole run: the default window of every comparison" in (three / "report.html").read_text()
    main(["compare", str(files / "small.toml"), str(files / "small-charter.toml"), "-n", "1", "--jobs", "1",
          "--no-leverage", "--out", str(tmp_path / "w"), "--window", "5:20"])
    err = capsys.readouterr()
    assert "window days 5-20" in err.err and "days 5-20 (the window set with --window)" in err.out


# -- the report fits 1280 px; the slide ---------------------------------------------------------------
def test_three_scenario_report_fits_a_1280_px_window(three):
    from playwright import sync_api

    chromium = Path("/usr/bin/chromium")
    assert chromium.exists(), "no Chromium at /usr/bin/chromium: apt-get install -y chromium"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_context(offline=True, viewport={"width": 1280, "height": 800}).new_page()
            page.goto((three / "report.html").as_uri(), wait_until="load")
            page_width = page.evaluate("document.documentElement.scrollWidth")
            widest = page.eval_on_selector_all(
                "table", "els => Math.max(...els.map(e => e.getBoundingClientRect().right))")
        finally:
            browser.close()
    assert page_width <= 1280 and widest <= 1280, (page_width, widest)


def test_slide_export_is_16_9_png_and_pdf(three):
    png = (three / "summary-slide.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1920, 1080)
    assert (three / "summary-slide.pdf").read_bytes().startswith(b"%PDF")


# -- collapse -----------------------------------------------------------------------------------------
def _analysis(retention: dict[str, list[float]], lost_column: bool = False):
    rows, series = [], []
    for name, values in retention.items():
        for rep, r in enumerate(values):
            rows.append({"scenario": name, "replicate": rep, "retention": r})
            series.append({"scenario": name, "replicate": rep, "step": 10, "retention": r,
                           **({"customers_lost_share": 1 - r} if lost_column else {})})
    saved = SimpleNamespace(series=pd.DataFrame(series), window=(1, 10), scenarios=list(retention))
    return SimpleNamespace(saved=saved, values=pd.DataFrame(rows))


@pytest.mark.parametrize("lost_column", [False, True])
def test_a_collapse_is_stated_first(lost_column):
    a = _analysis({"calm": [0.95, 0.94, 0.96], "storm": [0.55, 0.6, 0.5]}, lost_column)
    said = compare_summary.collapses(a)
    assert len(said) == 1 and said[0].startswith("Collapse: with storm, 45% of the customer base")
    assert "against 5.0% with calm" in said[0] and "describe those who stayed" in said[0]
    assert compare_summary.collapses(_analysis({"calm": [0.95, 0.94], "mild": [0.9, 0.88]})) == []


# -- --out, manifest, CSV separators, names -------------------------------------------------------------
def test_out_holding_a_comparison_needs_force(three, files, capsys):
    before = (three / "manifest.json").read_bytes()
    line = one_line_error(capsys, ["compare", str(files / "small.toml"), str(files / "small-charter.toml"), "-n", "1",
                              "--jobs", "1", "--no-leverage", "--out", str(three)])
    assert "holds an earlier comparison; pass --force to replace it" in line
    assert (three / "manifest.json").read_bytes() == before


def test_manifest_records_the_package_version_without_git(three, monkeypatch):
    info = store.read_manifest(three)
    assert info["alignsim_version"] and info["versions"]["alignsim"]

    def missing(name):
        raise manifest_mod.PackageNotFoundError(name)

    monkeypatch.setattr(manifest_mod, "version", missing)
    assert manifest_mod.package_version().endswith("(source)")
    assert manifest_mod.versions()["alignsim"].endswith("(source)")
    from sim.report.compare_report import _source

    assert _source({"alignsim_version": "0.1.0", "git_revision": None}) == "alignsim 0.1.0 (no git checkout)"


def test_semicolon_separated_org_chart_gets_a_hint(tmp_path, capsys):
    chart = tmp_path / "org.csv"
    chart.write_text("id;name;manager_id;kind;division;office;headcount\nceo;CEO;;executive;;;\n", encoding="utf-8")
    with pytest.raises(InputError, match="separated by semicolons: save the file as comma-separated CSV"):
        read_org_csv(chart)
    (tmp_path / "s.toml").write_text('steps = 5\n[org]\nchart = "org.csv"\n', encoding="utf-8")
    line = one_line_error(capsys, ["compare", str(tmp_path / "s.toml"), str(tmp_path / "s.toml"), "--out",
                              str(tmp_path / "out")])
    assert "semicolons" in line and not (tmp_path / "out").exists()


def test_unknown_scenario_name_suggests_the_closest(capsys, tmp_path):
    line = one_line_error(capsys, ["compare", "insurer-surge", "insurer-surg", "--out", str(tmp_path / "o")])
    assert "did you mean 'insurer-surge'?" in line
