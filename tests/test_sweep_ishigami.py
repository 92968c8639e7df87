"""The sweep machinery recovers the analytic Sobol indices of the Ishigami function.

Sweep ``ishigami`` (a = 7, b = 0.1) over a Saltelli design with N = 1024 (5,120 runs, through the
process pool and the Parquet store), analyse the store, and check each analytic index against
the estimate's bootstrap 95% interval, widened to at least +-0.02:

    |estimate - analytic| <= max(half-width, 0.02)

Why widen: six intervals are checked at once (even perfectly calibrated 95% intervals all cover
with probability ~0.74), the bootstrap treats the quasi-random Sobol points as independent draws,
and the estimators (Saltelli 2010 for S1, Jansen for ST) carry an O(1/N) bias; 0.02 is about a
third of the half-widths at this N, so the check still fails for any real error (a swapped
parameter, a wrong estimator, results stored in the wrong order all move indices by > 0.2). The
intervals must also be narrow (< 0.1), so that a vacuous interval cannot pass.
"""

from __future__ import annotations

import math

import pytest

from sim.report.sweep_analysis import analyze
from sim.sweep.experiment import load_experiment
from sim.sweep.runner import run_sweep
from sim.sweep.tasks import ishigami, ishigami_indices

TOLERANCE = 0.02
MAX_HALF_WIDTH = 0.1
PI = repr(math.pi)
EXPERIMENT = f"""\
description = "Ishigami check"
task = "ishigami"
seed = 20240607

[design]
kind = "sobol"
samples = 1024
second_order = false

[[parameters]]
name = "x1"
range = [-{PI}, {PI}]

[[parameters]]
name = "x2"
range = [-{PI}, {PI}]

[[parameters]]
name = "x3"
range = [-{PI}, {PI}]
"""


def test_the_analytic_indices_are_the_published_ones():
    first, total = ishigami_indices()
    assert [round(v, 3) for v in first] == [0.314, 0.442, 0.0]
    assert [round(v, 3) for v in total] == [0.558, 0.442, 0.244]
    assert ishigami({"x1": math.pi / 2, "x2": math.pi / 2, "x3": 1.0}, 0)["y"] == pytest.approx(1 + 7 + 0.1)


def test_sweep_recovers_the_ishigami_sobol_indices(tmp_path):
    path = tmp_path / "ishigami.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    summary = run_sweep(load_experiment(path), tmp_path / "out", jobs=2, chunk=256)
    assert (summary.total, summary.ok, summary.failed) == (1024 * 5, 1024 * 5, 0)
    report = analyze(tmp_path / "out")
    table = report.indices.set_index("parameter")
    first, total = ishigami_indices()
    found = []
    for j, name in enumerate(("x1", "x2", "x3")):
        row = table.loc[name]
        for kind, truth in (("S1", first[j]), ("ST", total[j])):
            estimate, half = float(row[kind]), float(row[f"{kind}_conf"])
            found.append(f"{kind}({name}) = {estimate:.3f} +- {half:.3f} (analytic {truth:.3f})")
            assert 0 < half < MAX_HALF_WIDTH, found[-1]
            assert abs(estimate - truth) <= max(half, TOLERANCE), found[-1]
    print("\n".join(found))
    assert (tmp_path / "out" / "analysis" / "sobol.csv").is_file()
    assert (tmp_path / "out" / "analysis" / "sobol-y.png").stat().st_size > 10_000
