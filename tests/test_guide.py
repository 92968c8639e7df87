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


def _level_after_the_move(col: str, b_after, gap_after, gap_before):
    """(figure, holds) of a decision-rights "A falls to B's level" claim on ``col``: A, B and A - B
    over days 196-365, then A - B over days 30-180; it holds when B's level after the move, the gap
    after it and the gap before it each lie in their (lo, hi, decimals) range."""
    def after(o):
        return o.mean(col, 196)

    def before(o):
        return o.mean(col, 30, 180)

    def figure(a, b):
        return after(a), after(b), after(a) - after(b), before(a) - before(b)

    def holds(a, b):
        return (within(after(b), *b_after) and within(after(a) - after(b), *gap_after)
                and within(before(a) - before(b), *gap_before))
    return figure, holds


CLAIMS = [
    # -- 1. Overreaction (resilience) ------------------------------------------------------------
    Claim("overreaction", "calm-pivots",
          "Days 0 to 89, calm: B holds its course (no pivot) while A [...] 9 to 12 pivots before the shock",
          lambda a, b: (a.at("pivots", 89), b.at("pivots", 89)),
          lambda a, b: b.at("pivots", 89) == 0 and within(a.at("pivots", 89), 9, 12, 0)),
    Claim("overreaction", "calm-friction",
          "A's friction runs at 2.0 to 2.6 per 100 customers a day against 1.9 to 2.4 in B (days 1-89)",
          lambda a, b: (a.mean("friction_index", 1, 89), b.mean("friction_index", 1, 89)),
          lambda a, b: within(a.mean("friction_index", 1, 89), 2.0, 2.6, 1)
          and within(b.mean("friction_index", 1, 89), 1.9, 2.4, 1)),
    Claim("overreaction", "shock-pivots",
          "A pivots at every weekly review (9 to 10 more by day 150, 44 to 51 by day 365); B pivots 5 to 8 times in "
          "all",
          lambda a, b: (a.at("pivots", 150) - a.at("pivots", 89), a.at("pivots", 365), b.at("pivots", 365)),
          lambda a, b: within(a.at("pivots", 150) - a.at("pivots", 89), 9, 10, 0)
          and within(a.at("pivots", 365), 44, 51, 0) and within(b.at("pivots", 365), 5, 8, 0)),
    Claim("overreaction", "alignment",
          "A's alignment with the intent averages 0.92 to 0.95 from day 150 on, B's 0.97 to 0.99",
          lambda a, b: (a.mean("alignment", 150), b.mean("alignment", 150)),
          lambda a, b: within(a.mean("alignment", 150), 0.92, 0.95, 2)
          and within(b.mean("alignment", 150), 0.97, 0.99, 2)),
    Claim("overreaction", "misalignment-share",
          "A's two largest causes [from day 91] are overload and pivot rework; misalignment is 12 to 16% of A's "
          "friction, against 13 to 17% of B's, whose largest cause is overload",
          lambda a, b: (a.share("misalignment", 91), b.share("misalignment", 91)),
          lambda a, b: within(100 * a.share("misalignment", 91), 12, 16, 0)
          and within(100 * b.share("misalignment", 91), 13, 17, 0)
          and all(min(a.share("overload_fatigue", 91), a.share("pivot_rework", 91)) > a.share(c, 91) for c in CAUSES
                  if c not in ("pivot_rework", "overload_fatigue"))
          and all(b.share("overload_fatigue", 91) > b.share(c, 91) for c in CAUSES if c != "overload_fatigue")),
    Claim("overreaction", "pivot-share",
          "a pivot rework band (25 to 41% of A's, 5 to 8% of B's) [from day 91]",
          lambda a, b: (a.share("pivot_rework", 91), b.share("pivot_rework", 91)),
          lambda a, b: within(100 * a.share("pivot_rework", 91), 25, 41, 0)
          and within(100 * b.share("pivot_rework", 91), 5, 8, 0)),
    Claim("overreaction", "satisfaction",
          "at day 150 satisfaction is 0.18 to 0.21 in A against 0.20 to 0.24 in B; by day 365 0.73 to 0.78 "
          "against 0.77 to 0.82",
          lambda a, b: (a.at("satisfaction", 150), b.at("satisfaction", 150), a.at("satisfaction", 365),
                        b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 150), 0.18, 0.21, 2)
          and within(b.at("satisfaction", 150), 0.20, 0.24, 2)
          and within(a.at("satisfaction", 365), 0.73, 0.78, 2) and within(b.at("satisfaction", 365), 0.77, 0.82, 2)),
    Claim("overreaction", "customers-lost",
          "117 to 143 of A's 495 customers have left against 96 to 121 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 117, 143, 0) and within(b.tiles["churned"], 96, 121, 0)),
    Claim("overreaction", "story",
          "Point: A took every fluctuation for a trend (more pivots, lower alignment, more pivot rework), and "
          "its customers paid (more friction, more customers lost)",
          lambda a, b: (a.at("pivots", 365) - b.at("pivots", 365), a.mean("alignment", 150) - b.mean("alignment", 150),
                        a.tiles["churned"] - b.tiles["churned"]),
          lambda a, b: a.at("pivots", 89) > b.at("pivots", 89) and a.at("pivots", 365) > b.at("pivots", 365)
          and a.mean("alignment", 150) < b.mean("alignment", 150)
          and a.share("pivot_rework", 91) > b.share("pivot_rework", 91)
          and a.mean("friction_index", 91) > b.mean("friction_index", 91) and a.tiles["churned"] > b.tiles["churned"]),
    # -- 2. Vague decision rights (ownership) ------------------------------------------------------
    Claim("decision-rights", "waiting",
          "About 20 to 23 decisions wait in A (days 30 to 180) against 7.5 to 9.8 in B",
          lambda a, b: (a.mean("approvals_waiting", 30, 180), b.mean("approvals_waiting", 30, 180)),
          lambda a, b: within(a.mean("approvals_waiting", 30, 180), 20, 23, 0)
          and within(b.mean("approvals_waiting", 30, 180), 7.5, 9.8, 1)),
    Claim("decision-rights", "escalations",
          "Escalations run at about 8 to 10 a day (8.2 to 10.0) in A against 2.8 to 3.6 in B [days 30-180]",
          lambda a, b: (a.mean("escalations", 30, 180), b.mean("escalations", 30, 180)),
          lambda a, b: within(a.mean("escalations", 30, 180), 8.2, 10.0, 1)
          and within(b.mean("escalations", 30, 180), 2.8, 3.6, 1)),
    Claim("decision-rights", "latency",
          "decision latency is about 3 days (2.9 to 3.0) in A against 1.6 to 1.7 in B [days 30-180]",
          lambda a, b: (a.mean("decision_latency", 30, 180), b.mean("decision_latency", 30, 180)),
          lambda a, b: within(a.mean("decision_latency", 30, 180), 2.9, 3.0, 1)
          and within(b.mean("decision_latency", 30, 180), 1.6, 1.7, 1)),
    Claim("decision-rights", "escalation-share",
          "Escalation is 19 to 24% of A's friction (12 to 18% of B's) [days 30-180]",
          lambda a, b: (a.share("decision_escalation", 30, 180), b.share("decision_escalation", 30, 180)),
          lambda a, b: within(100 * a.share("decision_escalation", 30, 180), 19, 24, 0)
          and within(100 * b.share("decision_escalation", 30, 180), 12, 18, 0)),
    # After the move: the level A's figures fall to (a range), and how close they come to B's (the gap, A's minus B's,
    # on each seed, against the gap before the move), as separate claims.  From day 181 A and B have the same settings
    # (every unit's levers); what still parts them is chance and a little history (A lost more customers before the
    # move, so it gets a few percent fewer requests): ``python tests/test_guide.py --redraw`` re-plays days 182-365 of
    # each organisation from its own day-181 state with other random draws (figures in the guide's trainer's note).
    Claim("decision-rights", "after-move",
          "After your move at day 180, A's escalations fall [...] within about a week (3 to 4 a day after day 195, "
          "2.7 to 3.4)",
          lambda a, b: (a.mean("escalations", 196), b.mean("escalations", 196)),
          lambda a, b: within(a.mean("escalations", 196), 3, 4, 0) and within(a.mean("escalations", 196), 2.7, 3.4, 1)),
    Claim("decision-rights", "after-move-level",
          "[A's 2.7 to 3.4 a day after day 195], where B runs at 2.6 to 3.5 [...] Before the move A escalated 5.7 to "
          "6.2 a day more than B [...]; after it, A ends anywhere from 0.6 escalations a day below B's to 0.4 above, "
          "depending on the seed [A, B and A - B over days 196-365, then A - B over days 30-180]",
          *_level_after_the_move("escalations", (2.6, 3.5, 1), (-0.6, 0.4, 1), (5.7, 6.2, 1))),
    Claim("decision-rights", "latency-after",
          "latency drops to 1.5 to 1.7 days [days 196-365]",
          lambda a, b: (a.mean("decision_latency", 196), b.mean("decision_latency", 196)),
          lambda a, b: within(a.mean("decision_latency", 196), 1.5, 1.7, 1)),
    Claim("decision-rights", "latency-level",
          "latency drops to 1.5 to 1.7 days, B's 1.6 to 1.7 [...] Before the move [...] its decisions took 1.2 to 1.4 "
          "days longer; after it, [...] its latency from 0.11 day below B's to 0.12 above [A, B and A - B over days "
          "196-365, then A - B over days 30-180]",
          *_level_after_the_move("decision_latency", (1.6, 1.7, 1), (-0.11, 0.12, 2), (1.2, 1.4, 1))),
    Claim("decision-rights", "history",
          "it lost more customers before the move (66 to 83 by day 180, against 33 to 52 in B)",
          lambda a, b: (a.at("churned", 180), b.at("churned", 180)),
          lambda a, b: a.at("churned", 180) > b.at("churned", 180)
          and within(a.at("churned", 180), 66, 83, 0) and within(b.at("churned", 180), 33, 52, 0)),
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
          "Between day 6 and 149, depending on the seed [...], A's first team turns red (fatigue above 0.5). [...] "
          "B's first red team, if any, comes later (days 135 to 236; none on seed 2) [A's first red team, then B's]",
          lambda a, b: (a.first_red(), b.first_red()),
          lambda a, b: a.first_red() is not None and 6 <= a.first_red() <= 149
          and (b.first_red() is None or (135 <= b.first_red() <= 236 and b.first_red() > a.first_red()))),
    Claim("burnout", "fatigue-240",
          "A's mean fatigue at day 240 is 0.13 to 0.42 against 0.04 to 0.21 in B",
          lambda a, b: (a.at("fatigue", 240), b.at("fatigue", 240)),
          lambda a, b: within(a.at("fatigue", 240), 0.13, 0.42, 2) and within(b.at("fatigue", 240), 0.04, 0.21, 2)),
    Claim("burnout", "headcount",
          "Headcount shrinks in both (no hiring): from 168 to 183 people at day 0 down to 133 to 156 in A and 130 "
          "to 165 in B by day 365 [A's and B's at day 0, then at day 365]",
          lambda a, b: (a.at("headcount", 0), b.at("headcount", 0), a.at("headcount", 365), b.at("headcount", 365)),
          lambda a, b: a.at("headcount", 365) < a.at("headcount", 0) and b.at("headcount", 365) < b.at("headcount", 0)
          and within(a.at("headcount", 0), 168, 183, 0) and within(b.at("headcount", 0), 168, 183, 0)
          and within(a.at("headcount", 365), 133, 156, 0) and within(b.at("headcount", 365), 130, 165, 0)),
    Claim("burnout", "retention-300",
          "retention at day 300 is 0.76 to 0.88 in A against 0.83 to 0.89 in B",
          lambda a, b: (a.at("retention", 300), b.at("retention", 300)),
          lambda a, b: within(a.at("retention", 300), 0.76, 0.88, 2) and within(b.at("retention", 300), 0.83, 0.89, 2)),
    Claim("burnout", "customers-lost",
          "by day 365 89 to 155 of A's 495 customers have left against 89 to 125 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 89, 155, 0) and within(b.tiles["churned"], 89, 125, 0)),
    Claim("burnout", "satisfaction-365",
          "satisfaction ends at 0.10 to 0.18 in A against 0.21 to 0.38 in B",
          lambda a, b: (a.at("satisfaction", 365), b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 365), 0.10, 0.18, 2)
          and within(b.at("satisfaction", 365), 0.21, 0.38, 2)),
    Claim("burnout", "friction-240",
          "From day 240 A's friction runs at 17.0 to 21.8 per 100 customers a day, B's at 11.2 to 17.2",
          lambda a, b: (a.mean("friction_index", 240), b.mean("friction_index", 240)),
          lambda a, b: within(a.mean("friction_index", 240), 17.0, 21.8, 1)
          and within(b.mean("friction_index", 240), 11.2, 17.2, 1)),
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


