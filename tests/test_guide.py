"""A guide that holds (issue 12, item 6): the three demonstrations of docs/workshop.md re-checked
on seeds 1-5, on the series the dashboard shows, after every model change.

Each demonstration is played as a trainer plays it: projector set-up (``demos.setup``), the page's
clock (:func:`~sim.dashboard.player.play`, which stops by itself on the demonstration's pause
day) and, for decision rights, the M key's live move on day 180.  Its figures are read from what
the page draws (:func:`~sim.dashboard.frame.take`: the charts' series, the tiles, the org chart's
node colours day by day).

Two kinds of claims, each quoted from the guide:

- *figures*: "A's alignment averages 0.59 to 0.68": the figure of every seed, rounded to the
  decimals the guide prints it with (0.586 is "0.59"), must lie in the stated range; a range
  the guide measured on seeds 1-3 must hold on seeds 1-5, or the guide has to say otherwise;
- *the story*: A against B in the direction the demonstration's point needs, on every seed.

A claim that fails on the model as it is today is marked ``xfail(strict=True)`` with the figures
measured (``python tests/test_guide.py`` prints them all): it fails again the day the claim holds
on every seed (then the guide or the mark must change), and a claim that holds today fails the
moment a model change breaks it on any seed.  Loosening a claim to make it pass is not allowed;
restating a figure in the guide is a change of the guide, made with the figures measured here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from sim.dashboard import demos
from sim.dashboard.components import ActionKeys
from sim.dashboard.frame import take
from sim.dashboard.player import play
from sim.model.reporters import UNIT_SERIES
from sim.model.state import CAUSES

SEEDS = (1, 2, 3, 4, 5)
RED = 0.5  # a team is red on the org chart above this fatigue (the middle of the scale)


@dataclass
class Org:
    """One organisation of one demonstration run, as the dashboard shows it on its last day."""

    series: dict[str, np.ndarray]  # the charts' series (smoothed as drawn), day by day
    tiles: dict[str, float]
    customers: int
    red_teams: np.ndarray  # day by day: teams drawn red (fatigue above 0.5) on the org chart

    def mean(self, column: str, first: int, last: int | None = None) -> float:
        x = self.series[column]
        return float(x[first: (last + 1 if last is not None else None)].mean())

    def at(self, column: str, day: int) -> float:
        return float(self.series[column][day])

    def share(self, cause: str, first: int, last: int | None = None) -> float:
        """Share of friction from ``cause`` over days first..last (raw daily series, summed)."""
        end = last + 1 if last is not None else None
        return float(self.series[f"friction_{cause}"][first:end].sum() / self.series["raw_friction"][first:end].sum())

    def first_red(self) -> int | None:
        days = np.flatnonzero(self.red_teams > 0)
        return int(days[0]) if days.size else None


def _run(name: str, seed: int) -> tuple[Org, Org]:
    demo = demos.DEMOS[name]
    from sim.dashboard.state import Workshop

    session = Workshop(**demos.setup(name), seed=seed)
    clock = {"keep_playing": lambda: True, "drawn": lambda: None, "speed": lambda: 1e6,
             "pause_at": lambda: demo.pause_at, "sleep": lambda s: None}
    why = play(session, **clock)
    if name == "decision-rights":
        assert why == "pause-at" and session.day == 180
        ActionKeys["move"](session)  # M: A's ownership to B's value, from day 181
        clock["pause_at"] = lambda: 0
        why = play(session, **clock)
    assert why == "end" and session.day == 365
    frame = take(session, demo.metric)
    out = []
    for org, model in zip(frame.orgs, session.orgs, strict=True):
        fatigue = np.stack(model.unit_history)[:, UNIT_SERIES.index("fatigue"), :]
        series = dict(org.series)
        series["raw_friction"] = np.asarray(model.datacollector.model_vars["friction_index"], dtype=float)
        out.append(Org(series=series, tiles=dict(org.tiles), customers=int(org.active.size),
                       red_teams=(np.nan_to_num(fatigue, nan=0.0) > RED).sum(axis=1)))
    return out[0], out[1]


@functools.cache
def runs(name: str) -> dict[int, tuple[Org, Org]]:
    return {seed: _run(name, seed) for seed in SEEDS}


def within(value: float, lo: float, hi: float, decimals: int) -> bool:
    """``value`` as the guide prints it (rounded to ``decimals``) lies in [lo, hi]."""
    return lo <= round(value, decimals) <= hi


@dataclass(frozen=True)
class Claim:
    demo: str
    key: str
    quote: str  # the guide's words
    figure: Callable[[Org, Org], tuple]  # the figures of one seed: (A's, B's) or one value
    holds: Callable[[Org, Org], bool]
    fails_today: str = ""  # measured figures when the claim does not hold on the model as it is


def _range(lo, hi, d):
    return lambda x: within(x, lo, hi, d)


CLAIMS = [
    # -- 1. Overreaction (resilience) ------------------------------------------------------------
    Claim("overreaction", "calm-pivots",
          "Days 0 to 89, calm: B holds its course (no pivot) while A [...] 9 to 11 pivots before the shock",
          lambda a, b: (a.at("pivots", 89), b.at("pivots", 89)),
          lambda a, b: b.at("pivots", 89) == 0 and within(a.at("pivots", 89), 9, 11, 0)),
    Claim("overreaction", "calm-friction",
          "A's friction runs at about 1.2 to 2.4 per 100 customers a day against 0.9 to 1.1 in B (days 1-89)",
          lambda a, b: (a.mean("friction_index", 1, 89), b.mean("friction_index", 1, 89)),
          lambda a, b: within(a.mean("friction_index", 1, 89), 1.2, 2.4, 1)
          and within(b.mean("friction_index", 1, 89), 0.9, 1.1, 1)),
    Claim("overreaction", "shock-pivots",
          "A pivots at every weekly review (9 more by day 150, 45 to 48 by day 365); B pivots 6 to 8 times in all",
          lambda a, b: (a.at("pivots", 150) - a.at("pivots", 89), a.at("pivots", 365), b.at("pivots", 365)),
          lambda a, b: a.at("pivots", 150) - a.at("pivots", 89) == 9 and within(a.at("pivots", 365), 45, 48, 0)
          and within(b.at("pivots", 365), 6, 8, 0)),
    Claim("overreaction", "alignment",
          "A's alignment with the intent averages 0.59 to 0.68 from day 150 on, B's 0.87 to 0.89",
          lambda a, b: (a.mean("alignment", 150), b.mean("alignment", 150)),
          lambda a, b: within(a.mean("alignment", 150), 0.59, 0.68, 2)
          and within(b.mean("alignment", 150), 0.87, 0.89, 2)),
    Claim("overreaction", "misalignment-share",
          "misalignment is [A's] largest cause (about 38 to 47% of A's friction from day 91, against 26 to 33% of B's)",
          lambda a, b: (a.share("misalignment", 91), b.share("misalignment", 91)),
          lambda a, b: within(100 * a.share("misalignment", 91), 38, 47, 0)
          and within(100 * b.share("misalignment", 91), 26, 33, 0)
          and all(a.share("misalignment", 91) > a.share(c, 91) for c in CAUSES if c != "misalignment")),
    Claim("overreaction", "pivot-share",
          "a pivot rework band (10 to 23% of A's, 3 to 4% of B's) [from day 91]",
          lambda a, b: (a.share("pivot_rework", 91), b.share("pivot_rework", 91)),
          lambda a, b: within(100 * a.share("pivot_rework", 91), 10, 23, 0)
          and within(100 * b.share("pivot_rework", 91), 3, 4, 0)),
    Claim("overreaction", "satisfaction",
          "at day 150 satisfaction is 0.30 to 0.40 in A against 0.47 to 0.52 in B; by day 365 0.64 to 0.73 "
          "against 0.81 to 0.85",
          lambda a, b: (a.at("satisfaction", 150), b.at("satisfaction", 150), a.at("satisfaction", 365),
                        b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 150), 0.30, 0.40, 2)
          and within(b.at("satisfaction", 150), 0.47, 0.52, 2)
          and within(a.at("satisfaction", 365), 0.64, 0.73, 2) and within(b.at("satisfaction", 365), 0.81, 0.85, 2)),
    Claim("overreaction", "customers-lost",
          "84 to 133 of A's 495 customers have left against 70 to 93 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 84, 133, 0) and within(b.tiles["churned"], 70, 93, 0)),
    Claim("overreaction", "story",
          "Point: A took every fluctuation for a trend (more pivots, lower alignment, more misalignment), and "
          "its customers paid (more friction, more customers lost)",
          lambda a, b: (a.at("pivots", 365) - b.at("pivots", 365), a.mean("alignment", 150) - b.mean("alignment", 150),
                        a.tiles["churned"] - b.tiles["churned"]),
          lambda a, b: a.at("pivots", 89) > b.at("pivots", 89) and a.at("pivots", 365) > b.at("pivots", 365)
          and a.mean("alignment", 150) < b.mean("alignment", 150)
          and a.share("misalignment", 91) > b.share("misalignment", 91)
          and a.mean("friction_index", 91) > b.mean("friction_index", 91) and a.tiles["churned"] > b.tiles["churned"]),
    # -- 2. Vague decision rights (ownership) ------------------------------------------------------
    Claim("decision-rights", "waiting",
          "About 16 to 22 decisions wait in A (days 30 to 180) against 3 to 4.5 in B",
          lambda a, b: (a.mean("approvals_waiting", 30, 180), b.mean("approvals_waiting", 30, 180)),
          lambda a, b: within(a.mean("approvals_waiting", 30, 180), 16, 22, 0)
          and within(b.mean("approvals_waiting", 30, 180), 3, 4.5, 1)),
    Claim("decision-rights", "escalations",
          "Escalations run at about 8 to 10 a day (7.6 to 10.0) in A against 1.3 to 1.9 in B [days 30-180]",
          lambda a, b: (a.mean("escalations", 30, 180), b.mean("escalations", 30, 180)),
          lambda a, b: within(a.mean("escalations", 30, 180), 7.6, 10.0, 1)
          and within(b.mean("escalations", 30, 180), 1.3, 1.9, 1)),
    Claim("decision-rights", "latency",
          "decision latency is nearly 3 days (2.6 to 2.8) in A against 1.2 to 1.4 in B [days 30-180]",
          lambda a, b: (a.mean("decision_latency", 30, 180), b.mean("decision_latency", 30, 180)),
          lambda a, b: within(a.mean("decision_latency", 30, 180), 2.6, 2.8, 1)
          and within(b.mean("decision_latency", 30, 180), 1.2, 1.4, 1)),
    Claim("decision-rights", "escalation-share",
          "Escalation is 17 to 30% of A's friction (9 to 13% of B's) [days 30-180]",
          lambda a, b: (a.share("decision_escalation", 30, 180), b.share("decision_escalation", 30, 180)),
          lambda a, b: within(100 * a.share("decision_escalation", 30, 180), 17, 30, 0)
          and within(100 * b.share("decision_escalation", 30, 180), 9, 13, 0)),
    Claim("decision-rights", "after-move",
          "After your move at day 180, A's escalations fall to B's level within about a week (1 to 2 a day "
          "after day 195) [A within 0.5 a day of B, days 196-365]",
          lambda a, b: (a.mean("escalations", 196), b.mean("escalations", 196)),
          lambda a, b: within(a.mean("escalations", 196), 1, 2, 0)
          and abs(a.mean("escalations", 196) - b.mean("escalations", 196)) <= 0.5),
    Claim("decision-rights", "latency-after",
          "latency drops to 1.2 to 1.4 days, like B's (within 0.1 day of it) [days 196-365]",
          lambda a, b: (a.mean("decision_latency", 196), b.mean("decision_latency", 196)),
          lambda a, b: within(a.mean("decision_latency", 196), 1.2, 1.4, 1)
          and abs(a.mean("decision_latency", 196) - b.mean("decision_latency", 196)) <= 0.1),
    Claim("decision-rights", "story",
          "Point: with vague decision rights every unclear call climbs (more waiting, escalations and latency "
          "than B until day 180); clear decision rights fix it fast",
          lambda a, b: (a.mean("escalations", 30, 180) / max(b.mean("escalations", 30, 180), 1e-9),
                        a.mean("escalations", 196) - b.mean("escalations", 196)),
          lambda a, b: a.mean("approvals_waiting", 30, 180) > 2 * b.mean("approvals_waiting", 30, 180)
          and a.mean("escalations", 30, 180) > 2 * b.mean("escalations", 30, 180)
          and a.mean("decision_latency", 30, 180) > b.mean("decision_latency", 30, 180)
          and a.mean("escalations", 196) < 0.5 * a.mean("escalations", 30, 180)),
    # -- 3. Burnout (empathy) -------------------------------------------------------------------------
    Claim("burnout", "first-red",
          "Between day 120 and 155, A's first teams turn red (fatigue above 0.5). With seeds 1 [...] and 2, one of "
          "A's teams is red from day 0 and none of B's: the 30-day warm start [...] [A's first red team: day 0 with "
          "none of B's red then, or days 120-155]",
          lambda a, b: (a.first_red(), int(b.red_teams[0])),
          lambda a, b: a.first_red() is not None
          and ((a.first_red() == 0 and b.red_teams[0] == 0) or 120 <= a.first_red() <= 155)),
    Claim("burnout", "fatigue-240",
          "A's mean fatigue at day 240 is 0.17 to 0.39 against 0.09 to 0.17 in B",
          lambda a, b: (a.at("fatigue", 240), b.at("fatigue", 240)),
          lambda a, b: within(a.at("fatigue", 240), 0.17, 0.39, 2) and within(b.at("fatigue", 240), 0.09, 0.17, 2)),
    Claim("burnout", "headcount",
          "Headcount shrinks in both (no hiring), a little more in A [the guide says which seed does not show it]",
          lambda a, b: (a.at("headcount", 0), a.at("headcount", 365), b.at("headcount", 365)),
          lambda a, b: a.at("headcount", 365) < a.at("headcount", 0) and b.at("headcount", 365) < b.at("headcount", 0)
          and a.at("headcount", 365) <= b.at("headcount", 365)),
    Claim("burnout", "retention-300",
          "retention at day 300 is 0.84 to 0.88 in A against 0.90 to 0.92 in B",
          lambda a, b: (a.at("retention", 300), b.at("retention", 300)),
          lambda a, b: within(a.at("retention", 300), 0.84, 0.88, 2) and within(b.at("retention", 300), 0.90, 0.92, 2)),
    Claim("burnout", "customers-lost",
          "by day 365 92 to 131 of A's 495 customers have left against 78 to 92 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 92, 131, 0) and within(b.tiles["churned"], 78, 92, 0)),
    Claim("burnout", "satisfaction-365",
          "satisfaction ends at 0.17 to 0.32 in A against 0.33 to 0.51 in B",
          lambda a, b: (a.at("satisfaction", 365), b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 365), 0.17, 0.32, 2)
          and within(b.at("satisfaction", 365), 0.33, 0.51, 2)),
    Claim("burnout", "friction-240",
          "From day 240 A's friction runs at 13.9 to 19.2 per 100 customers a day, B's at 8.9 to 11.8",
          lambda a, b: (a.mean("friction_index", 240), b.mean("friction_index", 240)),
          lambda a, b: within(a.mean("friction_index", 240), 13.9, 19.2, 1)
          and within(b.mean("friction_index", 240), 8.9, 11.8, 1)),
    Claim("burnout", "story",
          "Point: the same pressure, no hiring; A's teams tire more [mean fatigue, days 120-365] and its customers "
          "feel it months later (more friction from day 240, lower retention at day 300, more customers lost)",
          lambda a, b: (a.mean("fatigue", 120) - b.mean("fatigue", 120), a.tiles["churned"] - b.tiles["churned"]),
          lambda a, b: a.mean("fatigue", 120) > b.mean("fatigue", 120)
          and a.mean("friction_index", 240) > b.mean("friction_index", 240)
          and a.at("retention", 300) < b.at("retention", 300) and a.tiles["churned"] > b.tiles["churned"]),
]


def _fmt(values: tuple) -> str:
    return "/".join("none" if v is None else f"{v:.3g}" if isinstance(v, float) and not v.is_integer()
                    else f"{v:.0f}" for v in values)


def figures(claim: Claim) -> str:
    """Every seed's figures for ``claim``: ``seed 1 0.586/0.88 ok · seed 2 ...``."""
    return " · ".join(f"seed {s} {_fmt(claim.figure(a, b))} {'ok' if claim.holds(a, b) else 'FAILS'}"
                      for s, (a, b) in runs(claim.demo).items())


