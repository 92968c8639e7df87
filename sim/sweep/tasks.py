"""The run functions a sweep calls: one run is ``f(params, seed) -> outputs``.

- ``core`` (the default): the CORE model on a base scenario with the design point's parameter
  values (:mod:`sim.sweep.core`);
- ``ishigami``: the Ishigami function (a = 7, b = 0.1), whose Sobol indices are known, to check
  the machinery;
- any importable ``package.module:function`` or ``path/to/file.py:function`` (relative to the
  experiment file) taking ``(params: dict[str, float], seed: int)`` and returning
  ``dict[str, float]``.

Workers receive a :class:`TaskSpec` (plain, picklable data) and a chunk of :class:`RunSpec`, and
resolve the function themselves, once per process; so a function defined in a file works on
any worker that can read the file. A run that raises is returned as failed with its error, and
the other runs of the chunk go on.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import InputError

# (output, stat, step_from, step_to, value); steps are None for plain tasks (stat "value")
Metric = tuple[str, str, int | None, int | None, float]
ERROR_CHARS = 500


@dataclass(frozen=True)
class TaskSpec:
    """What the workers need to call the run function: kind, target and settings, plus a token."""

    kind: str  # "core" or "callable"
    target: str = ""  # "module:function" or "/abs/file.py:function" for callables
    names: tuple[str, ...] = ()  # parameter names, the order of RunSpec.values
    core: Any = None  # sim.sweep.core.CoreSetup for the core task
    token: str = field(default="", compare=False)

    def with_token(self) -> TaskSpec:
        text = repr((self.kind, self.target, self.names, self.core))
        return TaskSpec(self.kind, self.target, self.names, self.core, hashlib.sha256(text.encode()).hexdigest())


@dataclass(frozen=True)
class RunSpec:
    """One task: a design point's values for one replicate, with its seed and spawn key."""

    run_id: int
    point: int
    replicate: int
    seed: int
    spawn_key: tuple[int, ...]
    values: tuple[float, ...]


@dataclass
class Outcome:
    """What one run gave: status, error, timings, worker and metric rows."""

    run_id: int
    status: str  # "ok" or "failed"
    error: str | None
    started: float  # unix time
    finished: float
    duration_s: float
    worker: str
    metrics: list[Metric]


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


def _load_file_module(file: Path) -> Any:
    name = "alignsim_task_" + hashlib.sha256(str(file).encode()).hexdigest()[:16]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def import_target(target: str) -> Callable[..., Any]:
    """The function named by ``module:function`` or ``/path/file.py:function``."""
    module_name, _, qualname = target.rpartition(":")
    if module_name.endswith(".py"):
        module = _load_file_module(Path(module_name))
    else:
        module = importlib.import_module(module_name)
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{target} is not callable")
    return obj


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
        raise InputError(where, f"cannot load {text!r}: {type(exc).__name__}: {_one_line(str(exc))}") from None
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


# -- running, in the worker -----------------------------------------------------------------------
_RESOLVED: dict[str, Callable[[dict[str, float], int], list[Metric]]] = {}  # per-process cache by token


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 3] + "..."


def _plain(fn: Callable[..., Any]) -> Callable[[dict[str, float], int], list[Metric]]:
    def call(params: dict[str, float], seed: int) -> list[Metric]:
        result = fn(params, seed)
        if not isinstance(result, Mapping) or not all(isinstance(k, str) for k in result):
            raise TypeError(f"the task returned {type(result).__name__}; expected dict[str, float]")
        return [(k, "value", None, None, float(v)) for k, v in result.items()]

    return call


def _resolve(task: TaskSpec) -> Callable[[dict[str, float], int], list[Metric]]:
    fn = _RESOLVED.get(task.token)
    if fn is None:
        if task.kind == "core":
            from sim.sweep.core import core_runner

            fn = core_runner(task.core)
        else:
            fn = _plain(import_target(task.target))
        _RESOLVED[task.token] = fn
    return fn


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_one(task: TaskSpec, run: RunSpec) -> Outcome:
    """Run one design point replicate; an exception becomes a failed outcome with its message."""
    started, t0 = time.time(), time.perf_counter()
    try:
        metrics = _resolve(task)(dict(zip(task.names, run.values, strict=True)), run.seed)
        status, error = "ok", None
    except Exception as exc:  # the sweep records it and goes on
        metrics, status = [], "failed"
        error = _one_line(f"{type(exc).__name__}: {exc}")
    return Outcome(run.run_id, status, error, started, time.time(), time.perf_counter() - t0, worker_name(),
                   metrics)


def run_chunk(task: TaskSpec, runs: list[RunSpec]) -> list[Outcome]:
    """The function submitted to the executor: a few runs, one after the other."""
    return [run_one(task, run) for run in runs]
