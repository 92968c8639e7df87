"""A sweep's results directory: the engine's store (:mod:`sim.runner.store`) plus the sweep's files.

Layout::

    manifest.json        what ran: experiment, design, root seed, versions, git revision, sessions
    experiment.toml      a copy of the experiment file
    design.parquet       the design points (point, one column per parameter)
    runs/part-NNNNNN.parquet     one row per finished run: run_id, point, replicate, seed, spawn_key,
                                 status, error, started, finished, duration_s, worker, parameters...
    metrics/part-NNNNNN.parquet  one row per value: run_id, output, stat, step_from, step_to, value

Parts are committed atomically, the runs part last as the commit mark (see :mod:`sim.runner.store`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim.runner import store as engine_store
from sim.runner.manifest import read_manifest as read_format
from sim.runner.manifest import write_json
from sim.runner.store import LOCK, METRICS, RUNS, TIMING_COLUMNS, Store, committed_parts, read_metrics, write_table

FORMAT = "alignsim-sweep/1"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
EXPERIMENT_COPY = "experiment.toml"

__all__ = ["DESIGN", "EXPERIMENT_COPY", "FORMAT", "LOCK", "MANIFEST", "METRICS", "RUNS", "TIMING_COLUMNS", "Store",
           "committed_parts", "design_table", "read_manifest", "read_metrics", "read_runs", "runs_schema",
           "write_json", "write_table"]


def runs_schema(names: list[str], integer: list[bool]) -> pa.Schema:
    return engine_store.runs_schema((n, pa.int64() if i else pa.float64()) for n, i in zip(names, integer, strict=True))


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The sweep manifest in ``root``, or None if there is none (or it is not a sweep's)."""
    return read_format(root, FORMAT, MANIFEST)


def design_table(names: list[str], integer: list[bool], points: np.ndarray) -> pa.Table:
    columns = {"point": pa.array(np.arange(len(points)), pa.int64())}
    for j, (name, is_int) in enumerate(zip(names, integer, strict=True)):
        col = points[:, j]
        columns[name] = pa.array(col.astype(np.int64) if is_int else col, pa.int64() if is_int else pa.float64())
    return pa.table(columns)


def read_runs(root: str | Path) -> Any:
    """The runs table of the complete runs, as pandas, sorted by run id."""
    root = Path(root)
    info = read_manifest(root) or {}
    params = info.get("design", {}).get("parameters", [])
    return engine_store.read_runs(root, runs_schema([p["name"] for p in params], [p["integer"] for p in params]))
