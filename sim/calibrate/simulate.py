"""The calibration's simulations on the engine: the worker's run function and the store of results.

Each candidate of the ABC-SMC (:mod:`sim.calibrate.abc`) is one :class:`~sim.runner.tasks.RunSpec`
run by :func:`sim.runner.tasks.run_chunk` on the project's executors (local processes, Dask, or
this process with ``--jobs 1``) and committed to a :class:`~sim.runner.store.Store` as it
finishes. The worker (:func:`calibrate_runner`) sets the candidate's values by dotted name
(:func:`sim.inputs.space.set_values`), runs the scenario through
:func:`sim.runner.run.run_task` for as many days as the history covers, and returns one metric
row per observation: the mapped KPI aggregated over the observation's period (``output`` = the
KPI, ``step_from``/``step_to`` = the period's days).

Run ids encode the spawn key (kind, generation, round, index), so a store left by a killed
calibration is read back by id and its simulations are not run again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.inputs.space import set_values
from sim.runner.executors import Pool
from sim.runner.loop import Flush, Summary, drive
from sim.runner.run import run_task
from sim.runner.seeds import run_seed
from sim.runner.store import METRICS, METRICS_SCHEMA, RUNS, Store, committed_parts, runs_schema
from sim.runner.tasks import Metric, RunSpec, TaskSpec

FINGERPRINT = "calibration.json"


@dataclass(frozen=True)
class Period:
    kpi: str
    column: str
    how: str  # sum, mean or last
    start: int
    end: int
    scale: float
    offset: float


@dataclass(frozen=True)
class CalibrationSetup:
    base: dict[str, Any]  # the scenario's parameters (model_dump)
    graph: Any  # its org chart (None: generated from the seed)
    names: tuple[str, ...]  # fitted parameters, dotted
    steps: int
    periods: tuple[Period, ...]  # one per observation, in summary order


def summarise(series: Any, periods: tuple[Period, ...]) -> list[float]:
    """Each period's mapped value from a run's daily series (steps are days 1..n)."""
    out = []
    steps = series["step"].to_numpy()
    for p in periods:
        values = series[p.column].to_numpy(dtype=float)[(steps >= p.start) & (steps <= p.end)]
        agg = values.sum() if p.how == "sum" else values.mean() if p.how == "mean" else values[-1]
        out.append(p.scale * float(agg) + p.offset)
    return out


def calibrate_runner(task: TaskSpec):
    """The run function of a calibration (a factory for :func:`sim.runner.tasks.run_chunk`)."""
    setup: CalibrationSetup = task.setup

    def run(spec: RunSpec) -> tuple[list[Metric], dict[str, Any]]:
        params = set_values(setup.base, dict(zip(setup.names, spec.values, strict=True)))
        series = run_task(params, setup.graph, spec.seed, setup.steps).series
        values = summarise(series, setup.periods)
        return [(p.kpi, "value", p.start, p.end, v) for p, v in zip(setup.periods, values, strict=True)], {}

    return run


def task_spec(setup: CalibrationSetup) -> TaskSpec:
    return TaskSpec("factory", "sim.calibrate.simulate:calibrate_runner", setup.names, setup).with_token()


def run_id(key: tuple[int, ...]) -> int:
    """A run id from a spawn key (kind, generation, round, index) or (kind, index)."""
    kind, *rest = key
    t, r, i = (0, 0, rest[0]) if len(rest) == 1 else rest
    if not (i < 10**6 and r < 10**3 and t < 10**3):
        raise ValueError(f"spawn key {key} out of the run id's range")
    return ((kind * 10**3 + t) * 10**3 + r) * 10**6 + i


class Simulator:
    """``simulator(thetas, keys)`` -> each candidate's summary (None if its run failed), through the
    pool and the store in ``root``; runs already in the store are read back, not run again."""

    def __init__(self, pool: Pool, setup: CalibrationSetup, root_seed: int, store_dir: Path,
                 progress: Callable[[Summary], None] | None = None):
        self.pool, self.setup, self.root_seed = pool, setup, root_seed
        self.task = task_spec(setup)
        self.store_dir = store_dir
        self.store = Store(store_dir, runs_schema([(n, pa.float64()) for n in setup.names]))
        self.store.prepare()
        self.index = {(p.kpi, p.start): j for j, p in enumerate(setup.periods)}
        self.results: dict[int, np.ndarray | None] = {}
        self.values: dict[int, tuple[float, ...]] = {}  # each stored run's parameter values
        self.errors: dict[int, str] = {}
        self.read_parts: set[Path] = set()
        self.reused = 0
        self.ran = 0
        self.progress = progress
        self._load()

    def _load(self) -> None:
        runs, metrics = committed_parts(self.store_dir, METRICS)
        width = len(self.setup.periods)
        for part, mpart in zip(runs, metrics, strict=False):
            if part in self.read_parts:
                continue
            self.read_parts.add(part)
            table = pq.read_table(part, columns=["run_id", "status", "error", *self.setup.names]).to_pandas()
            for rid, *theta in zip(table["run_id"], *(table[n] for n in self.setup.names), strict=True):
                self.values[int(rid)] = tuple(float(x) for x in theta)
            vectors = {int(r): np.full(width, np.nan) for r in table["run_id"]}
            m = pq.read_table(mpart, schema=METRICS_SCHEMA).to_pandas()
            for rid, out, start, value in zip(m["run_id"], m["output"], m["step_from"], m["value"], strict=True):
                vectors[int(rid)][self.index[(out, int(start))]] = value
            for rid, status, error in zip(table["run_id"], table["status"], table["error"], strict=True):
                ok = status == "ok"
                self.results[int(rid)] = vectors[int(rid)] if ok else None
                if not ok:
                    self.errors[int(rid)] = str(error)

    def __call__(self, thetas: np.ndarray, keys: list[tuple[int, ...]]) -> list[np.ndarray | None]:
        ids = [run_id(k) for k in keys]
        todo = [RunSpec(rid, key[1] if len(key) > 2 else 0, key[2] if len(key) > 2 else 0,
                        run_seed(self.root_seed, key), key, tuple(float(x) for x in theta))
                for rid, key, theta in zip(ids, keys, thetas, strict=True) if rid not in self.results]
        self.reused += len(ids) - len(todo)
        for rid, theta in zip(ids, thetas, strict=True):
            if rid in self.values and self.values[rid] != tuple(float(x) for x in theta):
                raise RuntimeError(f"the store in {self.store_dir} holds run {rid} with other parameter values; "
                                   "remove that folder and start again")
        if todo:
            summary = Summary(out=self.store_dir, total=len(todo), skipped=0, executor=self.pool.description)
            plan: Iterator[list[RunSpec]] = iter([[r] for r in todo])
            drive(self.pool, self.task, plan, self.store, summary, Flush(seconds=5.0), self.progress)
            self.ran += len(todo)
            self._load()
        return [self.results.get(rid) for rid in ids]

    def first_error(self) -> str | None:
        return next(iter(self.errors.values()), None)


def fingerprint(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


@contextlib.contextmanager
def store_for(path: Path, identity: dict[str, Any]) -> Iterator[tuple[Path, bool]]:
    """The store folder ``path`` for a calibration of ``identity`` (its inputs): kept if an earlier
    run of the same inputs left it (resume), else made afresh. Yields (path, resumed)."""
    import shutil

    from sim.runner.loop import locked

    mark = path / FINGERPRINT
    resumed = False
    if path.is_dir():
        try:
            resumed = mark.read_text(encoding="utf-8") == fingerprint(identity) + "\n"
        except OSError:
            resumed = False
        if not resumed:
            shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    for sub in (RUNS, METRICS):
        (path / sub).mkdir(exist_ok=True)
    with locked(path, "alignsim calibrate"):
        if not resumed:
            mark.write_text(fingerprint(identity) + "\n", encoding="utf-8")
        yield path, resumed

