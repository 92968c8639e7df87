"""The parameter space of the model: every parameter of :class:`~sim.model.params.ModelParams` by
dotted name (``levers.clarity``, ``customers.friction_weights.delay``, ``events[0].step``).

Scenarios (``--set`` overrides), sweeps (design points), the leverage analysis (variants) and the
dashboard (live settings) read and write parameters through this module, so a name, its bounds
and the wording of an error exist once:

- :func:`apply_overrides` writes ``dotted.key=value`` strings into a scenario's raw TOML table;
  :func:`validate` turns the table into ``ModelParams`` or raises a one-line
  :class:`~sim.errors.InputError` naming the file or ``--set`` flag, the field, the value and the
  rule;
- :func:`set_values` sets values by dotted name on validated parameters (a sweep's design point,
  a leverage variant);
- :func:`bounds` gives a numeric parameter's type and range, :func:`numeric_names` the parameters
  that can be varied, :func:`field_info` one row of :func:`parameter_reference`, the table of every
  parameter with unit, range, default, meaning and rationale (``alignsim params``);
- :func:`checked_int` checks a run setting (``seed``, ``steps``) given outside a scenario file.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import InputError
from sim.model.params import ModelParams

__all__ = [
    "NOT_SWEEPABLE", "Key", "apply_override", "apply_overrides", "bounds", "checked_int", "dotted", "field_info",
    "numeric_names", "parameter_reference", "parse_value", "set_values", "split_key", "validate",
    "validation_error",
]

Key = tuple[str | int, ...]

# top-level parameters that a sweep cannot vary, and why
NOT_SWEEPABLE = {"seed": "the seed of each run comes from the experiment's root seed",
                 "steps": "set steps in the experiment file", "name": "not a number", "description": "not a number"}


# -- the shape of ModelParams, for dotted names and error messages ----------------------------------
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


def _tags(member: type[BaseModel]) -> tuple[str, ...]:
    """The ``type`` values that select ``member`` of an event union (several for interventions)."""
    type_field = member.model_fields.get("type")
    if type_field is None or typing.get_origin(type_field.annotation) is not typing.Literal:
        return ()
    return tuple(str(a) for a in typing.get_args(type_field.annotation))


def _tag(member: type[BaseModel]) -> str | None:
    """How the reference names ``member``: its type, or ``intervention`` for the many named ones."""
    tags = _tags(member)
    return None if not tags else tags[0] if len(tags) == 1 else "intervention"


def _pick_member(ann: Any, raw: Any) -> Any:
    """The member of a discriminated union that the raw value selects (else the union itself)."""
    members = _union_members(ann)
    if members and isinstance(raw, dict):
        for member in members:
            if raw.get("type") in _tags(member):
                return member
    return ann


def _event_tags() -> set[str]:
    tags: set[str] = set()
    for f in ModelParams.model_fields.values():
        ann = _unwrap(f.annotation)
        if typing.get_origin(ann) is list:
            tags.update(t for m in _union_members(_unwrap(typing.get_args(ann)[0])) for t in _tags(m))
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


def dotted(key: Key) -> str:
    """A key as a dotted name: ``("events", 0, "step")`` -> ``events[0].step``."""
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
    where = f"in {dotted(key[:-1])}" if len(key) > 1 else "at the top level"
    close = difflib.get_close_matches(str(name), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = f" (allowed {where}: {', '.join(allowed)})" if allowed else ""
    return f"unknown parameter {name!r} {where}{hint}{listed}"


# -- overrides (the CLI's --set) ---------------------------------------------------------------------
def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML (``0.9``, ``true``, ``[[0, 0.2]]``, ``"x"``), else the plain string."""
    if "\n" in text:
        return text
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def split_key(text: str, flag: str) -> Key:
    """A dotted name as a key (``events[0].step`` -> ``("events", 0, "step")``); InputError naming ``flag``."""
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


