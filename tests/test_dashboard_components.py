"""The workshop dashboard without a browser: the session (controls, interventions, twins, reset),
what the views draw (colours, marks, travelling pivots and escalations), the Solara page rendered
in-process (its buttons, sliders and Reset driven through the widgets), the commands."""

from __future__ import annotations

import base64
import io
import re
import socket
import subprocess
import sys
import threading
import time

import ipyvuetify as v
import numpy as np
import pytest
import solara
from PIL import Image

import sim.dashboard.state as state_module
from sim.cli import main
from sim.dashboard import colours, views
from sim.dashboard.animate import animate, frame_days
from sim.dashboard.frame import escalated_edges, take
from sim.dashboard.presets import SIZES, check_setting
from sim.dashboard.state import Workshop
from sim.errors import InputError
from sim.model.params import LEVERS
from sim.model.state import DECISION


def lever(session: Workshop, name: str, k: int = 0) -> np.ndarray:
    return session.orgs[k].state.lever_level[:, LEVERS.index(name)]


# -- the session: controls change the model -------------------------------------------------------
def test_a_live_lever_reaches_every_unit_the_next_day_and_is_marked():
    w = Workshop(scenario_name="baseline")
    for _ in range(3):
        w.step()
    mark = w.set_setting("clarity", 0.8)
    assert mark is not None and mark.day == 4 and mark.kind == "lever"
    assert w.settings()["clarity"] == 0.8  # shown at once on the slider
    assert np.allclose(lever(w, "clarity"), 0.5)  # but the model changes only when the day starts
    w.step()
    assert np.allclose(lever(w, "clarity"), 0.8)
    assert [m for m in w.marks if m.kind == "lever"] == [mark]


def test_dragging_a_slider_on_one_day_makes_one_event_and_one_mark():
    w = Workshop(scenario_name="baseline")
    for value in (0.55, 0.6, 0.65, 0.7):
        w.set_setting("ownership", value)
    w.step()
    assert np.allclose(lever(w, "ownership"), 0.7)
    assert [m.label for m in w.marks if m.kind == "lever"] == ["ownership 0.50 -> 0.70"]  # from where it was
    assert sum(e.type == "lever" for e in w.orgs[0].params.events) == 1


def test_pressure_and_noise_sliders_replace_the_timeline():
    w = Workshop(scenario_name="burnout")  # pressure follows a timeline from 0.3 up
    w.step()
    w.set_setting("pressure", 1.5)
    w.set_setting("noise", 0.3)
    w.step()
    series = w.orgs[0].series()
    assert series.pressure.iloc[-1] == pytest.approx(1.5)
    assert w.orgs[0].params.pressure.timeline == []
    assert series.signal_noise.iloc[-1] > series.signal_noise.iloc[-2]


@pytest.mark.parametrize("value", [1.5, -0.1, "abc", float("nan"), None])
def test_an_out_of_range_setting_is_one_line_and_changes_nothing(value):
    w = Workshop(scenario_name="baseline")
    with pytest.raises(InputError) as err:
        w.set_setting("clarity", value)
    assert "\n" not in str(err.value) and str(err.value).startswith("Clarity:")
    assert w.settings()["clarity"] == 0.5 and w.marks == []
    assert check_setting("pressure", 2.0) == 2.0


def test_a_shock_raises_pressure_from_the_next_day_for_its_duration_and_is_marked():
    w = Workshop(scenario_name="baseline")
    for _ in range(5):
        w.step()
    mark = w.fire_shock(pressure=1.0, duration=10)
    assert (mark.day, mark.kind, mark.duration) == (6, "shock", 10)
    for _ in range(20):
        w.step()
    p = w.orgs[0].series().pressure.to_numpy()
    assert p[5] == pytest.approx(0.2) and p[6] == pytest.approx(1.2) and p[15] == pytest.approx(1.2)
    assert p[16] == pytest.approx(0.2)
    svg = views.chart(take(w), "friction_index")
    assert svg.count('class="mark mark-shock"') == 2  # the shaded span and the dashed line
    assert svg.count("mark-pivot") == 0


