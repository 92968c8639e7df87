"""The one results store of the engine: tidy Parquet tables written in parts, atomically, as runs finish.

A store is a directory (``alignsim sweep`` and ``alignsim compare`` each add their manifest and
files around it)::

    runs/part-NNNNNN.parquet     one row per finished run: run_id, point, replicate, seed, spawn_key,
                                 status, error, started, finished, duration_s, worker, then the
                                 columns of the design (a sweep's parameters; a comparison's kind,
                                 scenario and lever level)
    metrics/part-NNNNNN.parquet  one row per value: run_id, output, stat, step_from, step_to, value
    tables/NAME/part-NNNNNN.parquet   per-run tables, when the runs give any (a comparison's series,
                                 units and provenance): run_id, then the table's columns

A batch of finished runs is committed as one part number: its metrics part and table parts are
written under temporary names and renamed into place, then its runs part likewise. The runs part
is the commit mark: a run is complete once it appears in a runs part, and only then. A metrics or
table part without its runs part (a kill between the renames) is an orphan: readers ignore it and
:meth:`Store.prepare` (on ``--resume``) deletes it, so a resumed store has every run once and only
once. Nothing is ever appended to or rewritten in place.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.runner.manifest import commit_file
from sim.runner.tasks import Outcome, RunSpec

LOCK = ".lock"  # held (flock) by the process writing to the store
RUNS, METRICS, TABLES = "runs", "metrics", "tables"
PART = re.compile(r"^part-(\d{6,})\.parquet$")
TIMESTAMP = pa.timestamp("us", tz="UTC")
METRICS_SCHEMA = pa.schema([
    ("run_id", pa.int64()), ("output", pa.string()), ("stat", pa.string()), ("step_from", pa.int64()),
    ("step_to", pa.int64()), ("value", pa.float64()),
])
TIMING_COLUMNS = ("started", "finished", "duration_s", "worker")
FIXED = [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64()),
         ("spawn_key", pa.string()), ("status", pa.string()), ("error", pa.string()),
         ("started", TIMESTAMP), ("finished", TIMESTAMP), ("duration_s", pa.float64()), ("worker", pa.string())]


def runs_schema(columns: Iterable[tuple[str, pa.DataType]]) -> pa.Schema:
    """The runs table's schema: the fixed columns, then the design's ``(name, type)`` columns."""
    return pa.schema(FIXED + list(columns))


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a hidden temporary name, then rename it into place."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        pq.write_table(table, tmp)
        commit_file(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# -- parts -------------------------------------------------------------------------------------------
def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(m[1]): p for p in folder.iterdir() if (m := PART.match(p.name))}


def _table_folders(root: Path) -> list[Path]:
    folder = root / TABLES
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def committed_parts(root: Path, folder: str = METRICS) -> tuple[list[Path], list[Path]]:
    """(runs parts, parts of ``folder``) of committed batches, in part order; ``folder`` is
    ``"metrics"`` or ``"tables/NAME"``."""
    runs = _parts(root / RUNS)
    other = _parts(root / folder)
    keys = sorted(runs)
    return [runs[k] for k in keys], [other[k] for k in keys if k in other]


class Store:
    """Appends batches of finished runs to a store; tells which runs are complete."""

    def __init__(self, root: Path, schema: pa.Schema):
        self.root = root
        self.schema = schema
        self.names = [f.name for f in schema][len(FIXED):]
        self._runs: list[tuple[RunSpec, Outcome]] = []
        self._metrics = 0
        folders = [root / RUNS, root / METRICS, *_table_folders(root)]
        self.next_part = 1 + max([k for f in folders for k in _parts(f)] + [0])

    def prepare(self) -> None:
        """Create the folders; remove temporary files and orphan parts of a killed session."""
        for name in (RUNS, METRICS):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        tables = _table_folders(self.root)
        for folder in (self.root, self.root / RUNS, self.root / METRICS, *tables):
            for p in folder.iterdir():
                if p.name.startswith(".") and ".tmp-" in p.name:
                    p.unlink(missing_ok=True)
        runs = _parts(self.root / RUNS)
        for folder in (self.root / METRICS, *tables):
            for k, p in _parts(folder).items():
                if k not in runs:
                    p.unlink()

    def completed(self) -> set[int]:
        """Ids of the runs in committed parts (each appears once: a duplicate means a damaged store)."""
        done: set[int] = set()
        for part in committed_parts(self.root)[0]:
            ids = pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist()
            if done.intersection(ids) or len(set(ids)) != len(ids):
                raise InputError(str(part), "holds a run that another part holds too: the store is damaged "
                                 "(were two processes writing to it?); start afresh in another --out")
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
        self._metrics += len(outcome.metrics) + sum(len(t) for t in outcome.tables.values())

    def flush(self) -> int:
        """Commit the buffered runs as one part (metrics and tables first, then runs); return how many."""
        if not self._runs:
            return 0
        batch = sorted(self._runs, key=lambda r: r[0].run_id)
        name = f"part-{self.next_part:06d}.parquet"
        write_table(self._metrics_table(batch), self.root / METRICS / name)
        for table, frame in self._tables(batch).items():
            folder = self.root / TABLES / table
            folder.mkdir(parents=True, exist_ok=True)
            write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / name)
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

    @staticmethod
    def _metrics_table(batch: list[tuple[RunSpec, Outcome]]) -> pa.Table:
        rows = [(o.run_id, *m) for _, o in batch for m in o.metrics]
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in METRICS_SCHEMA]
        return pa.table({f.name: pa.array(c, f.type) for f, c in zip(METRICS_SCHEMA, columns, strict=True)},
                        schema=METRICS_SCHEMA)

    @staticmethod
    def _tables(batch: list[tuple[RunSpec, Outcome]]) -> dict[str, pd.DataFrame]:
        frames: dict[str, list[pd.DataFrame]] = {}
        for _, o in batch:
            for name, table in o.tables.items():
                frames.setdefault(name, []).append(table.assign(run_id=o.run_id)[["run_id", *table.columns]])
        return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}


# -- reading -----------------------------------------------------------------------------------------
def _read(parts: Iterable[Path], schema: pa.Schema, columns: list[str] | None = None) -> pa.Table:
    tables = [pq.read_table(p, columns=columns) for p in parts]
    if not tables:
        empty = schema if columns is None else pa.schema([schema.field(c) for c in columns])
        return empty.empty_table()
    return pa.concat_tables(tables)


def read_runs(root: str | Path, schema: pa.Schema | None = None) -> Any:
    """The runs table of the complete runs, as pandas, sorted by run id (``schema``: that of an
    empty store; by default the fixed columns, or those of the parts when there are any)."""
    parts = committed_parts(Path(root))[0]
    if schema is None:
        schema = pq.read_schema(parts[0]) if parts else runs_schema([])
    runs = _read(parts, schema).to_pandas()
    return runs.sort_values("run_id", kind="stable").reset_index(drop=True)


def read_metrics(root: str | Path, stats: tuple[str, ...] | None = None) -> Any:
    """The metrics of the complete runs, as pandas, sorted by run id, output, stat and step."""
    table = _read(committed_parts(Path(root))[1], METRICS_SCHEMA)
    frame = table.to_pandas()
    if stats is not None:
        frame = frame[frame["stat"].isin(stats)]
    keys = ["run_id", "output", "stat", "step_from", "step_to"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def read_run_table(root: str | Path, name: str) -> pd.DataFrame:
    """The per-run table ``name`` of the complete runs, as pandas, in run id order (each run's
    rows in the order its run gave them); empty (no columns) if no run gave one."""
    parts = committed_parts(Path(root), f"{TABLES}/{name}")[1]
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def create(out: Path, fill) -> None:
    """Create the store directory ``out`` atomically: ``fill(tmp)`` writes its first files (the
    manifest among them) into a hidden sibling, which is then renamed to ``out`` (absent or empty)."""
    import shutil
    import time

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        fill(tmp)
        if out.is_dir():  # empty: checked before
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
