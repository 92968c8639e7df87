"""Calibration with the model itself: recovery of known values, resume, executors, the output folder.

Recovery: a month of contacts and satisfaction are simulated by the model (a tiny organisation:
4 teams, 120 customers) at a known ``demand.request_rate``, then fitted back with
``people.novice_productivity`` as a second parameter. In a month nobody is hired (hiring takes 45 days), so
novices' productivity has no effect on these KPIs: it must be reported as not identified, not as
a false certainty. Tolerance: the request rate's 90% interval covers the truth in at least 3 of
4 seeds (a calibrated 90% interval misses once in 4 with probability 29%, twice 5%), and the
second parameter is "not identified" in at least 3 of 4. The budget is tiny (12 particles, 3
generations: about 70 simulations of 31 days a seed) so that the test stays small on 2 cores; the engine's
coverage over 20 seeds is tested on a cheap simulator in test_calibrate_abc.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate import study
from sim.calibrate.mapping import DEFAULT_MAP
from sim.calibrate.synthetic import synthetic_history
from sim.cli import main
from sim.inputs.scenarios import load_scenario
from sim.report.calibration import FILES

TINY = ["org.teams=4", "org.divisions=2", "org.depth=1", "org.customers_per_front_team=60"]
FITS = ["demand.request_rate=0.02:0.15", "people.novice_productivity=0:1"]
KPIS = [DEFAULT_MAP["contacts"], DEFAULT_MAP["satisfaction"]]


def history(tmp_path: Path, rate: float, seed: int) -> Path:
    sc = load_scenario("baseline", TINY)
    path = tmp_path / f"history-{seed}.csv"
    path.write_text(synthetic_history(sc.params, sc.graph, {"demand.request_rate": rate}, KPIS, 1, seed + 500),
                    encoding="utf-8")
    return path


def calibrate(tmp_path: Path, data: Path, seed: int, jobs: int, population: int, generations: int,
              out: str = "cal") -> study.Calibration:
    p = study.plan("baseline", data, FITS, tmp_path / out, overrides=TINY, seed=seed, population=population,
                   generations=generations, jobs=jobs)
    return study.execute(p, predictive=4)


def test_known_values_are_recovered_and_an_inert_parameter_is_not_identified(tmp_path):
    truths = [0.05, 0.08, 0.11, 0.07]
    covered = inert = 0
    for seed, rate in enumerate(truths):
        cal = calibrate(tmp_path, history(tmp_path, rate, seed), seed, 2, 12, 3, out=f"cal{seed}")
        table = cal.intervals().set_index("parameter")
        row = table.loc["demand.request_rate"]
        covered += bool(row.ci90_low <= rate <= row.ci90_high)
        inert += table.loc["people.novice_productivity", "verdict"].startswith("not identified")
        assert row.verdict != "not identified (posterior ~ prior)"
    assert covered >= 3 and inert >= 3, (covered, inert)


def test_a_killed_calibration_resumes_with_the_same_result_on_any_executor(tmp_path, capsys):
    data = history(tmp_path, 0.08, 7)
    first = calibrate(tmp_path, data, 7, 2, 6, 2)  # two worker processes; "killed" before writing
    assert first.simulations_run > 0 and (tmp_path / ".cal.calibrate-store").is_dir()
    out = tmp_path / "cal"
    args = ["calibrate", "baseline", *[a for s in TINY for a in ("--set", s)], "--data", str(data),
            *[a for f in FITS for a in ("--fit", f)], "--out", str(out), "--seed", "7", "--population", "6",
            "--generations", "2", "--predictive", "4", "--jobs", "1"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "resuming" in err
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert '"simulations_run": 0' in manifest  # every simulation came from the store
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "simulations"])
    assert not (tmp_path / ".cal.calibrate-store").exists()
    import pandas as pd

    post = pd.read_parquet(out / "posterior.parquet")
    last = post[post["generation"] == post["generation"].max()]
    assert np.array_equal(last[["demand.request_rate", "people.novice_productivity"]].to_numpy(),
                          first.fit.posterior.theta)
    # the calibrated scenario is a scenario: `alignsim run` loads and runs it
    calibrated = tomllib.loads((out / "calibrated.toml").read_text(encoding="utf-8"))
    median = first.intervals().set_index("parameter").loc["demand.request_rate", "median"]
    assert calibrated["demand"]["request_rate"] == pytest.approx(median)
    assert main(["run", str(out / "calibrated.toml"), "--steps", "3", "--out", str(tmp_path / "run"), "-q"]) == 0
