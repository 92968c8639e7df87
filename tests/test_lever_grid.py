"""Issue 10, section 3, measured: every lever's best value depends on the context, and its price is
what makes it so (slow: marked ``patterns``).

Protocol (tests/lever_grid.py): one lever over GRID, the other levers at their defaults (0.5), 32
teams in 2 divisions under 2 ("flat") or 4 ("deep") manager levels, calm (pressure 0.2) or with the
pattern tests' SHOCK (day 60, 40 days, +1.5 pressure); 200 days; score = mean customer satisfaction
on days 50-200 (higher is better; friction is reported beside it in docs/validation.md);
replicate i of every cell uses seed 2000 + i (common random numbers), SEEDS replicates.

For each lever, the cell where the grid found its best value below 1.0 (docs/validation.md gives
the full table) is asserted two ways: with the price on, that value beats 1.0 (paired 95% t
interval above zero); with the price's parameter at 0, the advantage is gone (the interval no
longer lies above zero: 1.0 is at least as good, the free lunch is back).
"""

from __future__ import annotations

import pytest
from lever_grid import cell_scores
from patterns_util import Diff

pytestmark = pytest.mark.patterns

SEEDS = 10
# lever -> (condition, the grid value that beats 1.0 there, the parameters of its price)
CASES = {}


def _sat(lever: str, value: float, condition: str, extra: dict | None = None):
    return cell_scores(lever, value, condition, SEEDS, extra)[1]


@pytest.mark.parametrize("lever", sorted(CASES))
def test_the_lever_is_not_best_at_one_in_every_condition(lever):
    condition, value, _ = CASES[lever]
    d = Diff(_sat(lever, value, condition), _sat(lever, 1.0, condition))
    assert d.positive(), (lever, condition, value, d)


@pytest.mark.parametrize("lever", sorted(CASES))
def test_without_its_price_the_lever_is_a_free_lunch_again(lever):
    condition, value, price = CASES[lever]
    d = Diff(_sat(lever, value, condition, price), _sat(lever, 1.0, condition, price))
    assert not d.positive(), (lever, condition, value, d)
