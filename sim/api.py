"""The Python API of alignsim: load a scenario, build a model, run it.

Used by the CLI (:mod:`sim.cli`) and usable from a notebook::

    from sim import load_scenario, run_scenario

    scenario = load_scenario("pressure-shock", overrides=["levers.clarity=0.9"])
    result = run_scenario(scenario, seed=7, steps=120)
    result.series.plot(x="step", y="friction_index")

Every problem with the input (unknown scenario, TOML syntax, a value out of range, an unknown
key, an org chart row) raises :class:`~sim.errors.InputError` with a one-line message naming the
file or flag, the field, the value and what is allowed.

Bundled scenario names (``baseline``, ``pressure-shock``, ...) are the files ``scenarios/*.toml``
of the source checkout; an installed (non-editable) package finds them only if they are shipped
as package data under ``sim/scenarios``. A path to any TOML file always works.
"""

from __future__ import annotations

import difflib
import json
import re
import time
import tomllib
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from pydantic import BaseModel, ValidationError

from sim.errors import InputError
from sim.inputs.orgchart import read_org_csv
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.runner.tomlfile import read_toml

__all__ = [
    "RunResult", "Scenario", "build_model", "bundled_scenarios", "checked_int", "load_scenario",
    "parameter_reference", "run_model", "run_scenario", "scenarios_dir",
]

Key = tuple[str | int, ...]


# -- bundled scenarios -----------------------------------------------------------------------------
def scenarios_dir() -> Path | None:
    """The directory of the bundled scenarios, or None when it cannot be found.

    The source checkout's ``scenarios/`` first; then ``sim/scenarios`` as package data.
    """
    here = Path(__file__).resolve().parent.parent / "scenarios"
    if here.is_dir():
        return here
    try:
        shipped = resources.files("sim").joinpath("scenarios")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - defensive
        return None
    return Path(str(shipped)) if shipped.is_dir() else None


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario names mapped to their files, sorted by name (empty without the checkout)."""
    folder = scenarios_dir()
    if folder is None:
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as absolute."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _known_names() -> str:
    names = list(bundled_scenarios())
    return ", ".join(names) if names else "none (bundled scenarios need the source checkout)"


def _locate(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        candidate = name_or_path
    else:
        text = str(name_or_path)
        candidate = Path(text)
        looks_like_path = text.endswith(".toml") or "/" in text or "\\" in text
        if not looks_like_path and not candidate.is_file():
            found = bundled_scenarios().get(text)
            if found is None:
                raise InputError(f"scenario {text!r}", "no bundled scenario or file of that name; "
                                 f"bundled scenarios: {_known_names()}")
            return found
    if not candidate.is_file():
        what = "is a directory, not a TOML file" if candidate.is_dir() else "no such file"
        raise InputError(str(candidate), f"{what}; bundled scenarios: {_known_names()}")
    return candidate


def _parse_value(text: str) -> Any:
    """A ``--set`` value: TOML (``0.9``, ``true``, ``[[0, 0.2]]``, ``"x"``), else the plain string."""
    if "\n" in text:
        return text
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


# -- the shape of ModelParams, for override keys and error messages ---------------------------------
def _unwrap(ann: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` from an annotation."""
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return ann


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _union_members(ann: Any) -> list[type[BaseModel]]:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return [a for a in (_unwrap(x) for x in typing.get_args(ann)) if _is_model(a)]
    return []


def _tag(member: type[BaseModel]) -> str | None:
    type_field = member.model_fields.get("type")
    if type_field is None or typing.get_origin(type_field.annotation) is not typing.Literal:
        return None
    return str(typing.get_args(type_field.annotation)[0])


def _pick_member(ann: Any, raw: Any) -> Any:
    """The member of a discriminated union that the raw value selects (else the union itself)."""
    members = _union_members(ann)
    if members and isinstance(raw, dict):
        for member in members:
            if _tag(member) == raw.get("type"):
                return member
    return ann


def _event_tags() -> set[str]:
    tags: set[str] = set()
    for f in ModelParams.model_fields.values():
        ann = _unwrap(f.annotation)
        if typing.get_origin(ann) is list:
            tags.update(t for m in _union_members(_unwrap(typing.get_args(ann)[0])) if (t := _tag(m)))
    return tags


def _strip_tags(loc: Sequence[str | int]) -> Key:
    """Drop the discriminator tag pydantic inserts after a list index (``events, 0, shock, step``)."""
    tags = _event_tags()
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if i > 0 and isinstance(loc[i - 1], int) and isinstance(part, str) and part in tags:
            continue
        out.append(part)
    return tuple(out)


