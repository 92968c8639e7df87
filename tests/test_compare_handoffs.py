"""Friction per hand-off (issue 13, item 6): the model's per-edge hand-off records (output-neutral:
no draw, no rule reads them), the analysis that tells a bad hand-off from a big queue, and the
table and summary sentence in a comparison's report."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny import B2, TF, B, make_params, put, rng, tiny_model

from sim.cli import main
from sim.compare import handoffs, store
from sim.compare.tables import analyse
from sim.model.handoffs import handoff
from sim.model.state import ROUTE

SMALL = """
name = "small"
steps = 30
[org]
teams = 6
divisions = 2
customers_per_front_team = 12
[[events]]
type = "shock"
step = 8
duration = 10
pressure = 1.0
"""


# -- the model's records ---------------------------------------------------------------------------
def test_every_handoff_is_recorded_on_its_edge_with_the_friction_it_booked():
    m = tiny_model({"handoffs": {"reexplain": 1.0, "reexplain_silo": 1.0}}, deps=(B, B2))
    st = m.state
    before = st.friction_step.sum()
    for c in range(4):
        put(st, c, ROUTE, TF, needs_back=True)
    handoff(st, make_params({"handoffs": {"reexplain": 1.0, "reexplain_silo": 1.0}}), rng(1), np.arange(4))
    assert st.edge_handoffs.sum() == 4 == st.tick.handoffs
    assert st.edge_friction.sum() == pytest.approx(st.friction_step.sum() - before)  # all booked at hand-offs


def test_the_records_change_nothing_else():
    """Same seed, same series, whether or not anything reads the records (they are written either way;
    this checks a run's outputs against a run whose records are reset every day)."""
    a, b = tiny_model(seed=4), tiny_model(seed=4)
    for _ in range(20):
        a.step()
        b.step()
        b.state.edge_handoffs[:] = 0.0
        b.state.edge_friction[:] = 0.0
    pd.testing.assert_frame_equal(a.series(), b.series())
    assert a.state.edge_handoffs.sum() > 0


# -- the analysis ---------------------------------------------------------------------------------------
def _frames():
    """Three edges into two back teams; 2 replicates. f1 -> b1 hurts per hand-off; b2 has a long queue."""
    rows, prov = [], []
    for rep in (0, 1):
        for src, dst, n, fr in (("f1", "b1", 10, 5.0 + rep), ("f2", "b1", 40, 2.0), ("f3", "b2", 20, 1.0 + rep)):
            rows.append({"scenario": "s", "replicate": rep, "period": "window", "from_id": src, "from_name": src,
                         "from_division": "D", "to_id": dst, "to_name": dst, "to_division": "E",
                         "handoffs": n, "friction": fr})
        # at b1: the hand-off friction only (7-8); at b2: a lot of queue friction besides its hand-offs
        prov += [{"scenario": "s", "replicate": rep, "period": "window", "id": "b1", "friction": 7.0 + rep},
                 {"scenario": "s", "replicate": rep, "period": "window", "id": "b2", "friction": 21.0 + rep}]
    return pd.DataFrame(rows), pd.DataFrame(prov)


def test_a_bad_handoff_and_a_big_queue_are_told_apart():
    hand, prov = _frames()
    t = handoffs.handoff_table(hand, prov, ["s"]).set_index("from_id")
    assert t.loc["f1", "friction_per_handoff"] == pytest.approx(np.mean([5 / 10, 6 / 10]))
    org = np.mean([(5 + 2 + 1) / 70, (6 + 2 + 2) / 70])
    assert t.loc["f1", "org_friction_per_handoff"] == pytest.approx(org)
    assert t.loc["f1", "verdict"] == "bad hand-off"
    assert t.loc["f3", "verdict"] == "big queue"  # 20 of queue friction over 20 requests received
    assert t.loc["f2", "verdict"] == "volume"
    assert t.loc["f3", "queue_friction_per_request"] == pytest.approx(1.0)
    sentence = handoffs.handoff_sentences(t.reset_index(), ["s"])[0]
    assert "hand-off path where customers meet most friction in s" in sentence


def test_no_records_no_table():
    assert handoffs.handoff_table(None, pd.DataFrame(), ["s"]) is None


# -- in a comparison --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hand")
    (folder / "small.toml").write_text(SMALL, encoding="utf-8")
    out = folder / "run"
    assert main(["compare", str(folder / "small.toml"), str(folder / "small.toml"), "-n", "2", "--jobs", "1",
                 "--no-leverage", "--out", str(out), "--quiet"]) == 0
    return out


def test_compare_writes_the_handoff_table_and_states_it(compared):
    t = pd.read_csv(compared / "attribution_handoffs.csv")
    assert set(t["verdict"]) <= {"bad hand-off", "big queue", "bad hand-off and big queue", "volume"}
    assert (t["handoffs"] > 0).all() and len(t) <= 2 * handoffs.TOP
    html = (compared / "report.html").read_text(encoding="utf-8")
    assert "Hand-offs: a big queue or a bad hand-off?" in html
    assert "hand-off path where customers meet most friction" in html


def test_a_comparison_saved_before_the_records_still_reports(compared, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(compared, copy)
    shutil.rmtree(copy / "tables" / "handoffs")
    (copy / "attribution_handoffs.csv").unlink()
    assert analyse(store.load(copy)).handoffs is None
    assert main(["report", str(copy)]) == 0
    assert not (copy / "attribution_handoffs.csv").exists()
