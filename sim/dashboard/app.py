"""The workshop page: Mesa's reactive model and redraw counter (``update_counter``), our own
clock and controls (:mod:`~sim.dashboard.player`: a speed in days per second, pause at a day,
keyboard shortcuts) and the components of :mod:`~sim.dashboard.components`.

Two layouts:

- the full page: the controls, the set-up, live settings, leader change and the action log in the
  sidebar; the org chart(s), customers and every chart in the main area;
- projector mode (``?demo=NAME`` in the address, or ``alignsim workshop --demo NAME``): one of the
  guide's demonstrations, A and B side by side on one 16:9 screen, number tiles, text of at least
  24 px and a high-contrast palette; the sidebar opens with the ⚙ button.

Keys (a presenter's clicker sends some of them): space play/pause, right arrow or Page Down one
day, S shock, P pivot, M moves A's lever to B's value (the live move of the demonstrations), B a
bookmark, D the debrief pack.

Mesa's SolaraViz was the page until its controls fell short of a workshop (no speed in days,
no pause at a day, no keyboard, a play button that cannot be driven from outside); the page keeps
Mesa's model protocol and redraw counter.  Served by :mod:`~sim.dashboard.server`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, quote

import solara
from mesa.visualization.utils import force_update, update_counter

from sim.errors import InputError
from sim.inputs.scenarios import bundled_scenarios

from . import demos
from .components import (
    CSS,
    ActionKeys,
    ExportLink,
    Header,
    InterventionBar,
    LeaderOptions,
    LiveSettings,
    Message,
    PlayButtons,
    Timeline,
    Views,
    guard,
)
from .player import DEFAULT_SPEED, MAX_SPEED, MIN_SPEED, check_pause_day, check_speed, play
from .presets import CORE, SIZES
from .server import DEMO_ENV, SCENARIO_ENV
from .state import Workshop


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "baseline")


def start_demo(search: str | None) -> str:
    """The demonstration the page opens with: ``?demo=NAME`` in its address, else ``--demo``;
    "" for none (an unknown name is reported on the page and ignored)."""
    asked = parse_qs(search or "").get("demo", [os.environ.get(DEMO_ENV, "")])[0]
    return asked if asked in demos.DEMOS else ""


def start_speed(search: str | None) -> int:
    """Days per second to play at: ``?speed=N`` in the address (1 to 40), else the default."""
    asked = parse_qs(search or "").get("speed", [""])[0]
    try:
        return check_speed(asked)
    except InputError:
        return DEFAULT_SPEED


def first_setup(demo: str, scenario: str) -> dict:
    if demo:
        return demos.setup(demo)
    return {"scenario_name": scenario, "size": "workshop", "twin": False, "twin_lever": "resilience",
            "twin_value": 0.85}


def session_file(session: Workshop, k: int = 0) -> tuple[str, str]:
    """Organisation ``k``'s action log as a scenario file: (file name, data URL) for a download link."""
    who = "" if len(session.orgs) == 1 else f"-{'AB'[k]}"
    name = f"alignsim-{session.orgs[k].params.name}-session{who}-day{session.day}.toml"
    return name, "data:application/toml;charset=utf-8," + quote(session.session_toml(k))


DEBRIEF_DIR_ENV = "ALIGNSIM_WORKSHOP_DEBRIEFS"  # where the dashboard writes debrief packs (default: here)


def debrief_pack(session: Workshop, k: int = 0) -> tuple[str, str, str]:
    """The debrief pack of organisation ``k`` (what ``alignsim debrief`` makes of its saved session),
    written to a folder on this laptop: (page name, data URL of the page, the folder, for the note)."""
    import base64
    import tempfile

    from .debrief import debrief, read_session
    from .debrief_pack import write_pack

    name, _ = session_file(session, k)
    with tempfile.TemporaryDirectory(prefix="alignsim-debrief-") as tmp:
        log = Path(tmp) / name
        log.write_text(session.session_toml(k), encoding="utf-8")
        pack = debrief(read_session(log))
    out = Path(os.environ.get(DEBRIEF_DIR_ENV) or Path.cwd()) / f"{Path(name).stem}-debrief"
    files = write_pack(pack, out)
    page = files["debrief.html"].read_bytes()
    return (f"{out.name}.html", "data:text/html;base64," + base64.b64encode(page).decode("ascii"),
            f"slides in {out}")


@solara.component_vue(str(Path(__file__).with_name("keys.vue")))
def KeyboardAndConnection(interval_ms: int, event_key: Callable[[str], None]):
    """Keyboard shortcuts for the whole page, and the "disconnected" notice (polls /readyz)."""


@solara.component
def ActionLog(model, exported, message):
    """The session's live actions so far, and a button per organisation to save them as a scenario
    file (the download link appears under the set-up line; ``alignsim run FILE`` replays it)."""
    update_counter.get()
    session = model.value
    with solara.Card("Action log"):
        solara.Text(f"{len(session.live_actions(0))} live action(s) so far. Save the session as a scenario file; "
                    "`alignsim run` replays it exactly.", classes=["alignsim-hint"])
        with solara.Row():
            for k, label in enumerate(session.labels):
                solara.Button(f"⤓ Save {label.split(':')[0]}" if session.twin else "⤓ Save session",
                              on_click=lambda k=k: exported.set(session_file(session, k)),
                              attributes={"data-testid": f"save-session-{k}"})
        solara.Text("The debrief pack: turning points, the run without your moves, where friction came from and "
                    "five questions (an HTML page and slides; key D: organisation A).", classes=["alignsim-hint"])
        with solara.Row():
            for k, label in enumerate(session.labels):
                solara.Button(f"⤓ Debrief {label.split(':')[0]}" if session.twin else "⤓ Debrief",
                              on_click=guard(message, lambda k=k: exported.set(debrief_pack(session, k))),
                              attributes={"data-testid": f"debrief-{k}"})