def _dotted(key: Key) -> str:
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _walk(key: Key, raw: Any) -> tuple[Any, Any]:
    """The annotation and raw value at ``key`` (annotation ``None`` once it is no longer known)."""
    ann: Any = ModelParams
    node = raw
    for part in key:
        ann = _pick_member(_unwrap(ann), node)
        if _is_model(ann):
            f = ann.model_fields.get(part) if isinstance(part, str) else None
            ann = f.annotation if f is not None else None
        elif typing.get_origin(ann) in (list, dict, tuple):
            args = typing.get_args(ann)
            ann = args[-1] if args and typing.get_origin(ann) is not tuple else None
        else:
            ann = None
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
        if ann is None:
            return None, node
    return _pick_member(_unwrap(ann), node), node


def _allowed_keys(section: Key, raw: Any) -> list[str]:
    ann, _ = _walk(section, raw)
    return list(ann.model_fields) if _is_model(ann) else []


def _unknown_key_problem(key: Key, raw: Any) -> str:
    name = key[-1]
    allowed = _allowed_keys(key[:-1], raw)
    where = f"in {_dotted(key[:-1])}" if len(key) > 1 else "at the top level"
    close = difflib.get_close_matches(str(name), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = f" (allowed {where}: {', '.join(allowed)})" if allowed else ""
    return f"unknown parameter {name!r} {where}{hint}{listed}"


# -- overrides ------------------------------------------------------------------------------------
def _split_key(text: str, flag: str) -> Key:
    parts: list[str | int] = []
    for piece in re.sub(r"\[(\d+)\]", r".\1", text.strip()).split("."):
        if not piece:
            raise InputError(flag, f"{text!r} is not a dotted parameter name (e.g. levers.clarity)")
        parts.append(int(piece) if piece.isdigit() else piece)
    if isinstance(parts[0], int):
        raise InputError(flag, f"{text!r} is not a dotted parameter name (e.g. levers.clarity)")
    return tuple(parts)


def _fresh_section(ann: Any, part: str | int) -> Any:
    """What a missing section becomes before an override writes into it: a table for a section of
    parameters, a copy of the default for a mapping field (so that ``--set
    customers.friction_weights.delay=2`` changes one weight and keeps the others)."""
    f = ann.model_fields.get(part) if _is_model(ann) and isinstance(part, str) else None
    if f is not None and typing.get_origin(_unwrap(f.annotation)) is dict:
        default = f.get_default(call_default_factory=True)
        return dict(default) if isinstance(default, dict) else {}
    return {}


def _apply_override(raw: dict[str, Any], item: str) -> Key:
    """Apply one ``dotted.key=value`` to ``raw`` in place; return the key."""
    name, sep, value_text = item.partition("=")
    if not sep:
        raise InputError(f"--set {item}", "expected key=value, e.g. --set levers.clarity=0.8")
    flag = f"--set {name.strip()}"
    key = _split_key(name, flag)
    node: Any = raw
    for depth, part in enumerate(key):
        ann, _ = _walk(key[:depth], raw)
        last = depth == len(key) - 1
        if _is_model(ann):
            if not isinstance(part, str) or part not in ann.model_fields:
                raise InputError(flag, _unknown_key_problem(key[: depth + 1], raw))
        elif _union_members(ann):  # an entry whose type is not known yet: pydantic checks its keys
            if not isinstance(part, str):
                raise InputError(flag, f"{_dotted(key[:depth])} is a section; {part!r} is not a name")
        elif typing.get_origin(ann) is list or isinstance(node, list):
            size = len(node) if isinstance(node, list) else 0
            if not isinstance(part, int) or part >= size:
                entries = f"{size} entr{'y' if size == 1 else 'ies'}"
                allowed = f"; the index must be 0..{size - 1}" if size else "; define them in the file"
                raise InputError(flag, f"{_dotted(key[:depth])} has {entries}{allowed}")
        elif typing.get_origin(ann) is not dict:
            raise InputError(flag, f"{_dotted(key[:depth])} is a single value, not a section")
        if last:
            node[part] = _parse_value(value_text.strip())
        else:
            if isinstance(node, dict) and not isinstance(node.get(part), dict | list):
                node[part] = _fresh_section(ann, part)
            node = node[part]
    return key


# -- validation errors as one line -------------------------------------------------------------------
def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else str(x)


_BOUNDS = {"greater_than_equal": ("ge", ">="), "less_than_equal": ("le", "<="),
           "greater_than": ("gt", ">"), "less_than": ("lt", "<")}


def _rule(err: dict[str, Any]) -> str:
    kind, ctx, msg = err["type"], err.get("ctx") or {}, err["msg"]
    if kind in _BOUNDS:
        k, op = _BOUNDS[kind]
        return f"must be {op} {_number(ctx.get(k))}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "model_type":
        return "must be a table of parameters (a [section] in TOML)"
    msg = re.sub(r"^Input should be", "must be", msg)
    return msg[:1].lower() + msg[1:]


def _problem(err: dict[str, Any], key: Key, raw: Any) -> tuple[Key, str]:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return key, "required but missing"
    if kind == "extra_forbidden":
        return key, _unknown_key_problem(key, raw)
    if kind == "union_tag_invalid":
        return (*key, "type"), f"value {_show(ctx.get('tag'))} is not allowed: must be one of " \
                               f"{ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        ann, _ = _walk(key, raw)
        tags = ", ".join(repr(t) for m in _union_members(ann) if (t := _tag(m)))
        return (*key, "type"), f"required but missing; must be one of {tags or 'the allowed types'}"
    if kind == "value_error":
        reason = str(ctx.get("error") or re.sub(r"^Value error, ", "", err["msg"]))
        if isinstance(value, dict | list):
            return key, reason
        return key, f"value {_show(value)} is not allowed: {reason}"
    return key, f"value {_show(value)} is not allowed: {_rule(err)}"


def _validation_error(exc: ValidationError, raw: Any, file: str | None,
                      overrides: dict[Key, str]) -> InputError:
    errors = exc.errors()
    key, problem = _problem(errors[0], _strip_tags(errors[0]["loc"]), raw)
    if len(errors) > 1:
        problem += f" (+{len(errors) - 1} more)"
    for okey, text in overrides.items():
        if key[: len(okey)] == okey:
            rest = key[len(okey):]
            return InputError(f"--set {text}" + (f": field {_dotted(key)}" if rest else ""), problem)
    blamed = [text for okey, text in overrides.items()  # inside the field, or its entry's type
              if okey[: len(key)] == key or (okey[-1] == "type" and okey[:-1] == key[: len(okey) - 1])]
    origin = file or "parameters"
    if blamed:
        origin += f" (with --set {', '.join(blamed)})"
    return InputError(f"{origin}: field {_dotted(key)}" if key else origin, problem)


# -- scenarios --------------------------------------------------------------------------------------
@dataclass
class Scenario:
    """A validated scenario: its parameters, the file it came from and its org chart, if any."""

    params: ModelParams
    source: Path | None = None
    graph: nx.DiGraph | None = None
    overrides: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """File name without ``.toml`` (for bundled scenarios, the bundled name), else params.name."""
        return self.source.stem if self.source is not None else self.params.name

    @property
    def label(self) -> str:
        """How error messages name the scenario: its file, relative to the working directory."""
        return _display(self.source) if self.source is not None else self.params.name


def load_scenario(name_or_path: str | Path, overrides: Sequence[str] | None = None) -> Scenario:
    """Load, override and validate a scenario; read its org chart if it names one.

    ``name_or_path``: a bundled scenario name (see :func:`bundled_scenarios`) or a TOML file.
    ``overrides``: ``dotted.key=value`` strings (the CLI's ``--set``), e.g. ``levers.clarity=0.8``
    or ``events[0].step=120``; the value is parsed as TOML, else taken as a string. They are
    applied to the file's contents before validation, so they are validated like the file.
    ``org.chart`` is resolved relative to the scenario file (relative to the working directory
    when it comes from an override). Raises :class:`InputError` with a one-line message.
    """
    if isinstance(overrides, str):
        overrides = [overrides]
    path = _locate(name_or_path)
    file = _display(path)
    raw = read_toml(path, file)
    applied: dict[Key, str] = {}
    for item in overrides or ():
        applied[_apply_override(raw, item)] = item.partition("=")[0].strip()
    try:
        params = ModelParams.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, raw, file, applied) from None
    graph = None
    if params.org.chart:
        from_cli = ("org", "chart") in applied or ("org",) in applied
        chart = Path(params.org.chart).expanduser()
        if not chart.is_absolute():
            chart = (Path.cwd() if from_cli else path.resolve().parent) / chart
        where = "--set org.chart" if from_cli else f"{file}: field org.chart"
        if not chart.is_file():
            raise InputError(where, f"value {params.org.chart!r} is not allowed: no org chart CSV at {chart}")
        graph = read_org_csv(Path(_display(chart)))
    return Scenario(params=params, source=path.resolve(), graph=graph, overrides=tuple(overrides or ()))