def apply_override(raw: dict[str, Any], item: str) -> Key:
    """Apply one ``dotted.key=value`` to ``raw`` (a scenario's TOML table) in place; return the key.

    An unknown name, an index past the end of a list or a name below a single value raises
    :class:`InputError` naming ``--set NAME``; the value itself is checked by :func:`validate`.
    """
    name, sep, value_text = item.partition("=")
    if not sep:
        raise InputError(f"--set {item}", "expected key=value, e.g. --set levers.clarity=0.8")
    flag = f"--set {name.strip()}"
    key = split_key(name, flag)
    node: Any = raw
    for depth, part in enumerate(key):
        ann, _ = _walk(key[:depth], raw)
        last = depth == len(key) - 1
        if _is_model(ann):
            if not isinstance(part, str) or part not in ann.model_fields:
                raise InputError(flag, _unknown_key_problem(key[: depth + 1], raw))
            if not isinstance(node, dict):  # the file has e.g. `decisions = []` where a table belongs
                raise InputError(flag, f"{dotted(key[:depth])} is {_show(node)} in the file, not a table of "
                                 "parameters; correct the file first")
        elif _union_members(ann):  # an entry whose type is not known yet: pydantic checks its keys
            if not isinstance(part, str):
                raise InputError(flag, f"{dotted(key[:depth])} is a section; {part!r} is not a name")
        elif typing.get_origin(ann) is list or isinstance(node, list):
            size = len(node) if isinstance(node, list) else 0
            if not isinstance(part, int) or part >= size:
                entries = f"{size} entr{'y' if size == 1 else 'ies'}"
                allowed = f"; the index must be 0..{size - 1}" if size else "; define them in the file"
                raise InputError(flag, f"{dotted(key[:depth])} has {entries}{allowed}")
        elif typing.get_origin(ann) is not dict:
            raise InputError(flag, f"{dotted(key[:depth])} is a single value, not a section")
        if last:
            node[part] = parse_value(value_text.strip())
        else:
            if isinstance(node, dict) and not isinstance(node.get(part), dict | list):
                node[part] = _fresh_section(ann, part)
            node = node[part]
    return key


def apply_overrides(raw: dict[str, Any], items: Iterable[str]) -> dict[Key, str]:
    """Apply ``dotted.key=value`` strings to ``raw`` in place, in order; return {key: name as written}
    (what :func:`validate` needs to blame the right flag)."""
    applied: dict[Key, str] = {}
    for item in items:
        applied[apply_override(raw, item)] = item.partition("=")[0].strip()
    return applied


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


_COMPARISONS = {"greater_than_equal": ("ge", ">="), "less_than_equal": ("le", "<="),
                "greater_than": ("gt", ">"), "less_than": ("lt", "<")}


def _rule(err: dict[str, Any]) -> str:
    kind, ctx, msg = err["type"], err.get("ctx") or {}, err["msg"]
    if kind in _COMPARISONS:
        k, op = _COMPARISONS[kind]
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
        tags = ", ".join(repr(t) for m in _union_members(ann) for t in _tags(m))
        return (*key, "type"), f"required but missing; must be one of {tags or 'the allowed types'}"
    if kind == "value_error":
        reason = str(ctx.get("error") or re.sub(r"^Value error, ", "", err["msg"]))
        if isinstance(value, dict | list):
            return key, reason
        return key, f"value {_show(value)} is not allowed: {reason}"
    return key, f"value {_show(value)} is not allowed: {_rule(err)}"


def validation_error(exc: ValidationError, raw: Any, file: str | None, overrides: dict[Key, str]) -> InputError:
    """The first problem of ``exc`` as one line: blames the ``--set`` flag that wrote the field (from
    :func:`apply_overrides`), else ``file`` (or ``parameters``) and the field; counts the others."""
    errors = exc.errors()
    key, problem = _problem(errors[0], _strip_tags(errors[0]["loc"]), raw)
    if len(errors) > 1:
        problem += f" (+{len(errors) - 1} more)"
    for okey, text in overrides.items():
        if key[: len(okey)] == okey:
            rest = key[len(okey):]
            return InputError(f"--set {text}" + (f": field {dotted(key)}" if rest else ""), problem)
    blamed = [text for okey, text in overrides.items()  # inside the field, or its entry's type
              if okey[: len(key)] == key or (okey[-1] == "type" and okey[:-1] == key[: len(okey) - 1])]
    origin = file or "parameters"
    if blamed:
        origin += f" (with --set {', '.join(blamed)})"
    return InputError(f"{origin}: field {dotted(key)}" if key else origin, problem)


def validate(raw: dict[str, Any], file: str | None = None, overrides: dict[Key, str] | None = None) -> ModelParams:
    """``raw`` (a scenario's table, overrides applied) as ModelParams, else a one-line InputError."""
    try:
        return ModelParams.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, raw, file, overrides or {}) from None


# -- setting values by dotted name ------------------------------------------------------------------
def set_values(base: dict[str, Any], values: dict[str, Any]) -> ModelParams:
    """The parameters ``base`` (a ``model_dump``) with ``values`` set by dotted name; validated.

    A name ``levers.L@DIVISION`` sets lever L in one division only, as a lever event scoped to
    that division on day 1. Raises pydantic's ``ValidationError`` (the caller knows the context).
    """
    raw = copy.deepcopy(base)
    for name, value in values.items():
        path, _, division = name.partition("@")
        if division:
            raw.setdefault("events", []).append({
                "type": "lever", "step": 1, "lever": path.split(".", 1)[1], "value": value,
                "scope": {"division": division}, "label": f"sweep: {name}"})
            continue
        node = raw
        *sections, leaf = path.split(".")
        for part in sections:
            node = node.setdefault(part, {})
        node[leaf] = value
    return ModelParams.model_validate(raw)


