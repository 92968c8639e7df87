"""The workshop page: Mesa's SolaraViz (play, pause, step, reset, speed, the set-up and the
step counter in the sidebar) plus the custom components of :mod:`~sim.dashboard.components`.

Served by :mod:`~sim.dashboard.server` (``alignsim workshop``); the scenario it opens with comes
from the environment variable ``ALIGNSIM_WORKSHOP_SCENARIO`` (default ``baseline``).
"""

from __future__ import annotations

import os
from urllib.parse import quote

import solara
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from sim.inputs.scenarios import bundled_scenarios

from .components import CSS, AppBarItems, ExportLink, Header, LeaderOptions, LiveSettings, Message, Views
from .presets import CORE, SIZES
from .server import SCENARIO_ENV
from .state import Workshop

PLAY_INTERVAL_MS = 1


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "baseline")


def setup_params(scenario: str, seed: int) -> dict:
    """The set-up SolaraViz offers under "Model Parameters"; it applies when Reset is pressed."""
    names = list(bundled_scenarios())
    if scenario not in names:
        names.insert(0, scenario)
    return {
        "scenario_name": {"type": "Select", "value": scenario, "values": names, "label": "Scenario"},
        "size": {"type": "Select", "value": "workshop", "values": list(SIZES), "label": "Organisation size"},
        "seed": Slider("Seed", value=seed, min=0, max=max(100, seed), step=1),
        "twin": {"type": "Checkbox", "value": False, "label": "Twin mode: A and B side by side"},
        "twin_lever": {"type": "Select", "value": "resilience", "values": list(CORE), "label": "B differs in"},
        "twin_value": Slider("B's value", value=0.85, min=0.0, max=1.0, step=0.05),
    }


def session_file(session: Workshop, k: int = 0) -> tuple[str, str]:
    """Organisation ``k``'s action log as a scenario file: (file name, data URL) for a download link."""
    who = "" if len(session.orgs) == 1 else f"-{'AB'[k]}"
    name = f"alignsim-{session.orgs[k].params.name}-session{who}-day{session.day}.toml"
    return name, "data:application/toml;charset=utf-8," + quote(session.session_toml(k))


@solara.component
def ActionLog(model, exported):
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


@solara.component
def SidebarCards(model, message, who, style, exported):
    """Our sidebar cards.  Solara orders sidebar content by component depth, shallowest first, so
    these sit one level deeper than SolaraViz's own cards (Controls, Model Parameters,
    Information) to come after them."""
    _SidebarCards(model, message, who, style, exported)


@solara.component
def _SidebarCards(model, message, who, style, exported):
    with solara.Sidebar():
        LiveSettings(model, message)
        LeaderOptions(model, who, style)
        ActionLog(model, exported)


@solara.component
def Page():
    scenario = start_scenario()
    first = solara.use_memo(lambda: Workshop(scenario_name=scenario), [])
    model = solara.use_reactive(first)
    metric = solara.use_reactive("backlog")
    message = solara.use_reactive("")
    who = solara.use_reactive("")
    style = solara.use_reactive("random")
    exported = solara.use_reactive(())
    with solara.Column(gap="0px") as main:  # one root, so that AppLayout adds no drawer of its own
        solara.Style(CSS)
        solara.Title("alignsim workshop")
        SolaraViz(model, components=[], model_params=setup_params(scenario, first.root_seed),
                  play_interval=PLAY_INTERVAL_MS, render_interval=1, name="alignsim workshop")
        SidebarCards(model, message, who, style, exported)
        AppBarItems(model, message, who, style, metric, exported)
        with solara.Column(gap="8px"):
            Header(model, metric)
            Message(message)
            ExportLink(exported)
            Views(model, metric)
    return main
