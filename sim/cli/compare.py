"""``alignsim compare`` and ``alignsim report``.

    alignsim compare A B [C ...] [--replicates N] [--seed ROOT] [--jobs J] [--dask local|ADDRESS] [--out DIR]
                     [--force] [--steps N] [--window START:END] [--no-leverage] [--leverage-replicates K]
                     [--resume] [--business FILE] [--posterior CALIBRATION_DIR] [--quiet]
    alignsim report RUN_DIR [--business FILE]

Scenarios are bundled names or TOML paths; the first is the reference. Everything is validated
before anything runs or is written; a bad input is one line on stderr and exit code 2. Runs are
saved as they finish: a comparison cut short (Ctrl-C, a kill, a lost Dask scheduler) finishes
with the same command and ``--resume``, giving the same results as an uninterrupted one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def count_arg(flag: str, lowest: int = 1):
    """An argparse type: an integer of at least ``lowest``, named ``flag`` in its error."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"value {value} is not allowed: must be >= {lowest}")
        return value

    parse.__name__ = f"{flag} value"
    return parse


def register(subparsers, int_arg) -> dict:
    cmp = subparsers.add_parser(
        "compare", help="compare scenarios over paired replicates and write a shareable report",
        description="Run each scenario N times with common random numbers (replicate i of every scenario uses "
        "the same seed), compare KPIs with 95% intervals against the first scenario, attribute friction to "
        "causes and units, rank the CORE levers, and write a self-contained HTML report with CSV tables and PNG "
        "figures.")
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                     help="bundled scenario names or TOML files; the first is the reference (at least two)")
    cmp.add_argument("--replicates", "-n", type=count_arg("--replicates"), default=10, metavar="N",
                     help="replicates per scenario (default 10)")
    cmp.add_argument("--seed", type=int_arg("seed", "--seed"), metavar="ROOT",
                     help="root seed of the replicates' seeds (default: the first scenario's seed)")
    cmp.add_argument("--jobs", "-j", type=count_arg("--jobs"), metavar="J",
                     help="worker processes (default: all cores); with --dask local, Dask workers")
    cmp.add_argument("--dask", metavar="local|ADDRESS",
                     help="run on Dask: 'local' starts a LocalCluster, an address (or scheduler file) joins one")
    cmp.add_argument("--resume", action="store_true",
                     help="finish the comparison in --out that was cut short, skipping its complete runs")
    cmp.add_argument("--out", type=Path, metavar="DIR",
                     help="output directory (default: out/compare-A-vs-B); an earlier comparison there is kept "
                     "unless --force or --resume")
    cmp.add_argument("--force", action="store_true", help="replace an earlier comparison in --out")
    cmp.add_argument("--steps", type=int_arg("steps", "--steps"), metavar="N",
                     help="days to run (default: the scenarios')")
    cmp.add_argument("--window", metavar="START:END",
                     help="days the KPIs summarise, inclusive (default: the whole run, 1:STEPS, for every "
                     "comparison)")
    cmp.add_argument("--no-leverage", action="store_true", help="skip the leverage ranking of the CORE levers")
    cmp.add_argument("--leverage-replicates", type=count_arg("--leverage-replicates"), metavar="K",
                     help="replicates per leverage variant (default: min(N, 10)); costs 8 K runs")
    cmp.add_argument("--business", type=Path, metavar="FILE",
                     help="a TOML file whose [business] table gives the scale (customers, FTE), contacts and "
                     "complaints per friction unit and the unit costs (default: the first scenario's [business])")
    cmp.add_argument("--posterior", type=Path, metavar="DIR",
                     help="an `alignsim calibrate` folder: replicate i of every scenario also runs posterior draw i, "
                     "and the report says whether parameter uncertainty or chance dominates each interval")
    cmp.add_argument("--quiet", "-q", action="store_true", help="no progress line and no summary")
    rep = subparsers.add_parser("report", help="rebuild a comparison's report from its saved results",
                                description="Rebuild report.html, the CSV tables and the PNG figures of an "
                                "`alignsim compare` output directory from its saved data, without re-running.")
    rep.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the --out directory of an alignsim compare run")
    rep.add_argument("--business", type=Path, metavar="FILE",
                     help="re-price the comparison with this file's [business] table (no run is repeated)")
    return {"compare": _cmd_compare, "report": _cmd_report}


