"""``alignsim sweep`` and ``alignsim analyze``.

    alignsim sweep EXPERIMENT [--out DIR] [--jobs N] [--dask ADDRESS|local] [--resume] [--chunk N] [--quiet]
    alignsim analyze OUT [--output NAME ...] [--quiet]

Bad input (the experiment file, a flag, the output directory, an unreachable scheduler) is one
line on stderr with exit code 2, and nothing is written. Ctrl-C keeps every finished run and
exits with 130; ``--resume`` finishes the sweep later.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROG = "alignsim"


def _count(flag: str):
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"value {value} is not allowed: must be >= 1")
        return value

    parse.__name__ = f"{flag} value"
    return parse


def register(subparsers, int_arg) -> dict:
    """Add ``sweep`` and ``analyze`` to the alignsim parser; return their handlers."""
    del int_arg  # the model's run settings are in the experiment file
    sweep = subparsers.add_parser(
        "sweep", help="run an experiment's design over the model (or any run function), resumably",
        description="Run every (design point, replicate) of an experiment file and store the results "
        "as Parquet parts in OUT (see docs/sweeps.md).")
    sweep.add_argument("experiment", metavar="EXPERIMENT", type=Path, help="experiment file (TOML)")
    sweep.add_argument("--out", type=Path, metavar="DIR", help="results directory (default: out/sweep-<experiment>)")
    sweep.add_argument("--jobs", type=_count("--jobs"), metavar="N",
                       help="worker processes (default: all cores); with --dask local, Dask workers")
    sweep.add_argument("--dask", metavar="ADDRESS|local",
                       help="run on Dask: 'local' starts a LocalCluster, an address joins a scheduler")
    sweep.add_argument("--resume", action="store_true", help="finish a sweep in OUT, skipping its complete runs")
    sweep.add_argument("--chunk", type=_count("--chunk"), default=1, metavar="N",
                       help="runs per task (default 1; raise it for run functions that take milliseconds)")
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    analyze = subparsers.add_parser(
        "analyze", help="sensitivity indices, response plots and heatmaps of a sweep's results",
        description="Analyse the results store OUT of `alignsim sweep`: Sobol or Morris indices, response "
        "plots, heatmaps for grids. Writes OUT/analysis/.")
    analyze.add_argument("out", metavar="OUT", type=Path, help="a sweep's results directory")
    analyze.add_argument("--output", action="append", default=[], metavar="NAME", dest="outputs",
                         help="analyse only this output (repeatable; default: every scalar output)")
    analyze.add_argument("--quiet", "-q", action="store_true", help="print only where the results are")
    return {"sweep": _cmd_sweep, "analyze": _cmd_analyze}


def _summary(s, name: str) -> str:
    from sim.runner.progress import clock

    rate = 60 * s.done / s.wall_s if s.wall_s > 0 else 0.0
    lines = [f"{name}: {s.done} runs in {clock(s.wall_s)} ({rate:,.1f} runs/min) on {s.executor}: "
             f"{s.ok} ok, {s.failed} failed" + (f"; {s.skipped} were complete already" if s.skipped else "")]
    complete = s.skipped + s.done
    lines.append(f"store: {s.out}/ ({complete} of {s.total} runs complete)")
    for error, n in sorted(s.errors.items(), key=lambda kv: -kv[1])[:5]:
        lines.append(f"  failed {n}x: {error}")
    if s.failed:
        lines.append("  (the runs table has every error: status = 'failed')")
    return "\n".join(lines)


# -- commands -----------------------------------------------------------------------------------------
def _cmd_sweep(args: argparse.Namespace) -> int:
    from sim.runner.progress import ProgressLine
    from sim.sweep.experiment import load_experiment
    from sim.sweep.runner import SweepAborted, run_sweep

    experiment = load_experiment(args.experiment)
    out = args.out if args.out is not None else Path("out") / f"sweep-{experiment.name}"
    show = not args.quiet
    progress = ProgressLine(sys.stderr) if show else None

    def started(s) -> None:
        if show:
            what = f"{s.total - s.skipped} runs" + (f" ({s.skipped} of {s.total} complete already)" if s.skipped
                                                    else "")
            print(f"{experiment.name}: {what} on {s.executor} -> {out}/", file=sys.stderr, flush=True)

    try:
        summary = run_sweep(experiment, out, jobs=args.jobs, dask=args.dask, resume=args.resume, chunk=args.chunk,
                            progress=progress, on_start=started)
    except SweepAborted as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    print(_summary(summary, experiment.name))
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from sim.report.sweep_analysis import analyze

    report = analyze(args.out, outputs=args.outputs or None)
    if args.quiet:
        print(f"analysis: {report.folder}")
        return 0
    print(report.text())
    return 0

