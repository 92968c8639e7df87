"""The ``alignsim`` command line.

    alignsim run SCENARIO [--seed N] [--steps N] [--out DIR] [--set key=value ...] [--quiet]
    alignsim scenarios
    alignsim params [--markdown]

Every input problem (a scenario, a flag, an org chart, the output directory) is reported as one
line ``alignsim: error: <message>`` on stderr with exit code 2 and no traceback; everything is
validated before the run starts and before anything is written. Ctrl-C exits with code 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from sim.errors import InputError

PROG = "alignsim"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors become one line and exit code 2, via :func:`main`."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(" ".join(message.split()))


def _int_arg(field: str, flag: str):
    def parse(text: str) -> int:
        from sim.inputs.space import checked_int

        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        try:
            return checked_int(field, value, flag)
        except InputError as exc:
            raise argparse.ArgumentTypeError(exc.problem) from None

    parse.__name__ = f"{field} value"
    return parse


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Agent-based simulator of organisational alignment (CORE).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run a scenario and write its outputs",
                         description="Run a scenario (a bundled name or a TOML file) and write its outputs.")
    run.add_argument("scenario", metavar="SCENARIO", help="bundled scenario name or path to a TOML file")
    run.add_argument("--seed", type=_int_arg("seed", "--seed"),
                     help="root seed (default: the scenario's)")
    run.add_argument("--steps", type=_int_arg("steps", "--steps"),
                     help="days to run (default: the scenario's)")
    run.add_argument("--out", type=Path, metavar="DIR",
                     help="output directory (default: out/<scenario>-seed<N>); an earlier run there "
                     "is replaced")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                     help="override a parameter, e.g. --set levers.clarity=0.8 (repeatable)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary table")
    sub.add_parser("scenarios", help="list the bundled scenarios")
    params = sub.add_parser("params", help="list every parameter with unit, range, default and rationale")
    params.add_argument("--markdown", action="store_true", help="print a Markdown table (for docs/ODD.md)")
    for module in EXTENSIONS:
        COMMANDS.update(importlib.import_module(module).register(sub, _int_arg))
    return parser


# -- progress ---------------------------------------------------------------------------------------
class Progress:
    """``progress(i, n)`` callback: step counter, percentage and rate on ``stream``.

    In place (carriage return) every ~2% on a terminal; otherwise one line every ~10%.
    """

    def __init__(self, stream: TextIO, in_place: bool):
        self.stream, self.in_place = stream, in_place
        self.start = time.perf_counter()
        self.next = 0

    def __call__(self, i: int, n: int) -> None:
        if i < self.next and i < n:
            return
        self.next = i + max(1, n // (50 if self.in_place else 10))
        rate = i / max(time.perf_counter() - self.start, 1e-9)
        line = f"step {i}/{n}  {100 * i / n:3.0f}%  {rate:,.0f} steps/s"
        if self.in_place:
            self.stream.write(f"\r{line}" + ("\n" if i >= n else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _customers(scenario) -> int:
    org = scenario.params.org
    if scenario.graph is not None:
        fronts = sum(1 for _, d in scenario.graph.nodes(data=True) if d.get("office") == "front")
    else:
        fronts = round(org.teams * org.front_share)
    return fronts * org.customers_per_front_team


# -- commands ---------------------------------------------------------------------------------------
def _cmd_run(args: argparse.Namespace) -> int:
    from sim.inputs.scenarios import load_scenario
    from sim.report.figure import format_summary, summary_table
    from sim.report.outputs import check_out_dir, write_run
    from sim.runner.run import build_model, run_model

    scenario = load_scenario(args.scenario, args.overrides)
    seed = scenario.params.seed if args.seed is None else args.seed
    steps = scenario.params.steps if args.steps is None else args.steps
    out = args.out if args.out is not None else Path("out") / f"{scenario.name}-seed{seed}"
    check_out_dir(out)
    model = build_model(scenario, seed, steps)  # the model's own checks (events, scopes) before running
    late = [f"events[{i}] (step {e.step})" for i, e in enumerate(scenario.params.events) if e.step > steps]
    if late and not args.quiet:
        print(f"{PROG}: note: not reached in {steps} steps, so not applied: {', '.join(late)}",
              file=sys.stderr)
    show = not args.quiet and (sys.stderr.isatty() or steps * _customers(scenario) >= 2_000_000)
    progress = Progress(sys.stderr, sys.stderr.isatty()) if show else None
    result = run_model(model, steps=steps, progress=progress)
    for warning in [*model.input_notes(), *model.reach_warnings()]:  # deprecated names; scopes reaching nothing
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        print(f"{scenario.name}: seed {seed}, {steps} days, {result.wall_s:.1f} s")
        print(format_summary(summary_table(result.series)))
    files = write_run(result, scenario, out)
    folder = next(iter(files.values())).parent
    print(f"outputs: {folder}" if args.quiet else f"\nwrote {len(files)} files to {folder}/: "
          + ", ".join(files))
    return 0


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return lines[0] if lines else ""


def _cmd_scenarios(_args: argparse.Namespace) -> int:
    import tomllib

    from sim.inputs.scenarios import bundled_scenarios

    found = bundled_scenarios()
    if not found:
        raise InputError("scenarios", "no bundled scenarios found; they need the source checkout "
                         "(the scenarios/ folder next to the sim package)")
    width = max(len(name) for name in found)
    for name, path in found.items():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            description = _first_line(str(data.get("description", "")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            description = f"(unreadable: {' '.join(str(exc).split())})"
        print(f"{name:<{width}}  {description}")
    return 0


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cmd_params(args: argparse.Namespace) -> int:
    from sim.inputs.space import parameter_reference

    rows = parameter_reference()
    if args.markdown:
        print("| Parameter | Unit | Range | Default | Meaning | Rationale |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            cells = [f"`{r['name']}`", r["unit"], r["range"], f"`{r['default']}`", r["meaning"],
                     r["rationale"]]
            print("| " + " | ".join(_cell(c) for c in cells) + " |")
        return 0
    for r in rows:
        facts = ", ".join(x for x in (r["unit"], f"range {r['range']}" if r["range"] else "",
                                      f"default {r['default']}") if x)
        print(f"{r['name']}  ({facts})")
        print(f"    {r['meaning']}" + (f" Why: {r['rationale']}" if r["rationale"] else ""))
    return 0


COMMANDS = {"run": _cmd_run, "scenarios": _cmd_scenarios, "params": _cmd_params}
# Modules adding subcommands: each has ``register(subparsers, int_arg) -> {name: handler}``, where a
# handler takes the parsed ``argparse.Namespace`` and returns an exit code (raise InputError for
# bad input: main() turns it into one line and exit code 2).
EXTENSIONS: tuple[str, ...] = (
    "sim.cli.sweep",
    "sim.dashboard.cli",
    "sim.cli.compare",
    "sim.cli.calibrate",
)


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _terminated(signum, frame) -> NoReturn:
    raise KeyboardInterrupt  # SIGTERM takes Ctrl-C's path: finished runs kept, workers stopped, exit 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit code.  A SIGTERM (a
    scheduler's or ``kill``'s) ends a command like Ctrl-C does."""
    try:
        if argv is None and threading_main():
            signal.signal(signal.SIGTERM, _terminated)
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return COMMANDS[args.command](args)
    except _UsageError as exc:
        return _fail(str(exc))
    except InputError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `alignsim params | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