def test_pivot_and_leader_change_act_on_the_model_and_are_marked():
    w = Workshop(scenario_name="baseline")
    w.step()
    intent = w.orgs[0].state.reading[0].copy()
    w.fire_pivot()
    w.change_leader(2, "weak")
    assert np.allclose(w.orgs[0].state.reading[0], intent)  # events: they happen when the next day starts
    w.step()
    assert not np.allclose(w.orgs[0].state.reading[0], intent)
    assert np.allclose(w.orgs[0].state.lever[2, :4], 0.15)
    assert w.orgs[0].series().pivots.iloc[-1] >= 1
    kinds = [m.kind for m in w.marks]
    assert kinds == ["pivot", "leader"]
    assert [(e.type, e.step) for e in w.orgs[0].received] == [("pivot", 2), ("leader", 2)]
    svg = views.chart(take(w), "pivots")
    assert "mark-pivot" in svg and "mark-leader" in svg
    with pytest.raises(InputError):
        w.change_leader(w.orgs[0].state.team_unit[0])  # a team has no leader to replace


def test_a_pivot_travels_down_one_level_a_day():
    w = Workshop(scenario_name="baseline", size="small")
    st = w.orgs[0].state
    w.step()
    w.fire_pivot(strength=0.8)
    seen = []
    for _ in range(st.level.max()):
        w.step()
        seen.append(set(st.level[w.relayed[0]].tolist()))
    # day 1: the executive's new intent and its division heads; then each level below in turn
    assert seen[0] >= {0, 1}
    for depth, levels in enumerate(seen[1:], start=2):
        assert depth in levels
    svg = views.org_chart(take(w), 0)
    assert svg.count('class="pivot"') >= int(st.is_team.sum())  # the edges into every team light up


def test_escalation_edges_count_each_waiting_decision_once_per_level_climbed():
    w = Workshop(scenario_name="vague-decision-rights")
    for _ in range(40):
        w.step()
    m = w.orgs[0]
    st = m.state
    waiting = np.flatnonzero(st.stage == DECISION)
    assert waiting.size > 0
    climbed = st.level[st.team_unit[st.req_team[waiting]]] - st.level[st.loc[waiting]]
    edges = escalated_edges(m)
    assert edges.sum() == climbed.sum() > 0
    assert edges[0] == 0  # the executive has no edge above it
    assert views.org_chart(take(w), 0).count('class="escalation"') == np.count_nonzero(edges)


def test_while_a_page_draws_the_session_a_step_waits_for_the_previous_day_to_be_drawn(monkeypatch):
    monkeypatch.setattr(state_module, "PACE_TIMEOUT_S", 0.3)
    w = Workshop(scenario_name="baseline", size="small")
    w.step()  # nobody draws: no waiting
    w.mark_drawn(1)
    w.step()
    start = time.perf_counter()
    w.step()  # day 2 was never drawn: waits for the page, then gives up
    assert time.perf_counter() - start >= 0.25 and w.day == 3
    timer = threading.Timer(0.05, w.mark_drawn, args=(3,))
    timer.start()
    start = time.perf_counter()
    w.step()  # drawn meanwhile: goes on at once
    assert time.perf_counter() - start < 0.25 and w.day == 4


# -- twins -------------------------------------------------------------------------------------
def test_twins_share_seed_organisation_and_events_and_differ_only_in_the_chosen_lever():
    w = Workshop(scenario_name="overreacting-leadership", twin=True, twin_lever="resilience", twin_value=0.85)
    a, b = w.orgs
    assert a.root_seed == b.root_seed
    assert np.array_equal(a.state.parent, b.state.parent) and np.array_equal(a.state.cust_team, b.state.cust_team)
    differ = ~np.isclose(a.state.lever_level, b.state.lever_level).all(axis=0)
    assert [LEVERS[i] for i in np.flatnonzero(differ)] == ["resilience"]
    assert np.allclose(lever(w, "resilience", 1), 0.85) and np.allclose(lever(w, "resilience", 0), 0.15)
    for _ in range(3):
        w.step()
    w.fire_shock()
    w.fire_pivot()
    w.change_leader(1, "random")
    w.set_setting("clarity", 0.7)
    w.step()
    assert a.event_log == b.event_log  # same shocks, same pivot theme, same leader, same lever move
    assert [e.model_dump() for e in a.params.events] == [e.model_dump() for e in b.params.events]
    assert np.allclose(a.state.lever[1], b.state.lever[1])  # the same new leader in both
    assert np.allclose(lever(w, "clarity", 0), lever(w, "clarity", 1))


