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
from patterns_util import HIGH, LOW, SHOCK, Diff, assert_gone, merge, metric, run_many, runs, total, window_mean

from sim.model.orggraph import generate_org
from sim.model.params import ModelParams

pytestmark = pytest.mark.patterns

SHOCK_END = SHOCK["step"] + SHOCK["duration"]


def lev(**levers):
    return {"levers": levers}


SLACK_OFF = {"handoffs": {"reconcile": 0.0}, "signals": {"clarify": 0.0}}


def p1_gaps(extra: dict | None = None) -> tuple[Diff, Diff]:
    """Low-minus-high CORE friction gaps (days 50-200) in calm conditions and under SHOCK."""
    extra = extra or {}
    friction = window_mean("friction_index", 50)
    stable = Diff(metric(run_many(merge(extra, lev(**LOW))), friction),
                  metric(run_many(merge(extra, lev(**HIGH))), friction))
    shocked = Diff(metric(run_many(merge(extra, lev(**LOW), {"events": [SHOCK]})), friction),
                   metric(run_many(merge(extra, lev(**HIGH), {"events": [SHOCK]})), friction))
    return stable, shocked


def test_p1_core_matters_little_when_stable_and_much_under_shock():
    """P1: in stable conditions CORE makes only a small difference.  'Small' is relative: the
    stable low-minus-high friction gap must be under 40% of the same gap under a pressure
    shock (means over seeds), and the shock gap must itself be significant.

    The mechanism is slack (docs/ODD.md 7.3 and 7.6.3): a team with time in hand settles a
    disagreement with the team it hands work to before the customer hears an answer
    (``handoffs.reconcile``; Galbraith 1973) and asks what a relayed change means before reading it
    through its lens (``signals.clarify``; Daft and Lengel 1986).  In calm conditions teams have
    slack, so low clarity and a low-resilience executive's pivots on calm noise reach customers
    less; under a shock nobody has time.  The knock-out is the next test."""
    stable, shocked = p1_gaps()
    assert shocked.positive(), shocked
    assert abs(stable.mean) < 0.4 * shocked.mean, (stable, shocked)


def test_p1_knockout_without_slack_core_costs_as_much_when_calm():
    """P1's knock-out: with both slack mechanisms off (``handoffs.reconcile`` 0, ``signals.clarify``
    0) every disagreement and every lens pull reaches customers whatever the load, and the calm gap
    is no longer small: at least 40% of the shock gap (measured before the mechanisms: 62%, 20
    seeds)."""
    stable, shocked = p1_gaps(SLACK_OFF)
    assert shocked.positive(), shocked
    assert abs(stable.mean) >= 0.4 * shocked.mean, (stable, shocked)


# P2's knock-out: the routes by which the shock's load reaches low CORE's weak points switched off
# together: calls outside precedent (and the shock's extra ones), the leaders' reactions (pivots, the
# canary's pivots and fixes), strain on people (fatigue, overtime) and the rework that low engagement
# and misreadings add; the shock's demand (``pressure.demand_gain`` 0.6 x pressure) still hits
P2_KNOCKED = {
    "decisions": {"complexity": 0.0, "complexity_gain": 0.0},
    "demand": {"decision_gain": 0.0},
    "signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0},
    "canary": {"pivot_propensity": 0.0, "fix_propensity": 0.0},
    "people": {"strain_gain": 0.0, "first_time_gain": 0.0},
    "work": {"overtime_max": 0.0},
    "handoffs": {"bounce_rework": 0.0},
}


