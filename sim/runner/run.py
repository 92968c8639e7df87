"""THE build-and-run path of the model: every command that runs the model goes through here.

- :func:`build_model`: a fresh model of a scenario at a seed (the model's own input checks
  named after the scenario file);
- :func:`run_model`: run a built model and collect the tables asked for, as a :class:`RunResult`;
- :func:`run_task`: one run as the experiment engine sees it, from plain inputs (validated
  parameters, org chart graph, seed, steps, analysis window) to tables. ``alignsim compare``,
  the sweep's CORE task and the sweep's replay call it; ``alignsim run`` and the API call
  :func:`run_model` on a model built by :func:`build_model`.

A run with a window is run in two stretches, days 1 .. start - 1 and then the rest, so that the
friction booked inside the window can be told apart from the whole run's (the ``friction``
table, period ``"run"`` and ``"window"``); the model steps the same days either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.inputs.scenarios import Scenario
from sim.inputs.space import checked_int
from sim.model.model import AlignmentModel

# the tables a run can give: the model's four (what `alignsim run` writes) and the friction by period
TABLES = ("series", "units", "provenance", "unit_series")
FRICTION = "friction"
HANDOFFS = "handoffs"  # hand-offs and their friction per dependency edge, by period (needs a window)


def build_model(scenario: Scenario, seed: int | None = None, steps: int | None = None) -> AlignmentModel:
    """A fresh model of ``scenario`` (``seed`` overrides ``params.seed``).

    ``steps``: the length of the run about to be made, when it differs from ``params.steps``.
    Events are checked against the longer of the two: a run made longer than its file (``--steps
    60`` on a 30-day scenario) accepts events up to its own end, and a shorter run keeps the
    file's later events (they are simply not reached).

    Problems only the model can see (an event past the end of the run, a scope naming no
    division) raise :class:`InputError` naming the scenario file.
    """
    if seed is not None:
        seed = checked_int("seed", seed)
    params = scenario.params
    if steps is not None and checked_int("steps", steps) > params.steps:
        params = params.model_copy(update={"steps": steps})
    try:
        return AlignmentModel(params=params, graph=scenario.graph, seed=seed)
    except InputError as exc:
        if exc.where and scenario.source is not None:
            raise InputError(f"{scenario.label}: field {exc.where}", exc.problem) from None
        raise


@dataclass
class RunResult:
    """What one run produced: the model, its tables, the seed and steps used and the wall time.

    A table that was not asked for (see :func:`run_model`'s ``tables``) is None.
    """

    model: AlignmentModel
    series: pd.DataFrame
    units: pd.DataFrame
    provenance: pd.DataFrame
    unit_series: pd.DataFrame
    seed: int
    steps: int
    wall_s: float
    friction: pd.DataFrame | None = None  # (period, cause, unit, ...) for period "run" and "window"
    handoffs: pd.DataFrame | None = None  # (period, from, to, hand-offs, friction) per dependency edge


def friction_table(model: AlignmentModel, friction: np.ndarray, period: str) -> pd.DataFrame:
    """The non-zero cells of a (cause x unit) friction array, one row each, labelled ``period``."""
    from sim.model.state import CAUSES

    g = model.graph
    c_idx, u_idx = np.nonzero(friction)
    return pd.DataFrame({
        "period": period,
        "cause": [CAUSES[c] for c in c_idx],
        "unit": u_idx.astype(np.int64),
        "id": [str(g.nodes[int(u)]["ext_id"]) for u in u_idx],
        "unit_name": [str(g.nodes[int(u)]["name"]) for u in u_idx],
        "division": [str(g.nodes[int(u)]["division"]) for u in u_idx],
        "friction": friction[c_idx, u_idx].astype(float),
    })


def handoff_table(model: AlignmentModel, counts: np.ndarray, friction: np.ndarray, period: str) -> pd.DataFrame:
    """One row per dependency edge (front team -> back team) with hand-offs along it: their number
    and the friction booked at them, labelled ``period``."""
    st, g = model.state, model.graph
    src_team = np.repeat(np.arange(st.T), np.diff(st.dep_ptr))
    used = np.flatnonzero(counts > 0)
    su, du = st.team_unit[src_team[used]], st.team_unit[st.dep_idx[used]]

    def attr(units: np.ndarray, key: str) -> list[str]:
        return [str(g.nodes[int(u)][key]) for u in units]

    return pd.DataFrame({
        "period": period, "from_unit": su.astype(np.int64), "from_id": attr(su, "ext_id"),
        "from_name": attr(su, "name"), "from_division": attr(su, "division"), "to_unit": du.astype(np.int64),
        "to_id": attr(du, "ext_id"), "to_name": attr(du, "name"), "to_division": attr(du, "division"),
        "handoffs": counts[used].astype(float), "friction": friction[used].astype(float),
    })


def _offset(progress: Callable[[int, int], None] | None, done: int, total: int):
    if progress is None:
        return None
    return lambda i, _n: progress(done + i, total)


def run_model(model: AlignmentModel, steps: int | None = None, progress: Callable[[int, int], None] | None = None,
              *, window: tuple[int, int] | None = None, tables: Collection[str] = TABLES) -> RunResult:
    """Run a built model for ``steps`` steps (default: its scenario's) and collect ``tables``
    (default: the four that ``alignsim run`` writes; add ``"friction"``, with a ``window``, for
    the friction booked in the whole run and inside the window)."""
    n = model.params.steps if steps is None else checked_int("steps", steps)
    unknown = set(tables) - {*TABLES, FRICTION, HANDOFFS}
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; known: {', '.join((*TABLES, FRICTION, HANDOFFS))}")
    if (FRICTION in tables or HANDOFFS in tables) and window is None:
        raise ValueError("the friction and hand-off tables need a window")
    start = time.perf_counter()
    before = edges = None
    if FRICTION in tables or HANDOFFS in tables:
        first = min(max(window[0] - 1, 0), n)  # days 1 .. window start - 1
        model.run(first, progress=_offset(progress, 0, n))
        before = model.state.friction.copy()
        edges = (model.state.edge_handoffs.copy(), model.state.edge_friction.copy())
        model.run(n - first, progress=_offset(progress, first, n))
    else:
        model.run(n, progress=progress)
    wall = time.perf_counter() - start
    seed = getattr(model, "root_seed", model.params.seed)
    wanted: dict[str, Any] = {name: None for name in TABLES}
    for name in TABLES:
        if name in tables:
            wanted[name] = getattr(model, name)()
    result = RunResult(model=model, seed=int(seed), steps=n, wall_s=wall, **wanted)
    if edges is not None and HANDOFFS in tables:
        st = model.state
        result.handoffs = pd.concat([handoff_table(model, st.edge_handoffs, st.edge_friction, "run"),
                                     handoff_table(model, st.edge_handoffs - edges[0], st.edge_friction - edges[1],
                                                   "window")], ignore_index=True)
    if before is not None and FRICTION in tables:
        after = model.state.friction
        result.friction = pd.concat([friction_table(model, after, "run"),
                                     friction_table(model, after - before, "window")], ignore_index=True)
    return result


def run_task(params: Any, graph: Any, seed: int, steps: int, window: tuple[int, int] | None = None,
             tables: Collection[str] = ("series",)) -> RunResult:
    """One run from plain inputs: validated ``params`` (ModelParams), the org chart ``graph``
    (None: generated from ``params.org`` with the seed), ``seed``, ``steps`` and the analysis
    ``window``; returns the ``tables`` asked for (by default only the series)."""
    model = build_model(Scenario(params=params, graph=graph), seed, steps)
    return run_model(model, steps, window=window, tables=tables)


def run_scenario(scenario: Scenario, seed: int | None = None, steps: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Build and run ``scenario`` with the four tables ``alignsim run`` writes.

    ``seed`` overrides ``params.seed``; ``steps`` is the number of days to run (default
    ``params.steps``); ``progress(i, n)`` is called after each day.
    """
    return run_model(build_model(scenario, seed, steps), steps=steps, progress=progress)
