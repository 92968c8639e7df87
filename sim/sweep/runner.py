"""A sweep on the engine: plan its runs, create or resume its store, run a session.

The loop itself (bounded window of tasks in flight, parts committed as runs finish) is the
engine's (:mod:`sim.runner.loop`); run ``i`` is replicate ``i % replicates`` of design point
``i // replicates`` with spawn key ``(1, i)`` (:mod:`sim.runner.seeds`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.runner.executors import Pool, open_pool
from sim.runner.loop import Aborted, Flush, Progress, Summary, locked, now, run_session
from sim.runner.manifest import EXTRA_PACKAGES, check_out_dir, git_revision
from sim.runner.manifest import versions as manifest_versions
from sim.runner.store import create
from sim.sweep import designs
from sim.sweep.experiment import Experiment
from sim.sweep.store import (
    DESIGN,
    EXPERIMENT_COPY,
    FORMAT,
    MANIFEST,
    Store,
    design_table,
    read_manifest,
    runs_schema,
    write_json,
    write_table,
)
from sim.sweep.tasks import RunSpec

__all__ = ["Flush", "Summary", "SweepAborted", "locked", "run_sweep", "stored_manifest", "versions"]

SweepAborted = Aborted  # the executor failed; complete runs are saved


def versions() -> dict[str, str | None]:
    return manifest_versions(EXTRA_PACKAGES)


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
        "started": now(),
        "finished": None,
        "status": "running",
        "sessions": [],
    }


# -- the output directory -----------------------------------------------------------------------
def check_out(out: Path, fingerprint: str, resume: bool) -> dict[str, Any] | None:
    """The manifest of the sweep to resume in ``out`` (None: start afresh); InputError if neither."""
    check_out_dir(out, lambda folder: read_manifest(folder) is not None,
                  "exists and holds files that are not a sweep; choose another --out",
                  not_dir="exists and is not a directory; choose another --out")
    info = read_manifest(out) if out.is_dir() else None
    if info is None:
        return None
    if info.get("fingerprint") != fingerprint:
        raise InputError(str(out), "holds a sweep of a different experiment (its parameters, design, seed, "
                         "base scenario or outputs differ); choose another --out")
    if not resume:
        raise InputError(str(out), "holds this sweep already; pass --resume to finish it, or choose "
                         "another --out")
    return info


def _create(out: Path, experiment: Experiment, points: np.ndarray, info: dict[str, Any]) -> None:
    """Create the sweep directory atomically: manifest, design and experiment copy, then rename."""

    def fill(tmp: Path) -> None:
        write_table(design_table(experiment.names, experiment.integer, points), tmp / DESIGN)
        shutil.copyfile(experiment.source, tmp / EXPERIMENT_COPY)
        write_json(info, tmp / MANIFEST)

    create(out, fill)


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
    store = Store(out, runs_schema(experiment.names, experiment.integer))
    return run_session(pool, out, info, store, experiment.task, len(points) * experiment.spec.replicates,
                       lambda done: _plan(experiment, points, done, chunk), flush=flush, progress=progress,
                       on_start=on_start)


def stored_manifest(out: Path) -> dict[str, Any]:
    info = read_manifest(out)
    if info is None:
        raise InputError(str(out), "is not a sweep's output directory (no alignsim sweep manifest.json)")
    return info
