"""`alignsim compare` and `alignsim report` end to end on a tiny organisation: common random
numbers, zero differences between identical scenarios, a self-contained report, a rebuild that
gives identical tables, and one-line errors (exit 2, nothing written) for bad input."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.api import load_scenario, run_scenario
from sim.cli import main
from sim.compare import store, study
from sim.compare.tables import CSV_FILES, analyse

STEPS = 30
SMALL = """
name = "small"
description = "Tiny organisation under a short shock."
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
label = "test shock"
"""
CHARTER = SMALL.replace('name = "small"', 'name = "small-charter"') + """
[[events]]
type = "lever"
step = 5
lever = "ownership"
value = 0.9
scope = { division = "Division A" }
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    write(folder, "small.toml", SMALL)
    write(folder, "small-charter.toml", CHARTER)
    return folder


@pytest.fixture(scope="module")
def compared(files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "run"
    code = main(["compare", str(files / "small.toml"), str(files / "small-charter.toml"), "--replicates", "3",
                 "--seed", "11", "--jobs", "1", "--leverage-replicates", "2", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_outputs_are_written(compared):
    names = {p.name for p in compared.iterdir()}
    assert {"report.html", "manifest.json", "runs", "metrics", "tables", "timeseries.png", "attribution.png",
            "leverage.png", "changes.png"} <= names
    assert set(CSV_FILES.values()) - {CSV_FILES["money"]} <= names  # money.csv only when costs are given
    assert sorted(p.name for p in (compared / "tables").iterdir()) == ["handoffs", "provenance", "series", "units"]
    assert not [p for p in compared.rglob(".*") if p.name != ".lock"]  # no temporary file left behind
    assert [p.name for p in compared.parent.iterdir()] == ["run"]  # no temporary directory left behind


def test_common_random_numbers_from_the_saved_run(compared, files):
    saved = store.load(compared)
    seeds = [s["seed"] for s in saved.manifest["seeds"]]
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in np.random.SeedSequence(11).spawn(3)]
    assert seeds == expected
    assert saved.manifest["root_seed"] == 11
    runs = saved.series[["scenario", "replicate", "seed"]].drop_duplicates()
    assert len(runs) == 6
    for rep, group in runs.groupby("replicate"):
        assert set(group["seed"]) == {expected[rep]}, "replicate i of every scenario must share seed i"
    lev = saved.leverage
    assert set(lev["seed"]) == set(expected[:2])
    assert all(lev.loc[lev["replicate"] == r, "seed"].eq(expected[r]).all() for r in (0, 1))
    # any replicate replays alone with its seed, identically
    replay = run_scenario(load_scenario(str(files / "small-charter.toml")), seed=expected[2], steps=STEPS).series
    stored = saved.series[(saved.series["scenario"] == "small-charter") & (saved.series["replicate"] == 2)]
    for col in ("friction_index", "satisfaction", "decision_latency", "escalations"):
        np.testing.assert_array_equal(stored[col].to_numpy(), replay[col].to_numpy())


def test_the_scenarios_differ_where_they_should(compared):
    saved = store.load(compared)
    a = saved.series[saved.series["scenario"] == "small"].reset_index(drop=True)
    b = saved.series[saved.series["scenario"] == "small-charter"].reset_index(drop=True)
    early = a["step"] < 5  # the charter starts on day 5: same seeds, same days before it
    assert a.loc[early, "friction_index"].equals(b.loc[early, "friction_index"])
    assert not a["approvals_waiting"].equals(b["approvals_waiting"])


def test_identical_scenarios_give_exactly_zero_differences(files):
    p = study.plan([str(files / "small.toml"), str(files / "small.toml")], replicates=2, jobs=1, leverage=False,
                   out=files / "unused")
    assert p.names == ["small", "small (2)"]
    a = analyse(study.execute_plan(p))
    other = a.kpi_table[a.kpi_table["scenario"] == "small (2)"]
    assert len(other) > 20
    assert (other["diff"] == 0).all() and (other["diff_low"] == 0).all() and (other["diff_high"] == 0).all()
    assert not other["clear"].any()
    assert (a.top_units["friction_change"] == 0).all()
    assert a.leverage is None
    assert not (files / "unused").exists()


def test_parallel_workers_give_the_same_runs(files, compared):
    p = study.plan([str(files / "small.toml"), str(files / "small-charter.toml")], replicates=2, seed=11, jobs=2,
                   leverage=False, out=files / "unused")
    parallel = study.execute_plan(p)
    assert not (files / "unused").exists()
    assert parallel.manifest["start_method"] in ("2 local processes (forkserver)", "2 local processes (spawn)")
    runs = parallel.series[["scenario", "replicate"]].drop_duplicates().apply(tuple, axis=1).tolist()
    assert runs == [("small", 0), ("small", 1), ("small-charter", 0), ("small-charter", 1)]
    serial = store.load(compared).series
    mine = serial[serial["replicate"] < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(parallel.series, mine)


def test_attribution_shares_sum_to_one(compared):
    causes = pd.read_csv(compared / CSV_FILES["causes"])
    for _, group in causes.groupby("scenario"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-9)
    divisions = pd.read_csv(compared / CSV_FILES["divisions"])
    for _, group in divisions.groupby("scenario"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-9)
    # the window's provenance adds up to the friction booked in the window's series
    saved = store.load(compared)
    prov = saved.provenance
    assert set(prov["period"]) == {"run", "window"}
    win = prov[prov["period"] == "window"].groupby(["scenario", "replicate"])["friction"].sum()
    run = prov[prov["period"] == "run"].groupby(["scenario", "replicate"])["friction"].sum()
    assert (win <= run + 1e-9).all() and (win > 0).all()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "poster", "data", "srcset", "background") and value is not None:
                self.links.append(value)


def _is_local(link: str) -> bool:
    link = link.strip()
    if link.startswith(("data:", "#")):
        return True
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) and not link.startswith("//")


def test_report_has_no_external_url(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(text)
    css_urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    imports = re.findall(r"@import\s+['\"]?([^'\";\s]+)", text)
    links = parser.links + css_urls + imports
    assert sum(link.startswith("data:image/png;base64,") for link in links) >= 3
    bad = [link[:80] for link in links if not _is_local(link)]
    assert bad == []
    assert "://" not in text
    assert "<script" not in text.lower()
    for name in re.findall(r'href="([^"#]+)"', text):
        assert (compared / name).is_file(), name


def test_report_opens_with_a_plain_language_summary(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    summary = text[text.index('class="summary"'):text.index('id="kpis"')]
    for heading in ("What we compared", "What changed", "How sure we are", "Where friction comes from",
                    "Where to act first"):
        assert heading in summary
    assert "3 paired replicates" in summary and "days 1-30" in summary  # the default window: the whole run
    assert re.search(r"customer friction (shows no clear difference|[\d.]+% (lower|higher) \(95% interval)",
                     summary)


def test_report_rebuilds_identical_tables(compared, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(compared, copy)
    csvs = [name for name in CSV_FILES.values() if (copy / name).exists()]
    before = {name: (copy / name).read_bytes() for name in csvs}
    for name in (*csvs, "report.html", "timeseries.png"):
        (copy / name).unlink()
    assert main(["report", str(copy)]) == 0
    after = {name: (copy / name).read_bytes() for name in csvs}
    assert after == before
    assert (copy / "report.html").read_text(encoding="utf-8") == (compared / "report.html").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]


# -- bad input ---------------------------------------------------------------------------------------
BAD_CSV = "id,name,manager_id,kind,division,office,headcount\nceo,CEO,,executive,,,\nt1,T1,ceo,team,D,front,zero\n"


def one_line_error(capsys, args: list[str]) -> str:
    """Run the CLI expecting bad input: exit 2 and exactly one 'alignsim: error:' line, returned."""
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alignsim: error: "), err
    return lines[0]


@pytest.mark.parametrize(("case", "expect"), [
    ("unknown", "no bundled scenario or file of that name"),
    ("replicates0", "argument --replicates/-n: value 0 is not allowed"),
    ("csv", "bad.csv: row 3, column headcount"),
    ("late", "events[0].step: 50 is past the end of the run"),
    ("scope", "'Nowhere' names no division"),
    ("window", "--window: '20:10' is not allowed"),
    ("one", "needs at least two scenarios"),
    ("jobs0", "argument --jobs/-j: value 0 is not allowed"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case, expect, files, tmp_path, capsys):
    good = str(files / "small.toml")
    args = [good, good]
    if case == "unknown":
        args = [good, "no-such-scenario"]
    elif case == "replicates0":
        args += ["--replicates", "0"]
    elif case == "csv":
        write(tmp_path, "bad.csv", BAD_CSV)
        args = [good, str(write(tmp_path, "chart.toml", 'steps = 30\n[org]\nchart = "bad.csv"\n'))]
    elif case == "late":
        args = [good, str(write(tmp_path, "late.toml", SMALL.replace("step = 8", "step = 50")))]
    elif case == "scope":
        args = [good, str(write(tmp_path, "scope.toml", CHARTER.replace("Division A", "Nowhere")))]
    elif case == "window":
        args += ["--window", "20:10"]
    elif case == "one":
        args = [good]
    elif case == "jobs0":
        args += ["--jobs", "0"]
    out = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_line_error(capsys, ["compare", *args, "--replicates", "1", "--out", str(out)]
                           if case != "replicates0" else ["compare", *args, "--out", str(out)])
    assert expect in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_out_dir_holding_other_files_is_refused(files, tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    good = str(files / "small.toml")
    line = one_line_error(capsys, ["compare", good, good, "--out", str(out)])
    assert "not an `alignsim compare` run" in line
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_report_of_a_directory_that_is_not_a_run(tmp_path, capsys):
    line = one_line_error(capsys, ["report", str(tmp_path)])
    assert "not an `alignsim compare` run directory" in line
    line = one_line_error(capsys, ["report", str(tmp_path / "missing")])
    assert "no such directory" in line


def test_report_renders_offline_in_chromium(compared):
    """Load the report in headless Chromium with the network off (.ci/run installs Chromium; the
    test fails rather than skips without it, like the dashboard's browser test)."""
    from playwright import sync_api

    chromium = Path("/usr/bin/chromium")
    assert chromium.exists(), "no Chromium at /usr/bin/chromium: apt-get install -y chromium"
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_context(offline=True).new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.goto((compared / "report.html").as_uri(), wait_until="load")
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            title = page.title()
        finally:
            browser.close()
    assert len(widths) >= 3 and all(w > 100 for w in widths)
    assert "small vs small-charter" in title
    assert all(url.startswith(("file:", "data:")) for url in requested), requested
