"""Experiment files: what a sweep varies, how it samples, what it runs and what it keeps.

An experiment is a TOML file (``experiments/*.toml``)::

    description = "Which CORE levers matter under a shock?"
    task = "core"                  # "core" (default), "ishigami", "pkg.module:function", "file.py:function"
    scenario = "pressure-shock"    # core: the base scenario (bundled name, or a path relative to this file)
    set = ["org.teams=8"]          # core: fixed overrides of the base scenario (like `alignsim run --set`)
    steps = 365                    # core: days per run (default: the scenario's)
    replicates = 2                 # runs per design point, each with its own seed
    seed = 20240501                # root seed: every run's seed is spawned from it

    [design]
    kind = "sobol"                 # grid | lhs | sobol | morris
    samples = 128                  # lhs: points; sobol: N (a power of two); morris: trajectories
    second_order = false           # sobol only
    # levels = 4                   # morris only: levels of its grid

    [[parameters]]
    name = "levers.clarity"        # core: any numeric model parameter by its dotted name
    range = [0.0, 1.0]             # lhs, sobol, morris (and grid with an integer `levels`)
    # levels = [0.2, 0.5, 0.8]     # grid: explicit levels, or an integer: that many evenly spaced in range
    # division = "Division A"      # core, levers only: set the lever in one division

    [outputs]                      # core only
    final = ["retention"]          # value at the last step
    mean = ["friction_index"]      # mean over the window
    window = [90, 240]             # first and last step of the window, inclusive (default: 1..steps)
    series = []                    # full time series (one metric row per step)

:func:`load_experiment` validates the file, the names and ranges against the model's parameters,
the outputs against the model's reporters and the design's size; every problem is an
:class:`~sim.errors.InputError` naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import InputError
from sim.inputs.tomlfile import read_toml

RESERVED = ("run_id", "point", "replicate", "seed", "spawn_key", "status", "error", "started", "finished",
            "duration_s", "worker")
MAX_RUNS = 10_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GridDesign(_Strict):
    kind: Literal["grid"]


class LhsDesign(_Strict):
    kind: Literal["lhs"]
    samples: int = Field(ge=1, le=MAX_RUNS)


class SobolDesign(_Strict):
    kind: Literal["sobol"]
    samples: int = Field(ge=2, le=2**20)
    second_order: bool = True


class MorrisDesign(_Strict):
    kind: Literal["morris"]
    samples: int = Field(ge=2, le=100_000)
    levels: int = Field(4, ge=2, le=100)


Design = Annotated[GridDesign | LhsDesign | SobolDesign | MorrisDesign, Field(discriminator="kind")]
DESIGN_KINDS = ("grid", "lhs", "sobol", "morris")


class ParameterSpec(_Strict):
    name: str = Field(min_length=1)
    range: tuple[float, float] | None = None
    levels: list[float] | int | None = None
    division: str | None = Field(None, min_length=1)

    @property
    def column(self) -> str:
        """The parameter's name in the design and the runs table (``name@division`` when scoped)."""
        return f"{self.name}@{self.division}" if self.division else self.name


class OutputSpec(_Strict):
    final: list[str] = Field(default_factory=list)
    mean: list[str] = Field(default_factory=list)
    window: tuple[int, int] | None = None
    series: list[str] = Field(default_factory=list)


class ExperimentSpec(_Strict):
    description: str = ""
    task: str = "core"
    scenario: str | None = None
    set: list[str] = Field(default_factory=list)
    steps: int | None = None
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(ge=0, le=2**63 - 1)
    design: Design
    parameters: list[ParameterSpec] = Field(min_length=1)
    outputs: OutputSpec | None = None


