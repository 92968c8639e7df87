"""Regression tests for the bad-input holes of issue 9 that live in the CLI and the runner."""

from __future__ import annotations

import pandas as pd

from sim.cli import main

LAST_DAY = """
name = "last-day"
steps = 30
[org]
teams = 6
customers_per_front_team = 20
[[events]]
type = "shock"
step = {step}
duration = 5
pressure = 2.0
"""


def _scenario(tmp_path, step: int):
    path = tmp_path / f"s{step}.toml"
    path.write_text(LAST_DAY.format(step=step), encoding="utf-8")
    return path


def test_an_event_on_the_last_day_is_applied_and_not_called_unreached(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(_scenario(tmp_path, 30)), "--out", str(out)]) == 0
    assert "not reached" not in capsys.readouterr().err
    series = pd.read_csv(out / "timeseries.csv")
    assert series["pressure"].iloc[-1] > series["pressure"].iloc[-2]  # the shock is in row 30


def test_an_event_after_a_shorter_run_is_called_unreached(tmp_path, capsys):
    assert main(["run", str(_scenario(tmp_path, 30)), "--steps", "29", "--out", str(tmp_path / "o")]) == 0
    assert "not reached in 29 steps, so not applied: events[0] (step 30)" in capsys.readouterr().err


def test_a_longer_run_than_the_file_accepts_events_up_to_its_own_end(tmp_path, capsys):
    out = tmp_path / "long"
    assert main(["run", str(_scenario(tmp_path, 31)), "--steps", "40", "--out", str(out)]) == 0
    assert capsys.readouterr().err == ""
    series = pd.read_csv(out / "timeseries.csv")
    assert len(series) == 41 and series["pressure"].iloc[31] > series["pressure"].iloc[30]


def test_a_longer_compare_accepts_events_up_to_its_own_end(tmp_path):
    first, second = _scenario(tmp_path, 31), _scenario(tmp_path, 35)
    assert main(["compare", str(first), str(second), "--steps", "40", "--replicates", "1", "--no-leverage",
                 "--jobs", "1", "--quiet", "--out", str(tmp_path / "c")]) == 0


def test_an_event_past_a_longer_run_is_still_refused(tmp_path, capsys):
    assert main(["run", str(_scenario(tmp_path, 41)), "--steps", "40", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "events[0].step" in err and "allowed: 1..40" in err
    assert not (tmp_path / "x").exists()


def test_an_output_folder_that_cannot_be_written_is_refused_before_running(tmp_path, capsys):
    # /proc takes no new folders, for root too: the run must not start (it would be lost at its end)
    scenario = _scenario(tmp_path, 10)
    for argv in (["run", str(scenario)],
                 ["compare", str(scenario), str(scenario), "--replicates", "1", "--no-leverage"]):
        assert main([*argv, "--out", "/proc/alignsim-cannot-write"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "/proc/alignsim-cannot-write: cannot be written" in err


EXITING_TASK = '''
import sys


def run(params, seed):
    if params["x"] > 0.5:
        sys.exit(3)
    if params["x"] > 0.25:
        raise SystemExit("stop")
    return {"y": params["x"]}
'''

EXPERIMENT = '''
task = "exiting.py:run"
replicates = 1
seed = 5
[design]
kind = "grid"
[[parameters]]
name = "x"
levels = [0.1, 0.3, 0.7]
'''


def test_a_run_function_that_exits_is_a_failed_run_not_the_end_of_the_sweep(tmp_path, capsys):
    from sim.sweep.store import read_runs

    (tmp_path / "exiting.py").write_text(EXITING_TASK, encoding="utf-8")
    (tmp_path / "exp.toml").write_text(EXPERIMENT, encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code = main(["sweep", str(tmp_path / "exp.toml"), "--out", str(out), "--jobs", jobs, "--quiet"])
        runs = read_runs(out).set_index("run_id")
        assert list(runs["status"]) == ["ok", "failed", "failed"], jobs
        assert runs.loc[2, "error"] == "SystemExit: 3" and runs.loc[1, "error"] == "SystemExit: stop"
        manifest = (out / "manifest.json").read_text(encoding="utf-8")
        assert '"status": "complete"' in manifest
        assert code == 0  # failed runs are recorded, not an error of the sweep (documented in docs/sweeps.md)


def test_set_into_a_section_that_the_file_gives_as_a_list_is_one_line(tmp_path, capsys):
    path = tmp_path / "list.toml"
    path.write_text("decisions = []\n[org]\nteams = 2\n", encoding="utf-8")
    for flag in ("decisions.complexity_gain=1", "levers.clarity=0.5"):
        text = path.read_text(encoding="utf-8").replace("decisions", flag.split(".")[0], 1)
        path.write_text(text, encoding="utf-8")
        assert main(["run", str(path), "--set", flag, "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is [] in the file, not a table of parameters" in err
        assert f"--set {flag.partition('=')[0]}" in err and not (tmp_path / "o").exists()


def test_an_intervention_of_any_name_is_checked_as_an_intervention(tmp_path, capsys):
    # every named intervention shares one event member: its errors name the event, not a stray tag
    path = tmp_path / "iv.toml"
    path.write_text('[org]\nteams = 2\n[[events]]\ntype = "coaching"\nstep = 3\nvalue = 7\n', encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "field events[0]: value 7.0 for coaching" in err and ".coaching" not in err
