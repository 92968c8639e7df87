"""A comparison study from start to end: validate every input, plan the runs, run them, save.

:func:`plan` checks everything before anything runs or is written (scenarios and their org
charts, replicates, jobs, steps, window, the output directory, and each scenario's model, which
catches events past the end and scopes naming no unit); :func:`run_plan` runs the plan on the
engine into its store (resuming one that was cut short); :func:`execute_plan` runs it into a
temporary store and returns the :class:`~sim.compare.store.Saved` tables that the report is
built from.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.compare import leverage as lev
from sim.compare import runner
from sim.compare.store import FORMAT, MANIFEST, Saved, check_out_dir, load, read_manifest
from sim.errors import InputError
from sim.inputs.business import read_business_file
from sim.runner.executors import default_jobs, open_pool
from sim.runner.loop import Flush, Progress, Summary, locked, now, run_session
from sim.runner.manifest import git_revision, package_version, versions, write_json
from sim.runner.seeds import Seed, replicate_seeds
from sim.runner.store import Store, create

MAX_REPLICATES = 10_000
LEVERAGE_REPLICATES = 10  # default cap on the leverage design's replicates


@dataclass
class Plan:
    scenarios: list[Any]  # sim.inputs.scenarios.Scenario
    names: list[str]
    replicates: int
    root: int
    seeds: list[Seed]
    steps: int
    window: tuple[int, int]
    window_default: bool
    jobs: int | None  # None: all cores (local processes) or the scheduler's workers (Dask)
    out: Path
    leverage_replicates: int  # 0: no leverage design
    delta: float = lev.DELTA
    orgs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreached: dict[str, list[str]] = field(default_factory=dict)  # scenario -> interventions that can reach nothing
    dask: Any = None  # None: local processes; "local", a scheduler address or a distributed.Client
    business: Any = None  # sim.inputs.business.Business: scale and unit costs (never read by the model)
    business_source: str | None = None  # where the business settings came from
    draws: Any = None  # posterior draws (sim.runner.draws.Draws, from compare --posterior), else None


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
    fte = sum(float(d.get("fte", d["headcount"])) for _, d in model.graph.nodes(data=True) if d["kind"] == "team")
    return {"units": int(st.U), "teams": int(st.T), "front_teams": fronts, "customers": int(st.C),
            "divisions": len([d for d in st.division_names if d]),
            "chart": scenario.params.org.chart, "people": int(st.headcount.sum()), "fte": round(fte, 6)}


def plan(scenario_args: list[str], *, replicates: int = 10, seed: int | None = None, jobs: int | None = None,
         out: Path | None = None, steps: int | None = None, window: str | None = None, leverage: bool = True,
         leverage_replicates: int | None = None, dask: Any = None, force: bool = False,
         resume: bool = False, business: str | Path | None = None) -> Plan:
    """Validate every input of a comparison; raise InputError (one line) at the first problem.

    The window defaults to the whole run (days 1 to ``steps``) whatever the scenarios' events, so
    that every comparison of runs of the same length summarises the same days unless ``window``
    says otherwise. ``out`` holding an earlier comparison is refused unless ``force`` (replace it)
    or ``resume`` (finish it)."""
    from sim.inputs.scenarios import load_scenario
    from sim.inputs.space import checked_int
    from sim.runner.run import build_model

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
    settings, source = scenarios[0].business, (scenarios[0].label if scenarios[0].business else None)
    if business is not None:
        settings, source = read_business_file(business), str(business)
    if settings is not None and settings.cost_per_contact is not None and settings.contacts_per_friction is None:
        raise InputError(f"{source}: field business.cost_per_contact", "needs business.contacts_per_friction "
                         "(how many contacts a unit of friction makes) to count contacts")
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
    span = parse_window(window, steps, (1, steps))
    out = Path("out") / ("compare-" + "-vs-".join(s.name for s in scenarios)) if out is None else Path(out)
    check_out_dir(out)
    if not (force or resume) and out.is_dir() and read_manifest(out, older=True) is not None:
        raise InputError(str(out), "holds an earlier comparison; pass --force to replace it, or --resume to finish it, "
                         "or choose another --out")
    seeds = replicate_seeds(root, replicates)
    notes, orgs, unreached = [], [], {}
    for name, scenario in zip(names, scenarios, strict=True):
        model = build_model(scenario, seeds[0].seed, steps)  # the model's own checks: events, scopes
        orgs.append(_org_summary(model, scenario))
        if warned := model.reach_warnings():  # issue 11 item 9: said in the summary's change sentence too
            unreached[name] = warned
        notes.extend(f"{name}: {w}" for w in [*model.input_notes(), *warned])
        late = [f"{e.label or e.type} (day {e.step})" for e in scenario.params.events if e.step > steps]
        if late:
            notes.append(f"{name}: not reached in {steps} days, so not applied: {', '.join(late)}")
    k = 0
    if leverage:
        k = leverage_replicates if leverage_replicates is not None else min(replicates, LEVERAGE_REPLICATES)
    return Plan(scenarios=scenarios, names=names, replicates=replicates, root=root, seeds=seeds, steps=steps,
                window=span, window_default=window is None, jobs=jobs if jobs or dask is not None else default_jobs(),
                out=out, leverage_replicates=k, orgs=orgs, notes=notes, unreached=unreached, dask=dask,
                business=settings, business_source=source)


def setup(p: Plan) -> runner.CompareSetup:
    """The design of the plan: each scenario, then (with leverage) each variant of the reference."""
    variants = [runner.Variant(runner.SCENARIO, name, scenario.params, scenario.graph, p.replicates)
                for name, scenario in zip(p.names, p.scenarios, strict=True)]
    if p.leverage_replicates:
        base = p.scenarios[0]
        variants += [runner.Variant(runner.LEVERAGE, f"{lever}{direction}", params, base.graph,
                                    p.leverage_replicates, float(level))
                     for lever, direction, level, params in lev.variants(base.params, p.delta)]
    return runner.CompareSetup(tuple(variants), p.steps, p.window, p.draws)


def tasks(p: Plan) -> list[runner.RunSpec]:
    """Every run of the plan, in run id order: each scenario's replicates, then the leverage variants'."""
    return runner.run_specs(setup(p), p.seeds)


def fingerprint(p: Plan) -> str:
    """Hash of everything that decides the runs (not where files are, so a moved checkout resumes)."""
    text = json.dumps({"names": p.names, "params": [s.params.model_dump(mode="json") for s in p.scenarios],
                       "replicates": p.replicates, "root": p.root, "steps": p.steps, "window": list(p.window),
                       "leverage": p.leverage_replicates, "delta": p.delta,
                       **({"posterior": p.draws.info()} if p.draws is not None else {})}, sort_keys=True)
    graphs = "".join(repr((list(s.graph.nodes(data=True)), list(s.graph.edges())))
                     for s in p.scenarios if s.graph is not None)
    return hashlib.sha256((text + graphs).encode()).hexdigest()


def _event_costs(s: Any) -> list[dict[str, Any]]:
    """A scenario's costed events: index, label, day, duration, cost once and per year."""
    out = []
    for c in s.event_costs:
        ev = s.params.events[c["event"]]
        out.append({"event": c["event"], "label": getattr(ev, "label", "") or ev.type, "step": ev.step,
                    "duration": getattr(ev, "duration", None), "once": c["once"], "per_year": c["per_year"]})
    return out


