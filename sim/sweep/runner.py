"""The sweep loop: plan the runs, skip the complete ones, keep the executor busy, store results.

Each task is a chunk of runs (one by default) of :func:`sim.sweep.tasks.run_chunk`. Only a
bounded window of tasks is in flight at any time and finished runs are committed in small
parts, so the coordinator's memory does not grow with the number of runs. Runs are identified
by ``run_id`` (design point x replicates + replicate) and their seeds depend on nothing else, so
the store's contents do not depend on the executor, the number of workers, the chunk size or
the order in which runs finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.runner.outputs import _versions, git_revision
from sim.sweep import designs
from sim.sweep.executors import Pool, open_pool
from sim.sweep.experiment import Experiment
from sim.sweep.store import (
    DESIGN,
    EXPERIMENT_COPY,
    FORMAT,
    LOCK,
    MANIFEST,
    Store,
    design_table,
    read_manifest,
    write_json,
    write_table,
)
from sim.sweep.tasks import RunSpec, run_chunk

EXTRA_PACKAGES = ("salib", "scipy", "dask", "distributed")


class SweepAborted(Exception):
    """The executor failed (a worker died, the scheduler went away); complete runs are saved."""


@dataclass
class Summary:
    out: Path
    total: int
    skipped: int  # complete before this session (resume)
    ok: int = 0
    failed: int = 0
    wall_s: float = 0.0
    executor: str = ""
    status: str = "running"
    errors: dict[str, int] = field(default_factory=dict)  # first line of each error -> count

    @property
    def done(self) -> int:
        return self.ok + self.failed


Progress = Callable[[Summary], None]


def versions() -> dict[str, str | None]:
    found = _versions()
    for name in EXTRA_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def manifest(experiment: Experiment, points: np.ndarray, fingerprint: str) -> dict[str, Any]:
    spec = experiment.spec
    design = spec.design.model_dump(mode="json")
    design.update(points=len(points), replicates=spec.replicates, parameters=[
        {"name": n, "low": b[0], "high": b[1], "integer": i, "levels": lv or None}
        for n, b, i, lv in zip(experiment.names, experiment.bounds, experiment.integer, experiment.levels,
                               strict=True)])
    return {
        "format": FORMAT,
        "experiment": {"name": experiment.name, "source": str(experiment.source), "description": spec.description,
                       "task": spec.task, "spec": spec.model_dump(mode="json")},
        "fingerprint": fingerprint,
        "design": design,
        "runs": len(points) * spec.replicates,
        "root_seed": spec.seed,
        "seeds": "run i: numpy SeedSequence(root_seed, spawn_key=(1, i)), i.e. SeedSequence(root_seed).spawn(2)[1]"
                 ".spawn(runs)[i]; its first 64-bit word shifted right by one is the run's seed",
        "core": experiment.base if spec.task == "core" else None,
        "versions": versions(),
        "git_revision": git_revision(Path(__file__).resolve().parent),
        "started": _now(),
        "finished": None,
        "status": "running",
        "sessions": [],
    }


# -- the output directory -----------------------------------------------------------------------
def check_out(out: Path, fingerprint: str, resume: bool) -> dict[str, Any] | None:
    """The manifest of the sweep to resume in ``out`` (None: start afresh); InputError if neither."""
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise InputError(str(out), "exists and is not a directory; choose another --out")
        info = read_manifest(out)
        if info is None:
            if any(out.iterdir()):
                raise InputError(str(out), "exists and holds files that are not a sweep; choose another --out")
            return None
        if info.get("fingerprint") != fingerprint:
            raise InputError(str(out), "holds a sweep of a different experiment (its parameters, design, seed, "
                             "base scenario or outputs differ); choose another --out")
        if not resume:
            raise InputError(str(out), "holds this sweep already; pass --resume to finish it, or choose "
                             "another --out")
        return info
    for parent in out.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(str(out), f"{parent} is not a directory")
    return None


def _create(out: Path, experiment: Experiment, points: np.ndarray, info: dict[str, Any]) -> None:
    """Create the sweep directory atomically: manifest, design and experiment copy, then rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        write_table(design_table(experiment.names, experiment.integer, points), tmp / DESIGN)
        shutil.copyfile(experiment.source, tmp / EXPERIMENT_COPY)
        write_json(info, tmp / MANIFEST)
        if out.is_dir():  # empty: checked before
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the sweep directory (released by the OS if the process dies)."""
    import fcntl

    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(str(out), "another alignsim sweep is writing to it; wait for it to end or choose "
                             "another --out") from None
        yield
    finally:
        os.close(fd)


# -- the loop -----------------------------------------------------------------------------------------
def _plan(experiment: Experiment, points: np.ndarray, done: set[int], chunk: int) -> Iterator[list[RunSpec]]:
    reps, root = experiment.spec.replicates, experiment.spec.seed
    batch: list[RunSpec] = []
    for run_id in range(len(points) * reps):
        if run_id in done:
            continue
        point, replicate = divmod(run_id, reps)
        seed, key = designs.run_seed(root, run_id)
        batch.append(RunSpec(run_id, point, replicate, seed, key,
                             designs.point_values(points, experiment.integer, point)))
        if len(batch) == chunk:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Flush:
    runs: int = 256  # runs per part, at most
    metrics: int = 200_000  # metric rows per part, at most
    seconds: float = 2.0  # longest wait before finished runs are committed

    def due(self, store: Store, last: float) -> bool:
        return store.buffered >= self.runs or store.buffered_metrics >= self.metrics or (
            store.buffered > 0 and time.monotonic() - last >= self.seconds)


def _drive(pool: Pool, experiment: Experiment, plan: Iterator[list[RunSpec]], store: Store, summary: Summary,
           flush: Flush, progress: Progress | None) -> None:
    window = max(2 * pool.workers, 4)
    pending: dict[cf.Future, list[RunSpec]] = {}
    last_flush = time.monotonic()
    start = time.perf_counter()
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < window:
                runs = next(plan, None)
                if runs is None:
                    exhausted = True
                    break
                pending[pool.executor.submit(run_chunk, experiment.task, runs)] = runs
            if not pending:
                break
            finished, _ = cf.wait(list(pending), timeout=max(flush.seconds, 0.05), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                runs = pending.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:
                    raise SweepAborted(f"the executor failed ({type(exc).__name__}: {exc}); complete runs are "
                                       "saved: run the same command with --resume to finish") from None
                for run, outcome in zip(runs, outcomes, strict=True):
                    store.add(run, outcome)
                    if outcome.status == "ok":
                        summary.ok += 1
                    else:
                        summary.failed += 1
                        summary.errors[outcome.error or ""] = summary.errors.get(outcome.error or "", 0) + 1
                    if flush.due(store, last_flush):
                        store.flush()
                        last_flush = time.monotonic()
            if flush.due(store, last_flush):
                store.flush()
                last_flush = time.monotonic()
            summary.wall_s = time.perf_counter() - start
            if progress is not None and finished:
                progress(summary)
    finally:
        for future in pending:
            future.cancel()
        store.flush()  # every run that finished is kept, whatever happened
        summary.wall_s = time.perf_counter() - start


def run_sweep(experiment: Experiment, out: str | Path, *, jobs: int | None = None, dask: Any = None,
              resume: bool = False, chunk: int = 1, flush: Flush | None = None,
              progress: Progress | None = None, on_start: Callable[[Summary], None] | None = None) -> Summary:
    """Run (or resume) the sweep of ``experiment`` into ``out``; return what happened.

    Everything is checked before anything is written: the experiment (already loaded), the design,
    the output directory and the executor. Raises InputError for bad input, SweepAborted when the
    executor fails, KeyboardInterrupt when interrupted; complete runs are always kept.
    """
    if chunk < 1:
        raise InputError("--chunk", f"value {chunk} is not allowed: must be >= 1")
    out = Path(out)
    points = designs.generate(experiment)
    fingerprint = experiment.fingerprint(np.ascontiguousarray(points).tobytes())
    info = check_out(out, fingerprint, resume)
    with open_pool(jobs, dask) as pool:
        if info is None:
            info = manifest(experiment, points, fingerprint)
            _create(out, experiment, points, info)
        with locked(out):
            return _session(pool, experiment, points, out, info, chunk, flush, progress, on_start)


def _session(pool: Pool, experiment: Experiment, points: np.ndarray, out: Path, info: dict[str, Any], chunk: int,
             flush: Flush | None, progress: Progress | None, on_start: Callable[[Summary], None] | None) -> Summary:
    """One session of a sweep, with the directory locked: skip the complete runs, run the rest."""
    store = Store(out, experiment.names, experiment.integer)
    store.prepare()
    done = store.completed()
    summary = Summary(out=out, total=len(points) * experiment.spec.replicates, skipped=len(done),
                      executor=pool.description)
    session = {"started": _now(), "finished": None, "executor": pool.info(), "skipped": len(done)}
    info["sessions"].append(session)
    info["status"] = "running"
    write_json(info, out / MANIFEST)
    if on_start is not None:
        on_start(summary)
    try:
        _drive(pool, experiment, _plan(experiment, points, done, chunk), store, summary, flush or Flush(),
               progress)
        summary.status = "complete"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except SweepAborted:
        summary.status = "aborted"
        raise
    finally:
        session.update(finished=_now(), status=summary.status, ok=summary.ok, failed=summary.failed,
                       wall_s=round(summary.wall_s, 3))
        info.update(finished=session["finished"], status=summary.status, executor=pool.info())
        write_json(info, out / MANIFEST)
    return summary


def stored_manifest(out: Path) -> dict[str, Any]:
    info = read_manifest(out)
    if info is None:
        raise InputError(str(out), "is not a sweep's output directory (no alignsim sweep manifest.json)")
    return info
