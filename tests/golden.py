"""Golden outputs: digests of what the public commands write, for every bundled scenario.

A refactoring must leave the model's outputs identical; this file makes that checkable. It runs,
through the CLI as a user would:

- ``alignsim run SCENARIO`` for every bundled scenario at its own seed and length, and hashes the
  four tables it writes (timeseries, units, provenance, unit_timeseries; the CSV bytes);
- a small ``alignsim compare`` (two scenarios, three replicates, leverage on), and hashes the
  analysis tables of its report (KPIs, replicate values, seeds, leverage, attribution);
- the ``smoke`` sweep and ``alignsim analyze``, and hashes the design points, the runs table
  (less timings and worker names, which vary by nature) and the metrics table.

``tests/golden/outputs.json`` holds the digests of the code as it was when they were last
written; ``tests/test_golden.py`` compares. A change that is *meant* to change the model's
outputs rewrites them on purpose and says so in its commit::

    .venv/bin/python tests/golden.py --write     # rewrite the digests
    .venv/bin/python tests/golden.py             # list what differs (exit 1 if anything does)

Digests are SHA-256 of the exact CSV bytes: no tolerance, because the claim is identity on one
machine and one set of package versions (the CI's).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "outputs.json"
RUN_TABLES = ("timeseries", "units", "provenance", "unit_timeseries")
COMPARE = ["baseline", "pressure-shock", "--replicates", "3", "--steps", "150", "--leverage-replicates", "2",
           "--jobs", "1"]
COMPARE_TABLES = ("kpis", "kpi_replicates", "seeds", "leverage", "attribution_causes", "attribution_divisions",
                  "attribution_top_units")
SWEEP = ROOT / "experiments" / "smoke.toml"
VARYING = ("started", "finished", "duration_s", "worker")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cli(argv: list[str]) -> None:
    from sim.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"alignsim {' '.join(argv)} exited {code}: {err.getvalue().strip()}")


def run_digests(tmp: Path) -> dict[str, str]:
    from sim.api import bundled_scenarios

    out: dict[str, str] = {}
    for name in bundled_scenarios():
        folder = tmp / f"run-{name}"
        _cli(["run", name, "--out", str(folder), "--quiet"])
        for table in RUN_TABLES:
            out[f"run/{name}/{table}"] = _sha((folder / f"{table}.csv").read_bytes())
    return out


def compare_digests(tmp: Path) -> dict[str, str]:
    folder = tmp / "compare"
    _cli(["compare", *COMPARE, "--out", str(folder), "--quiet"])
    return {f"compare/{t}": _sha((folder / f"{t}.csv").read_bytes()) for t in COMPARE_TABLES}


def sweep_digests(tmp: Path) -> dict[str, str]:
    from sim.sweep.store import read_metrics, read_runs

    folder = tmp / "sweep"
    _cli(["sweep", str(SWEEP), "--out", str(folder), "--jobs", "1", "--quiet"])
    _cli(["analyze", str(folder), "--quiet"])
    runs = read_runs(folder).drop(columns=list(VARYING))
    metrics = read_metrics(folder)
    return {
        "sweep/runs": _sha(runs.to_csv(index=False, lineterminator="\n").encode()),
        "sweep/metrics": _sha(metrics.to_csv(index=False, lineterminator="\n").encode()),
        "sweep/points": _sha((folder / "analysis" / "points.csv").read_bytes()),
    }


def digests() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        return {**run_digests(tmp), **compare_digests(tmp), **sweep_digests(tmp)}


def differences(found: dict[str, str], expected: dict[str, str]) -> list[str]:
    keys = sorted(set(found) | set(expected))
    return [k for k in keys if found.get(k) != expected.get(k)]


def main(argv: list[str]) -> int:
    found = digests()
    if "--write" in argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(found)} digests to {GOLDEN}")
        return 0
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diff = differences(found, expected)
    for key in diff:
        print(f"differs: {key}")
    print(f"{len(found) - len(diff)} of {len(set(found) | set(expected))} outputs identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