def test_p2_low_core_spikes_higher_and_recovers_slower():
    """P2: under a shock, low CORE shows a larger friction spike (peak of the 7-day mean during
    the shock) and a slower recovery (friction in the 60 days after the shock, above its own
    pre-shock level).

    Mechanism: an interaction of the shock's load with the routes by which low CORE costs service;
    no one route carries it.  The shock raises demand (``pressure.demand_gain`` 0.6 x pressure 1.7:
    43 requests a day against 24) until every team has a queue, and low CORE pays on that queue:
    calls outside precedent climb and are met on (``decisions.complexity``, and the shock's extra
    ones, ``complexity_gain``, ``demand.decision_gain``; ownership), the low-resilience leader and
    the canary pivot on the shock's signals (``signals.min_pivot_*``, ``canary.pivot_propensity``)
    while the high-CORE leadership fixes (``canary.fix_propensity``, clarity x empathy), overload
    and overtime tire people whom low empathy does not shield (``people.strain_gain``,
    ``work.overtime_max``), and disengaged teams and misreadings redo work (``people.first_time_gain``,
    ``handoffs.bounce_rework``).  Knock-out (``P2_KNOCKED``, all of these together): the shock
    still hits (friction per 100 customers from 0.66 before it to 11.4 during it in the low arm,
    0.67 to 11.6 in the high arm; asserted > 1 in each arm) but the spike and the slower recovery
    must be gone (``assert_gone``, the 1.0 minimums asserted): 20 seeds, on +9.35 [7.95, 10.75] /
    +8.49 [7.59, 9.38], off -0.23 [-0.81, +0.35] / -0.22 [-0.44, +0.01].  So the pattern is in
    these channels, not in the shock's load on its own, nor in the initial state.  (With the
    pivots off no one re-reads the shock's need shift either, so the clarity channels that stay on
    act in neither arm.)
    Screens (spike / slower recovery): switching off only the shock's channels other than its
    demand (noise, need shift, complexity, decision share, expectations) leaves +6.75 / +8.73 (8
    seeds); the set without ``first_time_gain`` and ``bounce_rework`` leaves +1.19 [0.26, 2.11] /
    +0.13 (20 seeds); without one of them +0.32 / +0.07 or +0.46 / +0.20 (20 seeds; both are kept).
    Leaving one route on in the set without those two (8 seeds; all off: +0.29 / +0.16): the
    executive's pivots +3.82 / +4.18, the canary's pivots +3.69 / +3.76, its fixes +1.19 / +1.03,
    ``complexity`` +1.79 / +1.08, ``complexity_gain`` +3.02 / +1.31, ``decision_gain`` +1.11 /
    +0.45, overtime +1.83 / -0.05, fatigue (``strain_gain``) +2.20 / +2.26.
    Earlier single screens (issue 10 s4, 20 seeds) left +7.4 to +15.2: the levers act jointly.
    docs/validation.md, "P2 and P9 knock-outs"."""
    low = runs(merge(lev(**LOW), {"events": [SHOCK]}))
    high = runs(merge(lev(**HIGH), {"events": [SHOCK]}))
    low_off = runs(merge(P2_KNOCKED, lev(**LOW), {"events": [SHOCK]}))
    high_off = runs(merge(P2_KNOCKED, lev(**HIGH), {"events": [SHOCK]}))

    def peak(s, _u):
        return float(s["friction_index"].rolling(7).mean().iloc[SHOCK["step"]:SHOCK_END + 1].max())

    def lingering(s, _u):
        f = s["friction_index"].to_numpy()
        return float(f[SHOCK_END:SHOCK_END + 60].mean() - f[20:SHOCK["step"]].mean())

    spike = Diff(metric(low, peak), metric(high, peak))
    slow = Diff(metric(low, lingering), metric(high, lingering))
    assert spike.positive() and spike.mean > 1.0, spike  # > 1 friction unit per 100 customers
    assert slow.positive() and slow.mean > 1.0, slow
    for arm in (low_off, high_off):  # knocked out, the shock still hits: friction during it above before it
        shock = Diff(metric(arm, window_mean("friction_index", SHOCK["step"], SHOCK_END)),
                     metric(arm, window_mean("friction_index", 20, SHOCK["step"])))
        assert shock.positive() and shock.mean > 1.0, shock
    assert_gone(Diff(metric(low_off, peak), metric(high_off, peak)), spike, 1.0, "spike")
    assert_gone(Diff(metric(low_off, lingering), metric(high_off, lingering)), slow, 1.0, "slower recovery")


# P3's knock-out: every leader, whatever its resilience, is Sterman's (1989) average subject
# (theta 0.36, alpha 0.26, beta 0.34) with the minimum pivot of resilience 0.5 (0.0165)
P3_KNOCKED = {"signals": {"theta_min": 0.36, "theta_max": 0.36, "alpha_min": 0.26, "alpha_max": 0.26,
                          "beta_min": 0.34, "beta_max": 0.34, "min_pivot_min": 0.0165, "min_pivot_max": 0.0165}}


def _p3_runs(noise: float, knocked: bool = False):
    base = merge({"pressure": {"baseline": 0.8, "noise": noise}}, P3_KNOCKED if knocked else {})
    return runs(merge(base, lev(resilience=0.15))), runs(merge(base, lev(resilience=0.85)))


def _p3_effects(low, high) -> dict[str, Diff]:
    return {"pivots": Diff(metric(low, total("pivots")), metric(high, total("pivots"))),
            "rework": Diff(metric(low, window_mean("rework_share", 50)), metric(high, window_mean("rework_share", 50))),
            "commitment": Diff(metric(high, window_mean("commitment", 50)), metric(low, window_mean("commitment", 50))),
            "friction": Diff(metric(low, window_mean("friction_index", 50)),
                             metric(high, window_mean("friction_index", 50)))}


