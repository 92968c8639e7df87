"""Run scenarios as replicates with common random numbers, on local processes.

Seeds: ``numpy.random.SeedSequence(root).spawn(n)`` gives one child per replicate; replicate i
of *every* scenario (and of every leverage variant) runs with child i's integer seed, so that
differences between scenarios come from the scenarios, not from luck. The integer is the
child's first 64-bit state word shifted right by one (63 bits, the model's seed range); its
spawn key ``(i,)`` is recorded with it, so any run can be replayed alone with
``alignsim run SCENARIO --seed SEED``.

Execution: :func:`run_tasks` runs plain, picklable :class:`RunTask` objects with
``concurrent.futures.ProcessPoolExecutor`` (default: one worker per core). The start method is
chosen when the pool is made, never at import: ``forkserver`` where the platform has it, else
``spawn`` (``fork`` is avoided: it copies a parent's threads and locks). ``jobs=1`` runs in this
process. Results come back in task order whatever the order in which they finish, so the output
does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.model.params import ModelParams


@dataclass(frozen=True)
class Seed:
    replicate: int
    spawn_key: tuple[int, ...]
    seed: int


def replicate_seeds(root: int, n: int) -> list[Seed]:
    """The seeds of replicates 0..n-1: ``SeedSequence(root).spawn(n)``, as 63-bit integers."""
    children = np.random.SeedSequence(int(root)).spawn(int(n))
    return [Seed(i, tuple(int(k) for k in c.spawn_key), int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)))
            for i, c in enumerate(children)]


@dataclass(frozen=True)
class RunTask:
    """One run: which scenario (or leverage variant), which replicate and seed, and the inputs.

    ``params`` are validated parameters; ``graph`` the scenario's org chart graph (None:
    generated from ``params.org`` with the run's seed); ``window`` the analysis window (first
    and last day), whose friction provenance is recorded apart from the whole run's.
    """

    kind: str  # "scenario" or "leverage"
    name: str  # scenario name, or the leverage variant ("clarity+")
    replicate: int
    seed: int
    params: ModelParams
    graph: Any
    steps: int
    window: tuple[int, int]
    full: bool = True  # also return units and provenance (leverage runs need only the series)


@dataclass
class RunOutput:
    task: RunTask
    series: pd.DataFrame | None = None
    units: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None  # (period, cause, unit, friction) for "run" and "window"
    wall_s: float = 0.0
    error: str | None = None


def _provenance(model, friction: np.ndarray, period: str) -> pd.DataFrame:
    from sim.model.state import CAUSES

    g = model.graph
    c_idx, u_idx = np.nonzero(friction)
    return pd.DataFrame({
        "period": period,
        "cause": [CAUSES[c] for c in c_idx],
        "unit": u_idx.astype(np.int64),
        "id": [str(g.nodes[int(u)]["ext_id"]) for u in u_idx],
        "unit_name": [str(g.nodes[int(u)]["name"]) for u in u_idx],
        "division": [str(g.nodes[int(u)]["division"]) for u in u_idx],
        "friction": friction[c_idx, u_idx].astype(float),
    })


def execute(task: RunTask) -> RunOutput:
    """Run one task (in a worker or in this process). Failures come back as ``error`` text."""
    from sim.api import Scenario, build_model

    start = time.perf_counter()
    try:
        model = build_model(Scenario(params=task.params, graph=task.graph), task.seed)
        first = min(max(task.window[0] - 1, 0), task.steps)
        model.run(first)  # days 1 .. window start - 1
        before = model.state.friction.copy()
        model.run(task.steps - first)
        out = RunOutput(task, series=model.series())
        if task.full:
            out.units = model.units()
            after = model.state.friction
            out.provenance = pd.concat([_provenance(model, after, "run"),
                                        _provenance(model, after - before, "window")], ignore_index=True)
    except Exception:  # a worker must report, not die: the parent names the run
        return RunOutput(task, error=traceback.format_exc(limit=8), wall_s=time.perf_counter() - start)
    out.wall_s = time.perf_counter() - start
    return out


def start_method() -> str:
    """``forkserver`` where available, else ``spawn``; looked up at call time."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class ProgressLine:
    """``progress(done, total)``: runs done, percentage, elapsed and estimated time left.

    In place (carriage return) on a terminal; otherwise one line about every 10%."""

    def __init__(self, stream: TextIO, workers: int, in_place: bool | None = None):
        self.stream, self.workers = stream, workers
        self.in_place = stream.isatty() if in_place is None else in_place
        self.start = time.perf_counter()
        self.next = 0

    @staticmethod
    def _clock(seconds: float) -> str:
        seconds = max(0, round(seconds))
        return f"{seconds // 60}:{seconds % 60:02d}"

    def __call__(self, done: int, total: int) -> None:
        if not self.in_place and done < self.next and done < total:
            return
        self.next = done + max(1, total // 10)
        elapsed = time.perf_counter() - self.start
        left = elapsed / done * (total - done) if done else float("nan")
        eta = f"  ~{self._clock(left)} left" if done and done < total else ""
        line = (f"runs {done}/{total}  {100 * done / max(total, 1):3.0f}%  {self.workers} "
                f"worker{'s' if self.workers != 1 else ''}  {self._clock(elapsed)} elapsed{eta}")
        if self.in_place:
            self.stream.write(f"\r{line}\033[K" + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class RunFailed(RuntimeError):
    """A run raised inside a worker; the message names it and carries the worker's traceback."""


def _check(out: RunOutput) -> RunOutput:
    if out.error is not None:
        t = out.task
        raise RunFailed(f"{t.kind} {t.name!r}, replicate {t.replicate} (seed {t.seed}) failed:\n{out.error}")
    return out


def run_tasks(tasks: Sequence[RunTask], jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[RunOutput]:
    """Run ``tasks``; return their outputs in task order. Raises :class:`RunFailed` if one fails."""
    jobs = default_jobs() if jobs is None else int(jobs)
    total = len(tasks)
    results: list[RunOutput | None] = [None] * total
    if progress is not None:
        progress(0, total)
    if jobs <= 1 or total <= 1:
        for i, task in enumerate(tasks):
            results[i] = _check(execute(task))
            if progress is not None:
                progress(i + 1, total)
        return [r for r in results if r is not None]
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=context) as pool:
        pending: dict[Future, int] = {pool.submit(execute, t): i for i, t in enumerate(tasks)}
        done_count = 0
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    results[pending.pop(fut)] = _check(fut.result())
                    done_count += 1
                    if progress is not None:
                        progress(done_count, total)
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [r for r in results if r is not None]


def stderr_progress(workers: int, quiet: bool) -> Callable[[int, int], None] | None:
    return None if quiet else ProgressLine(sys.stderr, workers)
