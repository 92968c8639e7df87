"""Experiment designs and seeds: generated, never hand-written.

- ``grid``: the full factorial of every parameter's levels (first parameter varies slowest);
- ``lhs``: a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`), one point per stratum
  of each parameter;
- ``sobol``: Saltelli's extension of the Sobol sequence (:func:`SALib.sample.sobol.sample`),
  N (2D + 2) points with second-order indices, N (D + 2) without;
- ``morris``: Morris trajectories (:func:`SALib.sample.morris.sample`), N (D + 1) points.

Seeds: the root seed's :class:`numpy.random.SeedSequence` is split in two,
``SeedSequence(root).spawn(2)``: child 0 drives the design (scrambling, hypercube draws), child 1
is spawned once per run, so run ``i`` has spawn key ``(1, i)`` and its own integer seed, whatever
the executor, the number of workers or the order in which runs finish. Run ``i`` is replicate
``i % replicates`` of design point ``i // replicates``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from sim.runner import seeds

DESIGN_STREAM = 0
RUN_STREAM = 1


def design_sequence(root: int) -> np.random.SeedSequence:
    """The seed sequence of the design: ``SeedSequence(root).spawn(2)[0]``."""
    return np.random.SeedSequence(root, spawn_key=(DESIGN_STREAM,))


def run_seed(root: int, run_id: int) -> tuple[int, tuple[int, ...]]:
    """(integer seed, spawn key) of run ``run_id``: spawn key ``(1, run_id)``, i.e.
    ``SeedSequence(root).spawn(2)[1].spawn(n)[run_id]`` (see :mod:`sim.runner.seeds`)."""
    key = (RUN_STREAM, int(run_id))
    return seeds.run_seed(root, key), key


def problem(names: list[str], bounds: list[tuple[float, float]]) -> dict[str, Any]:
    """The SALib problem dictionary."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def _int_seed(root: int) -> int:
    return int(design_sequence(root).generate_state(1, dtype=np.uint32)[0])


def grid(levels: list[list[float]]) -> np.ndarray:
    return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, len(levels))


def latin_hypercube(bounds: list[tuple[float, float]], n: int, root: int) -> np.ndarray:
    from scipy.stats import qmc

    rng = np.random.default_rng(design_sequence(root))
    try:
        sampler = qmc.LatinHypercube(d=len(bounds), rng=rng)
    except TypeError:  # scipy < 1.15 calls it seed
        sampler = qmc.LatinHypercube(d=len(bounds), seed=rng)
    unit = sampler.random(n)
    lo, hi = np.array(bounds, dtype=float).T
    return qmc.scale(unit, lo, hi)


def saltelli(names: list[str], bounds: list[tuple[float, float]], n: int, second_order: bool,
             root: int) -> np.ndarray:
    from SALib.sample import sobol

    return sobol.sample(problem(names, bounds), n, calc_second_order=second_order, scramble=True,
                        seed=_int_seed(root))


def morris(names: list[str], bounds: list[tuple[float, float]], n: int, levels: int, root: int) -> np.ndarray:
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(problem(names, bounds), n, num_levels=levels, seed=_int_seed(root))


def generate(experiment: Any) -> np.ndarray:
    """The design points of ``experiment``: an array (points x parameters), integers rounded."""
    d, root = experiment.spec.design, experiment.spec.seed
    names, bounds = experiment.names, experiment.bounds
    if d.kind == "grid":
        points = grid(experiment.levels)
    elif d.kind == "lhs":
        points = latin_hypercube(bounds, d.samples, root)
    elif d.kind == "sobol":
        points = saltelli(names, bounds, d.samples, d.second_order, root)
    else:
        points = morris(names, bounds, d.samples, d.levels, root)
    points = np.asarray(points, dtype=float)
    for j, integer in enumerate(experiment.integer):
        if integer:
            points[:, j] = np.clip(np.rint(points[:, j]), np.ceil(bounds[j][0]), np.floor(bounds[j][1]))
    return points


def point_values(points: np.ndarray, integer: list[bool], point: int) -> tuple[float | int, ...]:
    """The values of one design point as Python numbers (ints for integer parameters)."""
    row = points[point]
    return tuple(int(v) if is_int else float(v) for v, is_int in zip(row.tolist(), integer, strict=True))
