"""The results store of a sweep: tidy Parquet tables written in parts, atomically, as runs finish.

Layout of a sweep's directory::

    manifest.json        what ran: experiment, design, root seed, versions, git revision, sessions
    experiment.toml      a copy of the experiment file
    design.parquet       the design points (point, one column per parameter)
    runs/part-NNNNNN.parquet     one row per finished run: run_id, point, replicate, seed, spawn_key,
                                 status, error, started, finished, duration_s, worker, parameters...
    metrics/part-NNNNNN.parquet  one row per value: run_id, output, stat, step_from, step_to, value

A batch of finished runs is committed as one part: its metrics part is written under a
temporary name and renamed into place, then its runs part likewise. The runs part is the commit
mark: a run is complete once it appears in a runs part, and only then. A metrics part without
its runs part (a kill between the two renames) is an orphan: readers ignore it and ``--resume``
deletes it, so a resumed sweep has every run once and only once. Nothing is ever appended to or
rewritten in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.sweep.tasks import Outcome, RunSpec

FORMAT = "alignsim-sweep/1"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
EXPERIMENT_COPY = "experiment.toml"
LOCK = ".lock"  # held (flock) by the sweep writing to the directory
RUNS, METRICS = "runs", "metrics"
PART = re.compile(r"^part-(\d{6,})\.parquet$")
TIMESTAMP = pa.timestamp("us", tz="UTC")
METRICS_SCHEMA = pa.schema([
    ("run_id", pa.int64()), ("output", pa.string()), ("stat", pa.string()), ("step_from", pa.int64()),
    ("step_to", pa.int64()), ("value", pa.float64()),
])
TIMING_COLUMNS = ("started", "finished", "duration_s", "worker")


def runs_schema(names: list[str], integer: list[bool]) -> pa.Schema:
    fixed = [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64()),
             ("spawn_key", pa.string()), ("status", pa.string()), ("error", pa.string()),
             ("started", TIMESTAMP), ("finished", TIMESTAMP), ("duration_s", pa.float64()), ("worker", pa.string())]
    params = [(n, pa.int64() if i else pa.float64()) for n, i in zip(names, integer, strict=True)]
    return pa.schema(fixed + params)


# -- atomic files -------------------------------------------------------------------------------------
def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _commit(tmp: Path, final: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    _fsync_dir(final.parent)


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a hidden temporary name, then rename it into place."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        pq.write_table(table, tmp)
        _commit(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(data: dict[str, Any], path: Path) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _commit(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The sweep manifest in ``root``, or None if there is none (or it is not a sweep's)."""
    try:
        info = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("format") == FORMAT else None


def design_table(names: list[str], integer: list[bool], points: np.ndarray) -> pa.Table:
    columns = {"point": pa.array(np.arange(len(points)), pa.int64())}
    for j, (name, is_int) in enumerate(zip(names, integer, strict=True)):
        col = points[:, j]
        columns[name] = pa.array(col.astype(np.int64) if is_int else col, pa.int64() if is_int else pa.float64())
    return pa.table(columns)


# -- parts -------------------------------------------------------------------------------------------
def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(m[1]): p for p in folder.iterdir() if (m := PART.match(p.name))}


def committed_parts(root: Path) -> tuple[list[Path], list[Path]]:
    """(runs parts, metrics parts) of committed batches, in part order."""
    runs = _parts(root / RUNS)
    metrics = _parts(root / METRICS)
    keys = sorted(runs)
    return [runs[k] for k in keys], [metrics[k] for k in keys if k in metrics]


