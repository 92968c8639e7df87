"""Write one run's outputs into a directory, atomically.

Everything is written into a fresh temporary directory next to ``out_dir`` (same parent, so the
final rename stays on one file system) and renamed into place at the end. An earlier run in
``out_dir`` is replaced only after the new one is complete; on any failure the temporary
directory is removed and ``out_dir`` is left as it was. A directory holding anything else than
an earlier run's files is never replaced.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.runner.folders import replace_atomically
from sim.runner.manifest import check_out_dir as check_folder
from sim.runner.manifest import git_revision, versions

if TYPE_CHECKING:
    from sim.inputs.scenarios import Scenario
    from sim.runner.run import RunResult

TABLES = ("timeseries", "units", "provenance", "unit_timeseries")
FILES = (*(f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")), "manifest.json", "kpis.png")
MANIFEST_FORMAT = "alignsim-run/1"


def manifest(result: RunResult, scenario: Scenario) -> dict[str, Any]:
    """What produced the run: scenario, resolved parameters, seed, steps, timing and versions."""
    source = scenario.source
    start = source.parent if source is not None else Path(__file__).resolve().parent
    return {
        "format": MANIFEST_FORMAT,
        "scenario": {
            "name": scenario.name,
            "description": scenario.params.description,
            "source": str(source) if source is not None else None,
            "overrides": list(scenario.overrides),
        },
        "seed": result.seed,
        "steps": result.steps,
        "wall_s": round(result.wall_s, 4),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "git_revision": git_revision(start),
        "params": scenario.params.model_dump(mode="json"),
    }


def is_run_dir(path: Path) -> bool:
    """True if ``path`` holds only files a previous :func:`write_run` wrote, manifest included."""
    try:
        names = {p.name for p in path.iterdir()}
        info = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return names <= set(FILES) and isinstance(info, dict) and info.get("format") == MANIFEST_FORMAT


def check_out_dir(out_dir: str | Path, overwrite: bool = True) -> Path:
    """Raise InputError unless ``out_dir`` may receive a run; call it before running.

    It may if it does not exist, is empty, or (with ``overwrite``) holds an earlier run.
    """
    if not overwrite:
        return check_folder(out_dir, lambda _: False, "exists and is not empty; choose another output directory")
    return check_folder(out_dir, is_run_dir, "exists and holds files that are not an alignsim run; "
                        "choose another output directory or empty it")


def _write_files(result: RunResult, scenario: Scenario, folder: Path) -> None:
    from sim.report.figure import kpi_figure

    tables = {"timeseries": result.series, "units": result.units, "provenance": result.provenance,
              "unit_timeseries": result.unit_series}
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        table.to_parquet(folder / f"{name}.parquet", index=False)
    info = manifest(result, scenario)
    (folder / "manifest.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    title = f"{scenario.name}: seed {result.seed}, {result.steps} days"
    kpi_figure(result.series, title, scenario.params.events).savefig(folder / "kpis.png", dpi=100)


def write_run(result: RunResult, scenario: Scenario, out_dir: str | Path, *,
              overwrite: bool = True) -> dict[str, Path]:
    """Write the run's tables (CSV and Parquet), ``manifest.json`` and ``kpis.png`` to ``out_dir``.

    Atomic: nothing is visible in ``out_dir`` until everything is written. An earlier run there is
    replaced when ``overwrite`` (the default); any other content makes it raise InputError.
    Returns each file name mapped to its final path.
    """
    out = check_out_dir(out_dir, overwrite).absolute()
    replace_atomically(out, str(out_dir), lambda folder: _write_files(result, scenario, folder))
    return {name: out / name for name in FILES}
