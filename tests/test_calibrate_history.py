"""Bad history files and flags: one line naming the row and column, exit code 2, nothing written.

Every case goes through the command line (``main``), so the promise is tested where a strategist
meets it; none of them runs a simulation (everything is checked before the first run).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibrate.history import read_history
from sim.calibrate.mapping import DEFAULT_MAP, load_mapping
from sim.cli import main

TINY = ["--set", "org.teams=4", "--set", "org.divisions=2", "--set", "org.depth=1"]
GOOD = "date,kpi,value,unit\n2025-01,contacts,220,contacts\n2025-02,contacts,190,contacts\n" \
       "2025-01,satisfaction,0.78,\n2025-02,satisfaction,0.80,\n"


def run_cli(tmp_path: Path, text: str, *extra: str, name: str = "history.csv") -> tuple[int, str, Path]:
    data = tmp_path / name
    data.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "cal"
    args = ["calibrate", "baseline", *TINY, "--data", str(data), "--fit", "demand.request_rate=0.02:0.12",
            "--out", str(out), *extra]
    return main(args), str(data), out


BAD = {
    "unknown KPI": ("date,kpi,value\n2025-01,contacs,220\n", "row 2, column kpi", "did you mean 'contacts'"),
    "month out of order": ("date,kpi,value\n2025-02,contacts,220\n2025-01,contacts,200\n", "row 3, column date",
                           "out of order"),
    "negative count": ("date,kpi,value\n2025-01,contacts,220\n2025-02,contacts,-3\n", "row 3, column value",
                       "must be >= 0"),
    "gap": ("date,kpi,value\n2025-01,contacts,220\n2025-02,contacts,200\n2025-04,contacts,210\n",
            "row 4, column date", "gap before 2025-04"),
    "month twice": ("date,kpi,value\n2025-01-05,contacts,220\n2025-01-20,contacts,200\n", "row 3, column date",
                    "given twice"),
    "not a month": ("date,kpi,value\n2025-13,contacts,220\n", "row 2, column date", "not a month"),
    "not a number": ("date,kpi,value\n2025-01,contacts,lots\n", "row 2, column value", "not a number"),
    "infinite": ("date,kpi,value\n2025-01,contacts,inf\n", "row 2, column value", "finite"),
    "thousands separator": ('date,kpi,value\n2025-01,contacts,"1,234"\n', "row 2, column value", "decimal point"),
    "day gap": ("day,kpi,value\n30,contacts,220\n60,contacts,200\n120,contacts,210\n", "row 4, column day", "gap"),
    "day out of order": ("day,kpi,value\n60,contacts,220\n30,contacts,200\n", "row 3, column day", "out of order"),
    "no value column": ("date,kpi,amount\n2025-01,contacts,220\n", "row 1, column value", "missing"),
    "both date and day": ("date,day,kpi,value\n2025-01,31,contacts,220\n", "row 1, column date", "exactly one"),
    "semicolons": ("date;kpi;value\n2025-01;contacts;220\n", "row 1, column header", "';' as separator"),
    "short row": ("date,kpi,value\n2025-01,contacts\n", "row 2, column value", "missing"),
    "too deep": ("date,kpi,value\n2025-01,escalations_to_level_5,2\n", "row 2, column kpi",
                 "cannot produce 'escalations_to_level_5'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_history_is_one_line_naming_row_and_column(tmp_path, capsys, case):
    text, where, problem = BAD[case]
    code, data, out = run_cli(tmp_path, text)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("alignsim: error: ")
    assert f"{data}: {where}: " in err and problem in err, err
    assert not out.exists() and not out.parent.exists()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_a_customer_kpi_of_a_scenario_without_customers_is_refused(tmp_path, capsys):
    code, data, out = run_cli(tmp_path, GOOD, "--set", "org.customers_per_front_team=0")
    err = capsys.readouterr().err
    assert code == 2 and f"{data}: row 2, column kpi: the scenario cannot produce 'contacts'" in err
    assert not out.parent.exists()


@pytest.mark.parametrize(("flags", "where"), [
    (["--fit", "levers.clarity=0.5:2"], "--fit levers.clarity=0.5:2: "),
    (["--fit", "levers.clarity"], "--fit levers.clarity: expected NAME=LOW:HIGH"),
    (["--fit", "levers.clarty=0:1"], "did you mean 'levers.clarity'"),
    (["--fit", "org.teams=2:8"], "only real-valued parameters"),
    (["--fit", "demand.request_rate=0.05:0.06"], "--fit demand.request_rate: given twice"),
    (["--population", "1"], "--population"),
])
def test_bad_fit_flags_are_one_line(tmp_path, capsys, flags, where):
    code, _, out = run_cli(tmp_path, GOOD, *flags)
    err = capsys.readouterr().err
    assert code == 2 and where in err and err.count("\n") == 1, err
    assert not out.parent.exists()


def test_a_mapping_file_changes_and_adds_kpis(tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[kpi.contacts]\nscale = 250.0\n[kpi.queue]\ncolumn = "waiting"\nhow = "mean"\n',
                       encoding="utf-8")
    maps = load_mapping(mapping)
    assert maps["contacts"].scale == 250.0 and maps["contacts"].column == "new_requests"
    assert maps["queue"].column == "waiting" and maps["queue"].how == "mean"
    assert maps["satisfaction"] == DEFAULT_MAP["satisfaction"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[kpi.x]\ncolumn = "no_such_column"\n', encoding="utf-8")
    code = main(["calibrate", "baseline", "--data", str(tmp_path / "h.csv"), "--mapping", str(bad),
                 "--fit", "levers.clarity=0:1", "--out", str(tmp_path / "o")])
    assert code == 2


def test_months_become_model_days_by_the_calendar(tmp_path):
    data = tmp_path / "h.csv"
    data.write_text("date,kpi,value\n2024-01,contacts,1\n2024-02,contacts,2\n2024-03,contacts,3\n"
                    "2024-02,nps,10\n2024-03,nps,12\n", encoding="utf-8")
    history = read_history(data, DEFAULT_MAP)
    spans = [(o.kpi, o.start, o.end) for o in history.observations]
    assert spans == [("contacts", 1, 31), ("contacts", 32, 60), ("contacts", 61, 91),  # 2024 is a leap year
                     ("nps", 32, 60), ("nps", 61, 91)]
    assert history.days == 91 and history.kpis == ["contacts", "nps"]
    assert history.maps["nps"].offset == -100.0


def test_a_model_column_is_a_kpi_too(tmp_path):
    data = tmp_path / "h.csv"
    data.write_text("day,kpi,value\n30,wait_p90,4.5\n60,wait_p90,5.0\n", encoding="utf-8")
    history = read_history(data, DEFAULT_MAP)
    assert [(o.start, o.end) for o in history.observations] == [(1, 30), (31, 60)]
    assert history.maps["wait_p90"].how == "mean"


@pytest.mark.parametrize(("scenario", "file"), [("baseline", "workshop-history.csv"),
                                                 ("insurer-baseline", "insurer-history.csv")])
def test_the_shipped_histories_plan_cleanly(tmp_path, scenario, file):
    """scenarios/history/*.csv (made by make_histories.py) are valid histories for their scenarios."""
    from sim.calibrate import study

    data = Path(__file__).resolve().parent.parent / "scenarios" / "history" / file
    p = study.plan(scenario, data, ["demand.request_rate=0.02:0.15", "customers.erosion=0:0.06",
                                    "people.attrition_base=0:0.002"], tmp_path / "out")
    assert p.history.days == 365 and len(p.history.observations) == 48
    assert p.history.kpis == ["contacts", "satisfaction", "customer_churn", "staff_attrition"]
    assert not (tmp_path / "out").exists()


CELLS = ["2025-01", "2025-02", "2025-1-31", "2025-13", "", " ", "30", "-1", "0", "day", "date", "kpi", "value",
         "contacts", "nps", "wait_p90", "escalations_to_level_9", "1e400", "nan", "-3", "0.5", '"1,5"', "ü", "\x00"]


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=5), min_size=0, max_size=6),
       header=st.sampled_from(["date,kpi,value", "day,kpi,value,unit", "kpi,value", "date;kpi;value", ""]))
def test_any_history_text_is_read_or_refused_in_one_line(tmp_path_factory, rows, header):
    """Whatever the file holds, reading it gives a history or an InputError (never another exception),
    and every History it gives has increasing, non-overlapping periods per KPI."""
    from sim.errors import InputError

    path = tmp_path_factory.mktemp("h") / "h.csv"
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    try:
        history = read_history(path, DEFAULT_MAP)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for name in history.kpis:
        spans = [(o.start, o.end) for o in history.observations if o.kpi == name]
        assert all(a <= b for a, b in spans) and all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(spans))