# Claims that do not hold on seeds 1-5 on the model as it is (main 56fc4ec: issue 11's demand, warm start, churn
# and erosion of standards), with the failing seeds' figures (as printed by `python tests/test_guide.py`).  The
# guide's figures were restated from these runs; what is left is a story claim the guide says one seed does not show.
FAILS_TODAY: dict[str, str] = {
    "burnout:headcount": "seed 1: A ends with 148 people, B with 143 (172 each on day 0); leavers are drawn at random "
                         "and seed 1 has the smallest fatigue gap (A 0.04 above B from day 120; 0.11-0.19 seeds 2-5)",
}


def _cases():
    for c in CLAIMS:
        key = f"{c.demo}:{c.key}"
        marks = [pytest.mark.xfail(strict=True, reason=f"fails on the model today: {FAILS_TODAY[key]}")] \
            if key in FAILS_TODAY else []
        yield pytest.param(c, id=key, marks=marks)


@pytest.mark.parametrize("claim", list(_cases()))
def test_the_guide_claim_holds_on_seeds_1_to_5(claim: Claim):
    failing = [s for s, (a, b) in runs(claim.demo).items() if not claim.holds(a, b)]
    assert not failing, f"the guide says: {claim.quote!r}; seeds {failing} do not show it: {figures(claim)}"


def test_every_quantity_the_guide_quotes_has_a_chart_or_a_tile():
    from sim.dashboard.frame import SERIES, TILES

    quoted = ("friction_index", "pivots", "alignment", "satisfaction", "churned", "approvals_waiting", "escalations",
              "decision_latency", "fatigue", "headcount", "retention")
    assert [q for q in quoted if q not in SERIES and q not in TILES] == []


def test_a_claim_can_fail():
    """The check is not vacuous: a figure outside its range, or the story reversed, fails."""
    assert not within(0.586, 0.60, 0.68, 2) and within(0.586, 0.59, 0.68, 2) and not within(8.0, 7, 7.9, 1)
    story = next(c for c in CLAIMS if c.key == "story" and c.demo == "burnout")
    a, b = runs("burnout")[1]
    assert story.holds(a, b) and not story.holds(b, a)
    assert not math.isnan(a.share("misalignment", 240))


if __name__ == "__main__":  # print every claim's figures on seeds 1-5
    for c in CLAIMS:
        print(f"{c.demo}:{c.key}: {figures(c)}")
