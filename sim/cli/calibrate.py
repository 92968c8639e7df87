"""``alignsim calibrate``: fit a scenario's parameters to an organisation's own history (ABC-SMC).

    alignsim calibrate SCENARIO --data HISTORY.csv --fit NAME=LOW:HIGH [--fit ...] --out DIR
                       [--mapping MAP.toml] [--set KEY=VALUE ...] [--seed ROOT] [--population N]
                       [--generations G] [--budget B] [--predictive N] [--jobs J | --dask local|ADDRESS] [--quiet]

Everything (scenario, mapping, history, ranges, output directory) is checked before anything
runs; a bad input is one line on stderr, exit code 2, nothing written. The output folder appears
only when complete. Simulations are kept as they finish: after a kill, the same command reuses
them (see docs/calibration.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .compare import count_arg


def register(subparsers, int_arg) -> dict:
    cal = subparsers.add_parser(
        "calibrate", help="fit a scenario's parameters to an organisation's KPI history (ABC-SMC)",
        description="Fit the chosen parameters of a scenario to a tidy CSV of the organisation's monthly KPIs by "
        "approximate Bayesian computation (ABC-SMC); write the posterior, credible intervals, diagnostics, a "
        "posterior predictive check and a calibrated scenario file (see docs/calibration.md).")
    cal.add_argument("scenario", metavar="SCENARIO", help="bundled scenario name or TOML file")
    cal.add_argument("--data", type=Path, required=True, metavar="HISTORY.csv",
                     help="tidy CSV: date (YYYY-MM) or day, kpi, value, optional unit")
    cal.add_argument("--fit", action="append", default=[], metavar="NAME=LOW:HIGH",
                     help="a parameter to fit and its uniform prior range, e.g. demand.request_rate=0.02:0.12 "
                     "(repeatable)")
    cal.add_argument("--out", type=Path, required=True, metavar="DIR",
                     help="output directory; an earlier calibration there is replaced")
    cal.add_argument("--mapping", type=Path, metavar="MAP.toml",
                     help="how the history's KPIs map to model outputs (default: the documented mapping)")
    cal.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                     help="override a scenario parameter before fitting (repeatable)")
    cal.add_argument("--seed", type=int_arg("seed", "--seed"), metavar="ROOT",
                     help="root seed of every draw and simulation (default: the scenario's seed)")
    cal.add_argument("--population", type=count_arg("--population", 2), default=40, metavar="N",
                     help="particles per generation (default 40)")
    cal.add_argument("--generations", type=count_arg("--generations"), default=4, metavar="G",
                     help="generations at most, the prior's included (default 4)")
    cal.add_argument("--budget", type=count_arg("--budget"), default=1500, metavar="B",
                     help="simulations at most (default 1500)")
    cal.add_argument("--predictive", type=count_arg("--predictive"), default=40, metavar="N",
                     help="posterior draws re-simulated for the predictive check (default 40)")
    cal.add_argument("--jobs", "-j", type=count_arg("--jobs"), metavar="J",
                     help="worker processes (default: all cores; 1 runs in this process)")
    cal.add_argument("--dask", metavar="local|ADDRESS", help="run on Dask: 'local' or a scheduler address")
    cal.add_argument("--quiet", "-q", action="store_true", help="only the output folder's path")
    return {"calibrate": _cmd_calibrate}


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import study
    from sim.report import calibration as report

    p = study.plan(args.scenario, args.data, args.fit, args.out, mapping=args.mapping, overrides=args.overrides,
                   seed=args.seed, population=args.population, generations=args.generations, budget=args.budget,
                   jobs=args.jobs, dask=args.dask, check_out=report.check_out_dir)

    def say(text: str) -> None:
        if not args.quiet:
            print(f"calibrate: {text}", file=sys.stderr, flush=True)

    say(f"{p.scenario.name}: {len(p.history.observations)} observations of {', '.join(p.history.kpis)} over "
        f"{p.history.days} days; fitting {', '.join(f.name for f in p.fits)}; population {p.settings.population}, "
        f"at most {p.settings.generations} generations and {p.settings.budget} simulations; root seed {p.root}")
    for note in p.notes:
        say(f"note: {note}")
    try:
        cal = study.execute(p, say, predictive=args.predictive)
    except study.RunFailedError as exc:
        print(f"alignsim: error: {exc}", file=sys.stderr)
        return 1
    out = report.write_calibration(cal, sys.argv[1:])
    if args.quiet:
        print(f"calibration: {out}")
        return 0
    print(f"\n{cal.fit.simulations} simulations, {cal.wall_s:.0f} s; stopped: {cal.fit.stop}")
    for r in cal.intervals().itertuples():
        print(f"  {r.parameter:<32} median {r.median:<10.4g} 90% [{r.ci90_low:.4g}, {r.ci90_high:.4g}]  {r.verdict}")
    print(f"\ncalibration: {out}  (summary.md, predictive.png, calibrated.toml)")
    return 0
