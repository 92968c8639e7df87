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
def satisfaction_drift(warm_start: int) -> np.ndarray:
    """Per seed: mean satisfaction over the last 60 days of a calm, stationary year minus the first
    60 (pressure 0.2, no events, the market's need held still: no trend for the organisation to miss)."""
    p = ModelParams.model_validate({"pressure": {"need_drift": 0.0}, "customers": {"warm_start": warm_start}})
    out = []
    for seed in SEEDS:
        m = AlignmentModel(params=p, seed=seed)
        m.run()
        df = m.series()
        out.append(df[df.step > 305].satisfaction.mean() - df[(df.step >= 1) & (df.step <= 60)].satisfaction.mean())
    return np.array(out)


def test_a_calm_run_starts_in_its_steady_state():
    drift = satisfaction_drift(30)  # the default: a 30-day burn-in and the computed satisfaction
    # the seed-to-seed sd of the drift is about 0.03 (in a few seeds a small back office falls into
    # a burnout trap during the year, docs/ODD.md section 9: a trend, not start-up), so the mean over
    # 10 seeds has a standard error near 0.01: a tolerance of 0.03 is three standard errors, a
    # quarter of the drift of a run that starts empty (+0.13, the next test)
    assert abs(drift.mean()) < 0.03, drift


def test_without_the_warm_start_satisfaction_drifts_up_from_its_start_value():
    drift = satisfaction_drift(0)  # the mechanism switched off: runs start empty at 0.75
    assert drift.mean() > 0.1, drift


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
