"""The results store: the same data whatever the executor, failures kept, resume after a kill."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest
from kill_util import kill_after_first_part, parts
from test_sweep_helpers import HERE, assert_same_store, callable_experiment, tables, tiny_core_experiment

from sim.errors import InputError
from sim.sweep.designs import run_seed
from sim.sweep.experiment import load_experiment
from sim.sweep.replay import replay
from sim.sweep.runner import Flush, locked, run_sweep
from sim.sweep.store import METRICS, RUNS, read_manifest, read_metrics, read_runs
from sim.sweep.tasks import RunSpec, TaskSpec, run_one


@pytest.fixture(scope="module")
def core_local(tmp_path_factory):
    """A tiny CORE sweep on one local process: (experiment file, store)."""
    folder = tmp_path_factory.mktemp("core")
    path = tiny_core_experiment(folder / "tiny.toml")
    run_sweep(load_experiment(path), folder / "one", jobs=1)
    return path, folder / "one"


def test_core_store_has_the_runs_their_seeds_and_the_outputs(core_local):
    _, out = core_local
    runs, metrics = tables(out)
    assert runs["run_id"].tolist() == list(range(6))
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert runs["point"].tolist() == [0, 0, 1, 1, 2, 2] and runs["replicate"].tolist() == [0, 1] * 3
    assert runs["seed"].tolist() == [run_seed(5, i)[0] for i in range(6)]
    assert runs["spawn_key"].tolist() == [json.dumps([1, i]) for i in range(6)]
    assert set(runs.columns) >= {"levers.clarity", "levers.empathy@Division B", "org.customers_per_front_team"}
    assert str(runs["org.customers_per_front_team"].dtype) == "int64"
    scalar = metrics[metrics["stat"] != "series"]
    assert sorted(set(zip(scalar["output"], scalar["stat"], strict=True))) == [
        ("friction_index", "mean"), ("retention", "final"), ("satisfaction", "final")]
    series = metrics[metrics["stat"] == "series"]
    assert len(series) == 6 * 16 and series["step_from"].max() == 15
    final = scalar[scalar["output"] == "satisfaction"]["value"]
    assert final.nunique() > 1  # the design and the seeds matter
    info = read_manifest(out)
    assert info["status"] == "complete" and info["root_seed"] == 5 and info["runs"] == 6
    for package in ("python", "mesa", "numpy", "networkx", "alignsim", "salib"):
        assert info["versions"][package], package
    assert "git_revision" in info and info["design"]["kind"] == "lhs"
    assert info["sessions"][0]["executor"]["kind"] == "processes" and info["started"] and info["finished"]


def test_a_core_run_replays_alone_with_the_same_outputs(core_local):
    _, out = core_local
    metrics = read_metrics(out)
    for run_id in (0, 5):
        result = replay(out, run_id)
        stored = metrics[(metrics["run_id"] == run_id) & (metrics["stat"] == "series")]["value"].tolist()
        assert result.series["friction_index"].tolist() == stored
        final = metrics[(metrics["run_id"] == run_id) & (metrics["output"] == "satisfaction")]["value"].item()
        assert result.series["satisfaction"].iloc[-1] == final
    with pytest.raises(InputError, match="run 99"):
        replay(out, 99)


def test_two_processes_and_dask_give_the_identical_store(core_local, tmp_path):
    distributed = pytest.importorskip("distributed")
    path, one = core_local
    experiment = load_experiment(path)
    run_sweep(experiment, tmp_path / "two", jobs=2, chunk=2)
    assert_same_store(one, tmp_path / "two")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        summary = run_sweep(experiment, tmp_path / "dask", dask=client)
    assert summary.executor.startswith("dask")
    assert read_manifest(tmp_path / "dask")["executor"]["kind"] == "dask"
    assert_same_store(one, tmp_path / "dask")


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    path = callable_experiment(tmp_path / "flaky.toml", "flaky", samples=20, replicates=2)
    summary = run_sweep(load_experiment(path), tmp_path / "out", jobs=2)
    runs = read_runs(tmp_path / "out")
    bad = runs["x1"] > 0.5
    assert 0 < bad.sum() < len(runs) == 40
    assert (runs.loc[bad, "status"] == "failed").all() and (runs.loc[~bad, "status"] == "ok").all()
    assert runs.loc[bad, "error"].str.match(r"ValueError: x1 = 0\.\d{3} is too large").all()
    assert (summary.ok, summary.failed) == ((~bad).sum(), bad.sum())
    metrics = read_metrics(tmp_path / "out")
    assert sorted(metrics["run_id"]) == sorted(runs.loc[~bad, "run_id"])
    assert read_manifest(tmp_path / "out")["status"] == "complete"


def test_a_task_returning_the_wrong_type_fails_that_run():
    task = TaskSpec("callable", f"{HERE}:not_a_dict", ("x1", "x2")).with_token()
    outcome = run_one(task, RunSpec(0, 0, 0, 1, (1, 0), (0.1, 0.2)))
    assert outcome.status == "failed" and outcome.metrics == []
    assert outcome.error == "TypeError: the task returned float; expected dict[str, float]"


def test_resume_after_sigkill_gives_the_uninterrupted_dataset(tmp_path):
    path = callable_experiment(tmp_path / "slow.toml", "seeded", samples=300, replicates=2)
    out = tmp_path / "killed"
    kill_after_first_part(["sweep", str(path), "--out", str(out), "--jobs", "2", "--quiet"], out, tmp_path,
                          {"ALIGNSIM_TEST_DELAY": "0.02"})
    done = len(read_runs(out))
    assert 0 < done < 600, done
    assert read_manifest(out)["status"] == "running"  # it never got to say otherwise
    summary = run_sweep(load_experiment(path), out, jobs=2, chunk=25, resume=True)
    assert (summary.skipped, summary.done) == (done, 600 - done)
    reference = tmp_path / "reference"
    run_sweep(load_experiment(path), reference, jobs=1, chunk=100)
    runs, metrics = tables(out)
    assert runs["run_id"].tolist() == list(range(600))  # none missing, none twice
    assert not metrics.duplicated(["run_id", "output"]).any()
    assert_same_store(reference, out)
    sessions = read_manifest(out)["sessions"]
    assert [s["skipped"] for s in sessions] == [0, done] and sessions[-1]["status"] == "complete"


def test_resume_cleans_a_batch_killed_between_its_two_renames(tmp_path):
    path = callable_experiment(tmp_path / "e.toml", "seeded", samples=40, replicates=1)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, jobs=1, chunk=10, flush=Flush(runs=10, seconds=3600))
    assert parts(out) == 4
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    # a kill after the metrics part was renamed but before the runs part was: an orphan metrics
    # part, and a temporary file left half-written
    last = sorted((out / RUNS).iterdir())[-1]
    lost = pq.read_table(last).num_rows
    last.unlink()
    (out / METRICS / ".part-999999.parquet.tmp-1").write_bytes(b"half")
    assert len(read_runs(out)) == 40 - lost
    assert set(read_metrics(out)["run_id"]) == set(read_runs(out)["run_id"])  # readers ignore the orphan
    summary = run_sweep(load_experiment(path), out, jobs=1, resume=True)
    assert lost == 10 and (summary.skipped, summary.done) == (30, 10)
    assert not [p for p in (out / METRICS).iterdir() if p.name.startswith(".")]
    assert_same_store(reference, out)


def test_resume_needs_the_same_experiment_and_the_flag(tmp_path):
    path = callable_experiment(tmp_path / "e.toml", "seeded", samples=4, replicates=1)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, jobs=1)
    before = sorted(p.name for p in out.rglob("*"))
    with pytest.raises(InputError, match="pass --resume"):
        run_sweep(load_experiment(path), out, jobs=1)
    other = callable_experiment(tmp_path / "other.toml", "seeded", samples=4, replicates=1, seed=12)
    with pytest.raises(InputError, match="different experiment"):
        run_sweep(load_experiment(other), out, jobs=1, resume=True)
    assert sorted(p.name for p in out.rglob("*")) == before
    with locked(out), pytest.raises(InputError, match="another alignsim sweep is writing"):
        run_sweep(load_experiment(path), out, jobs=1, resume=True)  # two sweeps never share a store
    summary = run_sweep(load_experiment(path), out, jobs=1, resume=True)  # complete: nothing to do
    assert (summary.skipped, summary.done) == (4, 0)


def test_sigterm_keeps_what_finished_and_leaves_no_worker_running(tmp_path):
    """A SIGTERM (a batch scheduler's, or `kill`) reaches only the coordinator: it must take Ctrl-C's
    path (finished runs kept, manifest says interrupted, exit 130) and stop its workers."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from kill_util import ROOT

    path = callable_experiment(tmp_path / "slow.toml", "seeded", samples=300, replicates=2)
    out = tmp_path / "termed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ALIGNSIM_TEST_DELAY": "0.05"}
    log = tmp_path / "stderr.txt"  # a file, not a pipe: orphaned workers would keep a pipe open
    with log.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--jobs", "2",
                                 "--quiet"], cwd=tmp_path, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 120
    while parts(out) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep ended before it could be terminated"
    proc.send_signal(signal.SIGTERM)  # the coordinator only, not its process group
    code = proc.wait(timeout=60)
    err = log.read_text()
    assert code == 130 and "interrupted" in err and "Traceback" not in err, (code, err)
    for _ in range(100):  # workers are terminated, not left to finish their chunks
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("worker processes were still running 5 s after the coordinator exited")
    done = len(read_runs(out))
    assert 0 < done < 600 and read_manifest(out)["status"] == "interrupted"