@dataclass
class Experiment:
    """A validated experiment: the file's contents plus what was resolved from them."""

    spec: ExperimentSpec
    source: Path
    label: str  # how messages name the file
    names: list[str]  # parameter columns, in file order
    bounds: list[tuple[float, float]]  # [lo, hi] of each parameter
    integer: list[bool]  # parameters that take integer values (rounded after sampling)
    levels: list[list[float]]  # grid levels of each parameter (empty for other designs)
    task: Any  # sim.sweep.tasks.TaskSpec (picklable: sent to the workers)
    base: dict[str, Any] = field(default_factory=dict)  # what the fingerprint covers besides the spec

    @property
    def name(self) -> str:
        return self.source.stem

    @property
    def kind(self) -> str:
        return self.spec.design.kind

    def fingerprint(self, design_bytes: bytes) -> str:
        """Hash of everything that decides the runs: the spec, the resolved base and the design (not
        where files are, so that a moved checkout still resumes)."""
        base = {k: v for k, v in self.base.items() if k not in ("scenario_source", "chart")}
        text = json.dumps({"spec": self.spec.model_dump(mode="json"), "base": base}, sort_keys=True)
        return hashlib.sha256(text.encode() + design_bytes).hexdigest()


# -- errors as one line -------------------------------------------------------------------------
def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        if part in DESIGN_KINDS and text == "design":  # the discriminator's branch name
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed(section: tuple) -> list[str]:
    """Field names allowed in ``section`` of an experiment file."""
    named = [p for p in section if isinstance(p, str) and p not in DESIGN_KINDS]
    models: dict[str, list[type[BaseModel]]] = {
        "": [ExperimentSpec], "design": [GridDesign, LhsDesign, SobolDesign, MorrisDesign],
        "parameters": [ParameterSpec], "outputs": [OutputSpec]}
    found = models.get(named[0] if named else "", [])
    return list(dict.fromkeys(name for m in found for name in m.model_fields))


