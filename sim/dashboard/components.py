"""Custom Solara components for what Mesa's SolaraViz lacks: live settings, live interventions,
twin views, the colour picker, PNG export and the projector styling.

Every component takes the reactive session (``solara.Reactive[Workshop]``) that SolaraViz also
drives, and subscribes to Mesa's ``update_counter`` so that it redraws after each step.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

import solara
from mesa.visualization.utils import force_update, update_counter

from sim.errors import InputError

from . import views
from .colours import ORG_PROJECTOR
from .frame import METRICS, take
from .presets import SETTINGS, SIZES
from .state import LEADER_STYLES, Workshop

# what the S, P and M keys do to the session (space and the right arrow drive the clock)
ActionKeys: dict[str, Callable[[Workshop], object]] = {
    "shock": Workshop.fire_shock, "pivot": Workshop.fire_pivot, "move": Workshop.match_twin,
    "bookmark": Workshop.bookmark}

SIDEBAR_PX = 340
# Projector styling.  The sidebar gets a fixed width and the main area the matching left offset
# (Solara's drawer has width "min-content", which Vuetify cannot turn into an offset: NaN).
CSS = f"""
.v-application {{ font-size: 18px; }}
.v-navigation-drawer {{ width: {SIDEBAR_PX}px !important; min-width: {SIDEBAR_PX}px !important;
                        top: 64px !important; height: calc(100% - 64px) !important; }}