def test_the_twin_lever_moves_organisation_a_only():
    w = Workshop(scenario_name="baseline", twin=True, twin_lever="empathy", twin_value=0.9)
    w.set_setting("empathy", 0.2)
    w.step()
    assert np.allclose(lever(w, "empathy", 0), 0.2) and np.allclose(lever(w, "empathy", 1), 0.9)
    assert w.marks[-1].label.endswith("(A)")


def test_twin_charts_overlay_both_organisations():
    w = Workshop(scenario_name="baseline", twin=True)
    for _ in range(5):
        w.step()
    frame = take(w)
    svg = views.chart(frame, "satisfaction")
    assert 'class="series org-0"' in svg and 'class="series org-1"' in svg
    drawn = views.all_views(frame)
    assert {"org-0", "org-1", "customers-1", "causes-1"} <= set(drawn)


# -- layout and colours -------------------------------------------------------------------------
def test_the_layout_is_computed_once_per_organisation(monkeypatch):
    calls = []
    real = state_module.layered_layout
    monkeypatch.setattr(state_module, "layered_layout", lambda g: calls.append(1) or real(g))
    w = Workshop(scenario_name="baseline", twin=True)
    for _ in range(5):
        w.step()
        views.all_views(take(w, "fatigue"))
    assert len(calls) == 2
    pos = w.layouts[0]
    st = w.orgs[0].state
    assert pos[0, 1] == 0.0 and np.all(pos[st.is_team, 1] == 1.0)  # executive on top, teams at the bottom
    assert np.all(pos[1:, 1] > pos[st.parent[1:], 1])  # everyone below their manager


def test_colour_scale_runs_from_red_bad_to_blue_good():
    red_end, blue_end = colours.colours(np.array([0.0, 1.0]), 0.0, 1.0, good_high=True)
    assert int(red_end[1:3], 16) > 150 and int(red_end[5:7], 16) < 80  # red
    assert int(blue_end[5:7], 16) > 120 and int(blue_end[1:3], 16) < 80  # blue
    assert colours.colours(np.array([1.0]), 0.0, 1.0, good_high=False) == [red_end]  # fatigue 1 is bad
    assert colours.colours(np.array([np.nan, 7.0, -3.0]), 0, 1, True) == [colours.MISSING, blue_end, red_end]
    lv = colours.levels(np.linspace(0, 1, 50), 0, 1)
    assert np.all(np.diff(lv) >= 0) and lv[0] == 0 and lv[-1] == colours.LEVELS - 1


def test_nodes_are_coloured_by_the_chosen_state_and_churned_customers_are_drawn_dark():
    w = Workshop(scenario_name="burnout")
    for _ in range(150):
        w.step()
    st = w.orgs[0].state
    frame = take(w, "fatigue")
    svg = views.org_chart(frame, 0)
    fills = {u: f for f, u in re.findall(r'<circle [^>]*fill="(#[0-9a-f]{6})"[^>]*data-unit="(\d+)"', svg)}
    j = int(np.argmax(st.fatigue))
    team = int(st.team_unit[j])
    assert fills[str(team)] == colours.colours(np.array([st.fatigue[j]]), 0, 1, good_high=False)[0]
    assert fills["0"] == colours.MISSING  # the executive has no fatigue
    churned = int((~st.active).sum())
    assert churned > 0
    cust = views.customers(frame, 0)
    assert f'data-churned="{churned}"' in cust
    assert f"{st.C - churned:,} of {st.C:,} stay" in cust
    png = base64.b64decode(re.search(r'href="data:image/png;base64,([^"]+)"', cust).group(1))
    with Image.open(io.BytesIO(png)) as picture:
        rgb = np.asarray(picture.convert("RGB")).reshape(-1, 3)
    dark = np.all(rgb == [int(colours.CHURNED[i: i + 2], 16) for i in (1, 3, 5)], axis=1)
    assert dark.sum() == churned * (views.CELL_PX - 1) ** 2  # one dark square per customer who left


