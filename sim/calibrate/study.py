"""A calibration from start to end: check every input, fit by ABC-SMC, draw the posterior predictive.

:func:`plan` reads and checks everything before anything runs or is written (the scenario, the
mapping, the history against the mapping and the scenario, the ``--fit`` ranges, the settings,
the output directory); :func:`execute` runs the fit on the project's executors and returns a
:class:`Calibration`, which :mod:`sim.report.calibration` writes as a folder.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.calibrate import abc
from sim.calibrate.history import History, check_producible, read_history
from sim.calibrate.mapping import load_mapping
from sim.calibrate.simulate import CalibrationSetup, Period, Simulator, store_for
from sim.errors import InputError
from sim.inputs import space
from sim.inputs.scenarios import Scenario, load_scenario
from sim.runner.executors import open_pool
from sim.runner.run import build_model

PPC_DRAWS = 40  # posterior draws re-simulated (new seeds) for the predictive check
NOT_IDENTIFIED = 0.75  # posterior 90% interval / prior 90% interval at or above this: not identified
WEAK = 0.4  # ... between WEAK and NOT_IDENTIFIED: weakly identified


@dataclass(frozen=True)
class FitRange:
    name: str
    low: float
    high: float


@dataclass
class Plan:
    scenario: Scenario
    history: History
    fits: list[FitRange]
    settings: abc.Settings
    root: int
    out: Path
    jobs: int | None = None
    dask: Any = None
    mapping_file: Path | None = None
    setup: CalibrationSetup | None = None
    overrides: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def box(self) -> abc.Box:
        return abc.Box(tuple(f.name for f in self.fits), np.array([f.low for f in self.fits]),
                       np.array([f.high for f in self.fits]))

    def identity(self) -> dict[str, Any]:
        """What the simulations depend on: a store made for the same identity is reused (resume)."""
        g = self.scenario.graph
        chart = "" if g is None else hashlib.sha256(repr((list(g.nodes(data=True)), list(g.edges()))).encode())
        return {"params": self.scenario.params.model_dump(mode="json"), "fits": [vars(f) for f in self.fits],
                "periods": [vars(p) for p in self.setup.periods], "root": self.root, "settings": vars(self.settings),
                "chart": chart if isinstance(chart, str) else chart.hexdigest(), "format": 1}


def parse_fit(item: str) -> FitRange:
    """``NAME=LOW:HIGH`` -> a range inside the parameter's own bounds (real-valued parameters only)."""
    flag = f"--fit {item}"
    name, sep, rng = item.partition("=")
    name = name.strip()
    low_text, sep2, high_text = rng.partition(":")
    if not sep or not sep2:
        raise InputError(flag, "expected NAME=LOW:HIGH, e.g. --fit demand.request_rate=0.02:0.12")
    try:
        kind, lo, hi = space.bounds(name)
    except ValueError as exc:
        raise InputError(flag, str(exc)) from None
    if kind is not float:
        raise InputError(flag, f"{name} is a whole number; only real-valued parameters can be fitted")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise InputError(flag, f"{rng!r} is not LOW:HIGH with two numbers") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise InputError(flag, f"need finite LOW < HIGH, got {low_text}:{high_text}")
    if low < lo or high > hi:
        raise InputError(flag, f"{low_text}:{high_text} leaves {name}'s allowed range [{lo:g}, {hi:g}]")
    return FitRange(name, low, high)


