"""Paired speed comparison of two checkouts of the model on one preset (a report: it never fails).

    python benchmarks/paired.py BASE_DIR [OTHER_DIR] [--preset large] [--rounds 5] [--cpu N] [--steps S]

On a shared machine one checkout's median against another's measured an hour apart says little:
the load changes in between. This script alternates: each round runs BASE then OTHER (default:
this checkout), each in a fresh process pinned to the same CPU, with BLAS/OpenMP threads set to 1,
and prints per checkout the median of build and run time, both wall-clock (``perf_counter``, what
``run.py`` reports) and CPU time of the process (``process_time``, less sensitive to other
processes' load, though not immune: they share caches and, with hyper-threading, cores), the median
peak RSS, and the median of the per-round differences OTHER - BASE. Both checkouts run the same
preset and seed, so they should produce the same model; the script checks that the runs' final
friction totals agree and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
FIELDS = ("build_wall", "run_wall", "total_wall", "build_cpu", "run_cpu", "total_cpu", "rss_mb")


def child(job: dict) -> None:
    os.sched_setaffinity(0, {job["cpu"]})
    sys.path.insert(0, job["root"])
    import resource
    import time

    from sim.model.model import AlignmentModel
    from sim.model.params import ModelParams

    w0, c0 = time.perf_counter(), time.process_time()
    m = AlignmentModel(params=ModelParams.model_validate({"org": job["org"]}), seed=job["seed"])
    w1, c1 = time.perf_counter(), time.process_time()
    m.run(job["steps"])
    w2, c2 = time.perf_counter(), time.process_time()
    print(json.dumps({"build_wall": w1 - w0, "run_wall": w2 - w1, "total_wall": w2 - w0,
                      "build_cpu": c1 - c0, "run_cpu": c2 - c1, "total_cpu": c2 - c0,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "friction": float(m.state.friction.sum())}))


def spawn(root: Path, job: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root), **{var: "1" for var in THREAD_VARS})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps({**job, "root": str(root)})]
    out = subprocess.run(cmd, env=env, check=True, text=True, stdout=subprocess.PIPE, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(json.loads(sys.argv[2]))
        return
    sys.path.insert(0, str(HERE))
    from run import PRESETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", type=Path, help="checkout measured first in each round (e.g. a worktree of main)")
    ap.add_argument("other", type=Path, nargs="?", default=HERE.parent, help="checkout compared (default: this one)")
    ap.add_argument("--preset", choices=list(PRESETS), default="large")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)), help="CPU both are pinned to")
    args = ap.parse_args()
    roots = {"base": args.base.resolve(), "other": args.other.resolve()}
    job = {"org": PRESETS[args.preset], "steps": args.steps, "seed": args.seed, "cpu": args.cpu}
    runs: dict[str, list[dict]] = {"base": [], "other": []}
    for i in range(args.rounds):
        for name, root in roots.items():
            r = spawn(root, job)
            runs[name].append(r)
            print(f"round {i + 1} {name:5s} " + " ".join(f"{k}={r[k]:.3f}" for k in FIELDS), flush=True)
    print(f"\n{args.preset} preset, {args.steps} steps, seed {args.seed}, cpu {args.cpu}, "
          f"{args.rounds} alternating rounds; medians (s, MiB)")
    print(f"{'':8s}" + "".join(f"{k:>12s}" for k in FIELDS))
    for name in roots:
        print(f"{name:8s}" + "".join(f"{statistics.median(r[k] for r in runs[name]):12.3f}" for k in FIELDS))
    diff = {k: statistics.median(o[k] - b[k] for b, o in zip(runs["base"], runs["other"], strict=True))
            for k in FIELDS}
    print(f"{'diff':8s}" + "".join(f"{diff[k]:12.3f}" for k in FIELDS) + "   (median of per-round other - base)")
    same = {r["friction"] for rs in runs.values() for r in rs}
    print("same model: final friction totals agree" if len(same) == 1
          else f"the two checkouts' runs differ: final friction totals {sorted(same)}")
    print(f"base: {roots['base']}\nother: {roots['other']}")


if __name__ == "__main__":
    main()