@pytest.mark.parametrize("noise", [0.02, 0.15])
def test_p3_low_resilience_pivots_reworks_and_frustrates(noise):
    """P3: low resilience gives more pivots, more rework, lower commitment, more friction.

    Mechanism (signals.py; docs/ODD.md 7.6): resilience sets each leader's anchoring and
    adjustment (Sterman 1989): at resilience 0.15 a leader takes noise for trend
    (``signals.theta_max`` 0.7), corrects a large share of the gap (``alpha_max`` 0.6), ignores its
    supply line (``beta_min`` 0.05) and pivots on tiny gaps (``min_pivot_min`` 0.003); at 0.85 it
    smooths (``theta_min`` 0.15, ``alpha_min`` 0.15), counts its supply line (``beta_max`` 1) and
    needs a gap of ``min_pivot_max`` 0.03.  Each change a team receives reworks work in progress
    (``signals.rework_gain`` 1.5), costs commitment (``commitment_drop`` 1.0) and, re-read through
    its lens, misaligns it.  Knock-out (at noise 0.02, whose runs the noise test reuses):
    ``P3_KNOCKED``, every leader Sterman's average subject whatever its resilience: the four
    effects must be gone (``assert_gone``; minimums 3 pivots, 0.01 rework share (the noise test's),
    0.05 commitment, 0.5 friction).  Resilience acts on nothing else, so they vanish exactly.
    Screened (8 seeds): no part of the heuristic carries it alone: with theta and the minimum pivot
    equal the low-resilience leader still pivots 20.8 times more (alpha and beta), with the minimum
    pivot alone equal 14.5; with ``rework_gain`` and ``commitment_drop`` at 0 rework and commitment
    gaps vanish but the friction gap stays (7.3 of 9.8: misreading of the pivots, not rework)."""
    low, high = _p3_runs(noise)
    eff = _p3_effects(low, high)
    pivots, rework, commit, friction = eff["pivots"], eff["rework"], eff["commitment"], eff["friction"]
    assert pivots.positive() and pivots.mean >= 3, pivots
    assert rework.positive(), rework
    assert commit.positive() and commit.mean > 0.05, commit
    assert friction.positive() and friction.mean > 0.5, friction
    if noise == 0.02:
        off = _p3_effects(*_p3_runs(noise, knocked=True))
        for name, minimum in (("pivots", 3), ("rework", 0.01), ("commitment", 0.05), ("friction", 0.5)):
            assert_gone(off[name], eff[name], minimum, name)


def test_p3_resilience_effect_grows_with_signal_noise():
    """P3: the cost of low resilience grows with signal noise: the gap between low and high
    resilience in rework and in customer friction (paired difference-in-differences over seeds,
    noise 0.3 against 0.02, 95% CI above zero and a minimum effect).

    The count of pivots is not asserted: with Sterman's adjustment (no windup) a low-resilience
    executive already pivots at almost every weekly review at low noise (27.8 of 28), so the count
    is at its ceiling and cannot grow; what grows with noise is what the pivots cost (measured
    before this change: the friction gap did not grow, DiD -0.19 [-0.73, 0.35]; after it, 8 seeds:
    friction +1.55 [0.96, 2.13], rework +0.050 [0.041, 0.058]).  docs/validation.md.

    Mechanism and constants: those of the test above (the low-resilience leader lets noise through
    its expectation, theta 0.7 against 0.15, and acts on it, alpha 0.6, minimum pivot 0.003).
    Knock-out: ``P3_KNOCKED`` at both noise levels: the difference-in-differences must be gone
    (``assert_gone``, the minimums asserted here).  The noise 0.02 runs are the test above's.
    Screened (8 seeds): the noise filter alone (theta and the minimum pivot equal) does not carry
    it: the DiD falls from +2.71 to +1.48 [0.61, 2.35] friction and from +0.037 to +0.027 rework;
    alpha and beta (acting on what passes the filter) carry the rest."""
    runs_by = {noise: _p3_runs(noise) for noise in (0.02, 0.3)}
    off_by = {noise: _p3_runs(noise, knocked=True) for noise in (0.02, 0.3)}

    def gap(by, noise, fn):
        low, high = by[noise]
        return metric(low, fn) - metric(high, fn)

    for name, fn, minimum in (("friction", window_mean("friction_index", 50), 0.5),
                              ("rework", window_mean("rework_share", 50), 0.01)):
        did = Diff(gap(runs_by, 0.3, fn), gap(runs_by, 0.02, fn))
        assert did.positive() and did.mean > minimum, (name, did)
        assert_gone(Diff(gap(off_by, 0.3, fn), gap(off_by, 0.02, fn)), did, minimum, name)


