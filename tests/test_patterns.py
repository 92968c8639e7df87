"""Patterns P1-P10 of MODEL.md, each over SEEDS (default 20) paired replicates.

Criterion, unless a test says otherwise: the paired difference between the two conditions has a
95% t confidence interval that excludes zero in the claimed direction (``Diff.positive``), and
the mean effect is at least a stated minimum size, so that a significant but negligible effect
does not pass.  Conditions differ only in the settings named; replicate i of each uses seed
1000 + i (common random numbers).  Runs are 200 days of the default 20-team organisation unless
stated; windows skip the first 50 days (warm-up) unless the pattern is about a shock.
"""

from __future__ import annotations

import numpy as np
import pytest
from patterns_util import HIGH, LOW, SHOCK, Diff, merge, metric, run_many, total, window_mean

pytestmark = pytest.mark.patterns

SHOCK_END = SHOCK["step"] + SHOCK["duration"]


def lev(**levers):
    return {"levers": levers}


@pytest.mark.xfail(strict=True, reason=(
    "issue 10, open: since pivots follow Sterman's anchoring and adjustment (no windup), P1 no longer "
    "holds by the initial state: low resilience pivots on calm noise and, with low clarity, each small "
    "change pulls teams toward their lenses; measured calm gap 3.14 [2.86, 3.41] = 62% of the shock gap "
    "5.04 (20 seeds), against < 40%. Still failing with the market fit and lever prices merged on issue "
    "11 (m10i, 20 seeds): calm gap 5.45 [4.95, 5.95] = 62% of the shock gap 8.76 [8.24, 9.28]; "
    "docs/validation.md"))
def test_p1_core_matters_little_when_stable_and_much_under_shock():
    """P1: in stable conditions CORE makes only a small difference.  'Small' is relative: the
    stable low-minus-high friction gap must be under 40% of the same gap under a pressure
    shock (means over seeds), and the shock gap must itself be significant."""
    friction = window_mean("friction_index", 50)
    stable = Diff(metric(run_many(lev(**LOW)), friction), metric(run_many(lev(**HIGH)), friction))
    shocked = Diff(metric(run_many(merge(lev(**LOW), {"events": [SHOCK]})), friction),
                   metric(run_many(merge(lev(**HIGH), {"events": [SHOCK]})), friction))
    assert shocked.positive(), shocked
    assert abs(stable.mean) < 0.4 * shocked.mean, (stable, shocked)


def test_p2_low_core_spikes_higher_and_recovers_slower():
    """P2: under a shock, low CORE shows a larger friction spike (peak of the 7-day mean during
    the shock) and a slower recovery (friction in the 60 days after the shock, above its own
    pre-shock level)."""
    low = run_many(merge(lev(**LOW), {"events": [SHOCK]}))
    high = run_many(merge(lev(**HIGH), {"events": [SHOCK]}))

    def peak(s, _u):
        return float(s["friction_index"].rolling(7).mean().iloc[SHOCK["step"]:SHOCK_END + 1].max())

    def lingering(s, _u):
        f = s["friction_index"].to_numpy()
        return float(f[SHOCK_END:SHOCK_END + 60].mean() - f[20:SHOCK["step"]].mean())

    spike = Diff(metric(low, peak), metric(high, peak))
    slow = Diff(metric(low, lingering), metric(high, lingering))
    assert spike.positive() and spike.mean > 1.0, spike  # > 1 friction unit per 100 customers
    assert slow.positive() and slow.mean > 1.0, slow


@pytest.mark.parametrize("noise", [0.02, 0.15])
def test_p3_low_resilience_pivots_reworks_and_frustrates(noise):
    """P3: low resilience gives more pivots, more rework, lower commitment, more friction."""
    base = {"pressure": {"baseline": 0.8, "noise": noise}}
    low = run_many(merge(base, lev(resilience=0.15)))
    high = run_many(merge(base, lev(resilience=0.85)))
    pivots = Diff(metric(low, total("pivots")), metric(high, total("pivots")))
    rework = Diff(metric(low, window_mean("rework_share", 50)), metric(high, window_mean("rework_share", 50)))
    commit = Diff(metric(high, window_mean("commitment", 50)), metric(low, window_mean("commitment", 50)))
    friction = Diff(metric(low, window_mean("friction_index", 50)),
                    metric(high, window_mean("friction_index", 50)))
    assert pivots.positive() and pivots.mean >= 3, pivots
    assert rework.positive(), rework
    assert commit.positive() and commit.mean > 0.05, commit
    assert friction.positive() and friction.mean > 0.5, friction


