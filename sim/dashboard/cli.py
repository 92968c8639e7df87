"""``alignsim workshop`` and ``alignsim animate``: registered into :mod:`sim.cli` (EXTENSIONS).

Both validate their input before anything starts; problems reach the user as one line and exit
code 2 (raised as :class:`~sim.errors.InputError`, which ``sim.cli.main`` reports).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from sim.errors import InputError

DEFAULT_PORT = 8765


def _port(text: str) -> int:
    try:
        port = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: must be in 1..65535")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: must be >= 1")
    return value


def _need_dashboard() -> None:
    missing = [m for m in ("solara", "altair", "solara_assets") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError("workshop", f"the dashboard needs {', '.join(missing)}: pip install -e '.[dashboard]'")


def _cmd_workshop(args: argparse.Namespace) -> int:
    from sim.inputs.scenarios import load_scenario

    from .demos import check_demo

    if args.demo:
        check_demo(args.demo)  # one line and exit code 2 for an unknown name
    load_scenario(args.scenario)  # a bad scenario is one line and exit code 2, before serving
    _need_dashboard()
    from .server import serve

    try:
        serve(args.scenario, args.port, demo=args.demo or "")  # exits the process when stopped
    except KeyboardInterrupt:  # Ctrl-C before the server started
        print("alignsim workshop: stopped", file=sys.stderr)
    return 0


def _cmd_animate(args: argparse.Namespace) -> int:
    from .animate import animate

    def progress(i: int, n: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rframe {i}/{n}" + ("\n" if i == n else ""))
            sys.stderr.flush()

    frames = animate(args.scenario, args.out, twin=args.twin, twin_set=args.twin_set, seed=args.seed,
                     steps=args.steps, every=args.every,
                     fps=args.fps, size=args.size, metric=args.colour, progress=progress)
    print(f"wrote {args.out} ({frames} frames)")
    return 0


def _cmd_replay(args: argparse.Namespace) -> int:
    from sim.report.figure import format_summary, summary_table
    from sim.report.outputs import check_out_dir, write_run
    from sim.runner.run import build_model, run_model

    from .debrief import read_session

    log = read_session(args.log)  # a bad file is one line and exit code 2
    out = args.out if args.out is not None else Path("out") / f"{Path(args.log).stem}-replay"
    check_out_dir(out)
    seed = log.scenario.params.seed
    result = run_model(build_model(log.scenario, seed, log.day), steps=log.day)
    print(f"{Path(args.log).name}: seed {seed}, replayed to day {log.day} with {len(log.live)} live move"
          f"{'' if len(log.live) == 1 else 's'}")
    print(format_summary(summary_table(result.series)))
    files = write_run(result, log.scenario, out)
    print(f"\nwrote {len(files)} files to {next(iter(files.values())).parent}/: " + ", ".join(files))
    return 0


def _cmd_debrief(args: argparse.Namespace) -> int:
    from .debrief import debrief, read_session
    from .debrief_pack import check_pack_dir, write_pack

    log = read_session(args.log)  # a bad file is one line and exit code 2
    out = args.out if args.out is not None else Path(f"{Path(args.log).stem}-debrief")
    check_pack_dir(out)  # before the replays
    pack = debrief(log)
    files = write_pack(pack, out)
    for p in pack.points:
        print(f"{p.title}: {p.what}")
    print(f"wrote {len(files)} files to {out}/: {', '.join(files)}")
    return 0


def register(subparsers, int_arg) -> dict:
    """Add ``workshop`` and ``animate`` to the ``alignsim`` command line (imports nothing heavy:
    ``size`` and ``colour`` are checked by :func:`~sim.dashboard.animate.animate`)."""
    ws = subparsers.add_parser("workshop", help="start the workshop dashboard in the browser (offline)",
                               description="Serve the workshop dashboard on 127.0.0.1 until Ctrl-C.")
    ws.add_argument("scenario", metavar="SCENARIO", nargs="?", default="baseline",
                    help="bundled scenario name or TOML file to open with (default: baseline)")
    ws.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    ws.add_argument("--demo", metavar="NAME",
                    help="open a demonstration of the guide in projector mode: overreaction, decision-rights or "
                         "burnout (the page address carries it: ?demo=NAME)")
    an = subparsers.add_parser("animate", help="render a run as an animated GIF or MP4",
                               description="Render a run (org chart, customers, key charts) frame by frame.")
    an.add_argument("scenario", metavar="SCENARIO", help="bundled scenario name or TOML file")
    an.add_argument("--twin", metavar="OTHER", help="a second scenario side by side (same seed and size)")
    an.add_argument("--twin-set", action="append", default=[], metavar="KEY=VALUE", dest="twin_set",
                    help="a fair twin: B is the same scenario with this parameter changed, e.g. "
                         "--twin-set levers.empathy=0.85 (repeatable)")
    an.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.gif (or FILE.mp4 with ffmpeg)")
    an.add_argument("--seed", type=int_arg("seed", "--seed"), help="seed (default: the scenario's)")
    an.add_argument("--steps", type=int_arg("steps", "--steps"), help="days (default: the scenario's)")
    an.add_argument("--every", type=_positive, default=5, help="days per frame (default 5)")
    an.add_argument("--fps", type=_positive, default=8, help="frames per second (default 8)")
    an.add_argument("--size", default="workshop", help="small, workshop or large (default workshop)")
    an.add_argument("--colour", default="backlog",
                    help="node colour: backlog, fatigue, alignment or engagement (default backlog)")
    db = subparsers.add_parser("debrief", help="the debrief pack of a saved workshop session (HTML page and slides)",
                               description="Replay a saved session (the file '⤓ Save session' writes) and write its "
                                           "debrief: turning points, the counterfactual without the facilitator's "
                                           "moves, where friction came from and five questions; one offline HTML "
                                           "page and 16:9 PNG slides.")
    db.add_argument("log", metavar="LOG", help="a saved session (scenario TOML file)")
    db.add_argument("--out", type=Path, metavar="DIR", help="folder for the pack (default: LOG's name + -debrief)")
    rp = subparsers.add_parser("replay", help="replay a saved workshop session exactly, to the day it was saved",
                               description="Run a saved session (the file '⤓ Save session' writes: its scenario, "
                                           "seed and every live move as an event) to the day it was saved, and "
                                           "write the run's outputs as `alignsim run` does. Same seed, same moves, "
                                           "same days: the series equals what the dashboard showed.")
    rp.add_argument("log", metavar="LOG", help="a saved session (scenario TOML file)")
    rp.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: out/LOG's name-replay)")
    return {"workshop": _cmd_workshop, "animate": _cmd_animate, "debrief": _cmd_debrief, "replay": _cmd_replay}
