"""`alignsim compare` on the engine: Dask gives the dataset local processes give, a comparison
killed without warning (SIGKILL) resumes to the dataset of an uninterrupted one, --resume refuses
other inputs, and `alignsim analyze` reads a comparison's store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from kill_util import kill_after_first_part

from sim.cli import main
from sim.compare import store
from sim.compare.runner import PER_RUN_TABLES
from sim.errors import InputError
from sim.runner.store import TIMING_COLUMNS, read_metrics, read_run_table

TINY = """
name = "tiny"
steps = 30
[org]
teams = 4
divisions = 2
customers_per_front_team = 8
[[events]]
type = "shock"
step = 6
duration = 8
pressure = 1.0
"""


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    (folder / "tiny-clear.toml").write_text(TINY.replace('"tiny"', '"tiny-clear"') + "[levers]\nclarity = 0.9\n",
                                            encoding="utf-8")
    return [str(folder / "tiny.toml"), str(folder / "tiny-clear.toml")]


def dataset(out: Path) -> dict[str, pd.DataFrame]:
    """Everything a comparison stored, less what varies by nature (timings, worker names)."""
    runs = store.completed_runs(out).drop(columns=list(TIMING_COLUMNS))
    found = {"runs": runs, "metrics": read_metrics(out)}
    found.update({name: read_run_table(out, name) for name in PER_RUN_TABLES})
    return found


def assert_same_dataset(a: Path, b: Path, reports: bool = True) -> None:
    left, right = dataset(a), dataset(b)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)
    for table in () if not reports else ("kpis.csv", "kpi_replicates.csv", "leverage.csv", "attribution_causes.csv"):
        assert (a / table).read_bytes() == (b / table).read_bytes(), table


def compare(scenarios: list[str], out: Path, *flags: str) -> int:
    return main(["compare", *scenarios, "--replicates", "3", "--seed", "5", "--leverage-replicates", "1",
                 "--out", str(out), "--quiet", *flags])


def test_dask_gives_the_dataset_of_local_processes(scenarios, tmp_path, capsys):
    assert compare(scenarios, tmp_path / "local", "--jobs", "2") == 0
    assert compare(scenarios, tmp_path / "dask", "--dask", "local", "--jobs", "2") == 0
    info = store.read_manifest(tmp_path / "dask")
    assert info["executor"]["kind"] == "dask" and info["executor"]["workers"] == 2
    assert store.read_manifest(tmp_path / "local")["executor"]["kind"] == "processes"
    assert_same_dataset(tmp_path / "local", tmp_path / "dask")
    assert compare(scenarios, tmp_path / "one", "--jobs", "1") == 0  # in this process
    assert_same_dataset(tmp_path / "local", tmp_path / "one")


def test_analyze_reads_a_comparison(scenarios, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert compare(scenarios, out, "--jobs", "1") == 0
    assert main(["analyze", str(out)]) == 0
    assert "compare design, 10 points x 3 replicates; 14 of 14 runs complete" in capsys.readouterr().out
    points = pd.read_csv(out / "analysis" / "points.csv")
    assert points["scenario"].tolist()[:2] == ["tiny", "tiny-clear"] and len(points) == 10
    assert points["kind"].tolist() == ["scenario"] * 2 + ["leverage"] * 8
    saved = store.load(out)
    a, b = saved.window
    series = saved.series[(saved.series["step"] >= a) & (saved.series["step"] <= b)]
    expected = series.groupby("scenario", sort=False).apply(
        lambda g: g.groupby("replicate")["friction_index"].mean().mean(), include_groups=False)
    assert points.loc[:1, "friction_index.mean:mean"].tolist() == pytest.approx(expected.tolist(), rel=1e-12)
    assert points.loc[2:, "friction_index.mean:n"].eq(1).all()
    assert main(["report", str(out)]) == 0 and (out / "analysis" / "points.csv").is_file()  # kept


def test_resume_after_sigkill_gives_the_uninterrupted_dataset(scenarios, tmp_path, capsys):
    args = [*scenarios, "--replicates", "20", "--leverage-replicates", "3", "--seed", "3"]
    total = 2 * 20 + 8 * 3
    out = tmp_path / "killed"
    kill_after_first_part(["compare", *args, "--out", str(out), "--jobs", "1", "--quiet"], out, tmp_path)
    done = len(store.completed_runs(out))
    assert 0 < done < total, done
    assert store.read_manifest(out)["status"] == "running"
    assert not (out / "report.html").exists()
    with pytest.raises(Exception, match="incomplete"):
        store.load(out)
    assert main(["compare", *args, "--out", str(out), "--jobs", "2", "--quiet", "--resume"]) == 0
    sessions = store.read_manifest(out)["sessions"]
    assert [s["skipped"] for s in sessions] == [0, done] and sessions[-1]["ok"] == total - done
    from sim.compare import study

    reference = tmp_path / "reference"
    study.run_plan(study.plan(scenarios, replicates=20, seed=3, leverage_replicates=3, jobs=1, out=reference))
    runs = store.completed_runs(out)
    assert runs["run_id"].tolist() == list(range(total))  # none missing, none twice
    assert_same_dataset(reference, out, reports=False)  # the report is built from the dataset alone


def test_resume_needs_a_comparison_of_the_same_inputs(scenarios, tmp_path, capsys):
    out = tmp_path / "out"
    assert compare(scenarios, out, "--jobs", "1", "--no-leverage") == 0
    capsys.readouterr()
    assert compare(scenarios, out, "--jobs", "1", "--no-leverage", "--replicates", "2", "--resume") == 2
    assert "holds a comparison of other inputs" in capsys.readouterr().err
    assert compare(scenarios, tmp_path / "none", "--jobs", "1", "--resume") == 2
    assert "holds no comparison to resume" in capsys.readouterr().err
    assert compare(scenarios, out, "--jobs", "1", "--no-leverage", "--resume") == 0  # complete: nothing to run
    assert store.read_manifest(out)["sessions"][-1]["skipped"] == 6
    from sim.runner.loop import locked

    with locked(out, "alignsim compare"):  # never replaced (nor resumed) while another writes to it
        assert compare(scenarios, out, "--jobs", "1", "--no-leverage", "--replicates", "2", "--force") == 2
        assert "another alignsim compare is writing" in capsys.readouterr().err
    assert compare(scenarios, out, "--jobs", "1", "--no-leverage", "--replicates", "2") == 2  # kept without --force
    assert "pass --force to replace it" in capsys.readouterr().err
    assert compare(scenarios, out, "--jobs", "1", "--no-leverage", "--replicates", "2", "--force") == 0  # replaced
    assert len(store.completed_runs(out)) == 4


def test_resume_cleans_parts_cut_off_between_their_renames(scenarios, tmp_path):
    from sim.compare import study
    from sim.runner.loop import Flush

    p = study.plan(scenarios, replicates=3, seed=5, jobs=1, leverage=False, out=tmp_path / "out")
    study.run_plan(p, flush=Flush(runs=2, seconds=3600))
    reference = tmp_path / "reference"
    shutil.copytree(p.out, reference)
    last = sorted((p.out / "runs").iterdir())[-1]
    last.unlink()  # killed after the metrics and table parts were renamed, before the runs part
    (p.out / "tables" / "series" / ".part-999999.parquet.tmp-1").write_bytes(b"half")
    assert len(store.completed_runs(p.out)) == 4
    with pytest.raises(InputError, match="incomplete: 4 of 6 runs"):
        store.load(p.out)
    summary = study.run_plan(p, resume=True)
    assert (summary.skipped, summary.done) == (4, 2)
    assert not list((p.out / "tables").rglob(".*"))
    for name, table in dataset(reference).items():
        pd.testing.assert_frame_equal(table, dataset(p.out)[name], obj=name)


def test_report_reads_a_comparison_written_before_the_engine(scenarios, tmp_path, capsys):
    out = tmp_path / "old"
    assert compare(scenarios, out, "--jobs", "1") == 0
    before = {t: (out / t).read_bytes() for t in ("kpis.csv", "leverage.csv", "attribution_causes.csv")}
    saved = store.load(out)
    (out / "data").mkdir()
    for name in ("series", "units", "provenance", "leverage"):
        getattr(saved, name).to_parquet(out / "data" / f"{name}.parquet", index=False)
    for name in ("runs", "metrics", "tables", *before):
        path = out / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    info = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps({**info, "format": "alignsim-compare/1"}), encoding="utf-8")
    assert main(["report", str(out)]) == 0
    assert {t: (out / t).read_bytes() for t in before} == before