def manifest(p: Plan, total: int) -> dict[str, Any]:
    scenarios = []
    for name, s, org in zip(p.names, p.scenarios, p.orgs, strict=True):
        scenarios.append({"name": name, "file": s.label, "source": str(s.source) if s.source else None,
                          "description": s.params.description, "overrides": list(s.overrides), "org": org,
                          "params": s.params.model_dump(mode="json"), "event_costs": _event_costs(s)})
    leverage = None
    if p.leverage_replicates:
        leverage = {"scenario": p.names[0], "levers": list(lev.CORE), "delta": p.delta, "kpi": lev.KPI,
                    "replicates": p.leverage_replicates,
                    "levels": {lever: float(getattr(p.scenarios[0].params.levers, lever)) for lever in lev.CORE}}
    start = p.scenarios[0].source.parent if p.scenarios[0].source else Path(__file__).resolve().parent
    return {
        "format": FORMAT, "created": now(), "fingerprint": fingerprint(p), "runs": total,
        "scenarios": scenarios, "replicates": p.replicates, "root_seed": p.root,
        "seeds": [{"replicate": s.replicate, "spawn_key": list(s.spawn_key), "seed": s.seed} for s in p.seeds],
        "seeding": "numpy.random.SeedSequence(root_seed).spawn(replicates); seed = first uint64 state word >> 1; "
                   "replicate i of every scenario and leverage variant uses seed i",
        "steps": p.steps, "window": list(p.window), "window_default": p.window_default,
        "leverage": leverage, "jobs": None, "start_method": None, "wall_s": None, "notes": list(p.notes),
        "unreached": dict(p.unreached),
        "business": p.business.model_dump() if p.business is not None else None,
        "business_source": p.business_source,
        "versions": versions(("dask", "distributed")), "git_revision": git_revision(start),
        "alignsim_version": package_version(),
        "finished": None, "status": "running", "sessions": [],
        **({"posterior": p.draws.info()} if p.draws is not None else {}),
    }


