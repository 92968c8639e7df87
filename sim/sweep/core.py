"""The default run function: the CORE model on a base scenario, at one design point.

A design point sets model parameters by dotted name (``levers.clarity``,
``customers.friction_weights.delay``, ``org.teams``); a parameter with a ``division`` sets one
lever in one division, as a lever event scoped to that division on day 1 (so day 0, the
initial state, still shows the organisation-wide level). Integer parameters are rounded after
sampling.

Outputs are columns of the model's series (its reporters): the value at the last step
(``final``), the mean over a window of steps (``mean``) and, optionally, every step
(``series``).

The base scenario is resolved once, when the experiment is loaded, and its parameters travel to
the workers with the task; only an org chart (``org.chart``) is read by each worker from its
absolute path, so a cluster needs it on a shared file system.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import InputError
from sim.inputs.space import bounds, set_values
from sim.model.params import LEVERS, ModelParams
from sim.runner.run import build_model, run_task
from sim.runner.tasks import RunSpec, TaskSpec


@dataclass(frozen=True)
class CoreSetup:
    """Everything a worker needs to run the CORE model (plain data, picklable)."""

    params_json: str  # the base scenario's validated parameters, as JSON
    chart: str | None  # absolute path of the org chart CSV, if any
    steps: int
    final: tuple[str, ...]
    mean: tuple[str, ...]
    window: tuple[int, int]
    series: tuple[str, ...]


# -- checking the experiment ---------------------------------------------------------------------
def _scenario(experiment: Any) -> Any:
    from sim.inputs.scenarios import load_scenario, looks_like_path

    spec, label = experiment.spec, experiment.label
    name = spec.scenario or "baseline"
    is_path = looks_like_path(name)
    where = Path(name) if not is_path or Path(name).is_absolute() else experiment.source.parent / name
    try:
        return load_scenario(where if is_path else name, list(spec.set))
    except InputError as exc:
        field = "set" if exc.where.startswith("--set") else "scenario"
        raise InputError(f"{label}: field {field}", str(exc)) from None


def _check_parameters(experiment: Any, base: dict[str, Any], divisions: list[str]) -> None:
    label, spec = experiment.label, experiment.spec
    for i, p in enumerate(spec.parameters):
        where = f"{label}: field parameters[{i}]"
        try:
            kind, lo, hi = bounds(p.name)
        except ValueError as exc:
            raise InputError(f"{where}.name", str(exc)) from None
        if p.division is not None:
            section, _, lever = p.name.partition(".")
            if section != "levers" or lever not in LEVERS:
                raise InputError(f"{where}.division", f"only levers can be set per division; {p.name!r} is not "
                                 f"one of {', '.join('levers.' + x for x in LEVERS)}")
            if p.division not in divisions:
                raise InputError(f"{where}.division", f"{p.division!r} names no division of the base "
                                 f"organisation; known: {', '.join(divisions)}")
        a, b = experiment.bounds[i]
        if a < lo or b > hi:
            shown = [a, b] if not experiment.levels[i] else experiment.levels[i]
            field = "levels" if experiment.levels[i] else "range"
            raise InputError(f"{where}.{field}", f"value {shown} is not allowed: {p.name} must lie in "
                             f"[{lo:g}, {hi:g}]")
        if kind is int:
            experiment.integer[i] = True
            if any(not float(v).is_integer() for v in experiment.levels[i]):
                raise InputError(f"{where}.levels", f"{p.name} takes whole numbers; got {experiment.levels[i]}")
    for corner in (0, 1):  # every parameter at its low, then its high end: cross-field checks
        values = {n: (round(b[corner]) if integer else b[corner])
                  for n, b, integer in zip(experiment.names, experiment.bounds, experiment.integer, strict=True)}
        try:
            set_values(base, values)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(f"{label}: field parameters", f"the parameters at their {('low', 'high')[corner]} "
                             f"ends are not allowed: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None


def _check_outputs(experiment: Any, reporters: list[str], steps: int) -> tuple[int, int]:
    label, out = experiment.label, experiment.spec.outputs
    if out is None or not (out.final or out.mean or out.series):
        raise InputError(f"{label}: field outputs", "required but missing: name at least one output in "
                         "outputs.final, outputs.mean or outputs.series")
    for group in ("final", "mean", "series"):
        names = getattr(out, group)
        for j, name in enumerate(names):
            if name not in reporters:
                close = difflib.get_close_matches(name, reporters, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise InputError(f"{label}: field outputs.{group}[{j}]", f"unknown output {name!r}; {hint}"
                                 f"allowed: {', '.join(reporters)}")
        if len(set(names)) != len(names):
            raise InputError(f"{label}: field outputs.{group}", "names an output twice")
    window = out.window or (1 if steps >= 1 else 0, steps)
    if out.window is not None:
        if not out.mean:
            raise InputError(f"{label}: field outputs.window", "applies to outputs.mean, which is empty")
        if not 0 <= window[0] <= window[1] <= steps:
            raise InputError(f"{label}: field outputs.window", f"value {list(window)} is not allowed: must be "
                             f"[first, last] with 0 <= first <= last <= steps ({steps})")
    return int(window[0]), int(window[1])


def check_core(experiment: Any) -> None:
    """Validate a core experiment against the model; set its task spec, integer flags and base."""
    from sim.inputs.space import checked_int
    from sim.model import reporters as reps

    spec, label = experiment.spec, experiment.label
    scenario = _scenario(experiment)
    steps = scenario.params.steps if spec.steps is None else checked_int("steps", spec.steps, f"{label}: field steps")
    try:
        model = build_model(scenario, seed=0, steps=steps)
    except InputError as exc:
        raise InputError(f"{label}: field scenario", str(exc)) from None
    base = scenario.params.model_dump(mode="json")
    divisions = [d for d in model.state.division_names if d]
    _check_parameters(experiment, base, divisions)
    window = _check_outputs(experiment, list(reps.model_reporters(model)), steps)
    out = spec.outputs
    chart = None
    if scenario.params.org.chart:  # resolved as load_scenario does: from `set`, relative to the working directory
        from_set = any(item.partition("=")[0].strip() in ("org.chart", "org") for item in spec.set)
        folder = Path.cwd() if from_set else scenario.source.parent
        chart = str((folder / Path(scenario.params.org.chart).expanduser()).resolve())
    setup = CoreSetup(params_json=ModelParams.model_validate(base).model_dump_json(), chart=chart, steps=steps,
                      final=tuple(out.final), mean=tuple(out.mean), window=window, series=tuple(out.series))
    experiment.task = TaskSpec("factory", "sim.sweep.core:core_runner", tuple(experiment.names), setup).with_token()
    experiment.base = {"scenario": base, "scenario_source": str(scenario.source), "chart": chart, "steps": steps,
                       "window": list(window)}


# -- running, in the worker -----------------------------------------------------------------------
def core_runner(task: TaskSpec):
    """The run function of a CORE task: (run) -> (metric rows, no tables); the base is parsed once."""
    import json

    from sim.inputs.orgchart import read_org_csv

    setup: CoreSetup = task.setup
    base = json.loads(setup.params_json)
    graph = read_org_csv(Path(setup.chart)) if setup.chart else None

    def run(spec: RunSpec) -> tuple[list, dict]:
        params = set_values(base, dict(zip(task.names, spec.values, strict=True)))
        result = run_task(params, graph, spec.seed, setup.steps)
        return collect(result.series, setup), {}

    return run


def collect(series: Any, setup: CoreSetup) -> list:
    """Metric rows (output, stat, step_from, step_to, value) of one run's series."""
    last = int(series["step"].iloc[-1])
    rows = [(name, "final", last, last, float(series[name].iloc[-1])) for name in setup.final]
    a, b = setup.window
    inside = series[(series["step"] >= a) & (series["step"] <= b)]
    rows += [(name, "mean", a, b, float(inside[name].mean())) for name in setup.mean]
    steps = series["step"].tolist()
    for name in setup.series:
        rows += [(name, "series", int(t), int(t), float(v)) for t, v in zip(steps, series[name].tolist(), strict=True)]
    return rows
