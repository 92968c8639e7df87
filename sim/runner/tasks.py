"""What the engine sends to workers, and what comes back: plain, picklable data.

A :class:`TaskSpec` says which run function to call:

- ``"factory"``: ``target`` names a function ``factory(task) -> run``, called once per worker
  process and task, whose ``run(spec: RunSpec)`` returns ``(metrics, tables)``. The sweep's CORE
  task (:func:`sim.sweep.core.core_runner`) and a comparison's runs
  (:func:`sim.compare.runner.compare_runner`) are factories; both call
  :func:`sim.runner.run.run_task`;
- ``"callable"``: ``target`` names a plain function ``f(params: dict[str, float], seed) -> dict[str,
  float]`` (``package.module:function`` or ``/abs/path/file.py:function``).

A :class:`RunSpec` is one run (run id, design point, replicate, seed and spawn key, the point's
values); an :class:`Outcome` is what it gave: status, error, timings, worker, metric rows and
per-run tables. A run that raises is returned as failed with its error; the other runs of the
chunk go on. Workers resolve the function themselves, once per process (cached by the task's
token), so a function defined in a file works on any worker that can read the file.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pickle
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# (output, stat, step_from, step_to, value); steps are None for plain tasks (stat "value")
Metric = tuple[str, str, int | None, int | None, float]
Result = tuple[list[Metric], dict[str, Any]]  # metric rows, and per-run tables by name (pandas)
ERROR_CHARS = 500


@dataclass(frozen=True)
class TaskSpec:
    """What the workers need to call the run function: kind, target and settings, plus a token."""

    kind: str  # "factory" or "callable"
    target: str = ""  # "module:function" or "/abs/file.py:function"
    names: tuple[str, ...] = ()  # the names of RunSpec.values
    setup: Any = None  # the factory's settings (plain data)
    token: str = field(default="", compare=False)

    def with_token(self) -> TaskSpec:
        data = pickle.dumps((self.kind, self.target, self.names, self.setup), protocol=4)
        return TaskSpec(self.kind, self.target, self.names, self.setup, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class RunSpec:
    """One task: a design point's values for one replicate, with its seed and spawn key."""

    run_id: int
    point: int
    replicate: int
    seed: int
    spawn_key: tuple[int, ...]
    values: tuple[Any, ...]


@dataclass
class Outcome:
    """What one run gave: status, error, timings, worker, metric rows and per-run tables."""

    run_id: int
    status: str  # "ok" or "failed"
    error: str | None
    started: float  # unix time
    finished: float
    duration_s: float
    worker: str
    metrics: list[Metric]
    tables: dict[str, Any] = field(default_factory=dict)


# -- resolving the task ---------------------------------------------------------------------------
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


def one_line(text: str) -> str:
    """``text`` on one line, at most ERROR_CHARS long."""
    line = " ".join(text.split())
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 3] + "..."


# -- running, in the worker -----------------------------------------------------------------------
_RESOLVED: dict[str, Callable[[RunSpec], Result]] = {}  # per-process cache by token


def _plain(fn: Callable[..., Any], names: tuple[str, ...]) -> Callable[[RunSpec], Result]:
    def call(run: RunSpec) -> Result:
        result = fn(dict(zip(names, run.values, strict=True)), run.seed)
        if not isinstance(result, Mapping) or not all(isinstance(k, str) for k in result):
            raise TypeError(f"the task returned {type(result).__name__}; expected dict[str, float]")
        return [(k, "value", None, None, float(v)) for k, v in result.items()], {}

    return call


def _resolve(task: TaskSpec) -> Callable[[RunSpec], Result]:
    fn = _RESOLVED.get(task.token)
    if fn is None:
        if task.kind == "factory":
            fn = import_target(task.target)(task)
        else:
            fn = _plain(import_target(task.target), task.names)
        _RESOLVED[task.token] = fn
    return fn


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_one(task: TaskSpec, run: RunSpec) -> Outcome:
    """Run one design point replicate; an exception becomes a failed outcome with its message."""
    started, t0 = time.time(), time.perf_counter()
    tables: dict[str, Any] = {}
    try:
        metrics, tables = _resolve(task)(run)
        status, error = "ok", None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the engine records it and goes on, sys.exit() in a run function too
        metrics, status = [], "failed"
        error = one_line(f"{type(exc).__name__}: {exc}")
    return Outcome(run.run_id, status, error, started, time.time(), time.perf_counter() - t0, worker_name(),
                   metrics, tables)


def run_chunk(task: TaskSpec, runs: list[RunSpec]) -> list[Outcome]:
    """The function submitted to the executor: a few runs, one after the other."""
    return [run_one(task, run) for run in runs]