def test_p3_resilience_effect_grows_with_signal_noise():
    """P3: the cost of low resilience grows with signal noise: the gap between low and high
    resilience in rework and in customer friction (paired difference-in-differences over seeds,
    noise 0.3 against 0.02, 95% CI above zero and a minimum effect).

    The count of pivots is not asserted: with Sterman's adjustment (no windup) a low-resilience
    executive already pivots at almost every weekly review at low noise (27.8 of 28), so the count
    is at its ceiling and cannot grow; what grows with noise is what the pivots cost (measured
    before this change: the friction gap did not grow, DiD -0.19 [-0.73, 0.35]; after it, 8 seeds:
    friction +1.55 [0.96, 2.13], rework +0.050 [0.041, 0.058]).  docs/validation.md."""
    runs = {}
    for noise in (0.02, 0.3):
        base = {"pressure": {"baseline": 0.8, "noise": noise}}
        runs[noise] = (run_many(merge(base, lev(resilience=0.15))), run_many(merge(base, lev(resilience=0.85))))

    def gap(noise, fn):
        low, high = runs[noise]
        return metric(low, fn) - metric(high, fn)

    for name, fn, minimum in (("friction", window_mean("friction_index", 50), 0.5),
                              ("rework", window_mean("rework_share", 50), 0.01)):
        did = Diff(gap(0.3, fn), gap(0.02, fn))
        assert did.positive() and did.mean > minimum, (name, did)


def test_p4_low_ownership_escalates_waits_and_meets():
    """P4: low ownership gives more escalations, longer decision latency, more meeting load,
    more customer waiting and more repeated explanations."""
    base = {"pressure": {"baseline": 0.8}}
    low = run_many(merge(base, lev(ownership=0.15)))
    high = run_many(merge(base, lev(ownership=0.85)))
    for col, minimum in [("escalation_rate", 0.03), ("decision_latency", 0.5), ("meeting_load", 0.002),
                         ("customers_waiting", 0.005), ("wait_mean", 0.5),
                         ("explanations_per_request", 0.01)]:
        d = Diff(metric(low, window_mean(col, 50)), metric(high, window_mean(col, 50)))
        assert d.positive() and d.mean > minimum, (col, d)


def test_p5_low_clarity_misaligns_and_contradicts():
    """P5: low clarity gives lower alignment, more inconsistent answers and more bounce-backs
    (under changes of direction: two moderate shocks that move the market's need)."""
    base = {"events": [dict(SHOCK, pressure=0.5), dict(SHOCK, step=130, pressure=0.5)]}
    low = run_many(merge(base, lev(clarity=0.15)))
    high = run_many(merge(base, lev(clarity=0.85)))
    align = Diff(metric(high, window_mean("alignment", 50)), metric(low, window_mean("alignment", 50)))
    assert align.positive() and align.mean > 0.05, align
    for col in ("inconsistent_rate", "bounce_rate"):
        d = Diff(metric(low, window_mean(col, 50)), metric(high, window_mean(col, 50)))
        assert d.positive() and d.mean > 0.01, (col, d)


def _lag_to_half(s, _u, col="friction_seen"):
    """Days from the shock until ``col`` first covers half of the actual friction rise."""
    f = s["friction_index"].rolling(7).mean().to_numpy()
    before = np.nanmean(f[30:SHOCK["step"]])
    rise = np.nanmax(f[SHOCK["step"]:SHOCK_END]) - before
    seen = s[col].to_numpy()[SHOCK["step"]:]
    hit = np.flatnonzero(seen >= before + 0.5 * rise)
    return float(hit[0]) if hit.size else float(len(seen))


