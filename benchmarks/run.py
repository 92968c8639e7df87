"""Speed and memory benchmark of the alignment model (a report: it never fails on a missed target).

    python benchmarks/run.py [--preset NAME ...] [--repeat R] [--steps S] [--scaling] [--profile NAME]

Every measurement runs in a fresh child process pinned to one CPU with BLAS/OpenMP threads set to
1, so peak RSS is that run's own and "one core" is honest. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Capacity matches demand in every preset: the default org serves 45 customers per front team of 8
# (5.6 customers per person, utilisation about 0.6); 200 customers per front team need teams of 36.
# With fewer people the preset measures an organisation in collapse (most customers waiting or
# gone), whose cost says nothing about a working one (issue 11).
PRESETS = {
    "workshop": {"teams": 20},  # the default 45 customers per front team: 11 front teams, 495 customers
    "medium": {"teams": 200, "divisions": 8, "depth": 3, "headcount": 36, "customers_per_front_team": 200,
               "dependency_density": 0.02},
    "large": {"teams": 1000, "divisions": 10, "depth": 3, "headcount": 36, "customers_per_front_team": 200,
              "dependency_density": 0.005},
}
SCALING_CUSTOMERS_PER_FRONT_TEAM = (200, 400, 800)  # on the medium org: 1x, 2x, 4x the customers
SCALING_STEPS = 100
PROFILE_STEPS = 50

# Targets (set for the large preset, on one core).
TARGET_TOTAL_S = 10.0
TARGET_CUSTOMER_STEPS_PER_S = 5e6
TARGET_PEAK_RSS_MB = 1536.0  # 1.5 GB, in MiB like ru_maxrss / 1024


# -- child: one measurement in its own process ---------------------------------------------------
def child(job: dict) -> None:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    for var in THREAD_VARS:
        os.environ[var] = "1"
    sys.path.insert(0, str(ROOT))
    import resource
    import time

    from sim.model.model import AlignmentModel
    from sim.model.params import ModelParams

    def build():
        return AlignmentModel(params=ModelParams.model_validate({"org": job["org"]}), seed=job["seed"])

    if job.get("profile"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        m = build()
        m.run(job["steps"])
        prof.disable()
        print(f"cProfile: one build + {job['steps']} steps, {m.state.C} customers, cpu {cpu}; "
              "top 15 by tottime")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(15)
        return
    t0 = time.perf_counter()
    m = build()
    t1 = time.perf_counter()
    employees = int(m.state.headcount.sum())
    m.run(job["steps"])
    t2 = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"teams": int(m.state.T), "customers": int(m.state.C), "employees": employees,
                      "steps": job["steps"], "build_s": t1 - t0, "run_s": t2 - t1,
                      "peak_rss_mb": rss_mb, "cpu": cpu}))


# -- parent --------------------------------------------------------------------------------------
def spawn(job: dict, capture: bool = True) -> dict | None:
    env = dict(os.environ, **{var: "1" for var in THREAD_VARS})
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    out = subprocess.run(cmd, env=env, check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return json.loads(out.stdout.strip().splitlines()[-1]) if capture else None


def measure(org: dict, steps: int, repeat: int, seed: int) -> dict:
    """Median over ``repeat`` fresh child processes."""
    runs = [spawn({"org": org, "steps": steps, "seed": seed}) for _ in range(repeat)]
    res = {k: runs[0][k] for k in ("teams", "customers", "employees", "steps", "cpu")}
    for r in runs:
        r["customer_steps_per_s"] = r["customers"] * r["steps"] / r["run_s"]
        r["total_s"] = r["build_s"] + r["run_s"]
    for k in ("build_s", "run_s", "total_s", "customer_steps_per_s", "peak_rss_mb"):
        res[k] = statistics.median(r[k] for r in runs)
    return res


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(results: dict[str, dict], repeat: int) -> None:
    print(f"\nMedian of {repeat} fresh process(es) per preset; targets are set for 'large' "
          "(shown for every preset for reference).")
    head = (f"{'preset':<9} {'teams':>5} {'customers':>9} {'employees':>9} {'steps':>5} {'build_s':>8} "
            f"{'run_s':>8} {'build+run_s':>11} {'[<=10 s]':<8} {'cust-steps/s':>12} {'[>=5M]':<8} "
            f"{'peak_rss_mb':>11} {'[<=1536]':<8}")
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        print(f"{name:<9} {r['teams']:>5} {r['customers']:>9} {r['employees']:>9} {r['steps']:>5} "
              f"{r['build_s']:>8.3f} {r['run_s']:>8.3f} {r['total_s']:>11.3f} "
              f"{verdict(r['total_s'] <= TARGET_TOTAL_S):<8} {r['customer_steps_per_s'] / 1e6:>11.2f}M "
              f"{verdict(r['customer_steps_per_s'] >= TARGET_CUSTOMER_STEPS_PER_S):<8} "
              f"{r['peak_rss_mb']:>11.1f} {verdict(r['peak_rss_mb'] <= TARGET_PEAK_RSS_MB)}")
    print()
    for name, r in results.items():
        print(f"preset={name} teams={r['teams']} customers={r['customers']} steps={r['steps']} "
              f"build_s={r['build_s']:.4f} run_s={r['run_s']:.4f} "
              f"customer_steps_per_s={r['customer_steps_per_s']:.0f} peak_rss_mb={r['peak_rss_mb']:.1f}")


def scaling(repeat: int, seed: int) -> None:
    print(f"\nScaling: medium org, {SCALING_STEPS} steps, median of {repeat}; linear would be 1, 2, 4.")
    print(f"{'customers':>9} {'ms/step':>9} {'ratio_to_1x':>11}")
    points = []
    for per in SCALING_CUSTOMERS_PER_FRONT_TEAM:
        r = measure(dict(PRESETS["medium"], customers_per_front_team=per), SCALING_STEPS, repeat, seed)
        points.append((r["customers"], 1000 * r["run_s"] / SCALING_STEPS))
        print(f"{points[-1][0]:>9} {points[-1][1]:>9.3f} {points[-1][1] / points[0][1]:>11.2f}")
    print()
    for customers, ms in points:
        print(f"scaling customers={customers} ms_per_step={ms:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", action="extend", nargs="+", choices=list(PRESETS),
                    help="one or more; default: all")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (median)")
    ap.add_argument("--steps", type=int, default=365, help="steps per preset run (scaling uses 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scaling", action="store_true", help="default when no --preset is given")
    ap.add_argument("--profile", choices=list(PRESETS),
                    help=f"only cProfile one build + {PROFILE_STEPS} steps of this preset")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    cpu = min(os.sched_getaffinity(0))
    print(f"alignsim benchmark: Python {platform.python_version()}, {platform.machine()}, "
          f"each run in a fresh process pinned to one core (cpu {cpu}), "
          f"{'/'.join(THREAD_VARS)}=1", flush=True)
    if args.profile:
        spawn({"org": PRESETS[args.profile], "steps": PROFILE_STEPS, "seed": args.seed, "profile": True},
              capture=False)
        return
    names = args.preset or list(PRESETS)
    results = {}
    for name in names:
        results[name] = measure(PRESETS[name], args.steps, args.repeat, args.seed)
        print(f"  {name}: done ({results[name]['customers']} customers)", flush=True)
    report(results, args.repeat)
    if args.scaling or not args.preset:
        scaling(args.repeat, args.seed)


if __name__ == "__main__":
    main()
