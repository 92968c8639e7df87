"""Docking with Sterman (1989), numerical identity (Axtell, Axelrod, Epstein and Cohen 1996).

Sterman, "Modeling managerial behavior: misperceptions of feedback in a dynamic decision making
experiment", Management Science 35(3): a decision maker anchors on the current decision and
adjusts a share alpha of the gap between the target and what has arrived, less beta times the
supply line (decided, not yet arrived), after smoothing the target with weight theta.

Reduced configuration of the model: one chain (executive, ``depth`` managers, one team), no
signal noise, no need drift, no report delay, no lens (clarity 1), no quiet re-reads, review every
day, no minimum pivot size, and managers that relay exactly (at their resilience 1 the
parameters give theta = alpha = beta = 1).  The executive (resilience 0) then has theta, alpha,
beta = ``signals.theta_max``, ``alpha_max``, ``beta_min``, and the direction it decides on day t
reaches the team's anchor L = depth + 1 days later.  Its intent must equal, to 1e-9, the
stock-management recursion written below independently of the model code:

    E_t = theta n + (1 - theta) E_{t-1}
    x_t = x_{t-1} + alpha ((E_t - a_t) - beta (x_{t-1} - a_t)),   a_t = x_{t-L}

with x_s = E_0 = the uniform start for s <= 0 and n the market's need.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sim.model.model import AlignmentModel
from sim.model.params import ModelParams
from sim.model.signals import UnstableAdjustment, spectral_radius
from sim.model.state import L_RESILIENCE

NEED = np.array([0.55, 0.15, 0.15, 0.15])
START = np.full(4, 0.25)
DAYS = 80
FLOOR = 0.02  # the executive's intent is kept on the simplex with every theme >= 2%


def reference(alpha: float, beta: float, theta: float, delay: int, days: int = DAYS) -> np.ndarray:
    """Rows x_1..x_days of the stock-management recursion with a pipeline delay (no clipping)."""
    x = [START.copy() for _ in range(delay)]  # x_{1-delay} .. x_0
    expected = START.copy()
    for _ in range(days):
        expected = theta * NEED + (1.0 - theta) * expected
        arrived = x[-delay]  # x_{t-L}
        x.append(x[-1] + alpha * ((expected - arrived) - beta * (x[-1] - arrived)))
    return np.array(x[delay:])


def model_intent(alpha: float, beta: float, theta: float, depth: int, days: int = DAYS):
    params = ModelParams.model_validate({
        "steps": days,
        "org": {"teams": 1, "divisions": 1, "depth": depth, "front_share": 1.0},
        "levers": {"clarity": 1.0, "resilience": 0.0},
        "managers": {"heterogeneity": 0.0},
        "pressure": {"noise": 0.0, "noise_gain": 0.0, "need_drift": 0.0},
        "signals": {"theta_max": theta, "alpha_max": alpha, "beta_min": beta, "min_pivot_min": 0.0,
                    "theta_min": 1.0, "alpha_min": 1.0, "beta_max": 1.0,
                    "review_every": 1, "report_delay": 0.0, "refresh": 0.0, "read_noise": 0.0},
        "canary": {"enabled": False},  # the docking is of the intent's review; the canary's pivots are not in it
    })
    m = AlignmentModel(params=params, seed=7)
    st = m.state
    assert st.parent.tolist() == list(range(-1, depth + 1)) and st.T == 1  # one chain
    st.lever[1:depth + 1, L_RESILIENCE] = 1.0  # the managers relay exactly
    st.need[:] = NEED
    rows = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(days):
            m.step()
            rows.append(st.reading[0].copy())
    flagged = any(issubclass(w.category, UnstableAdjustment) for w in caught)
    return np.array(rows), st, flagged


GRID = [(a, b) for a in (0.1, 0.26, 0.5, 0.8, 1.0) for b in (0.0, 0.05, 0.34, 0.6, 1.0)]


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize(("alpha", "beta"), GRID)
def test_intent_equals_the_stock_management_recursion(alpha, beta, depth):
    delay = depth + 1
    ref = reference(alpha, beta, 1.0, delay)
    got, st, flagged = model_intent(alpha, beta, 1.0, depth)
    unstable = spectral_radius(alpha, beta, delay) >= 1.0
    assert st.unstable == unstable == flagged  # the unstable region is flagged, with a warning
    inside = (ref >= FLOOR).all(axis=1)
    first_out = int(np.argmin(inside)) if not inside.all() else DAYS
    # identical as long as the recursion stays on the simplex ...
    np.testing.assert_allclose(got[:first_out], ref[:first_out], rtol=0, atol=1e-9)
    if first_out < DAYS:  # ... and where it leaves it, the clipping is counted, not hidden
        assert st.clipped > 0
    else:
        assert st.clipped == 0
    if unstable:  # oscillations that do not die out: the recursion leaves the simplex or keeps its distance
        assert first_out < DAYS or np.abs(ref[-10:] - NEED).max() > 0.01
    else:
        assert np.abs(ref[-1] - NEED).max() < np.abs(START - NEED).max()


@pytest.mark.parametrize("theta", [0.36, 0.7])
def test_identity_with_smoothed_expectations(theta):
    got, _, _ = model_intent(0.26, 0.34, theta, 2)
    np.testing.assert_allclose(got, reference(0.26, 0.34, theta, 3), rtol=0, atol=1e-9)


def test_sterman_average_subject_overshoots():
    """alpha .26, beta .34 (Sterman's subjects' averages), pipeline delay 3: the intent passes the
    target, then comes back (the oscillation of the beer game)."""
    got, _, _ = model_intent(0.26, 0.34, 1.0, 2)
    assert got[:, 0].max() > NEED[0] + 0.01
    assert abs(got[-1, 0] - NEED[0]) < 1e-3  # and converges: stable (spectral radius .68)


@pytest.mark.parametrize("alpha", [0.1, 0.26, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_counting_the_whole_supply_line_approaches_monotonically(alpha, depth):
    got, st, flagged = model_intent(alpha, 1.0, 1.0, depth)
    path = got[:, 0]
    assert (np.diff(path) >= -1e-12).all() and (path <= NEED[0] + 1e-12).all()
    assert not st.unstable and not flagged


def test_the_unstable_region():
    """Documented in docs/ODD.md 7.6.2 and docs/validation.md: with a pipeline delay of 3, an
    aggressive correction that ignores the supply line diverges; counting it restores stability;
    a longer pipeline destabilises a rule that is stable with a short one."""
    assert spectral_radius(0.8, 0.05, 3) > 1.0 > spectral_radius(0.8, 0.5, 3)
    assert spectral_radius(0.4, 0.0, 3) < 1.0 < spectral_radius(0.4, 0.0, 5)
    assert spectral_radius(0.26, 0.34, 3) < 1.0
    assert all(spectral_radius(a, b, 2) < 1.0 for a in (0.1, 0.5, 0.9) for b in (0.0, 0.5, 1.0))
