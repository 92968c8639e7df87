"""The Python API of alignsim: load a scenario, build a model, run it.

Used by the CLI (:mod:`sim.cli`) and usable from a notebook::

    from sim import load_scenario, run_scenario

    scenario = load_scenario("pressure-shock", overrides=["levers.clarity=0.9"])
    result = run_scenario(scenario, seed=7, steps=120)
    result.series.plot(x="step", y="friction_index")

A facade: scenarios live in :mod:`sim.inputs.scenarios`, parameters by dotted name (overrides,
bounds, the one-line validation errors, the reference table) in :mod:`sim.inputs.space`.
Every problem with the input (unknown scenario, TOML syntax, a value out of range, an unknown
key, an org chart row) raises :class:`~sim.errors.InputError` with a one-line message naming the
file or flag, the field, the value and what is allowed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.errors import InputError
from sim.inputs.scenarios import Scenario, bundled_scenarios, load_scenario, scenarios_dir
from sim.inputs.space import checked_int, parameter_reference
from sim.model.model import AlignmentModel

__all__ = [
    "RunResult", "Scenario", "build_model", "bundled_scenarios", "checked_int", "load_scenario",
    "parameter_reference", "run_model", "run_scenario", "scenarios_dir",
]


# -- running ----------------------------------------------------------------------------------------
def build_model(scenario: Scenario, seed: int | None = None) -> AlignmentModel:
    """A fresh model of ``scenario`` (``seed`` overrides ``params.seed``).

    Problems only the model can see (an event past the end of the run, a scope naming no
    division) raise :class:`InputError` naming the scenario file.
    """
    if seed is not None:
        seed = checked_int("seed", seed)
    try:
        return AlignmentModel(params=scenario.params, graph=scenario.graph, seed=seed)
    except InputError as exc:
        if exc.where and scenario.source is not None:
            raise InputError(f"{scenario.label}: field {exc.where}", exc.problem) from None
        raise


@dataclass
class RunResult:
    """What one run produced: the model, its tables, the seed and steps used and the wall time."""

    model: AlignmentModel
    series: pd.DataFrame
    units: pd.DataFrame
    provenance: pd.DataFrame
    unit_series: pd.DataFrame
    seed: int
    steps: int
    wall_s: float


def run_model(model: AlignmentModel, steps: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run a built model for ``steps`` steps (default: its scenario's) and collect its tables."""
    n = model.params.steps if steps is None else checked_int("steps", steps)
    start = time.perf_counter()
    model.run(n, progress=progress)
    wall = time.perf_counter() - start
    seed = getattr(model, "root_seed", model.params.seed)
    return RunResult(model=model, series=model.series(), units=model.units(),
                     provenance=model.provenance(), unit_series=model.unit_series(), seed=int(seed),
                     steps=n, wall_s=wall)


def run_scenario(scenario: Scenario, seed: int | None = None, steps: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Build and run ``scenario``.

    ``seed`` overrides ``params.seed``; ``steps`` is the number of steps to run (default
    ``params.steps``; events are checked against ``params.steps``, so a shorter run simply stops
    before later events); ``progress(i, n)`` is called after each step.
    """
    return run_model(build_model(scenario, seed), steps=steps, progress=progress)

