"""Issue 10, section 3, measured: does every lever's best value depend on the context, and is its
price what makes it so?  (Slow: marked ``patterns``.)

Protocol (tests/lever_grid.py): one lever over GRID, the other levers at their defaults (0.5), 32
teams in 2 divisions under 2 ("flat") or 4 ("deep") manager levels, calm (pressure 0.2) or with the
pattern tests' SHOCK (day 60, 40 days, +1.5 pressure); 200 days; scores = mean customer
satisfaction and mean friction index on days 50-200; replicate i of every cell uses seed 2000 + i
(common random numbers), SEEDS replicates; every comparison is a paired difference with a 95% t
interval (``Diff``).  docs/validation.md gives the full grid (benchmarks/lever_costs.py).

- Empathy and the customer bar: in the cell where the grid found the best value below 1.0, that
  value beats 1.0 (interval above zero); with the price's own parameters at 0 the advantage is
  gone (the interval no longer lies above zero: the free lunch is back).
- Ownership: its price is real (it shrinks ownership's friction gain from 0.2 to 1.0, calm and
  flat) but it does not move the best value: 1.0 stays best in all four conditions.  Its second
  price, the work of the calls a team takes itself (``decisions.team_call_work``, conserved
  deliberation), does not move it either (docs/validation.md, "Ownership's price in work").  The
  issue's claim for ownership is kept as a strict expected failure, so that a mechanism that makes
  it true shows up here.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from lever_grid import cell_scores
from patterns_util import Diff

pytestmark = pytest.mark.patterns

SEEDS = 10
# lever -> (condition, the grid value that beats 1.0 there, score, the parameters of its price at 0)
CASES = {
    "empathy": ("calm, deep", 0.8, "satisfaction", {"managers": {"empathy_time": 0.0}}),
    "customer_bar": ("calm, deep", 0.4, "friction",
                     {"decisions": {"exception_work": 0.0, "exception_inconsistency": 0.0}}),
}
OWNERSHIP_OFF = {"decisions": {"error_max": 0.0}}


@cache
def _scores(lever: str, value: float, condition: str, extra: str = "{}"):
    return cell_scores(lever, value, condition, SEEDS, json.loads(extra))


def score(lever: str, value: float, condition: str, name: str, extra: dict | None = None):
    """Per-seed score, signed so that higher is better (friction is negated)."""
    fr, sat = _scores(lever, value, condition, json.dumps(extra or {}, sort_keys=True))
    return sat if name == "satisfaction" else -fr


CURRENT = ("issue 10 s3, open: measured on the integrated model (main 0abfc8e: market fit, prices, issue 11's demand, "
           "slack), 10 seeds: ")
RESEARCHED = ("; re-searched (6 seeds, values 0.2-0.8 against 1.0, 4 conditions, both scores, 128 paired "
              "comparisons): no value below 1.0 beats 1.0 anywhere; docs/validation.md 'Lever prices re-searched on "
              "the integrated model'")
WORK_PRICE = ("; with ownership's price in work switched on (decisions.team_call_work 0.5, an option, 10 seeds; "
              "docs/validation.md 'Ownership's price in work'): ")
NOT_BEST_TODAY = {
    "customer_bar": CURRENT + "calm, deep, friction at 0.4 minus at 1.0 +0.57 [-0.01, +1.16] (0.4 worse; it was "
                              "better by 0.107 [0.027, 0.187] before issue 11's demand)" + RESEARCHED,
    "empathy": CURRENT + "calm, deep, satisfaction at 0.8 minus at 1.0 +0.0008 [-0.0097, +0.0114] (was +0.0066 "
                         "[+0.0007, +0.0125] before issue 11's demand)" + RESEARCHED + "; with the strain managers "
                         "absorb carried (managers.carried_strain 1, an option; docs/validation.md 'Empathy's price "
                         "in a second currency'): +0.0002 [-0.0098, +0.0101], and no value below 1.0 beats 1.0 in "
                         "any condition (0 of 32)",
}


@pytest.mark.parametrize("lever", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=NOT_BEST_TODAY[name]))
                                   if name in NOT_BEST_TODAY else name for name in sorted(CASES)])
def test_the_lever_is_not_best_at_one_in_every_condition(lever):
    condition, value, name, _ = CASES[lever]
    d = Diff(score(lever, value, condition, name), score(lever, 1.0, condition, name))
    assert d.positive(), (lever, condition, value, name, d)


@pytest.mark.parametrize("lever", sorted(CASES))
def test_without_its_price_the_lever_is_a_free_lunch_again(lever):
    condition, value, name, price = CASES[lever]
    d = Diff(score(lever, value, condition, name, price), score(lever, 1.0, condition, name, price))
    assert not d.positive(), (lever, condition, value, name, d)


def test_the_price_of_ownership_shrinks_its_gain():
    """Friction gain of ownership 1.0 over 0.2 (calm, flat): smaller with wrong calls than without
    (measured: 0.48 against 0.61 friction units, difference 0.13, 95% CI [0.02, 0.24])."""
    def gain(extra):
        return (score("ownership", 1.0, "calm, flat", "friction", extra)
                - score("ownership", 0.2, "calm, flat", "friction", extra))
    d = Diff(gain(OWNERSHIP_OFF), gain(None))
    assert d.positive(), d


@pytest.mark.xfail(strict=True, reason=CURRENT + "at the default clarity (0.5) ownership 1.0 stays best on "
                   "satisfaction in every condition: 0.8 minus 1.0 calm, flat -0.0095 [-0.0136, -0.0054], "
                   "shock, flat -0.0354 [-0.0486, -0.0222]" + RESEARCHED + WORK_PRICE + "calm, flat -0.0053 "
                   "[-0.0094, -0.0012], shock, flat -0.0152 [-0.0361, +0.0056]")
@pytest.mark.parametrize("condition", ["calm, flat", "shock, flat"])
def test_ownership_is_not_best_at_one(condition):
    d = Diff(score("ownership", 0.8, condition, "satisfaction"), score("ownership", 1.0, condition, "satisfaction"))
    assert d.positive(), d


UNCLEAR = {"levers": {"clarity": 0.2}}
MISREAD_OFF = {"decisions": {"error_misfit": 0.0, "error_referral": False}}


@pytest.mark.xfail(strict=True, reason=CURRENT + "shock, flat, clarity 0.2: friction at 0.6 minus at 1.0 +0.46 "
                   "[-0.21, +1.13] (0.6 no longer beats 1.0; it did by 0.35 [0.06, 0.65] at 6 seeds before issue 11's "
                   "demand)" + RESEARCHED + WORK_PRICE + "+0.50 [-0.20, +1.20]")
def test_with_unclear_priorities_under_a_shock_full_ownership_is_not_best():
    """Issue 10 s3 after the market fit: with unclear priorities (clarity 0.2) and a shock that moves
    the need, in the flat organisation ownership 0.6 has less friction than 1.0 (calls pushed down
    are taken by lens-distorted readings and err where the market is misread; each wrong call is
    referred up).  Knock-out: without the misfit term and the referral the advantage is gone."""
    on = Diff(score("ownership", 0.6, "shock, flat", "friction", UNCLEAR),
              score("ownership", 1.0, "shock, flat", "friction", UNCLEAR))
    assert on.positive(), on
    off = {**UNCLEAR, **MISREAD_OFF}
    knocked = Diff(score("ownership", 0.6, "shock, flat", "friction", off),
                   score("ownership", 1.0, "shock, flat", "friction", off))
    assert not knocked.positive(), knocked