def _fill(folder: Path, keep: dict | None = None) -> None:
    """Build the report from what is saved in ``folder`` (so that a later ``alignsim report`` gives
    the same tables); ``keep["analysis"]`` receives the analysis."""
    from sim.compare import store
    from sim.report import compare_report as report
    from sim.report.calibration import uncertainty_section

    _, analysis = report.build(store.load(folder), folder)
    lines = uncertainty_section(analysis, folder)  # compare --posterior only
    if keep is not None:
        keep["analysis"], keep["uncertainty"] = analysis, lines


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.compare import store, study
    from sim.compare.runner import RunFailed
    from sim.report import compare_report as report
    from sim.runner.loop import Aborted
    from sim.runner.progress import ProgressLine

    p = study.plan(args.scenarios, replicates=args.replicates, seed=args.seed, jobs=args.jobs, out=args.out,
                   steps=args.steps, window=args.window, leverage=not args.no_leverage,
                   leverage_replicates=args.leverage_replicates, dask=args.dask, force=args.force,
                   resume=args.resume, business=args.business)
    if args.posterior is not None:
        from sim.calibrate.posterior import load_draws

        p.draws = load_draws(args.posterior, p.replicates, p.root, list(zip(p.names, p.scenarios, strict=True)))
    todo = study.tasks(p)

    def started(s) -> None:
        if args.quiet:
            return
        lev_runs = sum(t.values[0] == "leverage" for t in todo)
        main_runs = len(todo) - lev_runs
        extra = f" + {lev_runs} leverage runs" if lev_runs else ""
        resumed = f" ({s.skipped} of {s.total} complete already)" if s.skipped else ""
        print(f"compare: {', '.join(p.names)}: {p.replicates} replicates x {len(p.names)} scenarios = {main_runs} "
              f"runs{extra}{resumed}, {p.steps} days, window days {p.window[0]}-{p.window[1]}, on {s.executor}",
              file=sys.stderr)
        for note in p.notes:
            print(f"alignsim: note: {note}", file=sys.stderr)

    try:
        study.run_plan(p, resume=args.resume, progress=None if args.quiet else ProgressLine(sys.stderr),
                       on_start=started)
    except (RunFailed, Aborted) as exc:
        print(f"alignsim: error: {exc}", file=sys.stderr)
        return 1
    keep: dict = {}
    out = store.rewrite(p.out, lambda folder: _fill(folder, keep))
    if args.quiet:
        print(f"report: {out / report.REPORT}")
        return 0
    from sim.report.compare_summary import sections

    print()
    for heading, paragraphs in sections(keep["analysis"]):
        print(heading.upper())
        for text in paragraphs:
            print(f"  {text}")
    if keep["uncertainty"]:
        print("UNCERTAINTY")
        for text in keep["uncertainty"]:
            print(f"  {text}")
    print(f"\nreport: {out / report.REPORT}  (tables as CSV and figures as PNG beside it)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.compare import store
    from sim.report import compare_report as report

    saved = store.load(args.run_dir)  # validate before writing anything
    fill = _fill
    if args.business is not None:
        from sim.inputs.business import read_business_file
        from sim.runner.manifest import write_json

        settings = read_business_file(args.business)
        info = dict(saved.manifest, business=settings.model_dump(), business_source=str(args.business))

        def fill(folder: Path) -> None:
            write_json(info, folder / store.MANIFEST)
            _fill(folder)

    out = store.rewrite(args.run_dir, fill)
    print(f"report: {out / report.REPORT}")
    return 0
