"""Replay one run of a CORE sweep alone, from its store: the same parameters, seed and steps.

    from sim.sweep.replay import replay

    result = replay("out/sweep-core-sobol", run_id=17)   # a sim.runner.run.RunResult
    result.series[["step", "friction_index"]].tail()

The parameters come from the manifest (the base scenario as the sweep resolved it) and the run's
row of the runs table (the design point's values and the seed), so the replay gives the same
series as the run inside the sweep, with every table `alignsim run` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.sweep.runner import stored_manifest
from sim.sweep.store import committed_parts


def run_row(out: Path, run_id: int) -> dict[str, Any]:
    """The runs-table row of ``run_id`` (reading one part at a time)."""
    for part in committed_parts(out)[0]:
        table = pq.read_table(part)
        hit = table.filter(pc.equal(table["run_id"], run_id))
        if hit.num_rows:
            return hit.to_pylist()[0]
    raise InputError(f"{out}: run {run_id}", "not in the store (not run yet, or no such run)")


def replay(out: str | Path, run_id: int) -> Any:
    """Run ``run_id`` of the CORE sweep in ``out`` again; return its :class:`sim.runner.run.RunResult`."""
    from sim.inputs.orgchart import read_org_csv
    from sim.inputs.space import set_values
    from sim.runner.run import TABLES, run_task

    out = Path(out)
    info = stored_manifest(out)
    core = info.get("core")
    if not core:
        raise InputError(str(out), f"is a sweep of task {info['experiment']['task']!r}; only CORE runs replay")
    row = run_row(out, run_id)
    names = [p["name"] for p in info["design"]["parameters"]]
    params = set_values(core["scenario"], {name: row[name] for name in names})
    chart = core.get("chart")
    graph = read_org_csv(Path(chart)) if chart else None
    return run_task(params, graph, row["seed"], core["steps"], tables=TABLES)
