"""A comparison's runs on the engine: scenarios x replicates, then the leverage variants.

Every run goes through the engine (:mod:`sim.runner`): plain :class:`~sim.runner.tasks.RunSpec`
objects executed by :func:`sim.runner.tasks.run_chunk` on local processes, Dask, or this process
(``--jobs 1``), committed to the store in parts as they finish, so a killed comparison resumes.

Seeds (common random numbers): replicate ``i`` of *every* scenario and leverage variant has spawn
key ``(i,)``, i.e. child ``i`` of ``numpy.random.SeedSequence(root).spawn(n)``
(:func:`sim.runner.seeds.replicate_seeds`), so differences between scenarios come from the
scenarios, not from luck. Any run replays alone with ``alignsim run SCENARIO --seed SEED``.

Design points (``point``, in this order): each scenario, then each leverage variant
(``clarity+``, ``clarity-``, ...); run ids number the runs point by point, replicate by replicate.
The worker's run function, :func:`compare_runner`, calls :func:`sim.runner.run.run_task` and
returns the run's series, units and friction provenance (series only for leverage variants) as
per-run tables, and the mean of every KPI over the analysis window as metrics (stat ``"mean"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sim.runner.run import FRICTION, HANDOFFS, run_task
from sim.runner.seeds import Seed
from sim.runner.store import runs_schema
from sim.runner.tasks import Metric, RunSpec, TaskSpec

SCENARIO, LEVERAGE = "scenario", "leverage"
DESIGN_COLUMNS = [("kind", pa.string()), ("scenario", pa.string()), ("level", pa.float64())]
RUNS_SCHEMA = runs_schema(DESIGN_COLUMNS)
PER_RUN_TABLES = ("series", "units", "provenance", "handoffs")
OPTIONAL_TABLES = ("handoffs",)  # absent from comparisons made before alignsim recorded them


class RunFailed(RuntimeError):
    """A run raised inside a worker; the message names it and carries the worker's error."""


@dataclass(frozen=True)
class Variant:
    """One design point: a scenario, or a leverage variant of the reference scenario."""

    kind: str  # "scenario" or "leverage"
    name: str  # scenario name, or the leverage variant ("clarity+")
    params: Any  # validated ModelParams
    graph: Any  # the org chart graph (None: generated from params.org with the run's seed)
    replicates: int  # how many of the replicates' seeds it runs with
    level: float | None = None  # a leverage variant's lever level

    @property
    def full(self) -> bool:  # scenarios keep units and provenance; leverage variants the series only
        return self.kind == SCENARIO


@dataclass(frozen=True)
class CompareSetup:
    variants: tuple[Variant, ...]
    steps: int
    window: tuple[int, int]
    draws: Any = None  # sim.runner.draws.Draws (compare --posterior): scenario replicate i runs draw i


def task_spec(setup: CompareSetup) -> TaskSpec:
    return TaskSpec("factory", "sim.compare.runner:compare_runner", tuple(n for n, _ in DESIGN_COLUMNS),
                    setup).with_token()


def run_specs(setup: CompareSetup, seeds: list[Seed]) -> list[RunSpec]:
    """Every run, in run id order: each variant's replicates 0 .. its count - 1."""
    out: list[RunSpec] = []
    for point, v in enumerate(setup.variants):
        for s in seeds[: v.replicates]:
            out.append(RunSpec(len(out), point, s.replicate, s.seed, s.spawn_key, (v.kind, v.name, v.level)))
    return out


def chunks(runs: list[RunSpec], done: set[int], size: int = 1) -> Iterator[list[RunSpec]]:
    todo = [r for r in runs if r.run_id not in done]
    for i in range(0, len(todo), size):
        yield todo[i:i + size]


def window_means(series: Any, window: tuple[int, int]) -> list[Metric]:
    """The mean of every KPI of ``series`` over the window (inclusive days), as metric rows."""
    a, b = window
    inside = series[(series["step"] >= a) & (series["step"] <= b)]
    return [(str(name), "mean", a, b, float(inside[name].mean())) for name in series.columns
            if name != "step" and inside[name].dtype.kind in "biuf"]


def compare_runner(task: TaskSpec):
    """The run function of a comparison (a factory for :func:`sim.runner.tasks.run_chunk`)."""
    setup: CompareSetup = task.setup

    def run(spec: RunSpec) -> tuple[list[Metric], dict[str, Any]]:
        v = setup.variants[spec.point]
        tables = ("series", "units", FRICTION, HANDOFFS) if v.full else ("series",)
        params = v.params if setup.draws is None or not v.full else setup.draws.apply(v.params, spec.replicate, v.name)
        result = run_task(params, v.graph, spec.seed, setup.steps, setup.window, tables)
        out = {"series": result.series}
        if v.full:
            out.update(units=result.units, provenance=result.friction, handoffs=result.handoffs)
        return window_means(result.series, setup.window), out

    return run