def plan(scenario: str | Path, data: Path, fits: Sequence[str], out: Path, *, mapping: Path | None = None,
         overrides: Sequence[str] = (), seed: int | None = None, population: int = 40, generations: int = 4,
         budget: int = 1500, quantile: float = 0.5, min_acceptance: float = 0.03, jobs: int | None = None,
         dask: Any = None, check_out: Callable[[Path], None] | None = None) -> Plan:
    """Everything checked; nothing run or written."""
    sc = load_scenario(scenario, list(overrides))
    maps = load_mapping(mapping)
    history = read_history(Path(data), maps)
    if not fits:
        raise InputError("--fit", "give at least one parameter to fit, e.g. --fit demand.request_rate=0.02:0.12")
    ranges = [parse_fit(item) for item in fits]
    names = [f.name for f in ranges]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise InputError(f"--fit {dup}", "given twice")
    for name, value in (("--population", population), ("--generations", generations), ("--budget", budget)):
        if value < (2 if name == "--population" else 1):
            raise InputError(name, f"value {value} is not allowed: must be >= {2 if name == '--population' else 1}")
    if budget < population:
        raise InputError("--budget", f"value {budget} is not allowed: must be >= --population ({population})")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", f"value {jobs} is not allowed: must be >= 1")
    root = sc.params.seed if seed is None else space.checked_int("seed", seed, "--seed")
    steps = history.days
    model = build_model(sc, root, steps)  # the model's own checks (events, scopes) for this length
    from sim.model.kpis import series_kpis

    columns = {k.column for k in series_kpis(int(model.state.level.max()))}
    check_producible(history, columns, int(model.state.C))
    late = [f"events[{i}] (day {e.step})" for i, e in enumerate(sc.params.events) if e.step > steps]
    base = sc.params.model_copy(update={"steps": steps}).model_dump()
    for f in ranges:  # every fitted value at both ends makes a valid scenario
        for end in (f.low, f.high):
            try:
                space.set_values(base, {f.name: end})
            except ValidationError as exc:
                raise space.validation_error(exc, base, f"--fit {f.name}={end:g}", {}) from None
    if check_out is not None:
        check_out(out)
    periods = tuple(Period(o.kpi, history.maps[o.kpi].column, history.maps[o.kpi].how, o.start, o.end,
                           history.maps[o.kpi].scale, history.maps[o.kpi].offset) for o in history.observations)
    settings = abc.Settings(population=population, generations=generations, quantile=quantile,
                            min_acceptance=min_acceptance, budget=budget)
    p = Plan(sc, history, ranges, settings, root, Path(out), jobs, dask, mapping,
             CalibrationSetup(base, sc.graph, tuple(names), steps, periods), tuple(overrides))
    p.notes = [f"not reached in the history's {steps} days, so not applied: {', '.join(late)}"] if late else []
    return p