class Store:
    """Appends batches of finished runs to a sweep directory; reads what is complete."""

    def __init__(self, root: Path, names: list[str], integer: list[bool]):
        self.root = root
        self.names = list(names)
        self.integer = list(integer)
        self.schema = runs_schema(self.names, self.integer)
        self._runs: list[tuple[RunSpec, Outcome]] = []
        self._metrics = 0
        self.next_part = 1 + max([*_parts(root / RUNS), *_parts(root / METRICS), 0])

    def prepare(self) -> None:
        """Create the table folders; remove temporary files and orphan metrics parts of a killed sweep."""
        for name in (RUNS, METRICS):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        for folder in (self.root, self.root / RUNS, self.root / METRICS):
            for p in folder.iterdir():
                if p.name.startswith(".") and ".tmp-" in p.name:
                    p.unlink(missing_ok=True)
        runs = _parts(self.root / RUNS)
        for k, p in _parts(self.root / METRICS).items():
            if k not in runs:
                p.unlink()

    def completed(self) -> set[int]:
        """Ids of the runs in committed parts (each appears once: a duplicate means a damaged store)."""
        done: set[int] = set()
        for part in committed_parts(self.root)[0]:
            ids = pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist()
            if done.intersection(ids) or len(set(ids)) != len(ids):
                raise InputError(str(part), "holds a run that another part holds too: the store is damaged "
                                 "(were two sweeps writing to it?); start afresh in another --out")
            done.update(ids)
        return done

    # -- writing -----------------------------------------------------------------------------------
    @property
    def buffered(self) -> int:
        return len(self._runs)

    @property
    def buffered_metrics(self) -> int:
        return self._metrics

    def add(self, run: RunSpec, outcome: Outcome) -> None:
        self._runs.append((run, outcome))
        self._metrics += len(outcome.metrics)

    def flush(self) -> int:
        """Commit the buffered runs as one part (metrics first, then runs); return how many."""
        if not self._runs:
            return 0
        batch = sorted(self._runs, key=lambda r: r[0].run_id)
        name = f"part-{self.next_part:06d}.parquet"
        write_table(self._metrics_table(batch), self.root / METRICS / name)
        write_table(self._runs_table(batch), self.root / RUNS / name)
        self.next_part += 1
        self._runs, self._metrics = [], 0
        return len(batch)

    def _runs_table(self, batch: list[tuple[RunSpec, Outcome]]) -> pa.Table:
        cols: dict[str, list] = {
            "run_id": [r.run_id for r, _ in batch], "point": [r.point for r, _ in batch],
            "replicate": [r.replicate for r, _ in batch], "seed": [r.seed for r, _ in batch],
            "spawn_key": [json.dumps(list(r.spawn_key)) for r, _ in batch],
            "status": [o.status for _, o in batch], "error": [o.error for _, o in batch],
            "started": [round(o.started * 1e6) for _, o in batch],
            "finished": [round(o.finished * 1e6) for _, o in batch],
            "duration_s": [o.duration_s for _, o in batch], "worker": [o.worker for _, o in batch],
        }
        for j, name in enumerate(self.names):
            cols[name] = [r.values[j] for r, _ in batch]
        return pa.table({f.name: pa.array(cols[f.name], f.type) for f in self.schema}, schema=self.schema)

    def _metrics_table(self, batch: list[tuple[RunSpec, Outcome]]) -> pa.Table:
        rows = [(o.run_id, *m) for _, o in batch for m in o.metrics]
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in METRICS_SCHEMA]
        return pa.table({f.name: pa.array(c, f.type) for f, c in zip(METRICS_SCHEMA, columns, strict=True)},
                        schema=METRICS_SCHEMA)


# -- reading -----------------------------------------------------------------------------------------
def _read(parts: Iterable[Path], schema: pa.Schema, columns: list[str] | None = None) -> pa.Table:
    tables = [pq.read_table(p, columns=columns) for p in parts]
    if not tables:
        empty = schema if columns is None else pa.schema([schema.field(c) for c in columns])
        return empty.empty_table()
    return pa.concat_tables(tables)


def read_runs(root: str | Path) -> Any:
    """The runs table of the complete runs, as pandas, sorted by run id."""
    root = Path(root)
    info = read_manifest(root) or {}
    params = info.get("design", {}).get("parameters", [])
    schema = runs_schema([p["name"] for p in params], [p["integer"] for p in params])
    runs = _read(committed_parts(root)[0], schema).to_pandas()
    return runs.sort_values("run_id", kind="stable").reset_index(drop=True)


def read_metrics(root: str | Path, stats: tuple[str, ...] | None = None) -> Any:
    """The metrics of the complete runs, as pandas, sorted by run id, output, stat and step."""
    table = _read(committed_parts(Path(root))[1], METRICS_SCHEMA)
    frame = table.to_pandas()
    if stats is not None:
        frame = frame[frame["stat"].isin(stats)]
    keys = ["run_id", "output", "stat", "step_from", "step_to"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)