def test_p6_low_empathy_tires_loses_people_and_hears_late():
    """P6: low empathy gives more fatigue and attrition (a 60-team organisation under rising
    pressure, for enough leavers to compare), and friction reaches leadership later."""
    base = {"org": {"teams": 60, "divisions": 4}, "pressure": {"timeline": [[0, 0.3], [200, 1.5]]}}
    low = run_many(merge(base, lev(empathy=0.15)))
    high = run_many(merge(base, lev(empathy=0.85)))
    fatigue = Diff(metric(low, window_mean("fatigue", 50)), metric(high, window_mean("fatigue", 50)))
    leavers = Diff(metric(low, total("attrition")), metric(high, total("attrition")))
    assert fatigue.positive() and fatigue.mean > 0.02, fatigue
    assert leavers.positive(), leavers
    shocked_low = run_many(merge(lev(empathy=0.15), {"events": [SHOCK]}))
    shocked_high = run_many(merge(lev(empathy=0.85), {"events": [SHOCK]}))
    late = Diff(metric(shocked_low, _lag_to_half), metric(shocked_high, _lag_to_half))
    assert late.positive() and late.mean >= 2, late  # at least two days later


def test_p7_working_harder_for_smaller_results():
    """P7: under misalignment (low clarity and resilience, after a shock) effort rises while
    value falls: against its own pre-shock level the misaligned organisation spends more effort
    and delivers less value, and it turns effort into value less well than an aligned one.

    Measured on the merged model (market fit of issue 10 on top of issue 11's demand, warm start,
    chasers and erosion), 20 seeds: effort +9.00 [8.02, 9.97] person-days a day above the
    pre-shock level; value falls by 51.8 [48.9, 54.6] of 89.8; value per effort 0.209 against
    0.443 for the aligned organisation (difference 0.234 [0.218, 0.249]).  No knock-out is
    asserted: with the misfit parameters and ``decisions.error_misfit`` at 0 the effort still rises,
    +5.26 [3.92, 6.59] (a load the shock leaves without misfit, not attributed further), so the misfit adds
    +3.74 [1.98, 5.50] to the rise but does not cause all of it (on the ``model10`` branch, before
    issue 11, the rise vanished: -0.52 [-1.53, 0.49]).  docs/validation.md."""
    misaligned = run_many(merge(lev(clarity=0.15, resilience=0.15), {"events": [SHOCK]}))
    aligned = run_many(merge(lev(clarity=0.85, resilience=0.85), {"events": [SHOCK]}))
    pre, post = window_mean("effort", 20, 60), window_mean("effort", SHOCK_END, 200)
    effort_up = Diff(metric(misaligned, post), metric(misaligned, pre))
    vpre, vpost = window_mean("value", 20, 60), window_mean("value", SHOCK_END, 200)
    value_down = Diff(metric(misaligned, vpre), metric(misaligned, vpost))
    assert effort_up.positive(), effort_up
    assert value_down.positive() and value_down.mean > 0.1 * metric(misaligned, vpre).mean(), value_down

    def efficiency(s, _u):
        return float(s["value"].iloc[SHOCK_END:].sum() / s["effort"].iloc[SHOCK_END:].sum())

    worse = Diff(metric(aligned, efficiency), metric(misaligned, efficiency))
    assert worse.positive(), worse


def _eta_squared(_s, units):
    """Share of the variance of team engagement between teams explained by their manager."""
    t = units[units.kind == "team"]
    grand = t.engagement.mean()
    between = ((t.groupby("parent").engagement.transform("mean") - grand) ** 2).sum()
    return float(between / ((t.engagement - grand) ** 2).sum())