@dataclass
class Calibration:
    plan: Plan
    fit: abc.Fit
    ppc_theta: np.ndarray  # (draws, parameters)
    ppc: np.ndarray  # (draws, observations); NaN rows for failed runs
    simulations_run: int
    simulations_reused: int
    wall_s: float
    pool: dict[str, Any] = field(default_factory=dict)
    resumed: bool = False

    # -- tables --------------------------------------------------------------------------------
    def posterior(self) -> pd.DataFrame:
        """Every generation's particles: generation, particle, weight, distance, parameters."""
        frames = []
        for g in self.fit.generations:
            frame = pd.DataFrame(g.theta, columns=list(self.fit.box.names))
            frame.insert(0, "distance", g.distances)
            frame.insert(0, "weight", g.weights)
            frame.insert(0, "particle", np.arange(len(g.weights)))
            frame.insert(0, "generation", g.t)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def intervals(self) -> pd.DataFrame:
        """Per parameter: prior range, posterior mean, median, 5% and 95% quantiles, and whether the
        data identify it (the posterior's 90% interval against the prior's)."""
        g = self.fit.posterior
        rows = []
        for j, name in enumerate(self.fit.box.names):
            lo, hi = self.fit.box.low[j], self.fit.box.high[j]
            q05, q50, q95 = abc.weighted_quantile(g.theta[:, j], g.weights, [0.05, 0.5, 0.95])
            mean = float(g.weights @ g.theta[:, j])
            ratio = float((q95 - q05) / (0.9 * (hi - lo)))
            verdict = ("not identified (posterior ~ prior)" if ratio >= NOT_IDENTIFIED else
                       "weakly identified" if ratio >= WEAK else "identified")
            rows.append({"parameter": name, "prior_low": lo, "prior_high": hi, "mean": mean, "median": float(q50),
                         "ci90_low": float(q05), "ci90_high": float(q95),
                         "sd": float(np.sqrt(g.weights @ (g.theta[:, j] - mean) ** 2)),
                         "width_vs_prior": ratio, "verdict": verdict})
        return pd.DataFrame(rows)

    def diagnostics(self) -> pd.DataFrame:
        return pd.DataFrame([{"generation": g.t, "epsilon": g.eps, "simulations": g.simulations,
                              "accepted": g.accepted, "acceptance_rate": g.acceptance, "ess": g.ess,
                              "particles": len(g.weights)} for g in self.fit.generations])

    def predictive(self) -> pd.DataFrame:
        """Per observation: the observed value and the 5%, 50% and 95% of the posterior predictive."""
        obs = self.plan.history.observations
        q = np.nanquantile(self.ppc, [0.05, 0.5, 0.95], axis=0) if len(self.ppc) else np.full((3, len(obs)), np.nan)
        return pd.DataFrame([{"kpi": o.kpi, "period": o.period, "start_day": o.start, "end_day": o.end,
                              "observed": o.value, "sim_q05": q[0, i], "sim_median": q[1, i], "sim_q95": q[2, i],
                              "inside_90": bool(q[0, i] <= o.value <= q[2, i]), "unit": o.unit}
                             for i, o in enumerate(obs)])

    def medians(self) -> dict[str, float]:
        table = self.intervals()
        return dict(zip(table["parameter"], table["median"], strict=True))


def store_path(out: Path) -> Path:
    """Where a calibration keeps its simulations while it runs (a hidden sibling of ``out``)."""
    out = Path(out).absolute()
    return out.parent / f".{out.name}.calibrate-store"


def execute(p: Plan, log: Callable[[str], None] | None = None, progress: Any = None,
            predictive: int = PPC_DRAWS) -> Calibration:
    """Fit, then re-simulate ``predictive`` posterior draws with fresh seeds (spawn keys (3, i))."""
    say = log or (lambda _text: None)
    start = time.perf_counter()
    observed = p.history.values
    with open_pool(p.jobs, p.dask, in_process_if_one=True) as pool, \
            store_for(store_path(p.out), p.identity()) as (folder, resumed):
        if resumed:
            say(f"resuming: simulations of an earlier run of the same calibration are reused from {folder}")
        sim = Simulator(pool, p.setup, p.root, folder, progress)

        def generation_done(g: abc.Generation) -> None:
            eps = "inf" if not np.isfinite(g.eps) else f"{g.eps:.3g}"
            say(f"generation {g.t}: epsilon {eps}, {g.accepted}/{g.simulations} accepted "
                f"({100 * g.acceptance:.0f}%), ESS {g.ess:.0f}")

        try:
            fit = abc.fit(sim, observed, p.box, p.settings, p.root, generation_done)
        except RuntimeError as exc:
            first = sim.first_error()
            raise RunFailedError(f"{exc}; first error: {first}" if first else str(exc)) from None
        g = fit.posterior
        rng = np.random.default_rng(np.random.SeedSequence(p.root, spawn_key=(4,)))
        draws = g.theta[rng.choice(len(g.weights), size=predictive, p=g.weights)]
        out = sim(draws, [(3, i) for i in range(predictive)])
        width = len(observed)
        ppc = np.array([s if s is not None else np.full(width, np.nan) for s in out]).reshape(-1, width)
        info = pool.info()
    return Calibration(p, fit, draws, ppc, sim.ran, sim.reused, time.perf_counter() - start, info, resumed)


class RunFailedError(RuntimeError):
    """Too many simulations failed; the message carries the first worker error."""
