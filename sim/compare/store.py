"""The saved results of a comparison, so that ``alignsim report RUN_DIR`` rebuilds the report
without re-running.

Layout of a run directory::

    manifest.json            what ran: scenarios (resolved parameters), root seed, every
                             replicate's seed and spawn key, steps, window, leverage design,
                             versions, git revision, timings
    data/series.parquet      one row per (scenario, replicate, step): every KPI of the model
    data/units.parquet       one row per (scenario, replicate, unit): the unit table at the end
    data/provenance.parquet  friction by (scenario, replicate, period, cause, unit); period is
                             "run" (whole run) or "window" (the analysis window)
    data/leverage.parquet    one row per leverage run: lever, direction, level, replicate, seed
                             and each KPI summarised over the window
    report.html, *.csv, *.png   derived: rebuilt by ``alignsim report``

A directory is written whole, under a temporary name, and renamed into place
(:mod:`sim.runner.outputs`), so a run directory is either complete or absent.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError
from sim.runner.outputs import replace_atomically

FORMAT = "alignsim-compare/1"
MANIFEST = "manifest.json"
DATA = "data"
TABLES = ("series", "units", "provenance", "leverage")


@dataclass
class Saved:
    """A comparison as saved: its manifest and tables (``leverage`` is None without leverage)."""

    manifest: dict[str, Any]
    series: pd.DataFrame
    units: pd.DataFrame
    provenance: pd.DataFrame
    leverage: pd.DataFrame | None

    @property
    def scenarios(self) -> list[str]:
        return [s["name"] for s in self.manifest["scenarios"]]

    @property
    def window(self) -> tuple[int, int]:
        a, b = self.manifest["window"]
        return int(a), int(b)


def write_data(folder: Path, saved: Saved) -> None:
    """Write the manifest and the Parquet tables into ``folder`` (which exists)."""
    data = folder / DATA
    data.mkdir(exist_ok=True)
    for name in TABLES:
        table = getattr(saved, name)
        if table is not None:
            table.to_parquet(data / f"{name}.parquet", index=False)
    (folder / MANIFEST).write_text(json.dumps(saved.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("format") == FORMAT else None


def load(run_dir: str | Path) -> Saved:
    """The comparison saved in ``run_dir``; InputError (one line) if it is not one."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise InputError(str(folder), "no such directory; give the --out directory of an `alignsim compare` run")
    info = read_manifest(folder)
    if info is None:
        raise InputError(str(folder), f"not an `alignsim compare` run directory (no {MANIFEST} of format {FORMAT})")
    tables: dict[str, pd.DataFrame | None] = {}
    for name in TABLES:
        path = folder / DATA / f"{name}.parquet"
        if not path.is_file():
            if name == "leverage":
                tables[name] = None
                continue
            raise InputError(str(path), "missing; the run directory is incomplete, run `alignsim compare` again")
        try:
            tables[name] = pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise InputError(str(path), f"cannot be read ({' '.join(str(exc).split())[:120]})") from None
    return Saved(manifest=info, **tables)  # type: ignore[arg-type]


def is_compare_dir(path: Path) -> bool:
    return read_manifest(path) is not None


def check_out_dir(out_dir: str | Path) -> Path:
    """Raise InputError unless ``out_dir`` may receive a comparison: absent, empty, or an
    earlier comparison (which is then replaced)."""
    out = Path(out_dir)
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise InputError(str(out), "exists and is not a directory; choose another output directory")
        if any(out.iterdir()) and not is_compare_dir(out):
            raise InputError(str(out), "exists and holds files that are not an `alignsim compare` run; "
                             "choose another output directory or empty it")
    for parent in out.absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(str(out), f"{parent} is not a directory")
    return out


def write_atomically(out_dir: str | Path, fill) -> Path:
    """Create a fresh sibling of ``out_dir``, call ``fill(folder)`` to write into it, then rename
    it to ``out_dir`` (replacing an earlier comparison only once the new one is complete)."""
    out = check_out_dir(out_dir).absolute()
    replace_atomically(out, str(out_dir), fill)
    return out


def rewrite(run_dir: str | Path, fill) -> Path:
    """Rebuild ``run_dir``'s derived files atomically: a copy of its manifest and data goes into
    a fresh sibling, ``fill(folder)`` writes the rest, and the copy replaces the original."""
    src = Path(run_dir).absolute()

    def copy_then_fill(folder: Path) -> None:
        shutil.copy2(src / MANIFEST, folder / MANIFEST)
        shutil.copytree(src / DATA, folder / DATA)
        fill(folder)

    return write_atomically(src, copy_then_fill)
