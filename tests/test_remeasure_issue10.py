"""Issue 10's "Why" problems 1 and 2, re-measured as tests on the integrated model (main ea2c703).

Problem 1: "A pivot's damage does not depend on its size" (a forced pivot of 0.001 on day 100 of
`baseline` cost as much as one of 0.6: alignment 1 -> 0.78, inconsistent answers x9).  Problem 2:
"Integral windup" (in `overreacting-leadership` the intent ended pinned at the clipping floor and
pivoted at every review until the end of the year, 24 of its 40 pivots after day 200).
The figures are in docs/validation.md ("Issues 10 and 11 re-measured") and printed by
benchmarks/remeasure.py (sections dose and windup).

Pattern tests (marker ``patterns``), the conventions of tests/test_patterns.py: SEEDS (default 20)
paired replicates, seed 1000 + i for replicate i of every condition, paired 95% t intervals.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from patterns_util import SEEDS, Diff, merge, metric, runs, window_mean

from sim.api import load_scenario
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.state import distance

pytestmark = pytest.mark.patterns

# ------------------------------------------------------------------ problem 1: the dose-response of a pivot
# `baseline` is the default organisation at its default calm pressure (0.2): the spec {} is that scenario
AFTER = (101, 131)  # rows 101-130: the 30 days after the pivot (row k is day k)
ALIGNMENT, INCONSISTENT, FRICTION = (window_mean(c, *AFTER)
                                     for c in ("alignment", "inconsistent_rate", "friction_index"))
# the knock-out: the size-proportional read switched off (every relayed change, however small, pulls the
# teams fully toward their lenses: lens_scale at its lower bound, and slack no longer softens the pull),
# with the forced pivot the only change of direction (the need held still, no review or canary pivot,
# no canary fix), so that the control stays aligned and the pivot's own cost is what is compared
ISOLATED = {"pressure": {"need_drift": 0.0}, "signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0},
            "canary": {"pivot_propensity": 0.0, "fix_propensity": 0.0}}
FULL_PULL = merge(ISOLATED, {"signals": {"lens_scale": 0.001, "clarify": 0.0}})


def pivot(size: float | None, *extra: dict) -> dict:
    """A forced pivot of ``size`` toward 'speed' on day 100 (None: no pivot, the control)."""
    spec = {} if size is None else {"events": [{"type": "pivot", "step": 100, "strength": size, "theme": "speed"}]}
    return merge(spec, *extra)


def cost(size: float, score, *extra: dict) -> Diff:
    """The pivot's paired effect on ``score`` against no pivot, same seeds."""
    return Diff(metric(runs(pivot(size, *extra)), score), metric(runs(pivot(None, *extra)), score))


def test_a_negligible_pivot_costs_next_to_nothing():
    """A pivot of 0.001 costs next to nothing over the 30 days after it: alignment within 0.005 of
    no pivot (a pivot of 0.1 costs about 0.034, the issue's 0.001 pivot cost 0.22), inconsistent
    answers within 0.01 (the calm rate is about 0.05) and friction below 0.5 units per 100 customers
    a day (the smallest friction effect the pattern tests count), the friction interval's upper end
    below the 0.6 pivot's cost.  Knock-out: with every change pulled fully toward the lenses
    (``FULL_PULL``) the same pivot costs alignment again (95% interval below -0.005; 8 seeds: -0.069,
    and friction +0.63, against -0.0003 and +0.04 in the same isolated setting with the mechanism on)."""
    align, incons, fric = (cost(0.001, s) for s in (ALIGNMENT, INCONSISTENT, FRICTION))
    big = cost(0.6, FRICTION)
    print(f"pivot 0.001: alignment {align!r}; inconsistent {incons!r}; friction {fric!r}; 0.6 friction {big!r}")
    assert align.mean > -0.005 and abs(incons.mean) < 0.01, (align, incons)
    assert fric.mean < 0.5 and fric.ci[1] < big.mean, (fric, big)
    off = cost(0.001, ALIGNMENT, FULL_PULL)
    print(f"knock-out: pivot 0.001 alignment {off!r}")
    assert off.ci[1] < -0.005, off


