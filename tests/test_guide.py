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
          "A's friction runs at about 1.4 to 1.7 per 100 customers a day against 0.9 to 1.1 in B (days 1-89)",
          lambda a, b: (a.mean("friction_index", 1, 89), b.mean("friction_index", 1, 89)),
          lambda a, b: within(a.mean("friction_index", 1, 89), 1.4, 1.7, 1)
          and within(b.mean("friction_index", 1, 89), 0.9, 1.1, 1)),
    Claim("overreaction", "shock-pivots",
          "A pivots at every weekly review (9 more by day 150, 45 to 48 by day 365); B pivots 7 or 8 times in all",
          lambda a, b: (a.at("pivots", 150) - a.at("pivots", 89), a.at("pivots", 365), b.at("pivots", 365)),
          lambda a, b: a.at("pivots", 150) - a.at("pivots", 89) == 9 and within(a.at("pivots", 365), 45, 48, 0)
          and within(b.at("pivots", 365), 7, 8, 0)),
    Claim("overreaction", "alignment",
          "A's alignment with the intent averages 0.59 to 0.68 from day 150 on, B's 0.88 to 0.89",
          lambda a, b: (a.mean("alignment", 150), b.mean("alignment", 150)),
          lambda a, b: within(a.mean("alignment", 150), 0.59, 0.68, 2)
          and within(b.mean("alignment", 150), 0.88, 0.89, 2)),
    Claim("overreaction", "misalignment-share",
          "misalignment about 60 to 65% of A's friction from day 91, against 40 to 48% of B's",
          lambda a, b: (a.share("misalignment", 91), b.share("misalignment", 91)),
          lambda a, b: within(100 * a.share("misalignment", 91), 60, 65, 0)
          and within(100 * b.share("misalignment", 91), 40, 48, 0)),
    Claim("overreaction", "pivot-share",
          "a thin pivot rework band (5 to 10% of A's, 1 to 2% of B's) [from day 91]",
          lambda a, b: (a.share("pivot_rework", 91), b.share("pivot_rework", 91)),
          lambda a, b: within(100 * a.share("pivot_rework", 91), 5, 10, 0)
          and within(100 * b.share("pivot_rework", 91), 1, 2, 0)),
    Claim("overreaction", "satisfaction",
          "at day 150 satisfaction is 0.56 to 0.63 in A against 0.73 to 0.74 in B; by day 365 0.73 to 0.78 "
          "against 0.85 to 0.89",
          lambda a, b: (a.at("satisfaction", 150), b.at("satisfaction", 150), a.at("satisfaction", 365),
                        b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 150), 0.56, 0.63, 2)
          and within(b.at("satisfaction", 150), 0.73, 0.74, 2)
          and within(a.at("satisfaction", 365), 0.73, 0.78, 2) and within(b.at("satisfaction", 365), 0.85, 0.89, 2)),
    Claim("overreaction", "customers-lost",
          "77 to 138 of A's 495 customers have left against 22 to 47 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: a.customers == 495
          and within(a.tiles["churned"], 77, 138, 0) and within(b.tiles["churned"], 22, 47, 0)),
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
          "About 17 to 22 decisions wait in A (days 30 to 180) against 3 to 4.5 in B",
          lambda a, b: (a.mean("approvals_waiting", 30, 180), b.mean("approvals_waiting", 30, 180)),
          lambda a, b: within(a.mean("approvals_waiting", 30, 180), 17, 22, 0)
          and within(b.mean("approvals_waiting", 30, 180), 3, 4.5, 1)),
    Claim("decision-rights", "escalations",
          "Escalations run at about 8 to 9 a day (7.9 to 9.5) in A against 1.3 to 1.9 in B [days 30-180]",
          lambda a, b: (a.mean("escalations", 30, 180), b.mean("escalations", 30, 180)),
          lambda a, b: within(a.mean("escalations", 30, 180), 7.9, 9.5, 1)
          and within(b.mean("escalations", 30, 180), 1.3, 1.9, 1)),
    Claim("decision-rights", "latency",
          "decision latency is about 3 days (2.9 to 3.1) in A against 1.3 to 1.4 in B [days 30-180]",
          lambda a, b: (a.mean("decision_latency", 30, 180), b.mean("decision_latency", 30, 180)),
          lambda a, b: within(a.mean("decision_latency", 30, 180), 2.9, 3.1, 1)
          and within(b.mean("decision_latency", 30, 180), 1.3, 1.4, 1)),
    Claim("decision-rights", "escalation-share",
          "Escalation is 33 to 42% of A's friction (8 to 12% of B's) [days 30-180]",
          lambda a, b: (a.share("decision_escalation", 30, 180), b.share("decision_escalation", 30, 180)),
          lambda a, b: within(100 * a.share("decision_escalation", 30, 180), 33, 42, 0)
          and within(100 * b.share("decision_escalation", 30, 180), 8, 12, 0)),
    Claim("decision-rights", "after-move",
          "After your move at day 180, A's escalations fall to B's level within about a week (1 to 2 a day "
          "after day 195) [A within 0.5 a day of B, days 196-365]",
          lambda a, b: (a.mean("escalations", 196), b.mean("escalations", 196)),
          lambda a, b: within(a.mean("escalations", 196), 1, 2, 0)
          and abs(a.mean("escalations", 196) - b.mean("escalations", 196)) <= 0.5),
    Claim("decision-rights", "latency-after",
          "latency drops to 1.3 days like B's [days 196-365, A within 0.1 day of B and 1.3 at one decimal]",
          lambda a, b: (a.mean("decision_latency", 196), b.mean("decision_latency", 196)),
          lambda a, b: within(a.mean("decision_latency", 196), 1.3, 1.3, 1)
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
          "From about day 120, a few of A's teams turn red (fatigue above 0.5) [first red team on days 90-150]",
          lambda a, b: (a.first_red(),),
          lambda a, b: a.first_red() is not None and 90 <= a.first_red() <= 150),
    Claim("burnout", "fatigue-240",
          "A's mean fatigue at day 240 is 0.11 to 0.24 against 0.06 to 0.13 in B",
          lambda a, b: (a.at("fatigue", 240), b.at("fatigue", 240)),
          lambda a, b: within(a.at("fatigue", 240), 0.11, 0.24, 2) and within(b.at("fatigue", 240), 0.06, 0.13, 2)),
    Claim("burnout", "headcount",
          "Headcount shrinks in both (no hiring), a little more in A",
          lambda a, b: (a.at("headcount", 0), a.at("headcount", 365), b.at("headcount", 365)),
          lambda a, b: a.at("headcount", 365) < a.at("headcount", 0) and b.at("headcount", 365) < b.at("headcount", 0)
          and a.at("headcount", 365) <= b.at("headcount", 365)),
    Claim("burnout", "retention-300",
          "retention at day 300 is 0.79 to 0.86 in A against 0.93 to 0.95 in B",
          lambda a, b: (a.at("retention", 300), b.at("retention", 300)),
          lambda a, b: within(a.at("retention", 300), 0.79, 0.86, 2) and within(b.at("retention", 300), 0.93, 0.95, 2)),
    Claim("burnout", "customers-lost",
          "by day 365 124 to 205 of A's 495 customers have left against 65 to 89 of B's",
          lambda a, b: (a.tiles["churned"], b.tiles["churned"]),
          lambda a, b: within(a.tiles["churned"], 124, 205, 0) and within(b.tiles["churned"], 65, 89, 0)),
    Claim("burnout", "satisfaction-365",
          "satisfaction ends at 0.55 to 0.59 in A against 0.57 to 0.69 in B (seed 2 is the close one)",
          lambda a, b: (a.at("satisfaction", 365), b.at("satisfaction", 365)),
          lambda a, b: within(a.at("satisfaction", 365), 0.55, 0.59, 2)
          and within(b.at("satisfaction", 365), 0.57, 0.69, 2)),
    Claim("burnout", "friction-240",
          "From day 240 A's friction runs at 6.4 to 7.6 per 100 customers a day, B's at 4.7 to 5.8",
          lambda a, b: (a.mean("friction_index", 240), b.mean("friction_index", 240)),
          lambda a, b: within(a.mean("friction_index", 240), 6.4, 7.6, 1)
          and within(b.mean("friction_index", 240), 4.7, 5.8, 1)),
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


