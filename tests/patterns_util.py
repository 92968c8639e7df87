"""Shared machinery of the pattern tests: run conditions over paired seeds, summarise.

Every comparison uses common random numbers: replicate i of each condition uses the same seed,
so that a difference comes from the condition, not from luck; its 95% confidence interval is
the paired mean difference +/- t(0.975, n-1) * sd / sqrt(n).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams

SEEDS = int(os.environ.get("ALIGNSIM_PATTERN_SEEDS", "20"))
STEPS = 200
LOW = {"clarity": 0.2, "ownership": 0.2, "resilience": 0.2, "empathy": 0.2}
HIGH = {"clarity": 0.8, "ownership": 0.8, "resilience": 0.8, "empathy": 0.8}
SHOCK = {"type": "shock", "step": 60, "duration": 40, "pressure": 1.5, "noise": 0.1, "need_shift": 0.5}


def merge(base: dict, *overrides: dict) -> dict:
    """Deep-merge nested parameter dicts (later wins)."""
    out = copy.deepcopy(base)
    for o in overrides:
        for k, v in o.items():
            if isinstance(v, dict) and isinstance(out.get(k), dict):
                out[k] = merge(out[k], v)
            else:
                out[k] = copy.deepcopy(v)
    return out


def _run(args):
    spec, seed = args
    params = ModelParams.model_validate(merge({"steps": STEPS}, spec))
    m = AlignmentModel(params=params, seed=seed)
    m.run()
    return m.series(), m.units()


def run_many(spec: dict, seeds: int = SEEDS, root: int = 1000):
    """Series and unit tables of ``seeds`` replicates of one condition (seeds root..root+n-1)."""
    jobs = [(spec, root + i) for i in range(seeds)]
    workers = min(2, os.cpu_count() or 1)
    if workers > 1 and seeds > 2:
        # forkserver, never fork: pytest's process already runs threads (a forked child may deadlock)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as ex:
            return list(ex.map(_run, jobs))
    return [_run(j) for j in jobs]


@dataclass
class Diff:
    """Paired difference a - b over replicates with a 95% t interval."""

    a: np.ndarray
    b: np.ndarray

    @property
    def d(self) -> np.ndarray:
        return self.a - self.b

    @property
    def mean(self) -> float:
        return float(self.d.mean())

    @property
    def ci(self) -> tuple[float, float]:
        n = self.d.size
        half = stats.t.ppf(0.975, n - 1) * self.d.std(ddof=1) / np.sqrt(n)
        return self.mean - half, self.mean + half

    def positive(self) -> bool:
        """The 95% interval lies above zero."""
        return self.ci[0] > 0

    def __repr__(self) -> str:
        lo, hi = self.ci
        return (f"Diff(mean_a={self.a.mean():.4g}, mean_b={self.b.mean():.4g}, "
                f"diff={self.mean:.4g}, 95% CI [{lo:.4g}, {hi:.4g}], n={self.d.size})")


def metric(runs, fn) -> np.ndarray:
    return np.array([fn(series, units) for series, units in runs], dtype=float)


def window_mean(col: str, start: int, end: int | None = None):
    def f(series, _units):
        s = series[col].to_numpy()
        return float(s[start:end].mean())
    return f


def total(col: str, start: int = 0, end: int | None = None):
    def f(series, _units):
        return float(series[col].to_numpy()[start:end].sum())
    return f


_RUNS: dict[str, list] = {}


def runs(spec: dict) -> list:
    """``run_many`` remembered for the session: a test and its knock-out arms, or two tests, that
    share a condition reuse its runs (the same seeds, so the same results) instead of redoing them."""
    key = json.dumps(spec, sort_keys=True)
    if key not in _RUNS:
        _RUNS[key] = run_many(spec)
    return _RUNS[key]


def assert_gone(off: Diff, on: Diff, minimum: float, what: str) -> None:
    """Knock-out criterion (issue 10 s4): with its mechanism switched off an effect is gone when its
    paired mean over the same seeds is below ``minimum`` (the smallest effect the pattern test
    accepts, or where it asserts none, the one stated in its docstring) AND the upper end of its 95%
    t interval lies below the mechanism-on mean.  The first rules out an effect merely shrunk but
    still as large as the pattern claims; the second an 'absence' that only reflects too few seeds
    (a CI that includes 0 is not asked for and not enough)."""
    print(f"knock-out {what}: on {on!r}; off {off!r}")  # shown with pytest -s (figures for docs/validation.md)
    assert off.mean < minimum and off.ci[1] < on.mean, (what, "knocked out", off, "on", on)