def test_p4_low_ownership_escalates_waits_and_meets():
    """P4: low ownership gives more escalations, longer decision latency, more meeting load,
    more customer waiting and more repeated explanations.

    Mechanism (docs/ODD.md, decisions): a call outside settled precedent (share
    ``decisions.complexity`` 0.3 + ``complexity_gain`` 0.5 x pressure) is the front team's own only
    with probability its manager's ownership; otherwise the right sits higher and the call climbs
    (``escalate`` 0.5, ``bounce`` 0.15) or is met on (``meeting_cost`` 0.5, ``meeting_resolve`` 0.3),
    and teams unsure of their rights over-check (``work.overcheck`` 0.3 x complexity).  Knock-out:
    ``decisions.complexity`` and ``complexity_gain`` at 0 (every call within precedent) and, since
    issue 11, ``people.first_time_gain`` at 0: ownership also lifts engagement, and engaged teams
    resolve first time, so customers wait less (with that channel on, customers waiting keeps
    +0.0095 [-0.003, +0.022] of its +0.068, 20 seeds, above the 0.005 minimum): all six
    effects must be gone (``assert_gone``: mean below the minimum each column asserts, 95% CI below
    the on effect)."""
    base = {"pressure": {"baseline": 0.8}}
    knocked = {"decisions": {"complexity": 0.0, "complexity_gain": 0.0}, "people": {"first_time_gain": 0.0}}
    low = runs(merge(base, lev(ownership=0.15)))
    high = runs(merge(base, lev(ownership=0.85)))
    low_off = runs(merge(base, lev(ownership=0.15), knocked))
    high_off = runs(merge(base, lev(ownership=0.85), knocked))
    for col, minimum in [("escalation_rate", 0.03), ("decision_latency", 0.5), ("meeting_load", 0.002),
                         ("customers_waiting", 0.005), ("wait_mean", 0.5),
                         ("explanations_per_request", 0.01)]:
        d = Diff(metric(low, window_mean(col, 50)), metric(high, window_mean(col, 50)))
        assert d.positive() and d.mean > minimum, (col, d)
        off = Diff(metric(low_off, window_mean(col, 50)), metric(high_off, window_mean(col, 50)))
        assert_gone(off, d, minimum, col)


def test_p5_low_clarity_misaligns_and_contradicts():
    """P5: low clarity gives lower alignment, more inconsistent answers and more bounce-backs
    (under changes of direction: two moderate shocks that move the market's need).

    Mechanism (signals.py ``cascade``; decisions.py): readings start identical, so the pattern is
    not in the initial state; every change of direction a team receives is re-read through its
    own lens, with a pull and a noise (``signals.read_noise`` 0.25) that grow with (1 - clarity)
    and with the size of the change (full at ``signals.lens_scale`` 0.3); teams that read apart
    answer inconsistently (``handoffs.inconsistency_gain`` 1.5) and bounce work
    (``handoffs.bounce_gain`` 1.0); and unprecedented calls err in proportion to 1 - clarity
    (``decisions.error_max`` 0.8).  Knock-out: no change of direction to re-read
    (``signals.min_pivot_min`` and ``min_pivot_max`` at 1: no adjustment is ever large enough, so
    the executive never pivots), no pivot or fix on customer friction either (``canary.pivot_propensity``
    and ``fix_propensity`` at 0, issue 11: with them on, inconsistent answers keep +0.028 [0.015,
    0.042] of +0.098, 20 seeds) and ``decisions.error_max`` at 0: the three effects must be gone
    (``assert_gone``, minimums as asserted).  The lens pull has no parameter of its own: with
    ``read_noise`` 0, ``lens_scale`` 1 (its maximum), ``socialisation_floor`` 1 and ``error_max`` 0
    the effects only halve (8 seeds: alignment +0.053, inconsistent +0.063, bounce +0.029)."""
    base = {"events": [dict(SHOCK, pressure=0.5), dict(SHOCK, step=130, pressure=0.5)]}
    knocked = {"signals": {"min_pivot_min": 1.0, "min_pivot_max": 1.0}, "decisions": {"error_max": 0.0},
               "canary": {"pivot_propensity": 0.0, "fix_propensity": 0.0}}
    low = runs(merge(base, lev(clarity=0.15)))
    high = runs(merge(base, lev(clarity=0.85)))
    low_off = runs(merge(base, lev(clarity=0.15), knocked))
    high_off = runs(merge(base, lev(clarity=0.85), knocked))
    align = Diff(metric(high, window_mean("alignment", 50)), metric(low, window_mean("alignment", 50)))
    assert align.positive() and align.mean > 0.05, align
    assert_gone(Diff(metric(high_off, window_mean("alignment", 50)), metric(low_off, window_mean("alignment", 50))),
                align, 0.05, "alignment")
    for col in ("inconsistent_rate", "bounce_rate"):
        d = Diff(metric(low, window_mean(col, 50)), metric(high, window_mean(col, 50)))
        assert d.positive() and d.mean > 0.01, (col, d)
        assert_gone(Diff(metric(low_off, window_mean(col, 50)), metric(high_off, window_mean(col, 50))), d, 0.01, col)


def _lag_to_half(s, _u, col="friction_seen"):
    """Days from the shock until ``col`` first covers half of the actual friction rise."""
    f = s["friction_index"].rolling(7).mean().to_numpy()
    before = np.nanmean(f[30:SHOCK["step"]])
    rise = np.nanmax(f[SHOCK["step"]:SHOCK_END]) - before
    seen = s[col].to_numpy()[SHOCK["step"]:]
    hit = np.flatnonzero(seen >= before + 0.5 * rise)
    return float(hit[0]) if hit.size else float(len(seen))


# P6's knock-out: empathy's channels to people and to leadership's hearing switched off together
P6_KNOCKED = {"people": {"empathy_buffer": 0.0, "empathy_recovery": 0.0}, "signals": {"empathy_speedup": 0.0},
              "managers": {"engagement_core_weight": 0.0}}