# Claims that do not hold on seeds 1-5 on the model as it is (main a3d265b, outputs unchanged on this
# branch), with the failing seeds' figures (A/B, as printed by `python tests/test_guide.py`).
FAILS_TODAY: dict[str, str] = {
    "overreaction:calm-friction": "seed 2 1.33/0.857, seed 4 1.38/0.813 (A under 1.4, B under 0.9)",
    "overreaction:shock-pivots": "seed 4: 50 pivots in A by day 365, 6 in B",
    "overreaction:alignment": "seed 4: A 0.56",
    "overreaction:misalignment-share": "B 39% on seeds 2 and 3, A 70% on seed 5",
    "overreaction:pivot-share": "seed 4: A 12%, B 3%",
    "overreaction:satisfaction": "seed 4: B 0.65 at day 150; seed 5: A 0.72 at day 365",
    "overreaction:customers-lost": "seed 4: 153 of A's, 57 of B's",
    "decision-rights:escalations": "A 9.58 a day on seed 1, 7.59 on seed 5",
    "decision-rights:escalation-share": "A 45%/29%/44%/30% on seeds 1, 2, 3, 5; B 13% and 14% on seeds 1 and 3",
    "decision-rights:latency-after": "A 1.43 and 1.37 days on seeds 3 and 5 (B 1.43 and 1.34)",
    "burnout:first-red": "A's first red team on days 66, 77, 40 and 302 (seeds 1, 3, 4, 5)",
    "burnout:fatigue-240": "seed 5: A 0.04, B 0.03",
    "burnout:retention-300": "seed 4: B 0.96; seed 5: A 0.96, B 0.97",
    "burnout:customers-lost": "seed 4: B 37; seed 5: A 70, B 31",
    "burnout:satisfaction-365": "seed 4: A 0.53; seed 5: B 0.71",
    "burnout:friction-240": "A 7.55/6.30/8.08/6.41 on seeds 1, 2, 4, 5 (6.3 and 8.1 outside); B 4.64, 4.03, 3.60 on "
                            "seeds 1, 4, 5",
    "burnout:story": "seed 2: A's mean fatigue over days 120-365 is 0.002 below B's (A still loses 35 more customers)",
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
