"""Projector mode and the facilitator's controls without a browser: the demonstrations, the clock
(speed, pause at a day), readable marks of live moves, labels that follow them, fair twins, the
projector screen's text sizes and palette, and the small chart defects of issue 12."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.cli import main
from sim.dashboard import colours, demos, views
from sim.dashboard.frame import TILES, take, tile_label
from sim.dashboard.player import DEFAULT_SPEED, check_pause_day, check_speed, play
from sim.dashboard.state import Workshop
from sim.errors import InputError


# -- demonstrations ------------------------------------------------------------------------------
def test_every_demonstration_opens_as_the_guide_sets_it_up():
    for name, demo in demos.DEMOS.items():
        w = Workshop(**demos.setup(name))
        assert w.twin and w.twin_lever == demo.lever and w.horizon == 365
        assert w.labels[1] == f"B: {demo.lever} {demo.value:.2f}"
    with pytest.raises(InputError, match="allowed: overreaction, decision-rights, burnout"):
        demos.check_demo("nope")


# -- the clock -----------------------------------------------------------------------------------
def test_play_stops_exactly_at_the_pause_day_and_at_the_end():
    w = Workshop(scenario_name="baseline", size="small")
    drawn = []
    why = play(w, lambda: True, lambda: drawn.append(w.day), lambda: 1000, lambda: 7, sleep=lambda s: None)
    assert why == "pause-at" and w.day == 7 and drawn == list(range(1, 8))
    w.horizon = 9
    assert play(w, lambda: True, lambda: None, lambda: 1000, lambda: 0, sleep=lambda s: None) == "end"
    assert w.day == 9
    steps = iter([True, True, False])
    w2 = Workshop(scenario_name="baseline", size="small")
    assert play(w2, lambda: next(steps), lambda: None, lambda: 1000, lambda: 0) == "paused" and w2.day == 2


def test_play_keeps_the_speed_in_days_per_second():
    w = Workshop(scenario_name="baseline", size="small")
    slept = []
    play(w, lambda: w.day < 3, lambda: None, lambda: 10, lambda: 0, sleep=slept.append)
    assert len(slept) == 3 and all(0.0 < s <= 0.1 for s in slept)
    assert 10 <= DEFAULT_SPEED <= 20  # the guide's 10 to 20 days a second


def test_speed_and_pause_day_are_checked_in_one_line():
    assert check_speed("15") == 15 and check_pause_day("", 365) == 0 and check_pause_day(" 180 ", 365) == 180
    for bad in ("x", 0, 99):
        with pytest.raises(InputError, match=r"^Speed: "):
            check_speed(bad)
    for bad in ("day", "400", "-3"):
        with pytest.raises(InputError, match=r"^Pause at day: "):
            check_pause_day(bad, 365)


# -- live moves: readable marks, labels that follow ----------------------------------------------
def test_a_live_move_is_marked_from_old_to_new_value_and_every_label_follows():
    w = Workshop(**demos.setup("decision-rights"))
    for _ in range(3):
        w.step()
    assert w.labels == ["A: ownership 0.15", "B: ownership 0.85"]
    mark = w.match_twin()  # the M key: A gets B's value
    assert mark.label == "ownership 0.15 -> 0.85 (A)"
    w.step()
    assert w.labels == ["A: ownership 0.85", "B: ownership 0.85"]
    frame = take(w)
    assert frame.orgs[0].label == "A: ownership 0.85"
    big = views.chart(frame, "friction_index", views.PROJECTOR_WIDTH, 176, projector=True)
    assert ">ownership 0.15 -&gt; 0.85 (A)</text>" in big  # written out on the projector's chart
    assert "A: ownership 0.85" in views.projector_grid(frame)
    saved = w.session_toml(0)
    assert "A: ownership 0.85" in saved and 'lever = "ownership"' in saved
    with pytest.raises(InputError, match="only in twin mode"):
        Workshop(scenario_name="baseline").match_twin()


# -- fair twins ----------------------------------------------------------------------------------
def test_a_fair_twin_differs_from_a_in_the_overridden_parameter_only():
    w = Workshop(scenario_name="burnout", twin_set=["levers.empathy=0.85"])
    a, b = (m.params for m in w.orgs)
    assert w.labels == ["A: levers.empathy=0.15", "B: levers.empathy=0.85"]
    assert b.levers.empathy == 0.85 and a.model_copy(update={"levers": b.levers}) == b
    with pytest.raises(InputError, match=r"^--twin-set levers.empathy: value 3"):
        Workshop(scenario_name="burnout", twin_set=["levers.empathy=3"])


# -- the projector screen ------------------------------------------------------------------------
def _sizes(html: str) -> list[float]:
    return [float(x) for x in re.findall(r'font-size="([0-9.]+)"', html)]


def test_the_projector_screen_has_tiles_names_and_no_text_under_24():
    w = Workshop(**demos.setup("overreaction"))
    for _ in range(100):
        w.step()
    w.fire_shock()
    w.step()
    frame = take(w, "alignment")
    html = views.projector_grid(frame)
    assert min(_sizes(html)) >= 24  # SVG units: one unit is about one pixel at 1280x720
    for k in (0, 1):
        assert f'data-testid="who-{k}"' in html and f'data-testid="org-{k}"' in html
        for column in TILES:
            assert f'data-testid="tile-{column}-{k}"' in html
    assert [tile_label(c) for c in TILES] == ["customers lost", "pivots", "escalations a day", "decisions waiting"]
    lost = frame.orgs[0].tiles["churned"]
    assert lost == w.orgs[0].state.total_churned  # departures; new customers (issue 11) refill places, so not ~active
    assert ">shock</text>" in html


def _washed(hex_colour: str, contrast: float = 0.45, lift: float = 0.35) -> np.ndarray:
    """A colour as a washed-out projector shows it: contrast squeezed toward grey, black lifted."""
    rgb = np.array([int(hex_colour[i: i + 2], 16) for i in (1, 3, 5)], dtype=float)
    rgb = 128 + (rgb - 128) * contrast
    return rgb + (255 - rgb) * lift


def _apart(c1: str, c2: str) -> float:
    return float(np.linalg.norm(_washed(c1) - _washed(c2)))


def test_the_projector_palette_stays_apart_from_white_and_between_its_ends_when_washed_out():
    for good_high in (True, False):
        ramp = colours.ramp(good_high, 9, "projector")
        assert min(_apart(c, "#ffffff") for c in ramp) >= 50, ramp  # no level fades into the screen
        assert _apart(ramp[0], ramp[-1]) >= 50  # bad and good stay apart
    pale = colours.ramp(True, 9)[4]  # the default scale's pale middle is what vanished
    assert _apart(pale, "#ffffff") < 30
    assert _apart(*colours.ORG_PROJECTOR) >= 50


# -- small defects of issue 12 ---------------------------------------------------------------------
def test_the_last_day_label_stays_inside_the_chart_and_ticks_clear_the_subtitle():
    w = Workshop(scenario_name="baseline", size="small")
    for _ in range(250):
        w.step()
    svg = views.chart(take(w), "friction_index")
    width = float(re.search(r'viewBox="0 0 ([0-9.]+)', svg).group(1))
    label = re.search(r'<text x="([0-9.]+)" y="[0-9.]+" font-size="14.0" text-anchor="(\w+)"[^>]*>300</text>', svg)
    x, anchor = float(label.group(1)), label.group(2)
    assert (anchor == "end" and x <= width) or x + 0.32 * 14 * 3 <= width
    top_tick = min(float(y) for y in re.findall(r'<text x="34.0" y="([0-9.]+)"', svg))
    assert top_tick - 14 >= 37 + 2, "the top y tick sits below the unit line"


def test_the_demonstration_comes_from_the_address_or_the_command_line(monkeypatch):
    from sim.dashboard.app import start_demo
    from sim.dashboard.server import DEMO_ENV

    monkeypatch.delenv(DEMO_ENV, raising=False)
    assert start_demo("demo=burnout") == "burnout" and start_demo("") == "" and start_demo("demo=nope") == ""
    monkeypatch.setenv(DEMO_ENV, "overreaction")  # alignsim workshop --demo overreaction
    assert start_demo(None) == "overreaction" and start_demo("demo=burnout") == "burnout"
    assert main(["workshop", "--demo", "nope"]) == 2


def test_the_latest_marks_are_written_out_on_the_page_and_under_an_export():
    from sim.dashboard.figures import Board

    w = Workshop(scenario_name="baseline", size="small")
    w.step()
    w.set_setting("clarity", 0.8)
    w.step()
    line = views.marks_line(w.marks, w.day)
    assert line == "day 2 ± clarity 0.50 -> 0.80"
    board = Board(1)
    board.draw(take(w))
    assert board.caption.get_text() == f"Latest: {line}"
    twins = Board(2)
    twins.draw(take(Workshop(scenario_name="baseline", size="small", twin=True)))
    assert [t.get_text() for t in twins.fig.legends[0].get_texts()] == ["A: resilience 0.50", "B: resilience 0.85"]
