"""Sweep benchmark: throughput on 1 and 2 local workers, and the coordinator's memory (a report:
it prints figures and asserts nothing).

    python benchmarks/sweep_bench.py [--runs R] [--steps S] [--teams T] [--n N] [--skip-memory]

1. Throughput: the same CORE sweep (R runs of a T-team organisation for S days, an LHS over the
   four levers) on 1 and on 2 local worker processes. Runs per minute are counted two ways:
   over the whole sweep command (pool start-up included) and over the runs themselves (first
   start to last finish in the runs table). Scaling efficiency = rate(2) / (2 x rate(1)). A
   2-run warm-up sweep starts the forkserver first, so that neither measurement pays for it.
   On a 2-core machine the coordinator shares the cores with the two workers.
2. Memory of the coordinating process (a fresh child process that runs the sweep; the workers
   are other processes and are not counted) for N and 10 N runs of the Ishigami function, 2
   workers, 500 runs per task: its RSS when the runs start (imports, the design and the store
   ready), its peak while the runs go (Linux: VmHWM reset through /proc/self/clear_refs when
   they start) and the peak of the whole process (``ru_maxrss``). Flat memory means the peak in
   the loop stays close to the RSS at its start, for N and 10 N alike; the design itself (an
   array of points x parameters, made before the loop) is the only part that grows with N.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORE = """\
task = "core"
scenario = "pressure-shock"
set = ["org.teams={teams}"]
steps = {steps}
replicates = 1
seed = 42
[design]
kind = "lhs"
samples = {runs}
{parameters}
[outputs]
final = ["retention", "satisfaction"]
mean = ["friction_index"]
"""
ISHIGAMI = """\
task = "ishigami"
seed = 42
[design]
kind = "lhs"
samples = {runs}
{parameters}
"""


def _parameters(names: list[str], lo: float, hi: float) -> str:
    return "".join(f'[[parameters]]\nname = "{n}"\nrange = [{lo!r}, {hi!r}]\n' for n in names)


def throughput(folder: Path, runs: int, steps: int, teams: int, jobs: int) -> dict[str, float]:
    from sim.sweep.experiment import load_experiment
    from sim.sweep.runner import run_sweep
    from sim.sweep.store import read_runs

    folder.mkdir(exist_ok=True)
    path = folder / "core.toml"
    levers = [f"levers.{x}" for x in ("clarity", "ownership", "resilience", "empathy")]
    path.write_text(CORE.format(teams=teams, steps=steps, runs=runs, parameters=_parameters(levers, 0.0, 1.0)),
                    encoding="utf-8")
    out = folder / f"core-{jobs}"
    start = time.perf_counter()
    summary = run_sweep(load_experiment(path), out, jobs=jobs)
    wall = time.perf_counter() - start
    table = read_runs(out)
    busy = (table["finished"].max() - table["started"].min()).total_seconds()
    return {"jobs": jobs, "runs": summary.ok, "wall_s": wall, "runs_s": busy,
            "per_min_wall": 60 * summary.ok / wall, "per_min_runs": 60 * summary.ok / busy,
            "mean_run_s": float(table["duration_s"].mean())}


def child(n: int, folder: str) -> None:
    """Run an N-run Ishigami sweep in this process; print its peak RSS and timings as JSON."""
    import math
    import resource

    from sim.sweep.experiment import load_experiment
    from sim.sweep.runner import run_sweep

    path = Path(folder) / f"ishigami-{n}.toml"
    path.write_text(ISHIGAMI.format(runs=n, parameters=_parameters(["x1", "x2", "x3"], -math.pi, math.pi)),
                    encoding="utf-8")
    experiment = load_experiment(path)
    seen: dict[str, float | bool | None] = {}

    def loop_starts(_summary) -> None:  # the design is made, the store is ready: runs start now
        seen["rss"] = _status("VmRSS")
        seen["reset"] = _reset_peak()

    start = time.perf_counter()
    summary = run_sweep(experiment, Path(folder) / f"ishigami-{n}", jobs=2, chunk=500, on_start=loop_starts)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    parts = len(list((Path(folder) / f"ishigami-{n}" / "runs").glob("part-*.parquet")))
    print(json.dumps({"n": n, "ok": summary.ok, "wall_s": wall, "rss_start_mb": seen["rss"], "peak_rss_mb": peak,
                      "loop_peak_mb": _status("VmHWM") if seen["reset"] else None, "parts": parts}))


def _status(key: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MiB (None where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) on Linux, so that it measures the sweep alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory(folder: Path, n: int) -> list[dict[str, float]]:
    found = []
    for size in (n, 10 * n):
        done = subprocess.run([sys.executable, __file__, "--child", str(size), str(folder)], check=True,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16, help="CORE runs per throughput sweep (default 16)")
    parser.add_argument("--steps", type=int, default=120, help="days per CORE run (default 120)")
    parser.add_argument("--teams", type=int, default=20, help="teams of the organisation (default 20)")
    parser.add_argument("--n", type=int, default=10_000, help="Ishigami runs of the smaller memory sweep")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    from sim.runner.executors import default_jobs, start_method

    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cpus "
          f"({default_jobs()} usable), start method {start_method()}")
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        folder = Path(tmp)
        print(f"\nthroughput: {args.runs} CORE runs, {args.teams} teams, {args.steps} days each")
        print(f"{'workers':>7} {'wall_s':>8} {'runs/min (wall)':>16} {'runs/min (runs)':>16} {'mean run_s':>11}")
        throughput(folder / "warm-up", 2, 1, args.teams, 2)  # start the forkserver once, before measuring
        rates = {}
        for jobs in (1, 2):
            r = throughput(folder, args.runs, args.steps, args.teams, jobs)
            rates[jobs] = r
            print(f"{jobs:>7} {r['wall_s']:8.2f} {r['per_min_wall']:16.1f} {r['per_min_runs']:16.1f} "
                  f"{r['mean_run_s']:11.3f}")
        for kind in ("wall", "runs"):
            eff = rates[2][f"per_min_{kind}"] / (2 * rates[1][f"per_min_{kind}"])
            print(f"scaling efficiency 1 -> 2 workers ({kind}): {eff:.2f}")
        print("machine-readable: " + " ".join(f"workers{j}_runs_per_min={r['per_min_runs']:.1f}"
                                               for j, r in rates.items()))
        if args.skip_memory:
            return
        print(f"\ncoordinator memory: Ishigami sweeps of N = {args.n:,} and 10 N = {10 * args.n:,} runs "
              "(2 workers, 500 runs per task)")
        print(f"{'runs':>9} {'wall_s':>8} {'runs/min':>11} {'parts':>6} {'MiB at loop start':>18} "
              f"{'peak in loop':>13} {'peak of process':>16}")
        for m in memory(folder, args.n):
            during = f"{m['loop_peak_mb']:13.1f}" if m["loop_peak_mb"] is not None else f"{'n/a':>13}"
            print(f"{m['n']:>9,} {m['wall_s']:8.2f} {60 * m['ok'] / m['wall_s']:11,.0f} {m['parts']:>6} "
                  f"{m['rss_start_mb'] or 0:18.1f} {during} {m['peak_rss_mb']:16.1f}")


if __name__ == "__main__":
    main()