def _p6_effects(knocked: bool = False):
    extra = P6_KNOCKED if knocked else {}
    base = {"org": {"teams": 60, "divisions": 4}, "pressure": {"timeline": [[0, 0.3], [200, 1.5]]}}
    low = run_many(merge(base, lev(empathy=0.15), extra))
    high = run_many(merge(base, lev(empathy=0.85), extra))
    fatigue = Diff(metric(low, window_mean("fatigue", 50)), metric(high, window_mean("fatigue", 50)))
    leavers = Diff(metric(low, total("attrition")), metric(high, total("attrition")))
    shocked_low = run_many(merge(lev(empathy=0.15), {"events": [SHOCK]}, extra))
    shocked_high = run_many(merge(lev(empathy=0.85), {"events": [SHOCK]}, extra))
    late = Diff(metric(shocked_low, _lag_to_half), metric(shocked_high, _lag_to_half))
    return fatigue, leavers, late, float(metric(high, total("attrition")).mean())


def test_p6_low_empathy_tires_loses_people_and_hears_late():
    """P6: low empathy gives more fatigue and attrition (a 60-team organisation under rising
    pressure, for enough leavers to compare), and friction reaches leadership later.

    Knock-out (issue 10 s4): empathy's channels switched off together: the strain an empathic manager
    absorbs and the recovery it speeds (``people.empathy_buffer``, ``empathy_recovery`` 0, seed 000
    Empathy), its lift of managers' engagement (``managers.engagement_core_weight`` 0; ownership's
    share of that lift goes too, but ownership is the same in both arms) and its shortening of the
    report delay (``signals.empathy_speedup`` 0).  Empathy's price (``managers.empathy_time``) and its
    part in the canary stay.  The three effects must be gone (``assert_gone``): fatigue below the
    0.02 asserted, the lag below the 2 days asserted, and leavers, where the test asserts only a
    positive difference, below a tenth of the high-empathy arm's own leavers (a difference of people
    lost smaller than that is not an attrition effect a reader would act on).  Main, 20 seeds: on
    fatigue +0.151 [0.142, 0.160], leavers +21.6 [16.2, 27.0] (of 44.6), lag +8.05 [7.40, 8.70]
    days; off -0.002 [-0.015, 0.011], +3.85 [-2.36, 10.06] (minimum 4.46: a thin margin; the rest
    is the canary's and the price's share), +0.75 [0.18, 1.32] days."""
    fatigue, leavers, late, high_leavers = _p6_effects()
    assert fatigue.positive() and fatigue.mean > 0.02, fatigue
    assert leavers.positive(), leavers
    assert late.positive() and late.mean >= 2, late  # at least two days later
    off_fatigue, off_leavers, off_late, _ = _p6_effects(knocked=True)
    assert_gone(off_fatigue, fatigue, 0.02, "fatigue")
    assert_gone(off_leavers, leavers, 0.1 * high_leavers, "leavers")
    assert_gone(off_late, late, 2.0, "hearing late")


