"""A comparison study from start to end: validate every input, plan the runs, run them, save.

:func:`plan` checks everything before anything runs or is written (scenarios and their org
charts, replicates, jobs, steps, window, the output directory, and each scenario's model, which
catches events past the end and scopes naming no unit); :func:`execute_plan` runs the plan and
returns the :class:`~sim.compare.store.Saved` tables that the report is built from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.compare import leverage as lev
from sim.compare.runner import RunOutput, RunTask, Seed, default_jobs, replicate_seeds, run_tasks, start_method
from sim.compare.stats import replicate_values
from sim.compare.store import FORMAT, Saved, check_out_dir
from sim.errors import InputError
from sim.runner.outputs import _versions, git_revision

MAX_REPLICATES = 10_000
LEVERAGE_REPLICATES = 10  # default cap on the leverage design's replicates


@dataclass
class Plan:
    scenarios: list[Any]  # sim.api.Scenario
    names: list[str]
    replicates: int
    root: int
    seeds: list[Seed]
    steps: int
    window: tuple[int, int]
    window_default: bool
    jobs: int
    out: Path
    leverage_replicates: int  # 0: no leverage design
    delta: float = lev.DELTA
    orgs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_window(text: str | None, steps: int, default: tuple[int, int]) -> tuple[int, int]:
    """``START:END`` (days, inclusive; either may be left empty) checked against ``steps``."""
    if text is None:
        return default
    start_text, sep, end_text = text.partition(":")
    if not sep:
        raise InputError("--window", f"{text!r} is not START:END (days, e.g. 90:365)")
    try:
        start = int(start_text) if start_text.strip() else 1
        end = int(end_text) if end_text.strip() else steps
    except ValueError:
        raise InputError("--window", f"{text!r} is not START:END with whole days (e.g. 90:365)") from None
    if not 1 <= start <= end <= steps:
        raise InputError("--window", f"{text!r} is not allowed: need 1 <= START <= END <= {steps} (the run's days)")
    return start, end


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in out:
            candidate, k = f"{name} ({k})", k + 1
        out.append(candidate)
    return out


def _org_summary(model, scenario) -> dict[str, Any]:
    st = model.state
    fronts = sum(1 for u in st.team_unit.tolist() if model.graph.nodes[int(u)]["office"] == "front")
    return {"units": int(st.U), "teams": int(st.T), "front_teams": fronts, "customers": int(st.C),
            "divisions": len([d for d in st.division_names if d]),
            "chart": scenario.params.org.chart, "people": int(st.headcount.sum())}


def plan(scenario_args: list[str], *, replicates: int = 10, seed: int | None = None, jobs: int | None = None,
         out: Path | None = None, steps: int | None = None, window: str | None = None, leverage: bool = True,
         leverage_replicates: int | None = None) -> Plan:
    """Validate every input of a comparison; raise InputError (one line) at the first problem."""
    from sim.api import build_model, checked_int, load_scenario

    if len(scenario_args) < 2:
        raise InputError("compare", "needs at least two scenarios (the first is the reference)")
    if not 1 <= replicates <= MAX_REPLICATES:
        raise InputError("--replicates", f"value {replicates} is not allowed: must be in 1..{MAX_REPLICATES}")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"value {jobs} is not allowed: must be >= 1")
    if leverage_replicates is not None and not 1 <= leverage_replicates <= replicates:
        raise InputError("--leverage-replicates",
                         f"value {leverage_replicates} is not allowed: must be in 1..{replicates} (--replicates)")
    scenarios = [load_scenario(a) for a in scenario_args]
    names = _unique([s.name for s in scenarios])
    if steps is None:
        lengths = {s.params.steps for s in scenarios}
        if len(lengths) > 1:
            listed = ", ".join(f"{n}: {s.params.steps}" for n, s in zip(names, scenarios, strict=True))
            raise InputError("--steps", f"the scenarios run for different numbers of days ({listed}); "
                             "pass --steps to compare them over the same days")
        steps = lengths.pop()
    steps = checked_int("steps", steps, "--steps")
    root = scenarios[0].params.seed if seed is None else checked_int("seed", seed, "--seed")
    starts = [e.step for s in scenarios for e in s.params.events if e.step <= steps]
    default = (min(starts), steps) if starts else (1, steps)
    span = parse_window(window, steps, default)
    out = Path("out") / ("compare-" + "-vs-".join(s.name for s in scenarios)) if out is None else Path(out)
    check_out_dir(out)
    seeds = replicate_seeds(root, replicates)
    notes, orgs = [], []
    for name, scenario in zip(names, scenarios, strict=True):
        model = build_model(scenario, seeds[0].seed)  # the model's own checks: events, scopes
        orgs.append(_org_summary(model, scenario))
        late = [f"{e.label or e.type} (day {e.step})" for e in scenario.params.events if e.step > steps]
        if late:
            notes.append(f"{name}: not reached in {steps} days, so not applied: {', '.join(late)}")
    k = 0
    if leverage:
        k = leverage_replicates if leverage_replicates is not None else min(replicates, LEVERAGE_REPLICATES)
    return Plan(scenarios=scenarios, names=names, replicates=replicates, root=root, seeds=seeds, steps=steps,
                window=span, window_default=window is None, jobs=jobs or default_jobs(), out=out,
                leverage_replicates=k, orgs=orgs, notes=notes)


def tasks(p: Plan) -> list[RunTask]:
    """Every run of the plan: each scenario's replicates, then the leverage variants'."""
    out = [RunTask("scenario", name, s.replicate, s.seed, scenario.params, scenario.graph, p.steps, p.window)
           for name, scenario in zip(p.names, p.scenarios, strict=True) for s in p.seeds]
    if p.leverage_replicates:
        base = p.scenarios[0]
        for lever, direction, _, params in lev.variants(base.params, p.delta):
            out += [RunTask("leverage", f"{lever}{direction}", s.replicate, s.seed, params, base.graph, p.steps,
                            p.window, full=False) for s in p.seeds[: p.leverage_replicates]]
    return out


def _stack(outputs: list[RunOutput], attr: str) -> pd.DataFrame:
    frames = []
    for o in outputs:
        table = getattr(o, attr)
        keys = {"scenario": o.task.name, "replicate": o.task.replicate, "seed": o.task.seed}
        frames.append(table.assign(**keys)[[*keys, *table.columns]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _leverage_values(p: Plan, outputs: list[RunOutput]) -> pd.DataFrame | None:
    if not p.leverage_replicates:
        return None
    levels = {f"{lever}{d}": level for lever, d, level, _ in lev.variants(p.scenarios[0].params, p.delta)}
    series = _stack([o for o in outputs if o.task.kind == "leverage"], "series")
    if series.empty:
        return pd.DataFrame(columns=["lever", "direction", "level", "replicate", "seed"])
    values = replicate_values(series, p.window, keys=("scenario", "replicate", "seed"))
    variant = values.pop("scenario")
    values.insert(0, "level", variant.map(levels))
    values.insert(0, "direction", variant.str[-1])
    values.insert(0, "lever", variant.str[:-1])
    return values


def manifest(p: Plan, wall_s: float) -> dict[str, Any]:
    scenarios = []
    for name, s, org in zip(p.names, p.scenarios, p.orgs, strict=True):
        scenarios.append({"name": name, "file": s.label, "source": str(s.source) if s.source else None,
                          "description": s.params.description, "overrides": list(s.overrides), "org": org,
                          "params": s.params.model_dump(mode="json")})
    leverage = None
    if p.leverage_replicates:
        leverage = {"scenario": p.names[0], "levers": list(lev.CORE), "delta": p.delta, "kpi": lev.KPI,
                    "replicates": p.leverage_replicates,
                    "levels": {lever: float(getattr(p.scenarios[0].params.levers, lever)) for lever in lev.CORE}}
    start = p.scenarios[0].source.parent if p.scenarios[0].source else Path(__file__).resolve().parent
    return {
        "format": FORMAT, "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenarios": scenarios, "replicates": p.replicates, "root_seed": p.root,
        "seeds": [{"replicate": s.replicate, "spawn_key": list(s.spawn_key), "seed": s.seed} for s in p.seeds],
        "seeding": "numpy.random.SeedSequence(root_seed).spawn(replicates); seed = first uint64 state word >> 1; "
                   "replicate i of every scenario and leverage variant uses seed i",
        "steps": p.steps, "window": list(p.window), "window_default": p.window_default,
        "leverage": leverage, "jobs": p.jobs, "start_method": start_method() if p.jobs > 1 else "in-process",
        "wall_s": round(wall_s, 3), "notes": list(p.notes), "versions": _versions(),
        "git_revision": git_revision(start),
    }


def execute_plan(p: Plan, progress=None, todo: list[RunTask] | None = None) -> Saved:
    """Run every task of the plan (``todo``, default :func:`tasks`) and gather the tables to save."""
    started = time.perf_counter()
    outputs = run_tasks(tasks(p) if todo is None else todo, p.jobs, progress)
    main = [o for o in outputs if o.task.kind == "scenario"]
    return Saved(manifest=manifest(p, time.perf_counter() - started), series=_stack(main, "series"),
                 units=_stack(main, "units"), provenance=_stack(main, "provenance"),
                 leverage=_leverage_values(p, outputs))