def test_p8_the_manager_is_the_pivot():
    """P8: with managers who differ, manager traits explain most of the between-team variance
    in engagement (Gallup: at least 70%).  Variance decomposition (eta squared of a one-way
    layout of teams by manager; 40 teams under 4 managers, where chance alone gives about
    3/39 = 0.08): mean over seeds >= 0.70 with a 95% CI lower bound above 0.6; with identical
    managers the share collapses (control).

    Not a tuning of ``people.engagement_follow`` (0.85): the same criterion holds with the weight
    at 0.7, the seed's literal "70% depends on the manager".  The share is about
    f^2 s_m^2 / (f^2 s_m^2 + (1 - f)^2 s_t^2): what it rests on is the spread of managers'
    engagement (``managers.engagement_sd`` 0.15, plus their levers' lift) against the spread of a
    team's own baseline (``people.team_engagement_sd`` 0.05), with f = engagement_follow (8 seeds:
    0.97 at f 0.85, 0.94 at 0.7, 0.83 at 0.5; 0.94 at f 0.85 with s_t = s_m = 0.15)."""
    base = {"org": {"teams": 40, "divisions": 4, "depth": 1}}
    identical = metric(run_many(merge(base, {"managers": {"heterogeneity": 0.0, "engagement_sd": 0.0}})),
                       _eta_squared)
    for follow in (0.85, 0.7):
        differing = metric(run_many(merge(base, {"people": {"engagement_follow": follow}})), _eta_squared)
        d = Diff(differing, identical)
        lo = differing.mean() - 2.1 * differing.std(ddof=1) / np.sqrt(differing.size)
        assert differing.mean() >= 0.70 and lo > 0.6, (follow, differing)
        assert d.positive() and d.mean > 0.3, (follow, d)


def test_p9_leverage_with_a_lag():
    """P9: raising all four levers at day 100 in a weak organisation under pressure improves
    customer experience only after a delay: no significant friction gain in the first week,
    a significant and larger one in days 130-200; satisfaction follows later still."""
    base = merge(lev(**LOW), {"pressure": {"baseline": 0.8}})
    iv = {"events": [{"type": "lever", "step": 100, "lever": name, "value": 0.85} for name in LOW]}
    control, treated = run_many(base), run_many(merge(base, iv))
    week = Diff(metric(control, window_mean("friction_index", 100, 107)),
                metric(treated, window_mean("friction_index", 100, 107)))
    later = Diff(metric(control, window_mean("friction_index", 130, 200)),
                 metric(treated, window_mean("friction_index", 130, 200)))
    assert later.positive() and later.mean > 1.0, later
    assert later.mean > 3 * abs(week.mean), (week, later)
    sat_week = Diff(metric(treated, window_mean("satisfaction", 100, 107)),
                    metric(control, window_mean("satisfaction", 100, 107)))
    sat_later = Diff(metric(treated, window_mean("satisfaction", 150, 200)),
                     metric(control, window_mean("satisfaction", 150, 200)))
    assert sat_later.positive() and sat_later.mean > 0.03, sat_later
    assert not sat_week.positive() or sat_week.mean < 0.2 * sat_later.mean, (sat_week, sat_later)


def test_p10_deeper_hierarchies_amplify_overreaction_and_delay():
    """P10: the same 32 teams under four manager levels rather than two (spans 2 against 4),
    with low resilience and unclear rights under pressure: each pivot moves the teams' priorities
    more (priority churn per pivot), decisions take longer, and customers feel more friction."""
    base = {"org": {"teams": 32, "divisions": 2}, "pressure": {"baseline": 1.0, "noise": 0.1},
            "levers": {"resilience": 0.2, "ownership": 0.05}}
    deep = run_many(merge(base, {"org": {"depth": 4}}))
    flat = run_many(merge(base, {"org": {"depth": 2}}))

    def churn_per_pivot(s, _u):
        return float(s["priority_churn"].sum() / max(s["pivots"].sum(), 1))

    amplification = Diff(metric(deep, churn_per_pivot), metric(flat, churn_per_pivot))
    latency = Diff(metric(deep, window_mean("decision_latency", 50)), metric(flat, window_mean("decision_latency", 50)))
    friction = Diff(metric(deep, window_mean("friction_index", 50)), metric(flat, window_mean("friction_index", 50)))
    assert amplification.positive() and amplification.mean > 0.01, amplification
    assert latency.positive(), latency
    assert friction.positive(), friction