@solara.component
def Clock(model, playing, speed, pause_at):
    """Plays the session in a worker thread while ``playing`` (no element of its own)."""

    def run() -> None:
        why = play(model.value, lambda: playing.value, force_update, lambda: speed.value, lambda: pause_at.value)
        if why == "pause-at":
            pause_at.set(0)  # once: play again goes on
        if why != "paused":
            playing.set(False)

    solara.lab.use_task(run, dependencies=[playing.value, model.value], prefer_threaded=True)


@solara.component
def ClockCard(model, playing, speed, pause_at, message, reset, buttons: bool):
    session = model.value
    pause_text = solara.use_reactive(str(pause_at.value or ""))
    if str(pause_at.value or "") != pause_text.value and pause_at.value == 0 and pause_text.value:
        pause_text.set("")  # reached: the field empties

    def set_pause(text: str | None) -> None:
        pause_text.set(text or "")
        guard(message, lambda: pause_at.set(check_pause_day(text, session.horizon)))()

    with solara.Card("Controls"):
        if buttons:
            with solara.Row(justify="space-between"):
                PlayButtons(model, playing, message, reset)
        else:
            solara.Button("Reset", color="primary", on_click=reset, attributes={"data-testid": "reset"})
        solara.SliderInt(f"Speed: {speed.value} days/s", value=speed.value, min=MIN_SPEED, max=MAX_SPEED,
                         on_value=speed.set, thumb_label=False)
        solara.InputText("Pause at day", value=pause_text.value, on_value=set_pause, continuous_update=False)
        solara.Text("Type a day and press Enter: play stops on that day (empty: no pause). Keys: space "
                    "play/pause · → one day · S shock · P pivot · M A's lever to B's value · B bookmark · D debrief",
                    classes=["alignsim-hint"])


@solara.component
def SetupCard(setup: solara.Reactive[dict], scenario: str):
    """The set-up, applied by Reset."""
    now = setup.value
    names = list(bundled_scenarios())
    if now["scenario_name"] not in names:
        names.insert(0, now["scenario_name"])

    def put(key: str) -> Callable[[object], None]:
        return lambda value: setup.set({**setup.value, key: value})

    with solara.Card("Set-up (applied by Reset)"):
        solara.Select("Scenario", value=now["scenario_name"], values=names, on_value=put("scenario_name"))
        solara.Select("Organisation size", value=now["size"], values=list(SIZES), on_value=put("size"))
        seed = int(now.get("seed") or 0)
        solara.SliderInt(f"Seed: {seed}", value=seed, min=0, max=max(100, seed), on_value=put("seed"),
                         thumb_label=False)
        solara.Checkbox(label="Twin mode: A and B side by side", value=bool(now["twin"]), on_value=put("twin"))
        solara.Select("B differs in", value=now["twin_lever"], values=list(CORE), on_value=put("twin_lever"))
        solara.SliderFloat(f"B's value: {now['twin_value']:.2f}", value=now["twin_value"], min=0.0, max=1.0,
                           step=0.05, on_value=put("twin_value"), thumb_label=False)


@solara.component
def Page():
    router = solara.use_router()
    demo = solara.use_memo(lambda: start_demo(router.search), [])
    scenario = start_scenario()
    first = solara.use_memo(lambda: Workshop(**first_setup(demo, scenario)), [])
    model = solara.use_reactive(first)
    setup = solara.use_reactive({**first_setup(demo, scenario), "seed": first.root_seed})
    chosen = demos.DEMOS.get(demo)
    metric = solara.use_reactive(chosen.metric if chosen else "backlog")
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(solara.use_memo(lambda: start_speed(router.search), []))
    pause_at = solara.use_reactive(chosen.pause_at if chosen else 0)
    panel = solara.use_reactive(not demo)
    message = solara.use_reactive("")
    who = solara.use_reactive("")
    style = solara.use_reactive("random")
    exported = solara.use_reactive(())
    projector = bool(demo)

    def reset() -> None:
        playing.set(False)
        try:
            model.set(Workshop(**setup.value))
        except InputError as exc:
            message.set(str(exc))
        else:
            message.set("")
            force_update()

    def on_key(action: str) -> None:
        session = model.value
        if action == "toggle":
            playing.set(not playing.value and session.day < session.horizon)
        elif action == "step" and not playing.value:
            guard(message, session.step)()
        elif action == "debrief":
            playing.set(False)
            guard(message, lambda: exported.set(debrief_pack(session)))()
        elif action in ActionKeys:
            guard(message, lambda: ActionKeys[action](session))()

    with solara.Column(gap="0px", classes=["alignsim-projector-page" if projector else "alignsim-page"]) as main:
        solara.Style(CSS)
        solara.Title(chosen.title if chosen else "alignsim workshop")
        KeyboardAndConnection(interval_ms=2000, event_key=on_key)
        Clock(model, playing, speed, pause_at)
        with solara.AppBar():
            if projector:
                InterventionBar(model, message, who, style, metric, exported, playing=playing, panel=panel)
            else:
                solara.AppBarTitle("alignsim workshop")
                InterventionBar(model, message, who, style, metric, exported)
        if panel.value:
            with solara.Sidebar():
                ClockCard(model, playing, speed, pause_at, message, reset, buttons=not projector)
                SetupCard(setup, scenario)
                Timeline(model, playing, message)
                LiveSettings(model, message)
                LeaderOptions(model, who, style)
                ActionLog(model, exported, message)
        with solara.Column(gap="6px" if projector else "8px"):
            if not projector:
                Header(model, metric)
            Message(message)
            ExportLink(exported, projector)
            Views(model, metric, projector)
    return main
