"""Engagement reaches customers (issue 11 item 2): a mediation over paired seeds.

Path: a manager trait -> the engagement of its teams (people.engagement_follow) -> service quality
(stages not right the first time, people.first_time_gain) -> customer friction.  Treatment: the
managers' own engagement (managers.engagement_mean 0.4 against 0.8; nothing else reads it), and,
the managers' levers act on customers through many paths at once, so the clean treatment is
the trait that acts only through engagement (manager-coaching, tests/test_interventions.py, is
the lever that moves it).

Criteria (95% paired t intervals over SEEDS replicates, seeds 1000.., common random numbers; 200
days of the default organisation, days 50-200):

- the treatment moves team engagement (path a);
- with the service link on, it moves friction in the claimed direction (the indirect effect);
- with ``people.first_time_gain`` 0 the manager-engagement effect on friction vanishes: its
  interval contains 0 and its mean is under a tenth of the effect with the link on (no other
  path from a manager's engagement to customers exists);
"""

from __future__ import annotations

import pytest
from patterns_util import Diff, merge, metric, run_many, window_mean

pytestmark = pytest.mark.patterns

OFF = {"people": {"first_time_gain": 0.0}}


def team_engagement(_s, units):
    return float(units[units.kind == "team"].engagement.mean())


FRICTION = window_mean("friction_index", 50)


def effect(spec_low: dict, spec_high: dict, base: dict):
    low = run_many(merge(base, spec_low))
    high = run_many(merge(base, spec_high))
    return (Diff(metric(high, team_engagement), metric(low, team_engagement)),
            Diff(metric(low, FRICTION), metric(high, FRICTION)))


def test_manager_engagement_reaches_customers_through_team_engagement():
    low, high = {"managers": {"engagement_mean": 0.4}}, {"managers": {"engagement_mean": 0.8}}
    a_on, friction_on = effect(low, high, {})
    a_off, friction_off = effect(low, high, OFF)
    assert a_on.positive() and a_on.mean > 0.2, a_on  # path a, with the link on
    assert a_off.positive() and a_off.mean > 0.2, a_off  # and off: the link does not create it
    assert friction_on.positive() and friction_on.mean > 0.1, friction_on  # the indirect effect
    lo, hi = friction_off.ci
    assert lo < 0 < hi and abs(friction_off.mean) < 0.1 * friction_on.mean, friction_off  # vanishes

