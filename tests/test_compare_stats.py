"""Statistics of `alignsim compare` against cases with known answers: t intervals, paired and
unpaired differences, relative changes, seeds, attribution shares and the leverage ranking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.compare import attribution
from sim.compare.leverage import leverage_table, variants
from sim.compare.stats import (
    Kpi,
    kpi_table,
    paired_difference,
    relative_change,
    replicate_values,
    t_interval,
    welch_interval,
)
from sim.model.params import ModelParams
from sim.runner.seeds import replicate_seeds

T_975_4 = 2.7764451051977987  # Student t quantile, 0.975, 4 degrees of freedom (tables: 2.776)


def test_t_interval_by_hand():
    # x = 1..5: mean 3, sd sqrt(2.5), se sqrt(0.5); half width 2.776445 * 0.707107 = 1.963243
    ival = t_interval([1, 2, 3, 4, 5])
    assert ival.estimate == 3.0
    assert ival.n == 5
    assert ival.low == pytest.approx(3 - 1.9632432, abs=1e-6)
    assert ival.high == pytest.approx(3 + 1.9632432, abs=1e-6)
    assert ival.high - ival.low == pytest.approx(2 * T_975_4 * math.sqrt(0.5), rel=1e-12)


def test_t_interval_degenerate_cases():
    one = t_interval([4.0])
    assert one.estimate == 4.0 and math.isnan(one.low) and math.isnan(one.high)
    flat = t_interval([2.0, 2.0, 2.0])
    assert (flat.low, flat.estimate, flat.high) == (2.0, 2.0, 2.0)
    assert flat.excludes_zero


def test_paired_interval_by_hand_and_narrower_than_unpaired():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = x + np.array([0.9, 1.1, 1.0, 0.95, 1.05])
    # d = 0.9, 1.1, 1.0, 0.95, 1.05: mean 1.0, sd sqrt(0.00625), se sqrt(0.00625 / 5)
    paired = paired_difference(x, y)
    half = T_975_4 * math.sqrt(0.00625 / 5)
    assert paired.estimate == pytest.approx(1.0, abs=1e-12)
    assert paired.low == pytest.approx(1.0 - half, abs=1e-12)
    assert paired.high == pytest.approx(1.0 + half, abs=1e-12)
    assert paired.excludes_zero
    # unpaired (Welch): var(x) = 2.5, var(y) = 2.5 + ..., so the interval spans 0
    welch = welch_interval(x, y)
    assert welch.estimate == pytest.approx(1.0, abs=1e-12)
    assert welch.low < 0 < welch.high
    vx, vy = x.var(ddof=1) / 5, y.var(ddof=1) / 5
    df = (vx + vy) ** 2 / (vx**2 / 4 + vy**2 / 4)
    from scipy import stats

    assert welch.high - welch.low == pytest.approx(2 * stats.t.ppf(0.975, df) * math.sqrt(vx + vy), rel=1e-12)
    assert (paired.high - paired.low) < (welch.high - welch.low) / 10


def test_paired_needs_equal_lengths():
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1, 2, 3], [1, 2])


def test_relative_change_known_answers():
    x = np.array([2.0, 4.0, 6.0, 8.0])
    exact = relative_change(x, 0.75 * x)  # every replicate exactly 25% lower: no uncertainty
    assert exact.estimate == pytest.approx(-0.25, abs=1e-12)
    assert exact.low == pytest.approx(-0.25, abs=1e-12) and exact.high == pytest.approx(-0.25, abs=1e-12)
    # y - R x with R = mean(y)/mean(x): delta-method half width t * sd(z) / (sqrt(n) mean(x))
    y = np.array([1.0, 3.5, 4.0, 7.0])
    rel = relative_change(x, y)
    r = y.mean() / x.mean()
    z = y - r * x
    half = 3.182446305284263 * z.std(ddof=1) / (2 * x.mean())  # t(0.975, 3) = 3.182
    assert rel.estimate == pytest.approx(r - 1, abs=1e-12)
    assert rel.low == pytest.approx(r - 1 - half, abs=1e-12) and rel.high == pytest.approx(r - 1 + half, abs=1e-12)
    assert math.isnan(relative_change([0.0, 0.0], [1.0, 2.0]).estimate)


def test_kpi_table_pairs_by_replicate():
    values = pd.DataFrame({"scenario": ["A"] * 3 + ["B"] * 3, "replicate": [0, 1, 2, 2, 1, 0],
                           "k": [1.0, 2.0, 3.0, 6.0, 4.0, 2.0]})  # B = 2 A, listed in another order
    kpi = Kpi("k", "k", "u", "mean", -1)
    table = kpi_table(values, ["A", "B"], [kpi]).set_index("scenario")
    b = table.loc["B"]
    assert b["diff"] == pytest.approx(2.0)
    assert b["rel"] == pytest.approx(1.0) and b["rel_low"] == pytest.approx(1.0) and b["rel_high"] == pytest.approx(1.0)
    assert bool(b["clear"])
    assert math.isnan(table.loc["A", "diff"])


def test_replicate_values_summaries_over_the_window():
    series = pd.DataFrame({"scenario": "A", "replicate": 0, "step": range(6),
                           "friction_index": [9.0, 1.0, 2.0, 3.0, 4.0, 9.0], "churned": [5, 1, 1, 1, 1, 5],
                           "retention": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]})
    out = replicate_values(series, (1, 4)).iloc[0]
    assert out["friction_index"] == pytest.approx(2.5)  # mean of days 1-4
    assert out["churned"] == 4  # total of days 1-4
    assert out["retention"] == pytest.approx(0.6)  # value on day 4


def test_seeds_follow_seed_sequence_spawn():
    seeds = replicate_seeds(42, 4)
    children = np.random.SeedSequence(42).spawn(4)
    assert [s.spawn_key for s in seeds] == [(0,), (1,), (2,), (3,)]
    assert [s.seed for s in seeds] == [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in children]
    assert len({s.seed for s in seeds}) == 4
    assert all(0 <= s.seed < 2**63 for s in seeds)
    assert [s.seed for s in replicate_seeds(42, 2)] == [s.seed for s in seeds[:2]]  # replicate i fixed by i
    assert replicate_seeds(43, 1)[0].seed != seeds[0].seed


def _provenance() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for scenario, scale in (("A", 1.0), ("B", 0.5)):
        for rep in range(3):
            for unit, name, division in ((1, "u1", "D1"), (2, "u2", "D1"), (3, "u3", "D2")):
                for k, cause in enumerate(("misalignment", "silo_handoff")):
                    rows.append({"scenario": scenario, "replicate": rep, "period": "window", "cause": cause,
                                 "unit": unit, "id": name, "unit_name": name.upper(), "division": division,
                                 "friction": scale * (unit + k + rep)})
    prov = pd.DataFrame(rows)
    runs = prov[["scenario", "replicate"]].drop_duplicates()
    return prov, runs


def test_attribution_shares_sum_to_one_and_known_values():
    prov, runs = _provenance()
    causes = attribution.cause_shares(prov, runs, ["A", "B"])
    for _, group in causes.groupby("scenario"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-12)
        assert len(group) == 5  # every cause is listed, zero or not
    # replicate 0 of A: misalignment 1+2+3 = 6, silo 2+3+4 = 9 -> 0.4; rep 1: 9/21; rep 2: 12/27
    expect = np.mean([6 / 15, 9 / 21, 12 / 27])
    got = causes.set_index(["scenario", "cause"]).loc[("A", "misalignment"), "share"]
    assert got == pytest.approx(expect, abs=1e-12)
    units = attribution.unit_shares(prov, runs, ["A", "B"])
    for _, group in units.groupby("scenario"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-12)
    divisions = attribution.division_shares(prov, runs, ["A", "B"])
    for _, group in divisions.groupby("scenario"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-12)
    top = attribution.top_units(units, ["A", "B"], k=2)
    a = top[top["scenario"] == "A"].sort_values("rank")
    assert list(a["id"][:2]) == ["u3", "u2"]
    b = top[(top["scenario"] == "B") & (top["id"] == "u3")].iloc[0]
    assert b["friction_rel"] == pytest.approx(-0.5)


def test_leverage_ranks_by_the_effect_of_raising():
    base = pd.DataFrame({"replicate": [0, 1, 2], "friction_index": [10.0, 12.0, 11.0]})
    effects = {"clarity": (-1.0, 0.5), "ownership": (-3.0, 2.0), "resilience": (0.2, 0.0), "empathy": (-2.0, 1.0)}
    rows = []
    for lever, (up, down) in effects.items():
        for direction, delta, level in (("+", up, 0.65), ("-", down, 0.35)):
            for rep, f in zip(base["replicate"], base["friction_index"], strict=True):
                rows.append({"lever": lever, "direction": direction, "level": level, "replicate": rep,
                             "friction_index": f + delta + 0.01 * rep})
    levels = dict.fromkeys(effects, 0.5)
    table = leverage_table(base, pd.DataFrame(rows), levels)
    assert list(table["lever"]) == ["ownership", "empathy", "clarity", "resilience"]
    own = table.set_index("lever").loc["ownership"]
    assert own["raise_diff"] == pytest.approx(-3.0 + 0.01)
    assert own["slope_per_tenth"] == pytest.approx((-3.0 - 2.0) / 0.3 * 0.1)
    assert bool(own["clear"])


def test_leverage_variants_clip_to_the_unit_interval():
    params = ModelParams.model_validate({"levers": {"clarity": 0.95, "ownership": 0.0}})
    found = {(lever, d): level for lever, d, level, _ in variants(params, 0.15)}
    assert found[("clarity", "+")] == 1.0 and found[("clarity", "-")] == pytest.approx(0.8)
    assert ("ownership", "-") not in found and found[("ownership", "+")] == pytest.approx(0.15)
    for _, _, level, p in variants(params, 0.15):
        assert 0.0 <= level <= 1.0 and p.events == params.events


def test_event_markers_take_any_event_type():
    from sim.report.compare_figures import event_marks, event_text

    shock = {"type": "shock", "step": 90, "duration": 120, "pressure": 0.67, "label": "demand surge +40%"}
    charter = {"type": "decision-rights-charter", "step": 60, "duration": None, "ramp": 30, "value": 0.85,
               "scope": {"division": "Claims", "manager": None}, "label": ""}
    future = {"type": "some-future-event", "step": 10}
    scenarios = [{"params": {"events": [shock]}}, {"params": {"events": [shock, charter, future]}}]
    marks = event_marks(scenarios)
    assert [(m["step"], m["duration"], m["in"]) for m in marks] == [(10, None, [1]), (60, None, [1]),
                                                                    (90, 120, [0, 1])]
    assert marks[2]["text"] == "demand surge +40%"
    assert event_text(charter) == "decision rights charter 0.85 (Claims)"
    assert event_text(future) == "some future event"
    assert event_text({"type": "lever", "step": 5, "lever": "ownership", "value": 0.9}) == "ownership → 0.9"
