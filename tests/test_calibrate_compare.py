"""``alignsim compare --posterior DIR``: replicates run over posterior draws as well as seeds, and the
report says which of the two dominates each interval."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.calibrate.posterior import decompose, load_draws, parameter_share
from sim.cli import main
from sim.inputs.scenarios import load_scenario
from sim.report.calibration import FORMAT

SCENARIO = """name = "{name}"
steps = 10
[org]
teams = 4
divisions = 2
depth = 1
customers_per_front_team = 40
[demand]
request_rate = {rate}
[levers]
clarity = {clarity}
[pressure]
baseline = {pressure}
"""


def fake_calibration(folder, rates, weights):
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    pd.DataFrame({"generation": 1, "particle": range(len(rates)), "weight": weights, "distance": 0.1,
                  "demand.request_rate": rates, "levers.clarity": 0.5}).to_parquet(folder / "posterior.parquet")
    return folder


def test_draws_are_resampled_by_weight_from_the_root_seed_and_a_what_if_keeps_its_own_value(tmp_path):
    cal = fake_calibration(tmp_path / "cal", [0.03, 0.12, 0.2], [0.0, 0.25, 0.75])
    for name, rate, clarity in (("a", 0.06, 0.5), ("b", 0.06, 0.9)):
        text = SCENARIO.format(name=name, rate=rate, clarity=clarity, pressure=0.2)
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    scenarios = [(n, load_scenario(tmp_path / f"{n}.toml")) for n in ("a", "b")]
    draws = load_draws(cal, 400, 7, scenarios)
    rates = np.array([r[0] for r in draws.rows])
    assert 0.03 not in rates and abs((rates == 0.2).mean() - 0.75) < 0.06
    assert draws.rows == load_draws(cal, 400, 7, scenarios).rows != load_draws(cal, 400, 8, scenarios).rows
    assert draws.keep == {"a": (), "b": ("levers.clarity",)}
    b = draws.apply(scenarios[1][1].params, 3, "b")
    assert b.levers.clarity == 0.9 and b.demand.request_rate == draws.rows[3][0]
    assert draws.apply(scenarios[0][1].params, 3, "a").levers.clarity == 0.5


def test_decomposition_tells_parameter_from_chance():
    rng = np.random.default_rng(1)
    theta = rng.uniform(0, 1, (40, 1))
    by_param = 10 * theta[:, 0] + rng.normal(0, 0.5, 40)
    by_chance = rng.normal(0, 1, 40)
    assert parameter_share(by_param, theta) > 0.9 and parameter_share(by_chance, theta) < 0.2
    assert np.isnan(parameter_share(by_param[:3], theta[:3]))  # too few replicates
    values = pd.DataFrame({"scenario": ["a"] * 40 + ["b"] * 40, "replicate": list(range(40)) * 2,
                           "x": np.r_[by_chance, by_chance + by_param]})
    table = decompose(values, ["a", "b"], ["x"], {"draws": theta.tolist()}).set_index("scenario")
    assert table.loc["a", "dominant"] == "stochastic variation dominates"
    assert table.loc["b", "dominant"] == "parameter uncertainty dominates"  # the difference follows the draw
    assert table.loc["b", "of"] == "difference from a"


@pytest.mark.parametrize("bad", ["missing", "not-a-calibration"])
def test_a_folder_that_is_not_a_calibration_is_one_line(tmp_path, capsys, bad):
    (tmp_path / "a.toml").write_text(SCENARIO.format(name="a", rate=0.06, clarity=0.5, pressure=0.2), encoding="utf-8")
    if bad == "not-a-calibration":
        (tmp_path / bad).mkdir()
    code = main(["compare", str(tmp_path / "a.toml"), str(tmp_path / "a.toml"), "--posterior", str(tmp_path / bad),
                 "--out", str(tmp_path / "cmp"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and f"--posterior {tmp_path / bad}: not an `alignsim calibrate` output folder" in err
    assert not (tmp_path / "cmp").exists()


def test_compare_over_posterior_draws_reports_what_dominates(tmp_path, capsys):
    cal = fake_calibration(tmp_path / "cal", [0.02, 0.2], [0.5, 0.5])  # a wide posterior: volume follows the draw
    for name, pressure in (("a", 0.2), ("b", 1.0)):  # the what-if: more pressure
        text = SCENARIO.format(name=name, rate=0.06, clarity=0.5, pressure=pressure)
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "cmp"
    assert main(["compare", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--posterior", str(cal), "-n", "8",
                 "--no-leverage", "--jobs", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "UNCERTAINTY" in printed and "posterior draws of demand.request_rate" in printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rates = [row[0] for row in manifest["posterior"]["draws"]]
    table = pd.read_csv(out / "uncertainty.csv")
    assert set(rates) == {0.02, 0.2}
    waiting = table.set_index(["scenario", "kpi"]).loc[("a", "customers_waiting")]
    assert waiting["dominant"] == "parameter uncertainty dominates"  # a tenfold request rate shows
    assert (table["of"] == "difference from a").sum() == (table["scenario"] == "b").sum() > 0
    assert "Parameter or chance" in (out / "report.html").read_text(encoding="utf-8")
    # the report rebuilt from the saved runs gives the same table
    assert main(["report", str(out)]) == 0
    assert pd.read_csv(out / "uncertainty.csv").equals(table)


@pytest.mark.parametrize("posterior", [False, True])
def test_the_summary_says_what_its_intervals_reflect(posterior):
    from types import SimpleNamespace

    from sim.report.compare_summary import certainty

    manifest = {"replicates": 10, **({"posterior": {"draws": 10}} if posterior else {})}
    kpis = pd.DataFrame({"scenario": ["a", "b"], "clear": [False, True]})
    text = certainty(SimpleNamespace(saved=SimpleNamespace(manifest=manifest, scenarios=["a", "b"]), kpi_table=kpis))
    assert ("run-to-run chance only" in text) is not posterior
    assert ("uncertainty of the fitted parameters" in text) is posterior