# -- numeric parameters and their bounds --------------------------------------------------------------
def _limits(f: Any) -> dict[str, Any]:
    """A field's constraints by kind (``Ge``, ``Le``, ``Gt``, ``Lt``)."""
    return {type(m).__name__: m for m in f.metadata}


def numeric_names() -> list[str]:
    """The dotted names of the numeric parameters that can be varied (in a sweep, for example)."""
    return [row["name"] for row in parameter_reference()
            if row["range"] and row["range"] != "true, false" and "[" not in row["name"]
            and row["name"] not in NOT_SWEEPABLE]


def bounds(name: str) -> tuple[type, float, float]:
    """(int or float, lowest, highest) of a numeric parameter; ValueError naming what is allowed."""
    parts = name.split(".")
    model: Any = ModelParams
    for depth, part in enumerate(parts):
        fields = model.model_fields if _is_model(model) else {}
        f = fields.get(part)
        if f is None and depth > 0 and typing.get_origin(_unwrap(model)) is dict:
            return _dict_entry(name, parts, depth)
        if f is None:
            break
        ann = _unwrap(f.annotation)
        last = depth == len(parts) - 1
        if last:
            if part in NOT_SWEEPABLE and depth == 0:
                raise ValueError(f"{name!r} cannot be varied: {NOT_SWEEPABLE[part]}")
            if ann not in (int, float):
                raise ValueError(f"{name!r} is not a number and cannot be varied")
            limits = _limits(f)
            lo = getattr(limits.get("Ge"), "ge", -math.inf)
            hi = getattr(limits.get("Le"), "le", math.inf)
            return ann, float(lo), float(hi)
        if typing.get_origin(ann) is dict:
            return _dict_entry(name, parts, depth + 1, f)
        model = ann
    raise _unknown(name, numeric_names())


def _unknown(name: str, names: list[str]) -> ValueError:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]!r}?" if close else "; `alignsim params` lists them"
    return ValueError(f"unknown parameter {name!r}{hint}")


def _dict_entry(name: str, parts: list[str], depth: int, f: Any = None) -> tuple[type, float, float]:
    """An entry of a mapping parameter (``customers.friction_weights.delay``): a weight >= 0."""
    default = f.get_default(call_default_factory=True) if f is not None else {}
    if depth != len(parts) - 1 or parts[depth] not in default:
        keys = ", ".join(f"{'.'.join(parts[:depth])}.{k}" for k in default)
        raise ValueError(f"unknown parameter {name!r}; allowed here: {keys}")
    return float, 0.0, math.inf


def checked_int(name: str, value: Any, where: str | None = None) -> int:
    """``value`` as a run setting ``name`` (``"seed"`` or ``"steps"``), checked against ModelParams.

    Raises :class:`InputError` naming ``where`` (default ``name``), the value and the allowed range.
    """
    where = where or name
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"value {_show(value)} is not allowed: must be an integer")
    meta = _limits(ModelParams.model_fields[name])
    lo = getattr(meta.get("Ge"), "ge", None)
    hi = getattr(meta.get("Le"), "le", None)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rule = f"must be >= {lo}" if lo is not None and value < lo else f"must be <= {hi}"
        raise InputError(where, f"value {value} is not allowed: {rule}")
    return value


# -- the parameter reference ----------------------------------------------------------------------------
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
    limits = _limits(f)
    lo = next((f"{op}{_number(getattr(limits[k], a))}" for k, a, op in (("Ge", "ge", "["), ("Gt", "gt", "("))
               if k in limits), None)
    hi = next((f"{_number(getattr(limits[k], a))}{op}" for k, a, op in (("Le", "le", "]"), ("Lt", "lt", ")"))
               if k in limits), None)
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
        path = f"{prefix}{name}"
        if _is_model(ann):
            _collect(ann, f"{path}.", rows, _EVENT_DOCS if prefix.startswith("events") else {})
            continue
        item = _unwrap(typing.get_args(ann)[0]) if typing.get_origin(ann) is list else None
        members = _union_members(item) if item is not None else []
        if members:
            for member in members:
                _collect(member, f"{path}[type={_tag(member)}].", rows, _EVENT_DOCS)
            continue
        if name == "type" and prefix.startswith("events"):
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        unit, meaning = docs.get(name, ("", ""))
        rows.append({
            "name": path, "unit": str(extra.get("unit", unit)), "range": _range(f, ann),
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


def field_info(name: str) -> dict[str, str]:
    """The reference row (name, unit, range, default, meaning, rationale) of one dotted name;
    ValueError for a name that is not a parameter."""
    rows = parameter_reference()
    for row in rows:
        if row["name"] == name:
            return row
    raise _unknown(name, [row["name"] for row in rows])