def _problem(err: dict[str, Any]) -> tuple[str, str]:
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    # a union (range/levels) reports one error per member: keep the field, drop the member
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("int", "list"))))
    where = _dotted(loc)
    item = bool(loc) and isinstance(loc[-1], int)  # an error about one item of a list
    field = loc[-2] if item and len(loc) >= 2 else (loc[-1] if loc else "")
    if field in ("range", "window", "levels") and (item or kind != "missing"):
        shown = "" if item else f"value {_show(err.get('input'))} is not allowed: "
        rule = {"range": "must be two numbers [low, high]", "window": "must be two steps [first, last]",
                "levels": "must be a list of values, or a whole number of levels spaced evenly over range"}[field]
        return _dotted(loc[:-1] if item else loc), shown + rule
    if kind == "missing":
        return where, "required but missing"
    if kind == "extra_forbidden":
        allowed = _allowed(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return where, f"unknown field {str(loc[-1])!r}{hint} (allowed: {', '.join(allowed)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        allowed = ", ".join(f'"{k}"' for k in DESIGN_KINDS)
        if kind == "union_tag_not_found":
            return f"{where}.kind", f"required but missing; must be one of {allowed}"
        return f"{where}.kind", f"value {_show(ctx.get('tag'))} is not allowed: must be one of {allowed}"
    bounds = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        rule = f"must be {bounds[kind]} {limit}"
    else:
        rule = re.sub(r"^Input should be", "must be", err["msg"])
    return where, f"value {_show(err.get('input'))} is not allowed: {rule}"


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_spec(raw: dict[str, Any], label: str) -> ExperimentSpec:
    """Validate the file's contents against :class:`ExperimentSpec` (structure and types only)."""
    try:
        return ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        where, problem = _problem(errors[0])
        more = len({e["loc"][:2] for e in errors}) - 1
        if more > 0:
            problem += f" (+{more} more)"
        raise InputError(f"{label}: field {where}" if where else label, problem) from None


# -- checks shared by every task ------------------------------------------------------------------
def _check_parameter(spec: ExperimentSpec, i: int, p: ParameterSpec, label: str) -> tuple[float, float, list]:
    where = f"{label}: field parameters[{i}]"
    grid = spec.design.kind == "grid"
    if p.range is not None:
        lo, hi = p.range
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            raise InputError(f"{where}.range", f"value {_show(list(p.range))} is not allowed: "
                             "must be [low, high] with finite low < high")
    if not grid:
        if p.levels is not None:
            raise InputError(f"{where}.levels", f"only grid designs take levels; a {spec.design.kind} "
                             "design samples each parameter from its range")
        if p.range is None:
            raise InputError(f"{where}.range", f"required but missing for a {spec.design.kind} design")
        return p.range[0], p.range[1], []
    if p.levels is None:
        raise InputError(f"{where}.levels", "required but missing for a grid design: a list of values, "
                         "or an integer count of values evenly spaced over range")
    if isinstance(p.levels, int):
        if p.range is None:
            raise InputError(f"{where}.range", f"required with levels = {p.levels}: the values are spaced "
                             "evenly over range")
        if p.levels < 2:
            raise InputError(f"{where}.levels", f"value {p.levels} is not allowed: must be >= 2")
        n = p.levels
        values = [p.range[0] + (p.range[1] - p.range[0]) * k / (n - 1) for k in range(n)]
    else:
        values = list(p.levels)
        if not values or any(not math.isfinite(v) for v in values) or len(set(values)) != len(values):
            raise InputError(f"{where}.levels", f"value {_show(values)} is not allowed: must be distinct "
                             "finite numbers, at least one")
        if p.range is not None:
            raise InputError(f"{where}.range", "give either a list of levels or range with a count of levels")
    return min(values), max(values), values


def _check_common(spec: ExperimentSpec, label: str) -> tuple[list[str], list[tuple[float, float]], list[list]]:
    names: list[str] = []
    bounds: list[tuple[float, float]] = []
    levels: list[list] = []
    for i, p in enumerate(spec.parameters):
        lo, hi, values = _check_parameter(spec, i, p, label)
        column = p.column
        if column in names:
            raise InputError(f"{label}: field parameters[{i}].name", f"{column!r} is already varied by "
                             f"parameters[{names.index(column)}]")
        if column in RESERVED:
            raise InputError(f"{label}: field parameters[{i}].name", f"{column!r} is a column of the runs "
                             f"table; reserved names: {', '.join(RESERVED)}")
        names.append(column)
        bounds.append((lo, hi))
        levels.append(values)
    d = spec.design
    if d.kind == "sobol" and d.samples & (d.samples - 1):
        raise InputError(f"{label}: field design.samples", f"value {d.samples} is not allowed: Saltelli/Sobol "
                         "samples must be a power of two (e.g. 64, 128, 1024)")
    if d.kind == "morris" and len(names) < 1:  # pragma: no cover - parameters has min_length 1
        raise InputError(f"{label}: field parameters", "Morris needs at least one parameter")
    if d.kind == "sobol" and len(names) < 2:
        raise InputError(f"{label}: field parameters", "a Sobol design needs at least two parameters")
    return names, bounds, levels


def design_size(spec: ExperimentSpec, levels: list[list]) -> int:
    """Number of design points the design will generate (before replicates)."""
    d, k = spec.design, len(spec.parameters)
    if d.kind == "grid":
        return math.prod(len(v) for v in levels)
    if d.kind == "lhs":
        return d.samples
    if d.kind == "sobol":
        return d.samples * (2 * k + 2 if d.second_order else k + 2)
    return d.samples * (k + 1)


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; raise :class:`InputError` (one line) on any problem."""
    from sim.sweep.tasks import resolve_task

    path = Path(path)
    label = _label(path)
    if not path.is_file():
        raise InputError(label, "is a directory, not an experiment file" if path.is_dir() else "no such file")
    spec = parse_spec(read_toml(path, label), label)
    names, bounds, levels = _check_common(spec, label)
    runs = design_size(spec, levels) * spec.replicates
    if runs > MAX_RUNS:
        raise InputError(f"{label}: field design", f"{runs:,} runs is too many: at most {MAX_RUNS:,}")
    experiment = Experiment(spec=spec, source=path.resolve(), label=label, names=names, bounds=bounds,
                            integer=[False] * len(names), levels=levels, task=None)
    resolve_task(experiment)  # sets task, integer, base; checks the task's own fields
    return experiment
