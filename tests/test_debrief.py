"""The automatic debrief pack on a saved session: the replay is the session, the turning points are
what their definitions say (recomputed here independently, day by day), the counterfactual is a
fresh run without the facilitator's moves, the provenance adds up, the questions quote what
happened, and the pack is one offline HTML page plus 16:9 slides (command line and dashboard)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.cli import main
from sim.dashboard.debrief import debrief, read_session
from sim.dashboard.state import Workshop
from sim.model.reporters import UNIT_SERIES

DAY = 120


def _session(**setup) -> Workshop:
    """A small vague-decision-rights session: a pivot on day 40, ownership to 0.85 from day 90."""
    w = Workshop(scenario_name="vague-decision-rights", size="small", seed=3, **setup)
    for _ in range(39):
        w.step()
    w.fire_pivot()  # applies on day 40
    for _ in range(50):
        w.step()
    w.set_setting("ownership", 0.85)  # from day 90
    while w.day < DAY:
        w.step()
    return w


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    w = _session()
    path = tmp_path_factory.mktemp("session") / "session.toml"
    w.save_session(path)
    return w, path, debrief(read_session(path))


def test_the_saved_session_says_its_day_and_where_the_live_moves_start(saved):
    w, path, _ = saved
    log = read_session(path)
    assert log.day == DAY and log.who == "A"
    assert [e.type for e in log.live] == ["pivot", "lever"] and [e.step for e in log.live] == [40, 90]
    assert log.events[: log.live_from] == list(w._setups[0][0].events)


def test_the_debrief_replays_what_the_room_saw(saved):
    w, _, d = saved
    pd.testing.assert_frame_equal(d.series, w.orgs[0].series())


def _calm(events, day):  # the calm window as docs/workshop.md defines it
    first = min((e.step for e in events), default=day + 1)
    return 8, max(min(35, first - 1), 14)


def test_turning_points_follow_their_definitions(saved):
    w, path, d = saved
    s = w.orgs[0].series()
    lo, hi = _calm(read_session(path).events, DAY)
    pivots = s["pivots"].tolist()
    first_pivot = next(t for t in range(1, len(pivots)) if pivots[t] > 0)
    assert d.point("first_pivot").day == first_pivot
    if first_pivot == 40:
        assert "facilitator" in d.point("first_pivot").what

    esc = s["escalations"].tolist()
    calm = sum(esc[lo: hi + 1]) / (hi - lo + 1)
    week = [sum(esc[max(0, t - 6): t + 1]) / len(esc[max(0, t - 6): t + 1]) for t in range(len(esc))]
    surge = next((t for t in range(hi + 1, len(esc)) if week[t] >= 1.5 * calm + 1), None)
    assert d.point("escalation_surge").day == surge

    fatigue = np.stack(w.orgs[0].unit_history)[:, UNIT_SERIES.index("fatigue"), :]
    red = next((t for t in range(len(fatigue)) if np.nanmax(fatigue[t]) > 0.5), None)
    assert d.point("first_red").day == red

    fr = s["friction_index"].tolist()
    calm = sum(fr[lo: hi + 1]) / (hi - lo + 1)
    week = [sum(fr[max(0, t - 6): t + 1]) / len(fr[max(0, t - 6): t + 1]) for t in range(len(fr))]
    crossed = next((t for t in range(hi + 1, len(fr)) if week[t] >= 1.5 * calm), None)
    assert d.point("friction_crossed").day == crossed
    assert crossed is not None and first_pivot is not None  # this session has turning points to find


def test_the_counterfactual_is_a_fresh_run_without_the_facilitators_moves(saved):
    _, _, d = saved
    fresh = Workshop(scenario_name="vague-decision-rights", size="small", seed=3)
    while fresh.day < DAY:
        fresh.step()
    pd.testing.assert_frame_equal(d.counterfactual, fresh.orgs[0].series())
    assert not d.series["friction_index"].equals(d.counterfactual["friction_index"])  # the moves mattered


def test_provenance_adds_up_to_the_friction_booked(saved):
    w, _, d = saved
    booked = w.orgs[0].state.friction
    assert d.causes["session"].sum() == pytest.approx(booked.sum())
    assert d.causes["share"].sum() == pytest.approx(1.0)
    assert d.divisions["share"].sum() == pytest.approx(1.0)
    assert (d.units["friction"].diff().dropna() <= 0).all() and len(d.units) == 5


def test_five_questions_quote_what_happened(saved):
    _, _, d = saved
    assert len(d.questions) == 5
    first = d.point("first_pivot")
    assert f"pivoted on day {first.day}" in d.questions[0]
    assert ("You pivoted" in d.questions[0]) == ("facilitator" in first.what)
    lost = {w: (s, c) for w, s, c, _ in d.outcomes}["customers lost"]
    assert f"lost {lost[0]:.0f} customers" in d.questions[4] and f"same seed, {lost[1]:.0f}" in d.questions[4]
    top = d.causes.sort_values("session").iloc[-1]
    assert f"{top['share']:.0%} of the friction" in d.questions[3]


def test_the_command_writes_an_offline_page_and_16_9_slides(saved, tmp_path, capsys):
    _, path, d = saved
    out = tmp_path / "pack"
    assert main(["debrief", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # the day is the model's (40 today: with the scenario's clear priorities leadership's own first
    # pivot comes later and the facilitator's, on day 40, is first; 28 before issue 10, 21 before
    # issue 11), recomputed from the series in test_turning_points_follow_their_definitions; here:
    # the command prints it, and whose it is
    first = d.point("first_pivot").day
    who = "the facilitator's pivot" if first == 40 else "leadership reacting to its own signals"
    assert first <= 40 and f"First pivot: day {first}: {who}" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == ["debrief.html", "slide-1-summary.png", "slide-2-turning-points.png", "slide-3-counterfactual.png",
                     "slide-4-provenance.png", "slide-5-questions.png"]
    for name in names[1:]:
        assert Image.open(out / name).size == (1600, 900)
    html = (out / "debrief.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing from the network
    assert "@import" not in html and "url(" not in html
    assert html.count('src="data:image/png;base64,') == 5
    for p in ("First pivot", "First escalation surge", "First team in the red", "Friction crossed its calm level"):
        assert p in html
    assert main(["debrief", str(path), "--out", str(out)]) == 0  # an earlier pack is replaced


def test_bad_input_is_one_line_and_writes_nothing(saved, tmp_path, capsys):
    _, path, _ = saved
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert main(["debrief", str(path), "--out", str(busy)]) == 2
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    bad = tmp_path / "bad.toml"
    bad.write_text(path.read_text().replace("day=120", "day=9999"))
    assert main(["debrief", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert main(["debrief", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("alignsim: error:") for line in err)
    assert not (tmp_path / "x").exists()


def test_a_plain_scenario_file_has_no_moves_and_its_counterfactual_is_itself(tmp_path):
    w = Workshop(scenario_name="baseline", size="small")
    while w.day < 30:
        w.step()
    path = tmp_path / "plain.toml"
    text = w.session_toml()
    path.write_text("\n".join(line for line in text.splitlines() if "alignsim-session" not in line))
    log = read_session(path)
    assert log.live == [] and log.day == 365
    short = path.with_name("short.toml")
    short.write_text(text)
    d = debrief(read_session(short))
    assert d.live == [] and d.series.equals(d.counterfactual)
    assert "Nobody intervened" in d.questions[4]


def test_the_dashboard_button_makes_the_same_pack(monkeypatch, tmp_path):
    import base64

    from sim.dashboard.app import DEBRIEF_DIR_ENV, debrief_pack

    monkeypatch.setenv(DEBRIEF_DIR_ENV, str(tmp_path))
    w = _session(twin=True, twin_lever="ownership", twin_value=0.85)
    name, url, note = debrief_pack(w)
    assert name == f"alignsim-vague-decision-rights-session-A-day{DAY}-debrief.html"
    folder = tmp_path / name.removesuffix(".html")
    assert note == f"slides in {folder}" and len(list(folder.glob("slide-*.png"))) == 5
    page = base64.b64decode(url.partition(",")[2]).decode("utf-8")
    assert page == (folder / "debrief.html").read_text(encoding="utf-8")
    assert "ownership to 0.85" in page and "pivot toward" in page
    name_b, _, _ = debrief_pack(w, 1)  # B: the same pivot, but the ownership move was A's only
    page_b = (tmp_path / name_b.removesuffix(".html") / "debrief.html").read_text(encoding="utf-8")
    assert "-B-day" in name_b and "pivot toward" in page_b and "ownership to 0.85" not in page_b


@pytest.mark.parametrize("mutate", [
    lambda t: t.replace("day=120", "day=abc"),
    lambda t: t.replace("live-from=0", "live-from=99"),
    lambda t: t.replace("day=120", "day=5"),  # too short for a calm window
    lambda t: t[: len(t) // 2] + "\n[[events]\n",  # a broken file
    lambda t: t.replace('type = "pivot"', 'type = "pivotal"'),
    lambda t: t.replace("day=120", "day=-3"),
], ids=["day-not-a-number", "live-from-past-the-events", "too-short", "broken-toml", "bad-event", "negative-day"])
def test_a_damaged_session_file_is_one_line_and_exit_2(saved, tmp_path, capsys, mutate):
    _, path, _ = saved
    bad = tmp_path / "damaged.toml"
    bad.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["debrief", str(bad), "--out", str(tmp_path / "pack")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("alignsim: error:") and "Traceback" not in err[0]
    assert not (tmp_path / "pack").exists()


def test_alignsim_replay_reproduces_the_saved_session_exactly(saved, tmp_path, capsys):
    """The done-when of issue 12: `alignsim replay LOG` gives, day for day, the series the
    dashboard's organisation showed when the session was saved (live moves included)."""
    import pandas as pd

    w, path, _ = saved
    out = tmp_path / "replayed"
    assert main(["replay", str(path), "--out", str(out)]) == 0
    assert f"replayed to day {DAY} with 2 live moves" in capsys.readouterr().out
    replayed = pd.read_csv(out / "timeseries.csv")
    shown = w.orgs[0].series()
    assert len(replayed) == len(shown) == DAY + 1
    for column in ("friction_index", "pivots", "escalations", "satisfaction", "alignment", "headcount"):
        assert np.array_equal(replayed[column].to_numpy(), shown[column].to_numpy()), column
    assert main(["replay", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and all(line.startswith("alignsim: error:") for line in err)