def check_resume(p: Plan, resume: bool) -> dict[str, Any] | None:
    """The manifest of the comparison to resume in ``p.out`` (with ``resume``), else None: an
    earlier comparison there is replaced. InputError if ``resume`` finds nothing to resume."""
    info = read_manifest(p.out) if p.out.is_dir() else None
    if not resume:
        return None
    if info is None:
        raise InputError("--resume", f"{p.out} holds no comparison to resume; run without --resume")
    if info.get("fingerprint") != fingerprint(p):
        raise InputError(str(p.out), "holds a comparison of other inputs (scenarios, replicates, seed, steps, window "
                         "or leverage differ); run without --resume to replace it, or choose another --out")
    return info


def run_plan(p: Plan, *, resume: bool = False, progress: Progress | None = None,
             on_start: Callable[[Summary], None] | None = None, chunk: int = 1, flush: Flush | None = None) -> Summary:
    """Run the plan on the engine into its store ``p.out`` (resume a cut-short one with ``resume``).

    Raises :class:`~sim.compare.runner.RunFailed` if a run failed (its error is in the runs table),
    :class:`~sim.runner.loop.Aborted` if the executor failed; complete runs are always kept."""
    info = check_resume(p, resume)
    if info is not None:  # business settings do not change the runs: the latest given apply
        fresh = manifest(p, 0)
        info.update(business=fresh["business"], business_source=fresh["business_source"])
        for old, new in zip(info["scenarios"], fresh["scenarios"], strict=True):
            old["event_costs"] = new["event_costs"]
    design = setup(p)
    runs = runner.run_specs(design, p.seeds)
    with open_pool(p.jobs, p.dask, in_process_if_one=True) as pool:
        if info is None:
            info = manifest(p, len(runs))
            if p.out.exists():  # an earlier comparison (checked by plan) is replaced, unless one is writing to it
                with locked(p.out, "alignsim compare"):
                    shutil.rmtree(p.out)
            create(p.out, lambda tmp: write_json(info, tmp / MANIFEST))
        with locked(p.out, "alignsim compare"):
            store = Store(p.out, runner.RUNS_SCHEMA)
            summary = run_session(pool, p.out, info, store, runner.task_spec(design), len(runs),
                                  lambda done: runner.chunks(runs, done, chunk), flush=flush, progress=progress,
                                  on_start=on_start)
            wall = sum(s.get("wall_s") or 0 for s in info["sessions"])
            info.update(jobs=pool.workers, start_method=pool.description, wall_s=round(wall, 3))
            write_json(info, p.out / MANIFEST)
    if summary.failed:
        error, n = max(summary.errors.items(), key=lambda kv: kv[1])
        raise runner.RunFailed(f"{summary.failed} run(s) failed (the runs table in {p.out} names them); "
                               f"{n}x: {error}")
    return summary


def execute_plan(p: Plan, progress: Progress | None = None) -> Saved:
    """Run the plan into a temporary store and return its tables (nothing is left on disk)."""
    with tempfile.TemporaryDirectory(prefix="alignsim-compare-") as tmp:
        run_plan(Plan(**{**p.__dict__, "out": Path(tmp) / "store"}), progress=progress)
        return load(Path(tmp) / "store")