# -- running ----------------------------------------------------------------------------------------
def checked_int(name: str, value: Any, where: str | None = None) -> int:
    """``value`` as a run setting ``name`` (``"seed"`` or ``"steps"``), checked against ModelParams.

    Raises :class:`InputError` naming ``where`` (default ``name``), the value and the allowed range.
    """
    where = where or name
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"value {_show(value)} is not allowed: must be an integer")
    meta = {type(m).__name__: m for m in ModelParams.model_fields[name].metadata}
    lo = getattr(meta.get("Ge"), "ge", None)
    hi = getattr(meta.get("Le"), "le", None)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rule = f"must be >= {lo}" if lo is not None and value < lo else f"must be <= {hi}"
        raise InputError(where, f"value {value} is not allowed: {rule}")
    return value


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


# -- parameter reference --------------------------------------------------------------------------------
_EVENT_DOCS = {  # fields of events that carry no description of their own: (unit, meaning)
    "step": ("day", "Day the event happens; must lie before the end of the run."),
    "duration": ("days", "Days the shock lasts."),
    "label": ("text", "Text marking the event in figures."),
    "lever": ("lever", "The lever that changes."),
    "value": ("level", "The lever's new level."),
    "division": ("name", "Scope: only this division (by name); empty: the whole organisation."),
    "manager": ("name or id", "Scope: only this manager's subtree (by name or id)."),
    "pressure": ("level", ""),
    "noise": ("level sd", ""),
    "need_shift": ("share", ""),
    "ramp": ("days", ""),
}
_TOP_DOCS = {
    "name": ("text", "Scenario name, shown in reports."),
    "description": ("text", "One-sentence description (the first line is listed by `scenarios`)."),
}


