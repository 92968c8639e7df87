"""Writing a scenario file: :class:`~sim.model.params.ModelParams` as TOML that reads back to the
same parameters (floats are written with ``repr``, which round-trips exactly).

Used to save a workshop session: the scenario with the events the session received, so that
``alignsim run`` replays it.  Every field is written, defaults included, so that the file does not
depend on the defaults of a later version; empty values (``None``) are left out.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sim.model.params import ModelParams

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else _string(key)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _table(data: dict[str, Any]) -> list[str]:
    """``key = value`` lines of a table (nested tables inline; empty ones and None left out)."""
    return [f"{_key(k)} = {_value(v)}" for k, v in data.items()
            if v is not None and not (isinstance(v, dict) and not any(x is not None for x in v.values()))]


def scenario_toml(params: ModelParams, comment: str = "") -> str:
    """``params`` as the text of a scenario file, with ``comment`` (lines) at the top."""
    data = params.model_dump()
    events = data.pop("events")
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    if lines:
        lines.append("")
    lines += _table({k: v for k, v in data.items() if not isinstance(v, dict)})
    for name, section in data.items():
        if isinstance(section, dict):
            lines += ["", f"[{_key(name)}]", *_table(section)]
    for event in events:
        lines += ["", "[[events]]", *_table(event)]
    return "\n".join(lines) + "\n"