def test_size_presets_give_the_workshop_sizes():
    assert Workshop(scenario_name="baseline", size="small").orgs[0].state.T == 10
    large = Workshop(scenario_name="baseline", size="large").orgs[0].state
    assert large.T == 50 and abs(large.C - 2000) <= 30
    assert set(SIZES) == {"small", "workshop", "large"}


# -- the page, rendered in-process -------------------------------------------------------------
def _html(rc, testid: str):
    return [w for w in rc.find(solara.widgets.HTML).widgets if (w.attributes or {}).get("data-testid") == testid]


@pytest.fixture
def page(capsys):
    from sim.dashboard.app import Page

    _box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()
    capsys.readouterr()  # the app bar prints itself outside a browser


def test_page_step_and_reset_restore_step_zero(page):
    setup = _html(page, "setup")[0].unsafe_innerHTML
    assert setup.startswith("baseline")
    for _ in range(3):
        page.find(v.Btn, children=["Step"]).widget.click()
    assert 'data-day="3"' in _html(page, "views")[0].unsafe_innerHTML
    page.find(v.Btn, children=["Reset"]).widget.click()
    views_html = _html(page, "views")[0].unsafe_innerHTML
    assert 'data-day="0"' in views_html
    assert views_html.count('data-testid="org-') == 1


def test_page_twin_mode_after_reset_shows_two_organisations(page):
    box = next(c for c in page.find(v.Checkbox).widgets if "Twin" in (c.label or ""))
    box.v_model = True
    page.find(v.Btn, children=["Reset"]).widget.click()
    assert "A: resilience 0.50 vs B: resilience 0.85" in _html(page, "setup")[0].unsafe_innerHTML
    page.find(v.Btn, children=["Step"]).widget.click()
    html = _html(page, "views")[0].unsafe_innerHTML
    assert 'data-testid="org-0"' in html and 'data-testid="org-1"' in html
    assert html.count('class="series org-1"') == len(views.SERIES)


def test_page_slider_moves_the_model_and_a_bad_value_shows_one_line(page):
    slider = next(s for s in page.find(v.Slider).widgets if (s.label or "").startswith("Clarity"))
    slider.v_model = 0.8
    page.find(v.Btn, children=["Step"]).widget.click()
    html = _html(page, "views")[0].unsafe_innerHTML
    assert "mark-lever" in html
    slider = next(s for s in page.find(v.Slider).widgets if (s.label or "").startswith("Clarity"))
    assert slider.label == "Clarity 0.80"
    slider.v_model = 7.5  # what a tampered or buggy client could send
    message = _html(page, "message")
    assert message and message[0].unsafe_innerHTML == "Clarity: 7.5 is out of range: must be between 0 and 1"
    page.find(v.Btn, children=["Step"]).widget.click()  # and the page goes on working
    assert 'data-day="2"' in _html(page, "views")[0].unsafe_innerHTML


