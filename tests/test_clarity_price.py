"""Clarity's March (1991) price (issue 10 s3; docs/ODD.md 7.10; benchmarks/clarity_price.py).

Pattern tests (marker ``patterns``), SEEDS (default 20) paired replicates, replicate i of every
condition on seed 1000 + i (common random numbers), paired 95% t intervals (``Diff``).

The setting is March's: the organisational code (the executive's intent) has no view of the market
of its own and learns only from the teams that fit the need better than it (``signals.code_learning``
0.9, March's high p2); the executive reviews weekly but never makes an adjustment of its own (a
minimum pivot size it cannot reach) and never pivots on customer friction.  Teams learn the need
from their own queues (``signals.local_learning`` 0.005/day) and are socialised into the code at a
rate clarity sets over March's 1:9 range (``signals.socialisation_floor`` 0.1: 0.003 to 0.03 of the
gap a day).  The need drifts (0.01/day, the default) and on day 60 shifts by 0.6 toward one theme.
Outcome: the code's total-variation distance to the need, mean of days 61-300.

Why local learning is slow here: March's members do not learn from reality at all (their knowledge
is their initial, random beliefs); 0.005/day keeps teams' own learning below socialisation at high
clarity, March's regime.  At 0.05/day (faster than any socialisation) local knowledge survives every
clarity and the code learns as much whatever the clarity (12 seeds: no price; docs/validation.md).

What is shown: clarity has March's price on what the code learns, and it is caused by the mechanism
(gone with both learning rates at 0).  What is not: the price does not reach friction or
satisfaction, where clarity's other channels (fewer wrong calls, a cleaner relay) dominate; the
last test records it as an expected failure with the figures.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from patterns_util import SEEDS, Diff, assert_gone, merge

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.state import distance

pytestmark = pytest.mark.patterns

STEPS = 300
WINDOW = 60
SHIFT = {"type": "shock", "step": 60, "duration": 40, "pressure": 0.5, "noise": 0.0, "need_shift": 0.6,
         "theme": "quality"}
MARCH = {"signals": {"socialisation_floor": 0.1, "local_learning": 0.005, "code_learning": 0.9}}
BLIND = {"signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0}, "canary": {"pivot_propensity": 0.0}}
LEARNING_OFF = {"signals": {"local_learning": 0.0, "code_learning": 0.0}}
CONDITIONS = {
    "shift": merge({"steps": STEPS, "events": [SHIFT]}, MARCH, BLIND),
    "stable": merge({"steps": STEPS, "pressure": {"need_drift": 0.0}}, MARCH, BLIND),
    "shift, learning off": merge({"steps": STEPS, "events": [SHIFT]}, MARCH, BLIND, LEARNING_OFF),
}
MIN_PRICE = 0.02  # TV distance: 2% of the need's mass misplaced, under a tenth of the 0.45 gap the shift opens


def run_one(spec: dict, seed: int) -> tuple[float, float, float]:
    """(code's mean distance to the need, mean friction index, mean satisfaction), days WINDOW+1..STEPS."""
    m = AlignmentModel(params=ModelParams.model_validate(spec), seed=seed)
    st, gap = m.state, []
    for _ in range(STEPS):
        m.step()
        gap.append(float(distance(st.reading[0], st.need)))
    s = m.series()
    return (float(np.mean(gap[WINDOW:])), float(s["friction_index"].to_numpy()[WINDOW:].mean()),
            float(s["satisfaction"].to_numpy()[WINDOW:].mean()))


@functools.cache
def outcomes(condition: str, clarity: float) -> np.ndarray:
    """(seeds, 3) array of run_one's outcomes for one condition and clarity."""
    spec = merge(CONDITIONS[condition], {"levers": {"clarity": clarity}})
    return np.array([run_one(spec, 1000 + i) for i in range(SEEDS)])


def price(condition: str) -> Diff:
    """Code's distance to the need at clarity 1 minus at clarity 0 (+: clarity costs knowledge)."""
    return Diff(outcomes(condition, 1.0)[:, 0], outcomes(condition, 0.0)[:, 0])


def test_fast_socialisation_lowers_what_the_code_learns_about_a_moving_need():
    """March (1991): with a moving need, fast socialisation (clarity 1) leaves the code further from
    the need than slow socialisation (clarity 0): at least MIN_PRICE, 95% interval above 0 (screened
    on seeds 3000-3011: +0.056 [0.039, 0.073]).  With a stable need there is nothing to learn and no
    price (the code starts on the need and no team ever fits it better): under 0.005 either way."""
    shifted, stable = price("shift"), price("stable")
    print(f"clarity's price on the code: shift {shifted!r}; stable {stable!r}")
    assert shifted.positive() and shifted.mean > MIN_PRICE, shifted
    assert abs(stable.mean) < 0.005, stable


def test_knockout_without_learning_clarity_costs_the_code_nothing():
    """Knock-out: with ``signals.code_learning`` and ``signals.local_learning`` at 0 the code has no
    way to learn (it never adjusts of its own) and clarity's price on it is gone (``assert_gone``)."""
    assert_gone(price("shift, learning off"), price("shift"), MIN_PRICE, "clarity's price on the code")


@pytest.mark.xfail(strict=True, reason=(
    "clarity's March price does not reach friction: clarity 1 has the lowest friction at every clarity "
    "tried (20 seeds: 7.54 / 6.26 / 5.34 / 4.78 / 4.28 at clarity 0 / 0.25 / 0.5 / 0.75 / 1; clarity 0.75 "
    "minus 1: +0.50 [0.30, 0.70]): fewer wrong calls (decisions.error_max) and a cleaner relay outweigh a "
    "code 0.05 further from the need, and teams that keep their own reading disagree at hand-offs "
    "(docs/ODD.md 7.10, docs/validation.md)"))
def test_clarity_price_reaches_friction():
    """Target of issue 10 s3: some clarity below 1 beats clarity 1 on friction (paired 95% interval
    of friction at clarity 1 minus it above 0) in the moving-need condition."""
    at1 = outcomes("shift", 1.0)[:, 1]
    diffs = {c: Diff(at1, outcomes("shift", c)[:, 1]) for c in (0.0, 0.25, 0.5, 0.75)}
    print("friction, clarity 1 minus c:", diffs)
    assert any(d.positive() for d in diffs.values()), diffs