def test_a_pivot_costs_more_the_larger_it_is():
    """Alignment after the pivot falls with its size at every step of 0.001 < 0.1 < 0.3 < 0.6 (paired
    95% intervals of smaller minus larger above 0); inconsistent answers and friction are higher
    after a 0.6 pivot than after a 0.1 pivot.  Knock-out (``FULL_PULL``): a 0.1 pivot costs nearly
    what a 0.6 pivot costs (friction within 25% of it): the dose-response saturates, as the issue found
    (8 seeds: +3.60 against +3.84; with the mechanism on, in the same isolated setting, +0.27 against +1.88)."""
    sizes = (0.001, 0.1, 0.3, 0.6)
    for small, large in itertools.pairwise(sizes):
        d = Diff(metric(runs(pivot(small)), ALIGNMENT), metric(runs(pivot(large)), ALIGNMENT))
        assert d.positive(), (small, large, d)
    for score in (INCONSISTENT, FRICTION):
        d = Diff(metric(runs(pivot(0.6)), score), metric(runs(pivot(0.1)), score))
        assert d.positive(), d
    small, large = cost(0.1, FRICTION, FULL_PULL), cost(0.6, FRICTION, FULL_PULL)
    print(f"knock-out: friction cost of 0.1 {small!r}, of 0.6 {large!r}")
    assert small.mean > 0.75 * large.mean, (small, large)


# ------------------------------------------------------------------ problem 2: windup
QUIET = {"pressure": {"noise": 0.0, "noise_gain": 0.0, "need_drift": 0.0}}


def overreacting(seed: int, quiet: bool) -> dict:
    """`overreacting-leadership` (resilience 0.15, the market shock on days 90-149), 365 days;
    ``quiet``: no signal noise (calm, shock) and no need drift.  Returns the intent's distance from
    the need on day 365, the clipped reviews and the pivots after day 200 (the executive's reviews'
    and the customer canary's)."""
    sc = load_scenario("overreacting-leadership")
    spec = sc.params.model_dump()
    if quiet:
        spec = merge(spec, QUIET)
        spec["events"] = [{**e, "noise": 0.0} for e in spec["events"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = AlignmentModel(params=ModelParams.model_validate(spec), seed=seed)
        m.run()
    late = m.series().iloc[201:]
    return {"distance": float(distance(m.state.reading[0], m.state.need)), "clipped": m.state.clipped,
            "review": int((late.pivots - late.canary_pivots).sum()), "canary": int(late.canary_pivots.sum())}


def test_no_windup_late_pivots_come_from_noise():
    """Without signal noise and need drift, the overreacting leadership stops pivoting once the shock
    is absorbed: no pivot after day 200 in any seed (the issue: a pivot at every review, 24 after day
    200), no clipped review, the intent within 0.05 (total variation) of the need on day 365 (it was
    0.32 away, pinned at the floor).  With the scenario's noise, its reviews do pivot late (paired 95%
    interval of the count above 0): the late pivots come from the noise, not from a gap that cannot close."""
    seeds = range(1000, 1000 + SEEDS)
    quiet = [overreacting(s, True) for s in seeds]
    noisy = [overreacting(s, False) for s in seeds]
    print("quiet:", quiet[:3], "noisy:", noisy[:3])
    assert all(r["review"] == 0 and r["canary"] == 0 and r["clipped"] == 0 for r in quiet), quiet
    assert max(r["distance"] for r in quiet) < 0.05, [r["distance"] for r in quiet]
    d = Diff(np.array([r["review"] for r in noisy], float), np.array([r["review"] for r in quiet], float))
    print(f"review pivots after day 200, noisy minus quiet: {d!r}")
    assert d.positive(), d
