"""End to end through the CLI: sweep the bundled smoke experiment, analyse it, run it on Dask."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest
from test_sweep_helpers import assert_same_store, callable_experiment

from sim.cli import main
from sim.sweep.store import read_manifest, read_runs

SMOKE = Path(__file__).resolve().parent.parent / "experiments" / "smoke.toml"
EXPERIMENTS = sorted(SMOKE.parent.rglob("*.toml"))  # with experiments/context-sobol/


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """``alignsim sweep experiments/smoke.toml`` into a fresh directory: (out, stdout, stderr)."""
    out = tmp_path_factory.mktemp("smoke") / "out"
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        code = main(["sweep", str(SMOKE), "--out", str(out)])
    assert code == 0, errors.getvalue()
    return out, printed.getvalue(), errors.getvalue()


def test_bundled_experiments_load():
    from sim.sweep.experiment import design_size, load_experiment

    names = {p.stem for p in EXPERIMENTS}
    contexts = {"calm-flat", "calm-deep", "shock-flat", "shock-deep"}
    assert {"smoke", "core-sobol", "resilience-ownership-grid", "lever-dose-response"} | contexts <= names
    sizes = {}
    for path in EXPERIMENTS:
        exp = load_experiment(path)
        sizes[path.stem] = design_size(exp.spec, exp.levels) * exp.spec.replicates
    assert sizes["resilience-ownership-grid"] == 6 * 6 * 3
    assert sizes["core-sobol"] == 128 * (6 + 2)
    assert sizes["smoke"] <= 10
    assert sizes["lever-dose-response"] == 5 * 10  # one lever over five levels, 10 replicates each
    assert all(sizes[name] == 256 * (5 + 2) for name in contexts)


def test_smoke_sweep_prints_progress_and_a_summary(smoke):
    out, printed, errors = smoke
    assert "smoke: 8 runs in" in printed and "8 ok, 0 failed" in printed and "runs/min" in printed
    assert f"store: {out}/ (8 of 8 runs complete)" in printed
    assert "8/8 runs (100%)" in errors and "ETA" in errors
    runs = read_runs(out)
    assert runs["run_id"].tolist() == list(range(8)) and (runs["status"] == "ok").all()
    assert read_manifest(out)["status"] == "complete"


def test_smoke_analyze_writes_tables_and_plots(smoke, capsys):
    out = smoke[0]
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "smoke: lhs design, 4 points x 2 replicates; 8 of 8 runs complete" in printed
    folder = out / "analysis"
    points = pd.read_csv(folder / "points.csv")
    assert len(points) == 4
    assert {"levers.clarity", "levers.resilience@Division A", "friction_index.mean:mean",
            "retention.final:n"} <= set(points.columns)
    assert (points["retention.final:n"] == 2).all()
    for output in ("friction_index.mean", "retention.final", "satisfaction.final", "wait_mean.mean"):
        assert (folder / f"response-{output}.png").stat().st_size > 10_000
    assert main(["analyze", str(out), "--output", "nope"]) == 2
    assert "no such output" in capsys.readouterr().err


def test_smoke_again_needs_resume_and_then_has_nothing_to_do(smoke, capsys):
    out = smoke[0]
    assert main(["sweep", str(SMOKE), "--out", str(out), "--jobs", "1"]) == 2
    assert "pass --resume" in capsys.readouterr().err
    assert main(["sweep", str(SMOKE), "--out", str(out), "--jobs", "1", "--resume", "--quiet"]) == 0
    assert "0 runs in" in capsys.readouterr().out


def test_smoke_on_a_local_dask_cluster_gives_the_identical_store(smoke, tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    assert main(["sweep", str(SMOKE), "--out", str(out), "--dask", "local", "--jobs", "1", "--quiet"]) == 0
    assert "dask LocalCluster" in capsys.readouterr().out
    assert_same_store(smoke[0], out)


def test_grid_analysis_draws_heatmaps_and_morris_ranks_parameters(tmp_path, capsys):
    grid = callable_experiment(tmp_path / "grid.toml", "seeded", kind="grid", replicates=2)
    morris = callable_experiment(tmp_path / "morris.toml", "seeded", kind="morris", samples=20, replicates=1)
    for path in (grid, morris):
        assert main(["sweep", str(path), "--out", str(tmp_path / path.stem), "--jobs", "1", "--quiet"]) == 0
        assert main(["analyze", str(tmp_path / path.stem), "--quiet"]) == 0
    capsys.readouterr()
    assert (tmp_path / "grid" / "analysis" / "heatmap-y.png").stat().st_size > 10_000
    assert (tmp_path / "grid" / "analysis" / "heatmap-noisy.png").is_file()
    table = pd.read_csv(tmp_path / "morris" / "analysis" / "morris.csv").set_index(["output", "parameter"])
    # y = sin(x1) + 7 sin(x2)^2 on [0, 1]: x2 matters far more than x1
    assert table.loc[("y", "x2"), "mu_star"] > 3 * table.loc[("y", "x1"), "mu_star"] > 0
    assert (tmp_path / "morris" / "analysis" / "morris-y.png").is_file()


def test_the_query_examples_in_the_guide_run_on_the_smoke_store(smoke, tmp_path, monkeypatch, capsys):
    """docs/sweeps.md's pandas, DuckDB, polars and replay examples, on the smoke sweep's store."""
    import importlib.util
    import re

    guide = (SMOKE.parent.parent / "docs" / "sweeps.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", guide, re.S) if "out/sweep-smoke" in b]
    assert len(blocks) >= 4
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sweep-smoke").symlink_to(smoke[0])
    monkeypatch.chdir(tmp_path)
    ran = 0
    for block in blocks:
        needs = re.findall(r"^import (duckdb|polars)", block, re.M)
        if any(importlib.util.find_spec(name) is None for name in needs):
            continue  # optional query engines: not installed here
        exec(compile(block, "docs/sweeps.md", "exec"), {})
        ran += 1
    assert ran >= 2 and "friction" in capsys.readouterr().out
