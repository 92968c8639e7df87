"""Reading a TOML input file (a scenario or an experiment) with one-line errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import InputError

_TOML_AT = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def read_toml(path: Path, file: str) -> dict[str, Any]:
    """Parse ``path``; problems become an InputError naming ``file`` (and the line and column)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(file, "not UTF-8 text; save the file as UTF-8") from None
    except OSError as exc:
        raise InputError(file, f"cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).replace("\n", " ")
        m = _TOML_AT.match(message)
        if m:
            raise InputError(f"{file}: line {m['line']}, column {m['col']}",
                             f"invalid TOML: {m['msg']}") from None
        raise InputError(file, f"invalid TOML: {message}") from None
