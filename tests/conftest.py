"""Run order for two cores: the slowest files first.

The suite runs on one worker per core (``-n auto --dist loadfile`` in pyproject.toml), a whole
file per worker so that a file's cached runs are shared by its tests.  Workers take files in
collection order; a slow file that comes last leaves one core idle while it finishes.  Collection
is alphabetical, so the slowest files (the pattern tests, each a few minutes over 20 seeds) are
moved to the front, in this order, and the many quick files fill in around them.  Nothing else
changes: within a file the order is pytest's.
"""

from __future__ import annotations

# measured with --durations on two cores (2026-12-01): test_patterns.py the longest by far,
# then test_tradeoffs.py; the whole suite 13 min 21 s in this order against 17 min 20 s in one process
SLOWEST = ("test_patterns.py", "test_tradeoffs.py", "test_remeasure_issue10.py", "test_clarity_price.py",
           "test_mediation.py", "test_approvals.py", "test_canary.py", "test_remeasure_issue11.py",
           "test_lever_grid.py", "test_lever_breakeven.py", "test_calibrate_model.py", "test_guide.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOWEST)))  # stable: the rest keep their order
