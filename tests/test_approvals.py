"""Sign-offs anywhere in a process (sim/model/approvals.py, docs/ODD.md 7.4.1; issue 11 item 5).

Mechanism tests on the hand-built tiny organisation (tests/tiny.py: D2 is an all-back-office
division, B2 its only team), relational docking with the Virtual Design Team (Jin and Levitt
1996) over paired seeds, and the org chart's approval column."""

from __future__ import annotations

import numpy as np
import pytest
from patterns_util import SEEDS, Diff, merge, metric, run_many, window_mean
from tiny import B2, CEO, M1, TF, tiny_model

from sim.errors import InputError
from sim.inputs.orgchart import read_org_csv, write_org_csv
from sim.model.approvals import chain_ownership
from sim.model.model import AlignmentModel
from sim.model.params import ModelParams

BUSY = {"org": {"customers_per_front_team": 60}, "demand": {"back_share": 1.0, "decision_share": 0.0},
        "canary": {"enabled": False}}
INTO_D2 = {"approvals": {"into": ["D2"], "waiver": 0.0}}
CUT_D2 = {"events": [{"type": "remove-approval-steps", "step": 1, "scope": {"division": "D2"}}]}


def signoffs(overrides: dict, steps: int = 60) -> tuple[int, AlignmentModel]:
    """Calls settled at the receiving chain (M2 or above) over ``steps`` days: every decision is a
    sign-off here, since no request needs a front-line call."""
    m = tiny_model(merge(BUSY, overrides), deps=(B2,), headcount=(6, 6, 6))
    n = 0
    for _ in range(steps):
        m.step()
        n += m.state.tick.decisions
    return n, m


def test_handoffs_into_a_division_wait_for_a_signoff_there():
    none, _ = signoffs({})
    some, m = signoffs(INTO_D2)
    assert none == 0 and some > 20
    assert m.state.signoff.tolist() == [0, 0, 1]


def test_remove_approval_steps_acts_where_the_signoff_sits():
    some, _ = signoffs(INTO_D2)
    cut, m = signoffs(merge(INTO_D2, CUT_D2))
    assert some > 20 and cut == 0
    assert m.intervention_reach()[0]["decisions"] > 20  # what the intervention reached


def test_ownership_of_the_receiving_chain_waives_signoffs():
    asked, _ = signoffs({"approvals": {"into": ["D2"], "waiver": 1.0}, "levers": {"ownership": 0.0}})
    waived, _ = signoffs({"approvals": {"into": ["D2"], "waiver": 1.0}, "levers": {"ownership": 1.0}})
    assert asked > 20 and waived == 0


def test_every_manager_on_the_chain_matters():
    m = tiny_model()
    st = m.state
    st.lever[:, 1] = 0.5
    base = chain_ownership(st)[st.team_unit[TF]]
    st.lever[CEO, 1] = 1.0  # the executive above the front team's manager M1
    assert chain_ownership(st)[st.team_unit[TF]] > base
    st.lever[M1, 1] = 0.0
    assert chain_ownership(st)[st.team_unit[TF]] == pytest.approx(0.5)


def test_an_unknown_division_is_one_input_error():
    with pytest.raises(InputError, match=r"approvals.into\[0\].*'Risk' names no division; known: D1, D2"):
        tiny_model({"approvals": {"into": ["Risk"]}})


CHART = """id,name,manager_id,kind,division,office,headcount,depends_on,approval
ceo,CEO,,executive,,,,,
ops,Operations,ceo,manager,Operations,,,,
risk,Risk & Compliance,ceo,manager,Risk & Compliance,,,,{risk}
t1,Intake,ops,team,,front,6,t2,
t2,Checks,risk,team,,back,6,,
"""


