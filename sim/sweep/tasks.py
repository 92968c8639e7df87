"""The run functions a sweep calls: one run is ``f(params, seed) -> outputs``.

- ``core`` (the default): the CORE model on a base scenario with the design point's parameter
  values (:mod:`sim.sweep.core`);
- ``ishigami``: the Ishigami function (a = 7, b = 0.1), whose Sobol indices are known, to check
  the machinery;
- any importable ``package.module:function`` or ``path/to/file.py:function`` (relative to the
  experiment file) taking ``(params: dict[str, float], seed: int)`` and returning
  ``dict[str, float]``.

How workers receive and run them is the engine's (:mod:`sim.runner.tasks`); this module checks an
experiment's task and names its function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.runner.tasks import Metric, Outcome, RunSpec, TaskSpec, import_target, one_line, run_chunk, run_one

__all__ = ["Metric", "Outcome", "RunSpec", "TaskSpec", "ishigami", "ishigami_indices", "resolve_task",
           "run_chunk", "run_one"]

# -- the Ishigami function --------------------------------------------------------------------
ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami(params: Mapping[str, float], seed: int) -> dict[str, float]:
    """Ishigami & Homma (1990): sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i in [-pi, pi]; seed unused.

    Analytic Sobol indices for a = 7, b = 0.1: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244).
    """
    x1, x2, x3 = float(params["x1"]), float(params["x2"]), float(params["x3"])
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return {"y": y}


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> tuple[list[float], list[float]]:
    """The analytic first-order and total Sobol indices of :func:`ishigami` (x1, x2, x3)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return [v1 / total, v2 / total, 0.0], [(v1 + v13) / total, v2 / total, v13 / total]


# -- resolving the task ---------------------------------------------------------------------------
BUILTIN = {"ishigami": "sim.sweep.tasks:ishigami"}


def _callable_target(text: str, experiment_dir: Path, where: str) -> str:
    text = BUILTIN.get(text, text)
    module_name, sep, qualname = text.rpartition(":")
    if not sep or not module_name or not qualname:
        raise InputError(where, f"value {text!r} is not allowed: must be 'core', 'ishigami', "
                         "'package.module:function' or 'file.py:function'")
    if module_name.endswith(".py"):
        file = Path(module_name).expanduser()
        file = file if file.is_absolute() else experiment_dir / file
        if not file.is_file():
            raise InputError(where, f"no such file {str(file)!r}")
        text = f"{file.resolve()}:{qualname}"
    try:
        import_target(text)
    except Exception as exc:  # any import problem is the user's input
        raise InputError(where, f"cannot load {text!r}: {type(exc).__name__}: {one_line(str(exc))}") from None
    return text


def resolve_task(experiment: Any) -> None:
    """Check the experiment's task-specific fields; set ``task``, ``integer`` and ``base``."""
    spec, label = experiment.spec, experiment.label
    if spec.task == "core":
        from sim.sweep.core import check_core

        check_core(experiment)
        return
    target = _callable_target(spec.task, experiment.source.parent, f"{label}: field task")
    for name in ("scenario", "steps", "outputs"):
        if getattr(spec, name) is not None:
            raise InputError(f"{label}: field {name}", f"applies to the core task only (task is {spec.task!r})")
    if spec.set:
        raise InputError(f"{label}: field set", f"applies to the core task only (task is {spec.task!r})")
    for i, p in enumerate(spec.parameters):
        if p.division is not None:
            raise InputError(f"{label}: field parameters[{i}].division", "applies to the core task only")
    experiment.task = TaskSpec("callable", target, tuple(experiment.names)).with_token()
    experiment.base = {"task": spec.task}
