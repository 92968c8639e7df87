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
          "Days 0 to 89, calm: B holds its course (no pivot) while A [...] 9 to 12 pivots before the shock",
          lambda a, b: (a.at("pivots", 89), b.at("pivots", 89)),
          lambda a, b: b.at("pivots", 89) == 0 and within(a.at("pivots", 89), 9, 12, 0)),
    Claim("overreaction", "calm-friction",
          "A's friction runs at about 2.1 to 2.5 per 100 customers a day against 1.5 to 1.6 in B (days 1-89)",
          lambda a, b: (a.mean("friction_index", 1, 89), b.mean("friction_index", 1, 89)),
          lambda a, b: within(a.mean("friction_index", 1, 89), 2.1, 2.5, 1)
          and within(b.mean("friction_index", 1, 89), 1.5, 1.6, 1)),
    Claim("overreaction", "shock-pivots",
          "A pivots at every weekly review (9 more by day 150, 45 to 48 by day 365); B pivots 6 to 8 times in all",
          lambda a, b: (a.at("pivots", 150) - a.at("pivots", 89), a.at("pivots", 365), b.at("pivots", 365)),
          lambda a, b: a.at("pivots", 150) - a.at("pivots", 89) == 9 and within(a.at("pivots", 365), 45, 48, 0)
          and within(b.at("pivots", 365), 6, 8, 0)),
    Claim("overreaction", "alignment",
          "A's alignment with the intent averages 0.60 to 0.67 from day 150 on, B's 0.87 to 0.91",
          lambda a, b: (a.mean("alignment", 150), b.mean("alignment", 150)),
          lambda a, b: within(a.mean("alignment", 150), 0.60, 0.67, 2)
          and within(b.mean("alignment", 150), 0.87, 0.91, 2)),
    Claim("overreaction", "misalignment-share",
          "misalignment (about 37 to 41% of A's friction from day 91, against 25 to 27% of B's, whose largest cause "
          "is overload) is one of A's two largest causes, with overload",
          lambda a, b: (a.share("misalignment", 91), b.share("misalignment", 91)),
          lambda a, b: within(100 * a.share("misalignment", 91), 37, 41, 0)
          and within(100 * b.share("misalignment", 91), 25, 27, 0)
          and all(a.share("misalignment", 91) > a.share(c, 91) for c in CAUSES
                  if c not in ("misalignment", "overload_fatigue"))
          and all(b.share("overload_fatigue", 91) > b.share(c, 91) for c in CAUSES if c != "overload_fatigue")),
    Claim("overreaction", "pivot-share",
          "a pivot rework band (11 to 22% of A's, 4 to 6% of B's) [from day 91]",
          lambda a, b: (a.share("pivot_rework", 91), b.share("pivot_rework", 91)),
          lambda a, b: within(100 * a.share("pivot_rework", 91), 11, 22, 0)
          and within(100 * b.share("pivot_rework", 91), 4, 6, 0)),
    Claim("overreaction", "satisfaction",
          "at day 150 satisfaction is 0.20 to 0.25 in A against 0.21 to 0.28 in B; by day 365 0.47 to 0.60 "
          "against 0.74 to 0.79",
          lambda a, b: (a.at("satisfaction", 150), b.at("satisfaction", 150), a.at("satisfaction", 365),
                        b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 150), 0.20, 0.25, 2)
          and within(b.at("satisfaction", 150), 0.21, 0.28, 2)
          and within(a.at("satisfaction", 365), 0.47, 0.60, 2) and within(b.at("satisfaction", 365), 0.74, 0.79, 2)),
    Claim("overreaction", "customers-lost",
          "115 to 155 of A's 495 customers have left against 100 to 124 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 115, 155, 0) and within(b.tiles["churned"], 100, 124, 0)),
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
          "About 19 to 24 decisions wait in A (days 30 to 180) against 7.6 to 9.6 in B",
          lambda a, b: (a.mean("approvals_waiting", 30, 180), b.mean("approvals_waiting", 30, 180)),
          lambda a, b: within(a.mean("approvals_waiting", 30, 180), 19, 24, 0)
          and within(b.mean("approvals_waiting", 30, 180), 7.6, 9.6, 1)),
    Claim("decision-rights", "escalations",
          "Escalations run at about 8 to 10 a day (8.2 to 10.0) in A against 2.8 to 3.6 in B [days 30-180]",
          lambda a, b: (a.mean("escalations", 30, 180), b.mean("escalations", 30, 180)),
          lambda a, b: within(a.mean("escalations", 30, 180), 8.2, 10.0, 1)
          and within(b.mean("escalations", 30, 180), 2.8, 3.6, 1)),
    Claim("decision-rights", "latency",
          "decision latency is nearly 3 days (2.7 to 2.9) in A against 1.6 to 1.7 in B [days 30-180]",
          lambda a, b: (a.mean("decision_latency", 30, 180), b.mean("decision_latency", 30, 180)),
          lambda a, b: within(a.mean("decision_latency", 30, 180), 2.7, 2.9, 1)
          and within(b.mean("decision_latency", 30, 180), 1.6, 1.7, 1)),
    Claim("decision-rights", "escalation-share",
          "Escalation is 18 to 30% of A's friction (13 to 20% of B's) [days 30-180]",
          lambda a, b: (a.share("decision_escalation", 30, 180), b.share("decision_escalation", 30, 180)),
          lambda a, b: within(100 * a.share("decision_escalation", 30, 180), 18, 30, 0)
          and within(100 * b.share("decision_escalation", 30, 180), 13, 20, 0)),
    # After the move: the level A's figures fall to (a range), and how close they come to B's (a gap), as two
    # claims each, so that a known failure of the gap on one seed does not hide the range.
    Claim("decision-rights", "after-move",
          "After your move at day 180, A's escalations fall [...] within about a week (3 to 4 a day after day 195)",
          lambda a, b: (a.mean("escalations", 196), b.mean("escalations", 196)),
          lambda a, b: within(a.mean("escalations", 196), 3, 4, 0)),
    Claim("decision-rights", "after-move-level",
          "A's escalations fall to B's level [...] (within 0.5 a day of B's) [days 196-365]",
          lambda a, b: (a.mean("escalations", 196), b.mean("escalations", 196),
                        a.mean("escalations", 196) - b.mean("escalations", 196)),
          lambda a, b: abs(a.mean("escalations", 196) - b.mean("escalations", 196)) <= 0.5),
    Claim("decision-rights", "latency-after",
          "latency drops to 1.6 to 1.7 days [days 196-365]",
          lambda a, b: (a.mean("decision_latency", 196), b.mean("decision_latency", 196)),
          lambda a, b: within(a.mean("decision_latency", 196), 1.6, 1.7, 1)),
    Claim("decision-rights", "latency-level",
          "latency drops [...], like B's (within 0.1 day of it) [days 196-365]",
          lambda a, b: (a.mean("decision_latency", 196), b.mean("decision_latency", 196),
                        a.mean("decision_latency", 196) - b.mean("decision_latency", 196)),
          lambda a, b: abs(a.mean("decision_latency", 196) - b.mean("decision_latency", 196)) <= 0.1),
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
          "Between day 40 and 142, depending on the seed [...], A's first team turns red (fatigue above 0.5). [...] "
          "B's teams turn red too [A's first red team, then B's]",
          lambda a, b: (a.first_red(), b.first_red()),
          lambda a, b: a.first_red() is not None and 40 <= a.first_red() <= 142 and b.first_red() is not None),
    Claim("burnout", "fatigue-240",
          "A's mean fatigue at day 240 is 0.19 to 0.38 against 0.01 to 0.19 in B",
          lambda a, b: (a.at("fatigue", 240), b.at("fatigue", 240)),
          lambda a, b: within(a.at("fatigue", 240), 0.19, 0.38, 2) and within(b.at("fatigue", 240), 0.01, 0.19, 2)),
    Claim("burnout", "headcount",
          "Headcount shrinks in both (no hiring), a little more in A on all five seeds: from 166 to 184 people at day "
          "0 down to 136 to 152 in A and 137 to 161 in B by day 365 [A's and B's at day 0, then at day 365]",
          lambda a, b: (a.at("headcount", 0), b.at("headcount", 0), a.at("headcount", 365), b.at("headcount", 365)),
          lambda a, b: a.at("headcount", 365) < a.at("headcount", 0) and b.at("headcount", 365) < b.at("headcount", 0)
          and a.at("headcount", 365) <= b.at("headcount", 365)
          and within(a.at("headcount", 0), 166, 184, 0) and within(b.at("headcount", 0), 166, 184, 0)
          and within(a.at("headcount", 365), 136, 152, 0) and within(b.at("headcount", 365), 137, 161, 0)),
    Claim("burnout", "retention-300",
          "retention at day 300 is 0.81 to 0.86 in A against 0.86 to 0.92 in B",
          lambda a, b: (a.at("retention", 300), b.at("retention", 300)),
          lambda a, b: within(a.at("retention", 300), 0.81, 0.86, 2) and within(b.at("retention", 300), 0.86, 0.92, 2)),
    Claim("burnout", "customers-lost",
          "by day 365 116 to 145 of A's 495 customers have left against 81 to 108 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 116, 145, 0) and within(b.tiles["churned"], 81, 108, 0)),
    Claim("burnout", "satisfaction-365",
          "satisfaction ends at 0.05 to 0.18 in A against 0.24 to 0.36 in B",
          lambda a, b: (a.at("satisfaction", 365), b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 365), 0.05, 0.18, 2)
          and within(b.at("satisfaction", 365), 0.24, 0.36, 2)),
    Claim("burnout", "friction-240",
          "From day 240 A's friction runs at 17.7 to 23.5 per 100 customers a day, B's at 12.4 to 16.9",
          lambda a, b: (a.mean("friction_index", 240), b.mean("friction_index", 240)),
          lambda a, b: within(a.mean("friction_index", 240), 17.7, 23.5, 1)
          and within(b.mean("friction_index", 240), 12.4, 16.9, 1)),
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


# Claims that do not hold on seeds 1-5 on the model as it is (land10: issue 11's demand, warm start, churn and
# erosion of standards; issue 10's market fit and lever prices; vague-decision-rights at clarity 0.75), with the
# failing seeds' figures (as printed by `python tests/test_guide.py`).  The guide's figures were restated from these
# runs; what is left is A's level after the decision-rights move, which the guide says seed 2 does not show.
FAILS_TODAY: dict[str, str] = {
    "decision-rights:after-move-level": "seed 2: A escalates 3.50 a day from day 196, B 2.97 (0.53 apart; "
                                        "-0.29 to 0.35 on the other seeds)",
    "decision-rights:latency-level": "seed 2: A's latency is 1.72 days from day 196, B's 1.60 (0.12 apart; "
                                     "-0.06 to 0.07 on the other seeds)",
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