def test_org_chart_approval_column(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_text(CHART.format(risk="yes"))
    G = read_org_csv(path)
    marked = [G.nodes[v]["name"] for v in G if G.nodes[v].get("approval")]
    assert marked == ["Risk & Compliance"]
    m = AlignmentModel(params=ModelParams.model_validate({"steps": 5}), graph=G, seed=1)
    assert m.state.signoff.tolist() == [0, 1]
    out = tmp_path / "again.csv"
    write_org_csv(G, out)
    assert [G2.nodes[v].get("approval", False) for G2 in [read_org_csv(out)] for v in G2] == \
        [G.nodes[v].get("approval", False) for v in G]
    path.write_text(CHART.format(risk="maybe"))
    with pytest.raises(InputError) as err:
        read_org_csv(path)
    assert str(err.value) == f"{path}: row 4, column approval: 'maybe' is not allowed; allowed: yes, no or blank"


# -- relational docking with the Virtual Design Team (Jin and Levitt 1996) -------------------------
QUEUE = {"org": {"teams": 12, "divisions": 2, "depth": 1, "customers_per_front_team": 15},
         "demand": {"decision_share": 1.0},
         "decisions": {"complexity": 1.0, "escalate": 1.0, "bounce": 0.0, "manager_attention": 1.0},
         "levers": {"ownership": 0.0}, "managers": {"heterogeneity": 0.0, "empathy_time": 0.0},
         "canary": {"enabled": False},
         "steps": 150}


def _latency_and_load(capacity: float, seed: int) -> tuple[float, float]:
    """Mean decision latency and the executive's offered load with every call held above the team
    (ownership 0, complexity 1): half the calls need the executive (heights 1 or 2 at depth 1),
    so its load is (calls per day / 2) / capacity; it is the bottleneck.  Empathy's time price
    (``managers.empathy_time``, issue 10) is 0 here so the capacity set is the capacity used."""
    m = AlignmentModel(params=ModelParams.model_validate(
        merge(QUEUE, {"decisions": {"manager_capacity": capacity}})), seed=seed)
    m.run()
    s = m.series().iloc[50:]
    return float(s.decision_latency.mean()), float(m.state.total_requests / 150 / 2 / capacity)


@pytest.mark.patterns
def test_vdt_decision_latency_grows_convexly_as_manager_load_nears_capacity():
    """Three manager capacities giving the executive a measured load of about 0.5, 0.8 and 0.95;
    over paired seeds the latency's slope in load is steeper between the two highest loads than
    between the two lowest (95% CI of the difference of slopes above 0), and load rises as capacity
    falls."""
    caps = (4.0, 2.4, 2.0)
    runs = np.array([[_latency_and_load(c, s) for c in caps] for s in range(1000, 1000 + SEEDS)])
    lat, load = runs[..., 0], runs[..., 1]
    assert (np.diff(load, axis=1) > 0).all(), load
    low = (lat[:, 1] - lat[:, 0]) / (load[:, 1] - load[:, 0])
    high = (lat[:, 2] - lat[:, 1]) / (load[:, 2] - load[:, 1])
    steeper = Diff(high, low)
    assert low.mean() > 0 and steeper.positive(), (lat.mean(axis=0), load.mean(axis=0), steeper)


@pytest.mark.patterns
def test_vdt_a_centralised_high_exception_organisation_is_slowest():
    """Ownership 0.15 (centralised) or 0.85, calls outside precedent 0.1 or 0.9 (exceptions):
    the centralised, high-exception organisation has the longest decision latency and customer
    wait, each against each of the other three (paired 95% CIs above 0)."""
    def cell(own, cx):
        return run_many({"levers": {"ownership": own}, "decisions": {"complexity": cx}})
    slow = cell(0.15, 0.9)
    for own, cx in ((0.85, 0.9), (0.15, 0.1), (0.85, 0.1)):
        other = cell(own, cx)
        for col in ("decision_latency", "wait_mean"):
            d = Diff(metric(slow, window_mean(col, 50)), metric(other, window_mean(col, 50)))
            assert d.positive(), (own, cx, col, d)
