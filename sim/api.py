"""The Python API of alignsim: load a scenario, build a model, run it.

Used by the CLI (:mod:`sim.cli`) and usable from a notebook::

    from sim import load_scenario, run_scenario

    scenario = load_scenario("pressure-shock", overrides=["levers.clarity=0.9"])
    result = run_scenario(scenario, seed=7, steps=120)
    result.series.plot(x="step", y="friction_index")

A facade (nothing inside ``sim`` imports it): scenarios live in :mod:`sim.inputs.scenarios`,
parameters by dotted name (overrides, bounds, the one-line validation errors, the reference
table) in :mod:`sim.inputs.space`, and the one build-and-run path in :mod:`sim.runner.run`.
Every problem with the input (unknown scenario, TOML syntax, a value out of range, an unknown
key, an org chart row) raises :class:`~sim.errors.InputError` with a one-line message naming the
file or flag, the field, the value and what is allowed.
"""

from __future__ import annotations

from sim.inputs.scenarios import Scenario, bundled_scenarios, load_scenario, scenarios_dir
from sim.inputs.space import checked_int, parameter_reference
from sim.runner.run import RunResult, build_model, run_model, run_scenario

__all__ = [
    "RunResult", "Scenario", "build_model", "bundled_scenarios", "checked_int", "load_scenario",
    "parameter_reference", "run_model", "run_scenario", "scenarios_dir",
]
