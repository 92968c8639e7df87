"""Shared helpers of the sweep tests: run functions loaded by path from experiment files, and
writers of small experiment files. No tests here."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.sweep.store import TIMING_COLUMNS, read_metrics, read_runs

HERE = Path(__file__).resolve()
PI = math.pi


def seeded(params: dict[str, float], seed: int) -> dict[str, float]:
    """A closed form plus a draw from the run's own generator (so seeds show in the results).

    Sleeps ALIGNSIM_TEST_DELAY seconds first when that variable is set (the resume test's
    subprocess sets it, so that it can be killed half-way).
    """
    delay = float(os.environ.get("ALIGNSIM_TEST_DELAY", "0") or 0)
    if delay:
        time.sleep(delay)
    x1, x2 = params["x1"], params["x2"]
    rng = np.random.default_rng(seed)
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2, "noisy": x1 + rng.normal()}


def flaky(params: dict[str, float], seed: int) -> dict[str, float]:
    """Raises for x1 > 0.5; otherwise a value that depends on the parameters and the seed."""
    if params["x1"] > 0.5:
        raise ValueError(f"x1 = {params['x1']:.3f} is too large for this function")
    return {"y": params["x1"] + params["x2"] + np.random.default_rng(seed).normal()}


def not_a_dict(params: dict[str, float], seed: int) -> float:
    return 1.0


def callable_experiment(path: Path, function: str, *, samples: int = 16, replicates: int = 2, seed: int = 11,
                        kind: str = "lhs", extra: str = "") -> Path:
    """An experiment over x1, x2 in [0, 1] calling ``function`` of this file."""
    design = f'kind = "{kind}"\n' + (f"samples = {samples}\n" if kind != "grid" else "")
    levels = "levels = 4\n" if kind == "grid" else ""
    path.write_text(f'task = "{HERE}:{function}"\nreplicates = {replicates}\nseed = {seed}\n{extra}\n'
                    f"[design]\n{design}\n"
                    f'[[parameters]]\nname = "x1"\nrange = [0.0, 1.0]\n{levels}\n'
                    f'[[parameters]]\nname = "x2"\nrange = [0.0, 1.0]\n{levels}', encoding="utf-8")
    return path


def tiny_core_experiment(path: Path, *, steps: int = 15, samples: int = 3, replicates: int = 2) -> Path:
    """A core experiment small enough for a test: a 4-team organisation, a few days."""
    path.write_text(f"""\
task = "core"
scenario = "pressure-shock"
set = ["org.teams=4", "org.divisions=2", "org.customers_per_front_team=10", "events[0].step=5"]
steps = {steps}
replicates = {replicates}
seed = 5

[design]
kind = "lhs"
samples = {samples}

[[parameters]]
name = "levers.clarity"
range = [0.0, 1.0]

[[parameters]]
name = "levers.empathy"
division = "Division B"
range = [0.0, 1.0]

[[parameters]]
name = "org.customers_per_front_team"
range = [5, 15]

[outputs]
final = ["retention", "satisfaction"]
mean = ["friction_index"]
window = [1, {steps}]
series = ["friction_index"]
""", encoding="utf-8")
    return path


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's runs (without timing and worker columns) and metrics, sorted by run id."""
    runs = read_runs(out).drop(columns=list(TIMING_COLUMNS))
    return runs, read_metrics(out)


def assert_same_store(a: Path, b: Path) -> None:
    runs_a, metrics_a = tables(a)
    runs_b, metrics_b = tables(b)
    pd.testing.assert_frame_equal(runs_a, runs_b, check_exact=True)
    pd.testing.assert_frame_equal(metrics_a, metrics_b, check_exact=True)