# P7's knock-out: every cost of a misread or changed direction switched off
P7_KNOCKED = {"work": {"misfit_exponent": 0.0},
              "handoffs": {"misfit_inconsistency": 0.0, "misfit_bounce": 0.0, "inconsistency_gain": 0.0,
                           "bounce_gain": 0.0},
              "decisions": {"error_misfit": 0.0, "error_max": 0.0},
              "signals": {"rework_gain": 0.0, "commitment_drop": 0.0}}


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
    issue 11, the rise vanished: -0.52 [-1.53, 0.49]).  docs/validation.md.

    Knock-out of the part that isolates misalignment, the efficiency gap with the aligned
    organisation: every cost of a misread or changed direction switched off together (the market
    fit's slowdown, inconsistency and bounces, ``work.misfit_exponent`` and ``handoffs.misfit_*`` 0;
    hand-offs between units that read the priorities differently, ``handoffs.inconsistency_gain``
    and ``bounce_gain`` 0; wrong calls, ``decisions.error_max`` and ``error_misfit`` 0; pivots'
    rework and lost commitment, ``signals.rework_gain`` and ``commitment_drop`` 0).  The gap must be
    gone (``assert_gone``; the test asserts only a positive gap, so the minimum is a tenth of the
    aligned organisation's own value per effort, 0.044).  Main, 20 seeds: on +0.170 [0.153, 0.187],
    off +0.020 [0.012, 0.028] (what is left is low resilience's pivots reaching teams at all).  The misaligned
    organisation's own effort rise is not knocked out: off it
    is +3.1 [1.9, 4.2] person-days a day (the aligned one's +1.6), the shock's lasting load."""
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
    misaligned_off = run_many(merge(lev(clarity=0.15, resilience=0.15), {"events": [SHOCK]}, P7_KNOCKED))
    aligned_off = run_many(merge(lev(clarity=0.85, resilience=0.85), {"events": [SHOCK]}, P7_KNOCKED))
    assert_gone(Diff(metric(aligned_off, efficiency), metric(misaligned_off, efficiency)), worse,
                0.1 * float(metric(aligned, efficiency).mean()), "value per effort")


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


# P9's knock-out: the stocks the improvement must refill switched to fast together: the stock of
# open requests bounded (a customer holds one open request at a time) and the internal stocks
# renewed within a day (priorities re-read and socialised, commitment, engagement; no fatigue)
P9_FAST = {
    "demand": {"max_open": 1},
    "signals": {"refresh": 1.0, "socialisation": 1.0, "commitment_recovery": 1.0},
    "managers": {"engagement_rate": 1.0},
    "people": {"strain_gain": 0.0},
}


def test_p9_leverage_with_a_lag():
    """P9: raising all four levers at day 100 in a weak organisation under pressure improves
    customer experience only after a delay: no significant friction gain in the first week,
    a significant and larger one in days 130-200; satisfaction follows later still.

    Mechanism: stocks that the improvement refills at their own pace, and that hold one another
    back.  Decomposing the control-minus-treated gap by window (days 100-106, 107-113, 114-129,
    130-199; 8 seeds): friction +0.42, +0.92, +3.0, +11.4; open requests in work 0.8, 12, 65, 225;
    fatigue 0.02, 0.06, 0.14, 0.30; commitment 0.01, 0.03, 0.07, 0.21; alignment 0.01, 0.03, 0.06,
    0.11 (headcount: no lag, -1.5 of 170 people later).  The treated organisation starts with the control's
    backlog (about 525 requests in work), which drains only at capacity less demand; its capacity
    itself returns slowly (completions 10 a day rising to 25 over 60 days) because fatigue cannot
    recover while the backlog strains (recovery x max(0, 1 - strain), people.py), priorities are
    re-read at ``signals.refresh`` 0.1 a day, commitment recovers at ``commitment_recovery`` 0.02
    and engagement at ``managers.engagement_rate`` 0.05.  Knock-out (``P9_FAST``: the stock of open
    requests bounded, ``demand.max_open`` 1, and the internal stocks renewed within a day,
    ``signals.refresh`` and ``socialisation`` 1, ``commitment_recovery`` 1,
    ``managers.engagement_rate`` 1, no fatigue ``people.strain_gain`` 0): the gain stays (days
    130-199: +2.45 [2.32, 2.58], asserted > 1) but arrives at once (first week +1.01 [0.82, 1.20]),
    within about the customers' accepted wait (``customers.expected_wait`` 10 days).  The lag,
    later minus 3 x first week per seed (the test's criterion; the first-week gain is positive
    here), must be gone (``assert_gone``, minimum 0): 20 seeds, on +10.37 [9.57, 11.16], off -0.58
    [-1.12, -0.04].  (On: first week +0.49 [0.32, 0.66], days 130-199 +11.83 [11.19, 12.47].)  No
    single stock carries the lag; leaving one slow in the set (20 seeds, lag): the backlog
    (``max_open`` 8) +1.62 [0.88, 2.37], the readings +1.17 [0.57, 1.76], commitment +0.15, fatigue
    -0.15, engagement -0.04; the internal stocks alone fast (and ``customers.learning`` 1) leave a
    ratio of 4.4, the bounded backlog alone 5.7 (8 seeds); ``customers.renege`` 1 (overdue requests
    given up at once) removes most of the friction itself (2.6 a day before the change against 21)
    rather than its lag.  Satisfaction's own lag (it moves only as requests close) is not knocked out
    here.  The gain itself needs all four levers (one at a time, 8 seeds: clarity +1.65, empathy
    +1.30, resilience +0.94, ownership +0.42; sum 4.3 of 5.55; issue 10 s4 screen).
    docs/validation.md, "P2 and P9 knock-outs"."""
    base = merge(lev(**LOW), {"pressure": {"baseline": 0.8}})
    iv = {"events": [{"type": "lever", "step": 100, "lever": name, "value": 0.85} for name in LOW]}
    control, treated = runs(base), runs(merge(base, iv))
    control_off, treated_off = runs(merge(P9_FAST, base)), runs(merge(P9_FAST, base, iv))
    week_f, later_f = window_mean("friction_index", 100, 107), window_mean("friction_index", 130, 200)
    week = Diff(metric(control, week_f), metric(treated, week_f))
    later = Diff(metric(control, later_f), metric(treated, later_f))
    assert later.positive() and later.mean > 1.0, later
    assert later.mean > 3 * abs(week.mean), (week, later)
    sat_week = Diff(metric(treated, window_mean("satisfaction", 100, 107)),
                    metric(control, window_mean("satisfaction", 100, 107)))
    sat_later = Diff(metric(treated, window_mean("satisfaction", 150, 200)),
                     metric(control, window_mean("satisfaction", 150, 200)))
    assert sat_later.positive() and sat_later.mean > 0.03, sat_later
    assert not sat_week.positive() or sat_week.mean < 0.2 * sat_later.mean, (sat_week, sat_later)

    # knocked out, the gain stays (as large as the pattern asks) but arrives at once
    later_off = Diff(metric(control_off, later_f), metric(treated_off, later_f))
    assert later_off.positive() and later_off.mean > 1.0, later_off

    def lag(s, u):  # later friction less three times the first week's: the gain's lag, per seed
        return later_f(s, u) - 3 * week_f(s, u)

    assert_gone(Diff(metric(control_off, lag), metric(treated_off, lag)),
                Diff(metric(control, lag), metric(treated, lag)), 0.0, "lag")


P10 = {"org": {"teams": 32, "divisions": 2}, "pressure": {"baseline": 1.0, "noise": 0.1},
       "levers": {"resilience": 0.2, "ownership": 0.05}}


def managers(spec: dict) -> int:
    """Managers (the executive included) of the generated chart of ``spec``; the shape of the tree
    depends on teams, divisions and depth only, not on the draw."""
    g = generate_org(ModelParams.model_validate(spec).org, np.random.default_rng(0))
    return sum(1 for _, kind in g.nodes(data="kind") if kind != "team")


def test_p10_deeper_hierarchies_amplify_overreaction_and_delay():
    """P10: the same 32 teams under four manager levels rather than two (spans 2 against 4),
    with low resilience and unclear rights under pressure: each pivot moves the teams' priorities
    more (priority churn per pivot), and customers feel more friction.  (Decisions taking longer:
    the two tests below.)

    Mechanism (signals.py, docs/ODD.md 7.6): every manager relays its own manager's direction by
    Sterman's anchoring and adjustment; at resilience 0.2 it counts little of its supply line
    (beta 0.19, between ``signals.beta_min`` 0.05 and ``beta_mid`` 0.34) and overshoots, and each
    extra level overshoots again (the bullwhip): no gain per level is set anywhere.  Knock-out:
    ``signals.beta_min``, ``beta_mid`` and ``beta_max`` at 1 (every leader counts all that is under
    way, Sterman's rational weight: no overshoot): the amplification and the extra friction must be
    gone (``assert_gone``, minimum 0.01 churn per pivot as asserted, and 0.5 friction units, the
    smallest friction effect the other pattern tests accept).  The longer latency is not this
    mechanism's: it comes from calls climbing more levels (``decisions.escalate``; see
    ``test_p10_each_level_adds_delay_at_equal_management_capacity``)."""
    base = P10
    knocked = {"signals": {"beta_min": 1.0, "beta_mid": 1.0, "beta_max": 1.0}}
    deep = runs(merge(base, {"org": {"depth": 4}}))
    flat = runs(merge(base, {"org": {"depth": 2}}))
    deep_off = runs(merge(base, {"org": {"depth": 4}}, knocked))
    flat_off = runs(merge(base, {"org": {"depth": 2}}, knocked))

    def churn_per_pivot(s, _u):
        return float(s["priority_churn"].sum() / max(s["pivots"].sum(), 1))

    amplification = Diff(metric(deep, churn_per_pivot), metric(flat, churn_per_pivot))
    friction = Diff(metric(deep, window_mean("friction_index", 50)), metric(flat, window_mean("friction_index", 50)))
    assert amplification.positive() and amplification.mean > 0.01, amplification
    assert friction.positive(), friction
    assert_gone(Diff(metric(deep_off, churn_per_pivot), metric(flat_off, churn_per_pivot)), amplification, 0.01,
                "amplification")
    assert_gone(Diff(metric(deep_off, window_mean("friction_index", 50)),
                     metric(flat_off, window_mean("friction_index", 50))), friction, 0.5, "friction")


def test_p10_each_level_adds_delay_at_equal_management_capacity():
    """P10's delay: the same 32 teams under four manager levels rather than two take longer to decide,
    the two charts having the same management capacity in total (decisions a day, summed over
    their managers).

    Why the control is the claim's meaning: P10 says depth delays decisions, and MODEL.md step 4
    says how: a call without the right escalates up the reports-to chain, "each level adding
    delay".  The two generated charts differ in more than depth: the deep one has 31 managers
    (spans 2), the flat one 11 (spans 4), so at the default ``decisions.manager_capacity`` (2 a
    day each) the flat chart has about a third of the deep chart's capacity to take calls, and its
    managers queue (docs/ODD.md 7.4: a queue, delay grows as load nears capacity).  Depth is
    compared here with that resource held equal: the flat chart's managers each take
    ``manager_capacity * 31 / 11`` calls a day (5.64), the deep chart is the default one (the runs of
    the test above).  No seed passage speaks of hierarchical depth (in seeds 000-004 "couches"
    appears once, for tools; "niveaux" once, for customer targets; P10 is MODEL.md's own): the
    meaning comes from MODEL.md step 4.
    Without the control the effect is not significant (the strict expected failure below, whose
    reason traces why: the flat chart's managers are loaded, the deep chart's nearly idle).

    Mechanism (decisions.py, docs/ODD.md 7.4): a call outside precedent and the team's rights is
    drawn a height among the levels up to the executive (5 in the deep chart, 3 in the flat one);
    below it, each day it escalates one level (``decisions.escalate`` 0.5), bounces back
    (``bounce`` 0.15) or is met on (``meeting_resolve`` 0.3); at its height it waits for the
    manager's intermittent attention (``manager_attention`` 0.4).  Knock-out: ``decisions.escalate``
    at 0 (no call climbs: calls without the right are settled by consensus meetings at the front,
    whatever the depth), in both arms: the delay must be gone (``assert_gone``, minimum 0.5 days,
    the smallest latency effect another pattern test accepts (P4): the binding condition is the
    second, the upper end of the knocked-out interval below the effect).  ``decisions.complexity``
    at 0 does not switch the climb off here: at pressure 1 ``complexity_gain`` still puts half of
    the calls outside precedent (8 seeds, with the control: +0.17 [0.03, 0.31] days).  Measured on
    main ea2c703 (20 seeds): +0.167 [0.063, 0.271] days, knocked out -0.025 [-0.126, +0.076]; with
    managers' capacity never binding (``manager_capacity`` 100 in both arms) +0.35 [0.22, 0.49];
    replicated on seeds 2000-2019: +0.28 [0.12, 0.44] (uncontrolled there +0.19 [0.03, 0.36]).
    benchmarks/p10_delay.py, docs/validation.md "P10's delay traced"."""
    deep_spec = merge(P10, {"org": {"depth": 4}})
    flat_spec = merge(P10, {"org": {"depth": 2}})
    capacity = ModelParams().decisions.manager_capacity * managers(deep_spec) / managers(flat_spec)
    equal = {"decisions": {"manager_capacity": capacity}}
    no_climb = {"decisions": {"escalate": 0.0}}
    deep = runs(deep_spec)
    flat = runs(merge(flat_spec, equal))
    deep_off = runs(merge(deep_spec, no_climb))
    flat_off = runs(merge(flat_spec, equal, no_climb))
    latency = Diff(metric(deep, window_mean("decision_latency", 50)), metric(flat, window_mean("decision_latency", 50)))
    assert latency.positive(), latency
    assert_gone(Diff(metric(deep_off, window_mean("decision_latency", 50)),
                     metric(flat_off, window_mean("decision_latency", 50))), latency, 0.5, "decision latency")


@pytest.mark.xfail(strict=True, reason=(
    "traced, a documented finding (benchmarks/p10_delay.py; docs/validation.md 'P10's delay traced'): without "
    "a control the flat chart decides about as slowly as the deep one: +0.075 [-0.023, +0.173] days (20 seeds, "
    "main ea2c703; land10, before issue 11's loops: +0.21 [0.10, 0.33]; on seeds 2000-2019 it passes, +0.19 "
    "[0.03, 0.36]: uncontrolled, the effect is at the edge of what 20 seeds detect). Depth's own delay is there: "
    "an unclear "
    "call spends +0.75 [0.66, 0.84] more days below its right in the deep chart, and -0.46 [-0.54, -0.38] fewer "
    "at it: mostly because more deep calls end in a consensus meeting before reaching it (39% reach it against "
    "50%; -0.35 [-0.43, -0.27] with managers' capacity never binding), the rest because the flat chart's 11 "
    "managers (against 31) take 4 times as many calls (7.9 a day against 1.9: the overreacting deep chart "
    "finishes 2.8 requests a day "
    "against 15.0) at utilisations 0.31, 0.34, 0.17 (levels 0-2, against 0.02) and queue (a daily capacity of 1 "
    "or 2 binds; a call passed over waits for the next look). At equal total management capacity the delay is "
    "significant (+0.167 [0.063, 0.271], the test above). Each loop switched off alone restores it (20 seeds): "
    "decisions.error_max 0 +0.23 [0.06, 0.40] and managers.empathy_time 0 +0.29 [0.12, 0.46] by unloading the "
    "flat chart's managers (flat 3.38 -> 3.23, 3.19 days; referrals are 10% of its calls, empathy takes 15% of "
    "a manager's attention and capacity); people.first_time_gain 0 +0.27 [0.13, 0.40] and slack off +0.20 "
    "[0.09, 0.31] by the deep arm's KPI (3.45 -> 3.63, 3.56) while its latency per call hardly moves (3.48 -> "
    "3.50, 3.51): the KPI averages daily means and the deep chart settles 1.9 calls a day (a day without one "
    "carries the last). Per call, pooled over days 50-200: +0.123 [0.043, 0.204]; counting calls abandoned "
    "while waiting (13% deep, 12% flat) at their days so far: +0.127 [0.054, 0.201]"))
def test_p10_deeper_hierarchies_decide_later():
    """P10's delay without a control: the same 32 teams under four manager levels rather than two
    (and so 31 managers rather than 11) take longer to decide.  Kept as a strict expected failure:
    the uncontrolled comparison is a finding (flat charts with loaded managers decide as slowly), not
    hidden; the day it passes again the suite says so."""
    deep = runs(merge(P10, {"org": {"depth": 4}}))
    flat = runs(merge(P10, {"org": {"depth": 2}}))
    latency = Diff(metric(deep, window_mean("decision_latency", 50)), metric(flat, window_mean("decision_latency", 50)))
    assert latency.positive(), latency