def _range(f: Any, ann: Any) -> str:
    bounds = {type(m).__name__: m for m in f.metadata}
    lo = next((f"{op}{_number(getattr(bounds[k], a))}" for k, a, op in (("Ge", "ge", "["), ("Gt", "gt", "("))
               if k in bounds), None)
    hi = next((f"{_number(getattr(bounds[k], a))}{op}" for k, a, op in (("Le", "le", "]"), ("Lt", "lt", ")"))
               if k in bounds), None)
    if lo and hi:
        return f"{lo}, {hi}"
    if lo:
        return f"{'>=' if lo[0] == '[' else '>'} {lo[1:]}"
    if hi:
        return f"{'<=' if hi[-1] == ']' else '<'} {hi[:-1]}"
    if typing.get_origin(ann) is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(ann))
    if ann is bool:
        return "true, false"
    return ""


def _default(f: Any) -> str:
    if f.is_required():
        return "(required)"
    value = f.get_default(call_default_factory=True)
    if value is None:
        return "(none)"
    if isinstance(value, bool | int | float):
        return _show(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def _collect(model: type[BaseModel], prefix: str, rows: list[dict[str, str]], docs: dict) -> None:
    for name, f in model.model_fields.items():
        ann = _unwrap(f.annotation)
        dotted = f"{prefix}{name}"
        if _is_model(ann):
            _collect(ann, f"{dotted}.", rows, _EVENT_DOCS if prefix.startswith("events") else {})
            continue
        item = _unwrap(typing.get_args(ann)[0]) if typing.get_origin(ann) is list else None
        members = _union_members(item) if item is not None else []
        if members:
            for member in members:
                _collect(member, f"{dotted}[type={_tag(member)}].", rows, _EVENT_DOCS)
            continue
        if name == "type" and prefix.startswith("events"):
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        unit, meaning = docs.get(name, ("", ""))
        rows.append({
            "name": dotted, "unit": str(extra.get("unit", unit)), "range": _range(f, ann),
            "default": _default(f), "meaning": f.description or meaning,
            "rationale": str(extra.get("rationale", "")),
        })


def parameter_reference() -> list[dict[str, str]]:
    """Every parameter of :class:`ModelParams` by dotted name, with unit, range, default, meaning
    and rationale (read from the field declarations). Events appear as ``events[type=shock].step``.
    """
    rows: list[dict[str, str]] = []
    _collect(ModelParams, "", rows, _TOP_DOCS)
    return rows
