"""Trade-off patterns of issue 10: a market that rewards fit (section 2).

Pattern tests (marker ``patterns``), over SEEDS (default 20) paired replicates, the conventions of
``tests/test_patterns.py``: common random numbers (replicate i of every condition uses seed
1000 + i), a paired 95% t interval that excludes zero in the claimed direction, and a minimum
effect size.

The setting: the default 20-team organisation, 300 days, signal noise 0.15, and on day 60 a
shift of the market's need by 0.6 toward one theme (with a 40-day pressure rise of 0.5).  The
outcome is the mean friction index from the shift to the end (days 60-300).  The never-adapting
leader is the executive who never reviews the signals (``signals.review_every`` 365 > 300 days);
every other leader adapts with the resilience given.
"""

from __future__ import annotations

import pytest
from patterns_util import Diff, merge, metric, run_many, window_mean

pytestmark = pytest.mark.patterns

FIT_STEPS = 300
NEED_SHIFT = {"type": "shock", "step": 60, "duration": 40, "pressure": 0.5, "noise": 0.0, "need_shift": 0.6,
              "theme": "quality"}
NOISE = 0.15
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
NO_MISFIT = {"work": {"misfit_exponent": 0.0}, "handoffs": {"misfit_inconsistency": 0.0, "misfit_bounce": 0.0}}
FRICTION = window_mean("friction_index", 60, FIT_STEPS)


def shifted(resilience: float | None, *extra: dict, noise: float = NOISE) -> dict:
    """The need-shift condition; ``resilience`` None is the never-adapting leader."""
    spec = {"steps": FIT_STEPS, "pressure": {"noise": noise}, "events": [NEED_SHIFT]}
    if resilience is None:
        spec = merge(spec, {"signals": {"review_every": 365}})
    else:
        spec = merge(spec, {"levers": {"resilience": resilience}})
    return merge(spec, *extra)


def friction_by_resilience(*extra: dict) -> dict:
    out = {r: metric(run_many(shifted(r, *extra)), FRICTION) for r in GRID}
    out[None] = metric(run_many(shifted(None, *extra)), FRICTION)
    return out


def test_fit_misfit_costs_the_never_adapting_leader():
    """After a real need shift, a leader who never adapts pays for the misfit: its friction with the
    misfit costs is above its friction with them switched off (knock-out), by at least 0.5 friction
    units per 100 customers a day (before the misfit costs the shift cost it nothing at all)."""
    with_misfit = metric(run_many(shifted(None)), FRICTION)
    without = metric(run_many(shifted(None, NO_MISFIT)), FRICTION)
    d = Diff(with_misfit, without)
    assert d.positive() and d.mean > 0.5, d


def test_fit_knockout_never_adapting_wins_without_misfit():
    """Knock-out: with the misfit costs at 0 themes are interchangeable labels again and the
    never-adapting leader beats every adapting one (paired 95% CI above 0 against the best)."""
    f = friction_by_resilience(NO_MISFIT)
    best = min(GRID, key=lambda r: f[r].mean())
    d = Diff(f[best], f[None])
    assert d.positive(), (best, d)


# Was a strict xfail (land10, 20 seeds: never-adapting beat the best adapter by 0.40 [0.14, 0.67]).
# Passes on branch p1 since slack (signals.clarify, handoffs.reconcile; pattern P1): teams with time in
# hand read a relayed change as meant instead of through their lens, so adapting no longer keeps them
# misfit. 20 seeds: resilience 0 12.55, 0.25 9.01, 0.5 6.29, 0.75 5.36, 1.0 5.26, never 5.89; never minus
# best (1.0) +0.63 [0.42, 0.84]; resilience 0 minus best +7.29 [6.71, 7.87]. With both slack terms at 0
# the model is land10's exactly, where this fails. Owned by u10: the lead reconciles with u10's branch.
def test_fit_resilience_is_u_shaped():
    """Issue 10 section 2: under a real need shift with noisy signals, friction as a function of
    resilience is U-shaped: the best interior resilience beats both resilience 0 (overreaction)
    and the never-adapting leader (stubbornness), paired 95% CIs above 0."""
    f = friction_by_resilience()
    best = min(GRID[1:], key=lambda r: f[r].mean())
    low, stubborn = Diff(f[0.0], f[best]), Diff(f[None], f[best])
    assert low.positive() and low.mean > 0.5, (best, low)
    assert stubborn.positive() and stubborn.mean > 0.5, (best, stubborn)
