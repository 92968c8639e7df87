"""Bookmarks, going back and branching (issue 12, item 3): a branch is exactly a fresh run of the
session's action log cut at the branch day, with the same seed, and A goes on as it was played."""

from __future__ import annotations

import ipyvuetify as v
import pandas as pd
import pytest
import solara

from sim.dashboard import views
from sim.dashboard.components import moments
from sim.dashboard.frame import take
from sim.dashboard.state import Workshop
from sim.errors import InputError
from sim.model.model import AlignmentModel


def _played(until: int = 99) -> Workshop:
    """overreacting-leadership (a shock scheduled on day 90), small; a pivot on day 40 and clarity
    0.8 from day 70."""
    w = Workshop(scenario_name="overreacting-leadership", size="small", seed=2)
    while w.day < 39:
        w.step()
    w.fire_pivot()
    while w.day < 69:
        w.step()
    w.set_setting("clarity", 0.8)
    while w.day < until:
        w.step()
    return w


def _fresh(w: Workshop, k: int) -> pd.DataFrame:
    """A fresh run of organisation k's action log as it stands (its set-up, the same seed)."""
    m = AlignmentModel(params=w.session_params(k), graph=None, seed=w.root_seed)
    for _ in range(w.day):
        m.step()
    return m.series()


def test_a_branch_is_a_fresh_run_of_the_log_cut_at_that_day_and_a_goes_on_as_played():
    w = _played()
    played = w.orgs[0].series()
    assert ("before day 40: pivot: " in moments(w)[0][0]) and moments(w)[0][1] == 39
    assert w.branch(39) == 39 and w.day == 39 and w.twin
    assert w.labels == ["A: as played", "B: branch, day 39"]
    assert [e.type for e in w.live_actions(1)] == []  # B: no pivot on day 40, no clarity move on day 70
    w.fire_shock()  # B diverges: live moves go to B only
    assert [e.type for e in w.live_actions(0)] == ["pivot", "lever"]
    assert [e.type for e in w.live_actions(1)] == ["shock"]
    while w.day < 99:
        w.step()
    pd.testing.assert_frame_equal(w.orgs[0].series(), played)  # A replays exactly what was played
    pd.testing.assert_frame_equal(w.orgs[1].series(), _fresh(w, 1))  # B is a fresh run of its own log
    b = w.orgs[1].series()
    assert b["pivots"].iloc[40] == 0 and played["pivots"].iloc[40] == 1
    assert b.iloc[:40].equals(played.iloc[:40])  # identical up to the branch day
    labels = [m.label for m in w.marks]
    assert "pivot: " in labels[1] and labels[1].endswith(" (A)") and "shock (B)" in labels
    assert "⎇" in views.chart(take(w), "friction_index") and "shock (B)" in views.marks_line(w.marks, w.day)


def test_going_back_replays_to_that_day_and_drops_later_moves_only():
    w = _played(120)
    played = w.orgs[0].series()
    w.bookmark()
    assert w.go_back(60) == 60 and w.day == 60
    assert [e.type for e in w.live_actions(0)] == ["pivot"]  # the move of day 70 is gone
    assert [m.kind for m in w.marks] == ["shock", "pivot"]  # the scenario's shock (day 90) stays
    assert w.bookmarks == []
    pd.testing.assert_frame_equal(w.orgs[0].series(), played.iloc[:61])
    while w.day < 100:
        w.step()
    assert w.orgs[0].series()["pressure"].iloc[95] > played["pressure"].iloc[85]  # the scheduled shock came
    pd.testing.assert_frame_equal(w.orgs[0].series(), _fresh(w, 0))


def test_twins_go_back_together_and_bad_days_are_one_line():
    w = Workshop(scenario_name="baseline", size="small", twin=True, twin_lever="ownership", twin_value=0.85)
    for _ in range(12):
        w.step()
    w.set_setting("ownership", 0.85)  # A only
    w.step()
    w.go_back(5)
    assert w.day == 5 and w.labels == ["A: ownership 0.50", "B: ownership 0.85"] and w.live_actions(0) == []
    for bad in (-1, 6, "x", None):
        with pytest.raises(InputError, match=r"^day: "):
            w.branch(bad)


def test_the_page_bookmarks_and_branches(capsys):
    from sim.dashboard.app import Page

    _box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    for _ in range(4):
        rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["⚑ Bookmark today"]).widget.click()
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["⎇"]).widget.click()  # the bookmark's branch button

    def html(testid):
        return next(w for w in rc.find(solara.widgets.HTML).widgets
                    if (w.attributes or {}).get("data-testid") == testid).unsafe_innerHTML

    assert 'data-day="4"' in html("views") and 'data-testid="org-1"' in html("views")
    assert "A: as played vs B: branch, day 4" in html("setup")
    rc.close()
    capsys.readouterr()