# Claims that do not hold on seeds 1-5 on the model as it is (the December 2026 integration: issue 11's demand, warm
# start, churn, erosion of standards, customer canary with a control chart, first-time resolution and sign-offs
# anywhere; issue 10's market fit and lever prices; slack settling disagreement (P1); teams re-reading and socialising
# priorities on any day), with the failing seeds' figures (as printed by `python tests/test_guide.py`).  The guide's
# figures were restated from these runs; what is left is burnout's point on seed 3, which the guide says.  (Until
# 1 December 2026 the guide also promised that A's escalations come within 0.5 a day of B's after the move, and its
# latency within 0.1 day; seed 2 missed by 0.59 and 0.11, seed 5 by 0.12 day.  Re-playing each organisation's days
# 182-365 with other random draws (``--redraw``) showed those gaps to be chance, as wide as between two re-plays of
# the same organisation, so the guide now states the measured gaps, both ways, against the gap before the move.)
FAILS_TODAY: dict[str, str] = {
    "burnout:story": "seed 3: A loses 89 customers, B 107, and A's retention at day 300 is 0.885 against B's 0.869 "
                     "(A's fatigue is still higher, by 0.111 over days 120-365, and so is its friction from day 240, "
                     "17.0 against 13.1).  Cause: on seed 3 A's teams tire late (first red team on day 149; mean "
                     "fatigue 0.13 at day 240, as in B), while B's canary, after a targeted fix on day 168, pivots "
                     "on customer friction on day 182, and B pivots 9 times in all, every one from day 182 (at every "
                     "weekly review to day 217, then on days 245 and 252).  Over days 180-239 B's teams' fit to the "
                     "market's need falls to 0.89 (A's 0.96), B's friction is 10.4 against A's 8.1 and B loses 17 "
                     "customers to A's 12; B's satisfaction stays below A's to day 300 (days 240-299: 0.43 against "
                     "0.49, 25 customers lost to 17).  A's friction overtakes late (21.1 against 14.4 over days "
                     "300-365) and A's satisfaction ends at 0.12 against B's 0.31, but the year ends before A's "
                     "customers leave",
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


def redraw(seed: int, n: int = 20) -> dict[str, np.ndarray]:
    """The decision-rights demonstration played to day 181 (A's move applied), then each organisation's days 182-365
    re-played ``n`` times from its own day-181 state with other random draws (stream ``r`` the same for A and B):
    escalations and latency over days 196-365 as drawn, and new requests a day, one row per re-play; row ``n`` is the
    run as played."""
    import copy

    from sim.dashboard.frame import ROLL, rolling_mean

    demo = demos.DEMOS["decision-rights"]
    from sim.dashboard.state import Workshop

    session = Workshop(**demos.setup("decision-rights"), seed=seed)
    play(session, keep_playing=lambda: True, drawn=lambda: None, speed=lambda: 1e6, pause_at=lambda: demo.pause_at,
         sleep=lambda s: None)
    ActionKeys["move"](session)
    session.step()
    assert session.day == 181
    a, b = session.orgs
    assert np.array_equal(a.state.lever, b.state.lever)  # from day 181 A has B's settings, unit by unit
    out = {}
    for name, model in (("A", a), ("B", b)):
        rows = []
        for r in range(n + 1):
            m = copy.deepcopy(model)
            if r < n:
                m.rng = np.random.default_rng(np.random.SeedSequence([seed, 7000 + r]))
            for _ in range(365 - 181):
                m.step()
            mv = m.datacollector.model_vars
            rows.append([rolling_mean(np.asarray(mv[c], dtype=float), ROLL)[196:].mean()
                         for c in ("escalations", "decision_latency")] + [np.mean(mv["new_requests"][196:])])
        out[name] = np.array(rows)
    return out


def print_redraw(n: int = 20) -> None:
    for seed in SEEDS:
        r = redraw(seed, n)
        req = r["A"][n, 2] / r["B"][n, 2] - 1
        print(f"seed {seed} new requests a day (days 196-365): as played A {r['A'][n, 2]:.1f} B {r['B'][n, 2]:.1f} "
              f"(A {100 * req:+.0f}%)")
        for k, (what, d) in enumerate((("escalations a day", 2), ("latency, days", 3))):
            a, b = r["A"][:n, k], r["B"][:n, k]
            pairs = np.abs(b[:, None] - b[None, :])[np.triu_indices(n, 1)]
            print(f"seed {seed} {what} (days 196-365): as played A {r['A'][n, k]:.{d}f} B {r['B'][n, k]:.{d}f} "
                  f"(A - B {r['A'][n, k] - r['B'][n, k]:+.{d}f}); {n} re-plays: A {a.mean():.{d}f} "
                  f"(sd {a.std(ddof=1):.{d}f}, {a.min():.{d}f} to {a.max():.{d}f}), B {b.mean():.{d}f} "
                  f"(sd {b.std(ddof=1):.{d}f}, {b.min():.{d}f} to {b.max():.{d}f}), "
                  f"A - B {a.mean() - b.mean():+.{d}f}; two re-plays of B differ by up to {pairs.max():.{d}f}")


if __name__ == "__main__":  # print every claim's figures on seeds 1-5; --redraw [N]: the re-played futures
    import sys

    if "--redraw" in sys.argv:
        rest = sys.argv[sys.argv.index("--redraw") + 1:]
        print_redraw(int(rest[0]) if rest else 20)
    else:
        for c in CLAIMS:
            print(f"{c.demo}:{c.key}: {figures(c)}")