def test_page_saves_the_session_as_a_scenario_file_that_replays_it(page, tmp_path):
    from urllib.parse import unquote

    from sim.api import load_scenario, run_scenario

    page.find(v.Btn, children=["Step"]).widget.click()
    slider = next(s for s in page.find(v.Slider).widgets if (s.label or "").startswith("Clarity"))
    slider.v_model = 0.8
    slider = next(s for s in page.find(v.Slider).widgets if (s.label or "").startswith("Pressure"))
    slider.v_model = 1.0
    for _ in range(3):
        page.find(v.Btn, children=["Step"]).widget.click()
    page.find(v.Btn, children=["⤓ Save session"]).widget.click()
    link = _html(page, "export-link")[0]
    name, href = link.attributes["download"], link.attributes["href"]
    assert name == "alignsim-baseline-session-day4.toml" and href.startswith("data:application/toml")
    path = tmp_path / name
    path.write_text(unquote(href.partition(",")[2]), encoding="utf-8")
    scenario = load_scenario(path)
    assert [e.type for e in scenario.params.events] == ["lever", "conditions"]
    assert run_scenario(scenario, steps=4).series.pressure.tolist()[1:] == [0.2, 1.0, 1.0, 1.0]


def test_intervention_bar_buttons_fire_and_mark(capsys):
    from sim.dashboard.components import InterventionBar

    model = solara.reactive(Workshop(scenario_name="baseline"))
    r = [solara.reactive(x) for x in ("", "", "random", "backlog", ())]
    _box, rc = solara.render(InterventionBar(model, *r), handle_error=False)
    for label in ("⚡ Shock", "↻ Pivot", "★ New leader"):
        rc.find(v.Btn, children=[label]).widget.click()
    assert [m.kind for m in model.value.marks] == ["shock", "pivot", "leader"]
    assert model.value.marks[-1].label == "new leader: Division A"
    rc.find(v.Btn, children=["⤓ PNG"]).widget.click()
    name, url = r[4].value
    assert name == "alignsim-baseline-day0.png" and url.startswith("data:image/png;base64,iVBORw0KGgo")
    rc.close()


# -- animate and the commands --------------------------------------------------------------------
def test_animate_writes_a_gif_with_one_frame_per_drawn_day(tmp_path):
    out = tmp_path / "run.gif"
    frames = animate("pressure-shock", out, steps=12, every=5)
    assert frames == len(frame_days(12, 5)) == 4  # days 0, 5, 10 and 12
    with Image.open(out) as gif:
        assert gif.n_frames == 4
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"))
        gif.seek(3)
        last = np.asarray(gif.convert("RGB"))
    assert first.shape == last.shape and not np.array_equal(first, last)
    assert list(tmp_path.iterdir()) == [out]  # no partial file left behind


@pytest.mark.parametrize("twin", [["--twin", "core-strong"], ["--twin-set", "levers.resilience=0.85"]])
def test_animate_twin_and_bad_input(tmp_path, capsys, twin):
    out = tmp_path / "twins.gif"
    assert main(["animate", "overreacting-leadership", *twin, "--steps", "4", "--every", "2",
                 "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 3
    capsys.readouterr()
    for args in (["--out", str(tmp_path / "x.txt")], ["--out", str(tmp_path / "no" / "x.gif")],
                 ["--out", str(tmp_path / "y.gif"), "--twin-set", "levers.nope=1"],
                 ["--out", str(tmp_path / "y.gif"), "--size", "huge"],
                 ["--out", str(tmp_path / "y.gif"), "--steps", "999"]):
        assert main(["animate", "baseline", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("alignsim: error:") and err.count("\n") == 1
    assert not (tmp_path / "y.gif").exists()


def test_workshop_rejects_a_bad_scenario_or_port_in_one_line(capsys):
    assert main(["workshop", "no-such-scenario"]) == 2
    assert "no bundled scenario" in capsys.readouterr().err
    assert main(["workshop", "--port", "70000"]) == 2
    assert "1..65535" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["workshop", "baseline", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err and err.count("\n") == 1


def test_the_model_never_imports_the_dashboard_and_the_session_needs_no_solara():
    code = ("import sys, sim.api, sim.model.model, sim.cli; sim.cli._parser(); "
            "assert not any(m.startswith('sim.dashboard.') and m != 'sim.dashboard.cli' for m in sys.modules), 1; "
            "import sim.dashboard.state, sim.dashboard.views, sim.dashboard.animate; "
            "assert 'solara' not in sys.modules, 2")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
