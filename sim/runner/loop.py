"""The engine's loop: keep the executor busy, commit finished runs to the store, resume.

Each task is a chunk of runs (one by default) of :func:`sim.runner.tasks.run_chunk`. Only a
bounded window of tasks is in flight at any time and finished runs are committed in small
parts, so the coordinator's memory does not grow with the number of runs. Runs are identified
by ``run_id`` and their seeds depend on nothing else, so the store's contents do not depend on
the executor, the number of workers, the chunk size or the order in which runs finish.

:func:`run_session` is one session over a store (a sweep's or a comparison's): it skips the
runs that are complete, runs the rest, and records the session in the manifest.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.runner.executors import Pool
from sim.runner.manifest import write_json
from sim.runner.store import LOCK, Store
from sim.runner.tasks import RunSpec, TaskSpec, run_chunk

MANIFEST = "manifest.json"


class Aborted(Exception):
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


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Flush:
    runs: int = 256  # runs per part, at most
    metrics: int = 200_000  # metric (and table) rows per part, at most
    seconds: float = 2.0  # longest wait before finished runs are committed

    def due(self, store: Store, last: float) -> bool:
        return store.buffered >= self.runs or store.buffered_metrics >= self.metrics or (
            store.buffered > 0 and time.monotonic() - last >= self.seconds)


@contextlib.contextmanager
def locked(out: Path, what: str = "alignsim sweep") -> Iterator[None]:
    """Hold an exclusive lock on the store (released by the OS if the process dies)."""
    import fcntl

    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(str(out), f"another {what} is writing to it; wait for it to end or choose "
                             "another --out") from None
        yield
    finally:
        os.close(fd)


def drive(pool: Pool, task: TaskSpec, plan: Iterator[list[RunSpec]], store: Store, summary: Summary,
          flush: Flush, progress: Progress | None) -> None:
    """Run every chunk of ``plan`` on ``pool``, committing finished runs to ``store``."""
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
                pending[pool.executor.submit(run_chunk, task, runs)] = runs
            if not pending:
                break
            finished, _ = cf.wait(list(pending), timeout=max(flush.seconds, 0.05), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                runs = pending.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:
                    raise Aborted(f"the executor failed ({type(exc).__name__}: {exc}); complete runs are "
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


def run_session(pool: Pool, out: Path, info: dict[str, Any], store: Store, task: TaskSpec, total: int,
                plan: Callable[[set[int]], Iterator[list[RunSpec]]], *, flush: Flush | None = None,
                progress: Progress | None = None, on_start: Callable[[Summary], None] | None = None) -> Summary:
    """One session over the store in ``out`` (locked by the caller): skip the complete runs, run
    the others (``plan(done)`` yields their chunks), record the session in the manifest ``info``."""
    store.prepare()
    done = store.completed()
    summary = Summary(out=out, total=total, skipped=len(done), executor=pool.description)
    session = {"started": now(), "finished": None, "executor": pool.info(), "skipped": len(done)}
    info.setdefault("sessions", []).append(session)
    info["status"] = "running"
    write_json(info, out / MANIFEST)
    if on_start is not None:
        on_start(summary)
    try:
        drive(pool, task, plan(done), store, summary, flush or Flush(), progress)
        summary.status = "complete"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except Aborted:
        summary.status = "aborted"
        raise
    finally:
        session.update(finished=now(), status=summary.status, ok=summary.ok, failed=summary.failed,
                       wall_s=round(summary.wall_s, 3))
        info.update(finished=session["finished"], status=summary.status, executor=pool.info())
        write_json(info, out / MANIFEST)
    return summary
