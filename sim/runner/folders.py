"""Writing a folder atomically: everything goes into a fresh hidden sibling, which then replaces
the folder in one rename (an earlier folder there is removed only once the new one is complete).
Used by the single run's outputs and by comparisons' reports."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sim.errors import InputError


def _make_parents(path: Path) -> list[Path]:
    """Create the missing parents of ``path``; return those created, deepest first."""
    created = [p for p in path.parents if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return created


def replace_atomically(out: Path, label: str, fill: Callable[[Path], None]) -> None:
    """Write a folder atomically: ``fill(tmp)`` writes into a fresh hidden sibling of ``out``, which
    then replaces ``out`` (an earlier folder there is removed only once the new one is complete).
    On failure nothing is left behind, not even the parent folders this call created; an
    OSError becomes an InputError naming ``label``."""
    created: list[Path] = []
    tmp: Path | None = None
    try:
        created = _make_parents(out)
        tmp = _fresh(out, "tmp")
        tmp.mkdir()  # honours the umask, unlike tempfile.mkdtemp
        fill(tmp)
        _swap(tmp, out)
        tmp = None
    except OSError as exc:
        raise InputError(label, f"cannot write the outputs: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            for folder in created:
                try:
                    folder.rmdir()
                except OSError:
                    break



def _fresh(out: Path, kind: str) -> Path:
    """A hidden sibling name of ``out`` that nothing else uses."""
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{time.time_ns()}"


def _swap(new: Path, out: Path) -> None:
    """Move ``new`` to ``out``, replacing an earlier run there only once ``new`` is in place."""
    old: Path | None = None
    if out.exists():
        old = _fresh(out, "old")
        os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