body:has(.v-navigation-drawer--active) .v-main {{ --v-layout-left: {SIDEBAR_PX}px !important; }}
body:not(:has(.v-navigation-drawer--active)) .v-main {{ --v-layout-left: 0px !important; }}
.v-navigation-drawer .v-card {{ margin-bottom: 10px; }}
/* solara's checkbox also prints its label inside the box's wrapper with this front end: hide that copy */
.v-selection-control__wrapper {{ font-size: 0; }}
.v-selection-control__wrapper .v-icon {{ font-size: 24px; }}
.v-application .v-slider .v-label, .v-application .v-field-label {{ font-size: 17px !important; color: #111; }}
.v-application .v-btn {{ font-size: 17px !important; letter-spacing: 0 !important; text-transform: none !important; }}
.v-application .v-card-title, .v-application .v-card__title {{ font-size: 20px !important; font-weight: 700; }}
.v-toolbar-title__placeholder, .v-toolbar__title {{ font-size: 22px; font-weight: 700; }}
.alignsim-day {{ font-size: 26px; font-weight: 800; color: #fff; white-space: nowrap; padding: 0 10px; }}
.alignsim-sub {{ font-size: 18px; color: #111; font-weight: 600; }}
.alignsim-view {{ background: #fff; border: 1px solid #bdbdbd; border-radius: 6px; padding: 2px; line-height: 0; }}
.alignsim-grid {{ display: grid; grid-template-columns: 9fr 11fr; gap: 8px; align-items: start; }}
.alignsim-left {{ display: grid; gap: 6px; }}
.alignsim-right {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }}
.alignsim-hint {{ font-size: 16px; color: #222; margin: 2px 0 8px 0; }}
.alignsim-error {{ font-size: 18px; font-weight: 700; color: #fff; background: #b00020; padding: 4px 10px;
                   border-radius: 4px; }}
.alignsim-link {{ font-size: 18px; font-weight: 700; color: #0b3d91; text-decoration: underline; }}
.alignsim-colour .v-btn {{ font-size: 16px !important; padding: 0 10px !important; }}
.alignsim-bar .v-btn {{ margin-left: 6px; font-weight: 700; }}
.alignsim-disconnected {{ position: fixed; top: 0; left: 0; right: 0; z-index: 100000; background: #b00020;
                          color: #fff; font-size: 28px; font-weight: 800; padding: 18px 24px; text-align: center; }}
/* projector mode: 1280x720, nothing below the fold, no text under 24 px, dark saturated colours */
body:has(.alignsim-projector-page) .alignsim-bar .v-btn {{ font-size: 24px !important; height: 44px !important;
                                                 padding: 0 12px !important; }}
body:has(.alignsim-projector-page) .v-toolbar-title__placeholder, body:has(.alignsim-projector-page) .v-toolbar__title
  {{ font-size: 24px !important; }}
.alignsim-projector-page .alignsim-error, .alignsim-projector-page .alignsim-link {{ font-size: 24px; }}
.alignsim-projector-page .alignsim-view {{ border: 2px solid #111; }}
.alignsim-projector {{ display: grid; gap: 6px; }}
.pj-cols {{ display: grid; grid-auto-flow: column; grid-auto-columns: 1fr; gap: 12px; }}
.pj-col {{ display: grid; gap: 4px; align-content: start; }}
.pj-who {{ display: flex; justify-content: space-between; align-items: center; font-size: 26px; font-weight: 800;
           color: #fff; padding: 0 10px; border-radius: 4px; line-height: 38px; }}
.pj-org-0 {{ background: {ORG_PROJECTOR[0]}; }}
.pj-org-1 {{ background: {ORG_PROJECTOR[1]}; }}
.pj-key {{ font-size: 24px; font-weight: 600; display: flex; align-items: center; gap: 6px; }}
.pj-ramp {{ display: inline-block; width: 90px; height: 20px; border: 2px solid #fff; }}
.pj-tiles {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 4px; }}
.pj-tile {{ border: 2px solid #111; border-radius: 6px; padding: 0 6px 2px 6px; background: #fff; line-height: 1.05; }}
.pj-num {{ font-size: 40px; font-weight: 800; color: #111; }}
.pj-label {{ font-size: 24px; color: #111; }}
.alignsim-toast {{ position: fixed; right: 12px; bottom: 12px; z-index: 9000; background: #fff !important;
                   border: 3px solid #111; border-radius: 6px; padding: 4px 12px; }}
.alignsim-projector-page .alignsim-toast .alignsim-hint {{ font-size: 24px; }}
.alignsim-projector-page .alignsim-toast .v-btn {{ font-size: 24px !important; }}
"""


def guard(message: solara.Reactive[str], action: Callable[[], object]) -> Callable[[], None]:
    """Run ``action``; a bad value becomes the one-line message instead of an exception."""

    def run() -> None:
        try:
            action()
        except InputError as exc:
            message.set(str(exc))
        else:
            message.set("")
            force_update()

    return run


def setting_handler(session: Workshop, name: str, message: solara.Reactive[str]) -> Callable[[object], None]:
    """What a live-setting slider calls with its new value (validated by the session)."""

    def on_value(value: object) -> None:
        guard(message, lambda: session.set_setting(name, value))()

    return on_value


@solara.component
def SettingSlider(session: Workshop, name: str, value: float, message: solara.Reactive[str]):
    """One live setting; re-rendered only when its value changes (its handler is memoised)."""
    label, lo, hi, step = SETTINGS[name]
    on_value = solara.use_memo(lambda: setting_handler(session, name, message), [session, name])
    solara.SliderFloat(f"{label} {value:.2f}", value=value, min=lo, max=hi, step=step, on_value=on_value,
                       thumb_label=False)


@solara.component
def LiveSettings(model: solara.Reactive[Workshop], message: solara.Reactive[str]):
    """Sliders for the four CORE levers, pressure and signal noise, applied to the running model.

    Watches every step (a pressure timeline moves the pressure daily) but redraws the card only
    when a rounded value changes."""
    update_counter.get()
    now = tuple(round(v, 2) for v in model.value.settings().values())
    SettingsCard(model.value, message, now)


@solara.component
def SettingsCard(session: Workshop, message: solara.Reactive[str], now: tuple[float, ...]):
    with solara.Card("Live settings"):
        solara.Text("Applied from the next day on, and marked on the charts.", classes=["alignsim-hint"])
        if session.twin and session.twin_lever:
            solara.Text(f"{session.twin_lever.capitalize()} moves A only: B keeps {session.twin_value:.2f}.",
                        classes=["alignsim-hint"])
        for name, value in zip(SETTINGS, now, strict=True):
            SettingSlider(session, name, value, message)


LIVE_KINDS = ("shock", "pivot", "leader", "lever")


def moments(session: Workshop) -> list[tuple[str, int]]:
    """The timeline's moments to go back to or branch from: (words, day), bookmarks at their day
    and each live move the day before it (to replay the session without it)."""
    with session.lock:
        out = [(f"⚑ day {b}", b) for b in session.bookmarks]
        out += [(f"before day {m.day}: {m.label}", m.day - 1) for m in session.marks
                if m.kind in LIVE_KINDS and m not in session.scheduled_marks and 0 < m.day <= session.day]
    return sorted(out, key=lambda x: x[1])


@solara.component
def Timeline(model: solara.Reactive[Workshop], playing: solara.Reactive[bool], message: solara.Reactive[str]):
    """Bookmarks, going back to a day and branching from it (B becomes the branch).

    Watches every step (a move made today is listed from tomorrow) but redraws the card only when
    its moments change, like the live settings."""
    update_counter.get()
    session = model.value
    TimelineCard(session, tuple(moments(session)[-8:]), session.branched_at, playing, message)


@solara.component
def TimelineCard(session: Workshop, shown: tuple, branched_at: int | None, playing: solara.Reactive[bool],
                 message: solara.Reactive[str]):
    day = solara.use_reactive("")

    def act(how: Callable[[object], object], when: object) -> Callable[[], None]:
        def run() -> None:
            playing.set(False)
            guard(message, lambda: how(when))()
        return run

    with solara.Card("Timeline"):
        solara.Text("Bookmark a day (key B), go back to it, or branch from it: B replays this session with the "
                    "same seed up to that day, then goes its own way (your moves go to B only).",
                    classes=["alignsim-hint"])
        solara.Button("⚑ Bookmark today", on_click=guard(message, session.bookmark),
                      attributes={"data-testid": "bookmark"})
        for words, when in shown:
            with solara.Row(style={"align-items": "center", "gap": "4px"}):
                solara.Text(words, classes=["alignsim-hint"])
                solara.Button("↺", text=True, on_click=act(session.go_back, when),
                              attributes={"data-testid": f"back-{when}", "title": f"go back to day {when}"})
                solara.Button("⎇", text=True, on_click=act(session.branch, when),
                              attributes={"data-testid": f"branch-{when}", "title": f"branch from day {when}"})
        solara.InputText("Day", value=day, continuous_update=True)
        with solara.Row():
            solara.Button("↺ Go back", on_click=act(session.go_back, day.value), attributes={"data-testid": "go-back"})
            solara.Button("⎇ Branch", on_click=act(session.branch, day.value), attributes={"data-testid": "branch"})
        if branched_at is not None:
            solara.Text(f"B is the branch from day {branched_at}; A goes on as played.",
                        classes=["alignsim-hint"])


@solara.component
def LeaderOptions(model: solara.Reactive[Workshop], who: solara.Reactive[str], style: solara.Reactive[str]):
    names = [name for _, name in model.value.managers()]
    with solara.Card("Leader change"):
        solara.Select("Which manager", value=who.value if who.value in names else default_leader(names),
                      values=names, on_value=who.set)
        solara.Select("New leader", value=style, values=list(LEADER_STYLES))


def default_leader(names: list[str]) -> str:
    """The first division head (the executive when there is no one else)."""
    return names[1] if len(names) > 1 else names[0]


def leader_unit(session: Workshop, who: str) -> int:
    units = {name: u for u, name in session.managers()}
    return units.get(who, units[default_leader(list(units))])


@solara.component
def DayCounter(model: solara.Reactive[Workshop]):
    update_counter.get()
    session = model.value
    solara.HTML("div", f"Day {session.day} / {session.horizon}", classes=["alignsim-day"],
                attributes={"data-testid": "day", "data-day": str(session.day)})


@solara.component
def PlayButtons(model: solara.Reactive[Workshop], playing: solara.Reactive[bool], message: solara.Reactive[str],
                reset: Callable[[], None] | None = None):
    """Reset (when given), ▶ / ❚❚ and Step."""
    update_counter.get()
    session = model.value
    done = session.day >= session.horizon

    def step() -> None:
        if not playing.value:
            guard(message, session.step)()

    with solara.Row(style={"align-items": "center", "background": "transparent"}):
        if reset is not None:
            solara.Button("Reset", color="primary", on_click=reset, attributes={"data-testid": "reset"})
        solara.Button("❚❚" if playing.value else "▶", color="primary", disabled=done and not playing.value,
                      on_click=lambda: playing.set(not playing.value), attributes={"data-testid": "play"})
        solara.Button("Step", color="primary", disabled=playing.value or done, on_click=step,
                      attributes={"data-testid": "step"})


@solara.component
def InterventionBar(model: solara.Reactive[Workshop], message: solara.Reactive[str], who: solara.Reactive[str],
                    style: solara.Reactive[str], metric: solara.Reactive[str], exported: solara.Reactive[tuple],
                    playing: solara.Reactive[bool] | None = None, panel: solara.Reactive[bool] | None = None):
    """In the app bar, always visible: the day, the live interventions and the PNG export; in
    projector mode (``playing`` given) also ▶ / ❚❚ and Step, and ⚙ to open the sidebar."""
    session = model.value
    with solara.Row(classes=["alignsim-bar"], style={"align-items": "center", "background": "transparent"}):
        DayCounter(model)
        if playing is not None:
            PlayButtons(model, playing, message)
        solara.Button("⚡ Shock", color="#b00020", on_click=guard(message, session.fire_shock),
                      attributes={"data-testid": "shock"})
        solara.Button("↻ Pivot", color="#6a1b9a", on_click=guard(message, session.fire_pivot),
                      attributes={"data-testid": "pivot"})
        if playing is None:
            solara.Button("★ New leader", color="#1b5e20",
                          on_click=guard(message, lambda: session.change_leader(leader_unit(session, who.value),
                                                                                style.value)),
                          attributes={"data-testid": "leader"})
            solara.Button("⤓ PNG", color="#37474f", on_click=lambda: exported.set(export(session, metric.value)),
                          attributes={"data-testid": "export"})
        if panel is not None:
            solara.Button("⚙", color="#37474f", on_click=lambda: panel.set(not panel.value),
                          attributes={"data-testid": "panel", "title": "settings"})


@solara.component
def Header(model: solara.Reactive[Workshop], metric: solara.Reactive[str]):
    update_counter.get()  # the names follow live moves of the twin lever
    session = model.value
    who = f" · {' vs '.join(session.labels)}" if session.twin else ""
    size = SIZES[session.size].label.split(":")[-1].strip()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
        solara.HTML("div", f"{session.scenario_name} · {size} · seed {session.root_seed}{who}",
                    classes=["alignsim-sub"], attributes={"data-testid": "setup"})
        solara.ToggleButtonsSingle(value=metric, values=list(METRICS), dense=True, classes=["alignsim-colour"])
    MarksLine(session)


@solara.component
def MarksLine(session: Workshop):
    """The latest marks in words (the small charts show only their letters)."""
    update_counter.get()
    with session.lock:
        line = views.marks_line(list(session.marks), session.day)
    if line:
        solara.HTML("div", escape(f"Latest: {line}"), classes=["alignsim-hint"], attributes={"data-testid": "marks"})


def export(session: Workshop, metric: str) -> tuple[str, str]:
    """The current charts as a PNG: (file name, data URL) for a download link."""
    from .figures import png_bytes

    data = base64.b64encode(png_bytes(take(session, metric))).decode("ascii")
    return f"alignsim-{session.scenario_name}-day{session.day}.png", f"data:image/png;base64,{data}"


@solara.component
def ExportLink(exported: solara.Reactive[tuple], projector: bool = False):
    """The link to save the last export (Solara's FileDownload does not render with this front end);
    in projector mode it floats over the bottom right corner, so that nothing moves below the fold."""
    if exported.value:
        name, url, *note = exported.value
        kinds = {".html": "the debrief", ".toml": "the session", ".png": "the PNG"}
        shown = kinds.get(name[name.rfind("."):], name) if projector else name  # projector: a short toast
        with solara.Row(style={"align-items": "center", "gap": "12px"},
                        classes=["alignsim-toast"] if projector else []):
            solara.HTML("a", f"⤓ Save {escape(shown)}", classes=["alignsim-link"],
                        attributes={"href": url, "download": name, "data-testid": "export-link", "title": name})
            if note and not projector:
                solara.HTML("span", escape(note[0]), classes=["alignsim-hint"],
                            attributes={"data-testid": "export-note"})
            solara.Button("close", text=True, on_click=lambda: exported.set(()))


@solara.component
def Views(model: solara.Reactive[Workshop], metric: solara.Reactive[str], projector: bool = False):
    """Org chart(s), customers and legend on the left, the charts on the right (or the projector
    screen); redrawn each step."""
    update_counter.get()
    session = model.value
    frame = take(session, metric.value)
    solara.use_effect(lambda: session.mark_drawn(frame.day), [session, frame.day])
    if projector:
        html = views.projector_grid(frame)
    else:
        html = views.grid(views.all_views(frame), len(frame.orgs), frame.day)
    solara.HTML("div", html, attributes={"data-testid": "views"})


@solara.component
def Message(message: solara.Reactive[str]):
    if message.value:
        solara.HTML("div", escape(message.value), classes=["alignsim-error"], attributes={"data-testid": "message"})
