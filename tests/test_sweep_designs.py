"""Design properties: Latin hypercube strata, Saltelli and Morris sample counts, grid order, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_sweep_helpers import callable_experiment

from sim.sweep import designs
from sim.sweep.experiment import design_size, load_experiment


@pytest.mark.parametrize(("n", "bounds", "root"), [
    (10, [(0.0, 1.0), (-5.0, 5.0), (100.0, 101.0)], 1),
    (37, [(0.2, 0.9), (0.0, 2.0)], 12345),
    (1, [(0.0, 1.0)], 0),
])
def test_latin_hypercube_has_one_point_per_stratum_of_each_parameter(n, bounds, root):
    points = designs.latin_hypercube(bounds, n, root)
    assert points.shape == (n, len(bounds))
    for j, (lo, hi) in enumerate(bounds):
        strata = np.floor((points[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n)), f"parameter {j}: strata {sorted(strata)}"


def test_latin_hypercube_depends_on_the_root_seed_only():
    a = designs.latin_hypercube([(0, 1), (0, 1)], 8, 3)
    assert np.array_equal(a, designs.latin_hypercube([(0, 1), (0, 1)], 8, 3))
    assert not np.array_equal(a, designs.latin_hypercube([(0, 1), (0, 1)], 8, 4))


@pytest.mark.parametrize("d", [2, 3, 6])
@pytest.mark.parametrize("second_order", [True, False])
def test_saltelli_sample_counts(d, second_order):
    n = 16
    names = [f"p{i}" for i in range(d)]
    points = designs.saltelli(names, [(0.0, 1.0)] * d, n, second_order, root=9)
    expected = n * (2 * d + 2) if second_order else n * (d + 2)
    assert points.shape == (expected, d)
    assert points.min() >= 0.0 and points.max() <= 1.0


def test_morris_sample_count_and_levels():
    d, n, levels = 4, 10, 4
    points = designs.morris([f"p{i}" for i in range(d)], [(0.0, 2.0)] * d, n, levels, root=2)
    assert points.shape == (n * (d + 1), d)
    grid_values = np.linspace(0.0, 2.0, levels)
    assert np.isin(np.round(points, 12), np.round(grid_values, 12)).all()
    # consecutive points of a trajectory differ in exactly one parameter
    for t in range(n):
        steps = np.diff(points[t * (d + 1):(t + 1) * (d + 1)], axis=0)
        assert ((steps != 0).sum(axis=1) == 1).all()


def test_grid_is_the_full_factorial_with_the_first_parameter_slowest():
    points = designs.grid([[1.0, 2.0], [10.0, 20.0, 30.0]])
    assert points.tolist() == [[1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30]]


def test_experiment_design_sizes_match_the_generated_designs(tmp_path):
    for kind in ("lhs", "sobol", "morris", "grid"):
        exp = load_experiment(callable_experiment(tmp_path / f"{kind}.toml", "seeded", kind=kind, samples=8))
        points = designs.generate(exp)
        assert len(points) == design_size(exp.spec, exp.levels), kind
    assert design_size(load_experiment(tmp_path / "grid.toml").spec, [[0, 1, 2, 3]] * 2) == 16
    assert len(designs.generate(load_experiment(tmp_path / "sobol.toml"))) == 8 * (2 * 2 + 2)


def test_run_seeds_are_spawned_from_the_root_seed():
    root, n = 2024, 5
    children = np.random.SeedSequence(root).spawn(2)[1].spawn(n)
    for i, child in enumerate(children):
        seed, key = designs.run_seed(root, i)
        assert key == child.spawn_key == (1, i)
        assert seed == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1
        assert 0 <= seed < 2**63
    assert len({designs.run_seed(root, i)[0] for i in range(1000)}) == 1000


def test_integer_parameters_are_rounded_within_their_range(tmp_path):
    path = tmp_path / "int.toml"
    path.write_text('scenario = "baseline"\nsteps = 5\nseed = 1\n[design]\nkind = "lhs"\nsamples = 20\n'
                    '[[parameters]]\nname = "org.teams"\nrange = [3, 9]\n'
                    '[outputs]\nfinal = ["retention"]\n', encoding="utf-8")
    exp = load_experiment(path)
    assert exp.integer == [True]
    points = designs.generate(exp)
    assert np.array_equal(points, np.rint(points)) and points.min() >= 3 and points.max() <= 9
    assert isinstance(designs.point_values(points, exp.integer, 0)[0], int)
    assert math.isclose(points.mean(), 6, abs_tol=1.0)
